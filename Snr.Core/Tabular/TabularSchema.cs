using System.Globalization;
using Snr.Core.Models;

namespace Snr.Core.Tabular;

/// <summary>What a column of a data file is for.</summary>
public enum ColumnKind
{
    /// <summary>A number, standardised with the mean and standard deviation of the training split.</summary>
    Numeric,

    /// <summary>A category: a vocabulary from the training split, an embedding per column, an "unknown" slot for unseen values.</summary>
    Categorical,

    /// <summary>Not an input (an identifier, a sampling weight).</summary>
    Ignored,
}

/// <summary>A column by name and kind.</summary>
public sealed record ColumnSpec(string Name, ColumnKind Kind);

/// <summary>
/// A task: its label comes from <paramref name="Column"/>. For a binary task the label is 1
/// where the value is one of <paramref name="PositiveValues"/>; when
/// <paramref name="NegativeValues"/> is given, any value in neither list is an error, else
/// every other value is 0. For a regression task the label is the column's number.
/// </summary>
public sealed record TaskSpec(string Name, string Column, TaskKind Kind, IReadOnlyList<string>? PositiveValues = null, IReadOnlyList<string>? NegativeValues = null);

/// <summary>
/// The columns of a data set and the tasks defined on it. A column that defines a task's
/// label is never an input, whatever its kind says.
/// </summary>
/// <remarks>
/// Missing values are the text <c>?</c> and the empty field (after trimming), and nothing
/// else: the two are one value everywhere (fitting, encoding a file, encoding one row), and a
/// column absent from a scored row counts as missing too. The policy: a missing numeric input
/// becomes the training mean (0 after standardisation); a missing categorical input is a
/// level of its own, stored as <c>?</c> (in Census-Income "?" is informative); a missing
/// label is masked: the row contributes no loss, no gradient and no metric to that task (it
/// still trains the other tasks), and it counts in neither class of a binary task. In a numeric column, <c>NaN</c>, <c>Infinity</c>, a number beyond the
/// float range (<c>1e400</c>) and a decimal comma (<c>1,5</c>) are not numbers and not missing:
/// they are errors naming file, line and column (write <c>?</c> or leave the field empty).
/// </remarks>
public sealed record TabularSchema(IReadOnlyList<ColumnSpec> Columns, IReadOnlyList<TaskSpec> Tasks)
{
    /// <summary>
    /// The column of per-row weights (for example Census-Income's <c>instance_weight</c>), or null
    /// for weight 1 everywhere. It is not an input: its kind must be <see cref="ColumnKind.Ignored"/>.
    /// Training minimises the weighted mean loss Σ wᵢ·ℓᵢ / Σ wᵢ and the metrics (AUC, log loss,
    /// MSE) are weighted alike. Weights are finite and non-negative; a missing weight is an error.
    /// </summary>
    public string? WeightColumn { get; init; }

    /// <summary>The one level a missing categorical value is stored as, whichever way the data wrote it.</summary>
    public const string MissingLevel = "?";

    /// <summary>True for the texts that mean "missing": <c>?</c> and the empty string.</summary>
    public static bool IsMissing(ReadOnlySpan<char> value) => value.IsEmpty || value is MissingLevel;

    /// <summary>Parses a number the way every Snr data file writes it (invariant culture).</summary>
    public static bool TryParseNumber(ReadOnlySpan<char> value, out float number) =>
        float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && float.IsFinite(number);

