using System.Globalization;
using Snr.Core.Models;

namespace Snr.Core.Tabular;

/// <summary>
/// Refuses binary tasks whose labels are all one class: a positive value that never occurs
/// (a case difference, the trailing '.' of UCI Adult's test file, an empty value) would
/// otherwise train and score a model on all-zero labels without a word.
/// </summary>
internal static class LabelCheck
{
    private const int ValuesShown = 10;

    /// <exception cref="InvalidDataException">A binary task has no positive or no negative row among <paramref name="rows"/>.</exception>
    public static void RequireBothClasses(RawTable table, IReadOnlyList<TaskSpec> tasks, ReadOnlySpan<int> rows, string rowWord)
    {
        foreach (var task in tasks)
        {
            if (task.Kind != TaskKind.Binary) continue;
            int column = table.ColumnIndex(task.Column);
            var levels = table.Levels(column);
            var counts = new long[levels.Count];
            foreach (int row in rows) counts[table.Code(row, column)]++;
            RequireBothClasses(table.Source, task, levels, counts, rowWord);
        }
    }

    /// <summary>The check of one binary task from the count of each label text among the rows.</summary>
    /// <exception cref="InvalidDataException">No positive or no negative row; the message lists the values that occur and any near miss.</exception>
    public static void RequireBothClasses(string source, TaskSpec task, IReadOnlyList<string> levels, IReadOnlyList<long> counts, string rowWord)
    {
        long positives = 0, total = 0;
        for (int l = 0; l < levels.Count; l++)
        {
            if (TabularSchema.IsMissing(levels[l])) continue; // a missing label is masked, in neither class
            total += counts[l];
            if (task.PositiveValues!.Contains(levels[l])) positives += counts[l];
        }
        if (positives > 0 && positives < total) return;

        var present = Enumerable.Range(0, levels.Count).Where(l => counts[l] > 0).OrderByDescending(l => counts[l]).ToList();
        string values = string.Join(", ", present.Take(ValuesShown).Select(l => string.Create(CultureInfo.InvariantCulture, $"'{levels[l]}' ({counts[l]:N0})")))
            + (present.Count > ValuesShown ? $", … ({present.Count} values)" : "");
        string positiveList = string.Join(", ", task.PositiveValues!.Select(v => $"'{v}'"));
        string problem = positives == 0
            ? $"no {rowWord} of {source} has the positive value {positiveList} in column '{task.Column}'"
            : $"every {rowWord} of {source} has a positive value ({positiveList}) in column '{task.Column}', so there is nothing to tell apart";
        var nearMisses = task.PositiveValues!
            .SelectMany(p => present.Select(l => (Positive: p, Value: levels[l], Difference: Difference(p, levels[l]))))
            .Where(m => m.Difference is not null)
            .Select(m => $"'{m.Value}' (differs from '{m.Positive}' by {m.Difference})")
            .ToList();
        throw new InvalidDataException($"Task '{task.Name}': {problem}. Labels match exactly and case-sensitively; the column holds {values}." +
            (nearMisses.Count > 0 ? $" Did you mean {string.Join(" or ", nearMisses)}?" : "") +
            " A binary task needs rows of both classes.");
    }

    // How two label texts differ when they are the same apart from letter case, trailing dots and spaces; null when they are equal or differ otherwise.
    private static string? Difference(string positive, string value)
    {
        if (positive == value) return null;
        static string Core(string s) => s.Trim().TrimEnd('.').Trim();
        if (!string.Equals(Core(positive), Core(value), StringComparison.OrdinalIgnoreCase)) return null;
        var kinds = new List<string>();
        if (!string.Equals(positive.Trim().TrimEnd('.'), value.Trim().TrimEnd('.'), StringComparison.Ordinal)) kinds.Add("letter case");
        if (positive.Trim().EndsWith('.') != value.Trim().EndsWith('.')) kinds.Add("a trailing '.'");
        if (positive.Trim() != positive || value.Trim() != value) kinds.Add("spaces");
        return kinds.Count == 0 ? "spaces" : string.Join(" and ", kinds);
    }
}
