namespace Snr.Cli;

/// <summary>
/// <c>--data synthetic[:corr=C,rows=N,problem=P]</c>: the MMoE paper's synthetic regression data with task
/// correlation C (default 0.5) and N rows. Without <c>problem</c> each seed draws its own problem (weights and
/// sinusoids) as well as its rows; <c>problem=P</c> fixes the problem to seed P, so that seeds differ only in
/// rows, split and initialisation, and their spread measures the models rather than the problems.
/// </summary>
internal sealed record SyntheticSpec(double Correlation, int Rows, ulong? Problem = null)
{
    /// <summary>The <c>--data</c> text of <paramref name="data"/> (a synthetic spec) with its correlation set to <paramref name="correlation"/>.</summary>
    public static string WithCorrelation(string data, double correlation) =>
        Text([string.Create(CultureInfo.InvariantCulture, $"corr={correlation}"), .. OtherSettings(data)]);

    /// <summary>The <c>--data</c> text of <paramref name="data"/> (a synthetic spec) without its correlation: what a sweep over correlations is named by.</summary>
    public static string WithoutCorrelation(string data) => Text(OtherSettings(data));

    private static string Text(IReadOnlyList<string> settings) => settings.Count == 0 ? "synthetic" : "synthetic:" + string.Join(",", settings);

    // The settings of the spec besides its correlation: rows and problem, when given.
    private static List<string> OtherSettings(string data)
    {
        var spec = TryParse(data, defaultRows: 0) ?? throw new UserError($"{data} is not synthetic data.");
        var settings = new List<string>();
        if (spec.Rows > 0) settings.Add(string.Create(CultureInfo.InvariantCulture, $"rows={spec.Rows}"));
        if (spec.Problem is { } p) settings.Add(string.Create(CultureInfo.InvariantCulture, $"problem={p}"));
        return settings;
    }

    /// <summary>The spec, or null when <paramref name="data"/> does not start with <c>synthetic</c>.</summary>
    /// <exception cref="UserError">A malformed or out-of-range setting.</exception>
    public static SyntheticSpec? TryParse(string data, int defaultRows)
    {
        if (data != "synthetic" && !data.StartsWith("synthetic:", StringComparison.Ordinal)) return null;
        var spec = new SyntheticSpec(0.5, defaultRows);
        if (data == "synthetic") return spec;
        foreach (var part in data["synthetic:".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2) throw new UserError($"--data {data}: '{part}' is not key=value (keys: corr, rows, problem).");
            switch (kv[0])
            {
                case "corr" when double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double c) && c >= -1 && c <= 1:
                    spec = spec with { Correlation = c };
                    break;
                case "rows" when int.TryParse(kv[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 100:
                    spec = spec with { Rows = n };
                    break;
                case "problem" when ulong.TryParse(kv[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong p):
                    spec = spec with { Problem = p };
                    break;
                case "corr" or "rows" or "problem":
                    throw new UserError($"--data {data}: {kv[0]} must be {kv[0] switch { "corr" => "a correlation in [-1, 1]", "rows" => "a row count of at least 100", _ => "a seed (a non-negative integer)" }}, got '{kv[1]}'.");
                default:
                    throw new UserError($"--data {data}: unknown setting '{kv[0]}' (keys: corr, rows, problem).");
            }
        }
        return spec;
    }
}
