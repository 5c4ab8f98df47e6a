using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Snr.Hosting;

/// <summary><c>GET /v1/models/{name}</c>: the version being served, its tasks, schema and cost (<see cref="ModelInfo"/>); <c>GET /v1/models</c>: the names.</summary>
internal sealed class ModelInfoEndpoint(ModelRegistry registry)
{
    public Task HandleAsync(HttpContext context)
    {
        string name = (string?)context.Request.RouteValues["name"] ?? "";
        var model = registry.Find(name);
        if (model is null)
            return ProblemWriter.WriteAsync(context.Response, RequestErrorKind.UnknownModel, $"There is no model '{name}'.");
        var version = model.Current;
        if (version is null)
            return ProblemWriter.WriteAsync(context.Response, RequestErrorKind.ModelNotLoaded, $"Model '{name}' is not loaded yet: {model.LastError ?? "loading"}.");
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(Describe(model, version), SnrHostingJsonContext.Readable.ModelInfo));
    }

    public Task ListAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(registry.Models.Select(m => m.Name).ToArray(), SnrHostingJsonContext.Default.StringArray));
    }

    internal static ModelInfo Describe(ServedModel model, LoadedModel version)
    {
        var predictor = version.Predictor.Predictor;
        var inputs = version.Inputs;
        var columns = inputs.ColumnNames.Select((name, c) => inputs.SlotOf(c) switch
        {
            { Role: ColumnRole.Numeric } => new ColumnInfo(name, "numeric", null),
            { Role: ColumnRole.Categorical } slot => new ColumnInfo(name, "categorical", inputs.CategoricalLevels[slot.Input]),
            _ => new ColumnInfo(name, "unused", null),
        }).ToArray();
        var summary = predictor.Summary;
        return new ModelInfo(model.Name, version.Version, version.LoadedAt, predictor.Tasks, columns, summary.FlopsPerRow, summary.LiveConnections,
            summary.TotalConnections, model.Options.MaxRowsPerRequest, model.Options.MaxRequestBytes, model.LastError);
    }
}
