using System.Globalization;

namespace Snr.Core.Tabular;

/// <summary>
/// What schema inference needs to know of one column, gathered a row at a time in bounded
/// memory: whether every present value is a number, the distinct values up to the rule's
/// threshold, and the first values that are not numbers with their places (for the note).
/// </summary>
internal sealed class ColumnProfile(SchemaInference inference)
{
    private const int OffendersCounted = 10_000;

    private readonly HashSet<string> _distinct = [];
    private readonly HashSet<string> _offenders = [];
    private readonly List<(string Place, string Value)> _firstOffenders = [];
    private long _present, _notNumbers;

    /// <summary>True while every present value seen is a number.</summary>
    public bool AllNumbers => _notNumbers == 0;

    /// <summary>True once the column is numeric unless a value that is not a number comes later: more distinct values than the rule's threshold, all numbers.</summary>
    public bool LooksNumeric => AllNumbers && _distinct.Count > inference.MaxCategoricalLevels;

    /// <summary>Notes one value of the column; <paramref name="isNumber"/> says whether it parsed, <paramref name="place"/> gives its <c>file:line:column</c> when asked.</summary>
    public void Observe(ReadOnlySpan<char> value, bool isNumber, Func<string> place)
    {
        bool missing = TabularSchema.IsMissing(value);
        if (missing || isNumber)
        {
            // Distinct texts (the two spellings of missing among them, as the rule counts them) are only needed until there are more than the threshold.
            if (_distinct.Count <= inference.MaxCategoricalLevels && !_distinct.GetAlternateLookup<ReadOnlySpan<char>>().Contains(value))
                _distinct.Add(value.ToString());
            if (!missing) _present++;
            return;
        }
        _present++;
        _notNumbers++;
        if (_offenders.Count < OffendersCounted && !_offenders.GetAlternateLookup<ReadOnlySpan<char>>().Contains(value))
        {
            string text = value.ToString();
            _offenders.Add(text);
            if (_firstOffenders.Count < SchemaInference.OffendersShown) _firstOffenders.Add((place(), text));
        }
    }

    /// <summary>The kind the rule gives the column.</summary>
    public ColumnKind Kind => inference.KindOf(AllNumbers, _distinct.Count);

    /// <summary>The note for a mostly-numeric column that the rule reads as categorical, or null.</summary>
    public string? Note(string column) =>
        _notNumbers > 0 && SchemaInference.MostlyNumbers(_present, _notNumbers)
            ? SchemaInference.Note(column, _offenders.Count < OffendersCounted ? _offenders.Count.ToString(CultureInfo.InvariantCulture) : $"more than {OffendersCounted:N0}", _firstOffenders)
            : null;
}
