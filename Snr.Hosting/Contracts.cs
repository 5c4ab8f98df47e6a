using System.Text.Json.Serialization;

namespace Snr.Hosting;

/// <summary>The body of <c>POST /v1/models/{name}:predict</c>: rows of column → raw value (a string or number as in the CSV; null, "?" or "" is missing).</summary>
/// <param name="Rows">The rows to score; every input column must be named in each.</param>
public sealed record PredictRequest([property: JsonPropertyName("rows")] IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows);

/// <summary>The answer of <c>POST /v1/models/{name}:predict</c>.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Version">The version that scored every row of this request.</param>
/// <param name="Tasks">The tasks, in the order of each row's scores.</param>
/// <param name="Scores">One array per row, one score per task: a probability for a binary task, a value for a regression task.</param>
public sealed record PredictResponse(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("version")] long Version,
    [property: JsonPropertyName("tasks")] IReadOnlyList<string> Tasks,
    [property: JsonPropertyName("scores")] IReadOnlyList<float[]> Scores);

/// <summary>The answer of <c>GET /v1/models/{name}</c>.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Version">The version being served.</param>
/// <param name="LoadedAt">When that version was loaded.</param>
/// <param name="Tasks">The tasks served, in score order.</param>
/// <param name="Columns">The schema: every column a row may name.</param>
/// <param name="FlopsPerRow">Floating-point operations per row of the pruned model.</param>
/// <param name="LiveConnections">Routing connections still in use.</param>
/// <param name="TotalConnections">All routing connections of the model.</param>
/// <param name="MaxRowsPerRequest">The most rows a request may hold.</param>
/// <param name="MaxRequestBytes">The largest request body.</param>
/// <param name="LastReloadError">Why the last replacement of the checkpoint was refused, or null.</param>
public sealed record ModelInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] long Version,
    [property: JsonPropertyName("loadedAt")] DateTimeOffset LoadedAt,
    [property: JsonPropertyName("tasks")] IReadOnlyList<string> Tasks,
    [property: JsonPropertyName("columns")] IReadOnlyList<ColumnInfo> Columns,
    [property: JsonPropertyName("flopsPerRow")] long FlopsPerRow,
    [property: JsonPropertyName("liveConnections")] int LiveConnections,
    [property: JsonPropertyName("totalConnections")] int TotalConnections,
    [property: JsonPropertyName("maxRowsPerRequest")] int MaxRowsPerRequest,
    [property: JsonPropertyName("maxRequestBytes")] long MaxRequestBytes,
    [property: JsonPropertyName("lastReloadError")] string? LastReloadError);

/// <summary>A column of a model's schema.</summary>
/// <param name="Name">The name rows use.</param>
/// <param name="Kind"><c>numeric</c>, <c>categorical</c> (both required in every row) or <c>unused</c> (a label or ignored column, accepted and not read).</param>
/// <param name="Levels">For a categorical input, the levels seen in training (any other value counts as unknown); else null.</param>
public sealed record ColumnInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("levels"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Levels);

/// <summary>A refused request, as RFC 9457 problem details with the row and column at fault.</summary>
/// <param name="Type">A URI naming the kind of problem (<c>urn:snr:problem:</c> and the kind).</param>
/// <param name="Title">The kind in words.</param>
/// <param name="Status">The HTTP status.</param>
/// <param name="Detail">What is wrong, naming the row and column.</param>
/// <param name="Kind">The <see cref="RequestErrorKind"/> in kebab case (<c>unknown-column</c>, …).</param>
/// <param name="Row">The 0-based row at fault, or null.</param>
/// <param name="Column">The column at fault, or null.</param>
public sealed record Problem(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("row"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Row,
    [property: JsonPropertyName("column"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Column);

/// <summary>System.Text.Json source generation for the hosting contracts (servers and clients alike).</summary>
[JsonSerializable(typeof(PredictRequest))]
[JsonSerializable(typeof(PredictResponse))]
[JsonSerializable(typeof(ModelInfo))]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
public sealed partial class SnrHostingJsonContext : JsonSerializerContext
{
    // Problems and descriptions are read by people: quotes and non-ASCII letters as they are, not \u escapes.
    internal static SnrHostingJsonContext Readable { get; } = new(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