    /// <summary>
    /// Why <paramref name="value"/> is not a number Snr reads (for an error message): not a
    /// finite float, beyond the float range, a decimal comma, or not a number at all.
    /// </summary>
    public static string NotANumberReason(string value)
    {
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double wide))
            return double.IsNaN(wide) || (double.IsInfinity(wide) && !value.Any(char.IsDigit))
                ? $"'{value}' is not a finite number (write ? or leave the field empty for a missing value)"
                : $"'{value}' is beyond the float range (±3.4e38)";
        if (value.Count(c => c == ',') == 1 && double.TryParse(value.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            return $"'{value}' has a decimal comma; numbers are written with '.'";
        return $"'{value}' is not a number";
    }

    /// <summary>The input columns (numeric and categorical, not labels), in file order.</summary>
    public IEnumerable<ColumnSpec> Inputs(ColumnKind kind) =>
        Columns.Where(c => c.Kind == kind && !Tasks.Any(t => t.Column == c.Name));

    /// <summary>Checks the schema against itself.</summary>
    /// <exception cref="ArgumentException">Names repeat, a task names a missing column, or a binary task has no positive values; the message names the field.</exception>
    public void Validate()
    {
        if (Columns.Count == 0) throw new ArgumentException("Schema.Columns: no columns.");
        var names = new HashSet<string>();
        foreach (var c in Columns)
            if (!names.Add(c.Name)) throw new ArgumentException($"Schema.Columns: the name '{c.Name}' appears twice.");
        if (Tasks.Count == 0) throw new ArgumentException("Schema.Tasks: no tasks.");
        var taskNames = new HashSet<string>();
        foreach (var t in Tasks)
        {
            if (!taskNames.Add(t.Name)) throw new ArgumentException($"Schema.Tasks: the task name '{t.Name}' appears twice.");
            if (!names.Contains(t.Column)) throw new ArgumentException($"Schema.Tasks['{t.Name}'].Column: there is no column '{t.Column}'.");
            if (t.Kind == TaskKind.Binary && (t.PositiveValues is null || t.PositiveValues.Count == 0))
                throw new ArgumentException($"Schema.Tasks['{t.Name}'].PositiveValues: a binary task needs at least one positive value.");
            if (t.PositiveValues?.FirstOrDefault(v => IsMissing(v.Trim())) is { } missing)
                throw new ArgumentException($"Schema.Tasks['{t.Name}'].PositiveValues: '{missing}' means a missing value, not a label; name the value of column '{t.Column}' that marks a positive row.");
        }
        if (WeightColumn is not null)
        {
            var weight = Columns.FirstOrDefault(c => c.Name == WeightColumn) ?? throw new ArgumentException($"Schema.WeightColumn: there is no column '{WeightColumn}'.");
            if (weight.Kind != ColumnKind.Ignored || Tasks.Any(t => t.Column == WeightColumn))
                throw new ArgumentException($"Schema.WeightColumn: '{WeightColumn}' is {(weight.Kind != ColumnKind.Ignored ? $"a {weight.Kind} input" : "a label")}; a weight column must be Ignored (not an input, not a label).");
        }
        if (!Inputs(ColumnKind.Numeric).Any() && !Inputs(ColumnKind.Categorical).Any())
            throw new ArgumentException("Schema.Columns: no input columns are left once the label columns are removed.");
    }

    /// <summary>
    /// Infers column kinds from the data with <see cref="SchemaInference"/>'s rule: a column
    /// whose present values all parse as numbers and that has more than
    /// <paramref name="maxCategoricalLevels"/> distinct values is numeric; any other column is
    /// categorical. Print the result so the user can check it.
    /// </summary>
    public static TabularSchema Infer(RawTable table, IReadOnlyList<TaskSpec> tasks, int maxCategoricalLevels = SchemaInference.DefaultMaxCategoricalLevels) =>
        new SchemaInference { MaxCategoricalLevels = maxCategoricalLevels }.Infer(table, tasks).Schema;

    /// <summary>
    /// One line per column: name, kind, and "label of task …" where it defines one; then, with a
    /// <see cref="WeightColumn"/>, a comment line naming it (the text reads back as a schema file).
    /// </summary>
    public string Describe() => string.Join(Environment.NewLine, Columns.Select(c =>
    {
        var task = Tasks.FirstOrDefault(t => t.Column == c.Name);
        return task is null ? $"{c.Name}: {c.Kind}" : $"{c.Name}: label of task '{task.Name}' ({task.Kind})";
    }).Concat(WeightColumn is null ? [] : [$"# row weight: {WeightColumn}"]));
}
