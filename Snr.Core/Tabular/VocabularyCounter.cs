namespace Snr.Core.Tabular;

/// <summary>
/// Counts the values of one categorical column, with the position of each value's first
/// appearance, and picks the vocabulary under <see cref="VocabularyLimits"/>. Missing values
/// (<c>?</c> and empty) count as the one level <c>?</c>.
/// </summary>
/// <remarks>
/// Memory is bounded: when the counter holds <c>capacity</c> distinct values it keeps the most
/// frequent half (ties: the first seen) and forgets the rest. The counts are therefore exact for
/// a column with at most <c>capacity</c> distinct values. Beyond that a forgotten value starts
/// again from 0 when it comes back, so a value needs to be frequent within a stretch of the data
/// to stay (the lossy counting of Manku and Motwani, in halves).
/// </remarks>
internal sealed class VocabularyCounter(int capacity)
{
    private Dictionary<string, int> _slots = [];
    private List<(string Level, long Count, long First)> _entries = [];
    private long _total;

    /// <summary>True once values have been forgotten, so the counts are no longer exact.</summary>
    public bool Pruned { get; private set; }

    /// <summary>Counts one occurrence of <paramref name="value"/> at <paramref name="position"/> (positions increase).</summary>
    public void Add(ReadOnlySpan<char> value, long position)
    {
        if (TabularSchema.IsMissing(value)) value = TabularSchema.MissingLevel;
        _total++;
        var lookup = _slots.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(value, out int slot))
        {
            var entry = _entries[slot];
            _entries[slot] = entry with { Count = entry.Count + 1 };
            return;
        }
        if (_entries.Count >= capacity) Prune();
        string level = value.ToString();
        _slots[level] = _entries.Count;
        _entries.Add((level, 1, position));
    }

    /// <summary>Counts <paramref name="count"/> occurrences of <paramref name="level"/>, the first at <paramref name="first"/> (for data already counted by level).</summary>
    public void Add(string level, long count, long first)
    {
        if (TabularSchema.IsMissing(level)) level = TabularSchema.MissingLevel;
        _total += count;
        if (_slots.TryGetValue(level, out int slot))
        {
            var entry = _entries[slot];
            _entries[slot] = (level, entry.Count + count, Math.Min(entry.First, first));
            return;
        }
        _slots[level] = _entries.Count;
        _entries.Add((level, count, first));
    }

    /// <summary>The number of distinct values counted (and not forgotten).</summary>
    public int Distinct => _entries.Count;

    /// <summary>
    /// The kept levels in order of first appearance: those counted at least
    /// <see cref="VocabularyLimits.MinCount"/> times, and of them the <see cref="VocabularyLimits.MaxSize"/>
    /// most frequent (ties: the first seen).
    /// </summary>
    public IReadOnlyList<string> Vocabulary(VocabularyLimits limits)
    {
        var kept = _entries.Where(e => e.Count >= limits.MinCount);
        if (_entries.Count > limits.MaxSize) kept = MostFrequent(kept).Take(limits.MaxSize);
        return [.. kept.OrderBy(e => e.First).Select(e => e.Level)];
    }

    /// <summary>
    /// The vocabulary of column <paramref name="name"/> under <paramref name="limits"/> (see
    /// <see cref="Vocabulary"/>), with what the limits sent to the unknown slot: the distinct values
    /// left out and the rows that hold them.
    /// </summary>
    public CategoricalVocabulary Choose(string name, VocabularyLimits limits)
    {
        var levels = Vocabulary(limits);
        var kept = levels.ToHashSet();
        long keptRows = _entries.Where(e => kept.Contains(e.Level)).Sum(e => e.Count);
        return new CategoricalVocabulary(name, levels) { Unknown = new UnknownValues(_entries.Count - levels.Count, _total - keptRows, Exact: !Pruned) };
    }

    private static IEnumerable<(string Level, long Count, long First)> MostFrequent(IEnumerable<(string Level, long Count, long First)> entries) =>
        entries.OrderByDescending(e => e.Count).ThenBy(e => e.First);

    // Keeps the most frequent half.
    private void Prune()
    {
        Pruned = true;
        _entries = [.. MostFrequent(_entries).Take(capacity / 2)];
        _slots = new Dictionary<string, int>(_entries.Count * 2);
        for (int i = 0; i < _entries.Count; i++) _slots[_entries[i].Level] = i;
    }
}
