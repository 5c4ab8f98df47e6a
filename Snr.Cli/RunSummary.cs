using System.Text.Json.Serialization;

namespace Snr.Cli;

/// <summary>One metric of one task in a <see cref="RunSummary"/>.</summary>
internal sealed record TaskResult(string Name, string Metric, double? Value);

/// <summary>What <c>--json</c> prints as the last line of standard output: one object per trained or evaluated model.</summary>
internal sealed record RunSummary(
    string Command,
    string Model,
    string Data,
    IReadOnlyList<TaskResult> Tasks,
    long Parameters,
    long ServingFlopsPerRow,
    int LiveConnections,
    int TotalConnections,
    double Seconds,
    string? Output,
    IReadOnlyList<EpochSummary>? Epochs = null);

/// <summary>One epoch in a <see cref="RunSummary"/>: loss, validation and, for SNR models, the routing's expected cost (a fraction of the dense model's), serving FLOPs of the deterministic gates and live connections.</summary>
internal sealed record EpochSummary(int Epoch, double Loss, IReadOnlyList<TaskResult> Validation, double? ExpectedCost, long? ServingFlopsPerRow,
    int? LiveConnections, double? Target);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RunSummary))]
[JsonSerializable(typeof(List<RunSummary>))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
