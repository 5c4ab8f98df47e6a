using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Snr.Hosting;

/// <summary>Writes a refused request's answer: its status and a problem-details body naming the row and column.</summary>
internal static class ProblemWriter
{
    /// <summary>The HTTP status of each kind of refusal: 404 for an unknown model, 503 while none is loaded, else 400.</summary>
    public static int StatusOf(RequestErrorKind kind) => kind switch
    {
        RequestErrorKind.UnknownModel => StatusCodes.Status404NotFound,
        RequestErrorKind.ModelNotLoaded => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>The <c>outcome</c> tag of the requests metric for a refusal.</summary>
    public static string OutcomeOf(RequestErrorKind kind) => kind switch
    {
        RequestErrorKind.UnknownModel => "not_found",
        RequestErrorKind.ModelNotLoaded => "unavailable",
        _ => "bad_request",
    };

    /// <summary>The kind in kebab case (<c>unknown-column</c>), as the body and the metrics name it.</summary>
    public static string KindName(RequestErrorKind kind) => KindNames[(int)kind];

    private static readonly string[] KindNames = Enum.GetValues<RequestErrorKind>()
        .Select(k => JsonNamingPolicy.KebabCaseLower.ConvertName(k.ToString())).ToArray();

    public static Task WriteAsync(HttpResponse response, RequestErrorKind kind, string detail, int? row = null, string? column = null)
    {
        string name = KindName(kind);
        var problem = new Problem($"urn:snr:problem:{name}", name.Replace('-', ' '), StatusOf(kind), detail, name, row, column);
        response.StatusCode = problem.Status;
        response.ContentType = "application/problem+json";
        return response.WriteAsync(JsonSerializer.Serialize(problem, SnrHostingJsonContext.Readable.Problem));
    }
}
