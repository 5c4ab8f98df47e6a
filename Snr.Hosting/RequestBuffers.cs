namespace Snr.Hosting;

/// <summary>
/// The working memory of one prediction request: encoded inputs, scores, and which columns each
/// row named. One set per thread is kept for the next request, so a steady stream of requests
/// allocates none; the arrays grow to the largest request a thread has served.
/// </summary>
internal sealed class RequestBuffers
{
    [ThreadStatic] private static RequestBuffers? t_spare;

    private float[] _numeric = [];
    private int[] _categorical = [];
    private float[] _scores = [];
    private int[] _lastRowOfColumn = [];

    /// <summary>Takes this thread's spare set (or a new one); give it back with <see cref="Return"/> on any thread.</summary>
    public static RequestBuffers Rent()
    {
        var buffers = t_spare ?? new RequestBuffers();
        t_spare = null;
        return buffers;
    }

    /// <summary>Keeps the set for the next request on this thread.</summary>
    public void Return() => t_spare = this;

    /// <summary>Prepares for a request on a model with the given widths: clears the per-column row marks.</summary>
    public void Start(InputLayout layout)
    {
        if (_lastRowOfColumn.Length < layout.ColumnNames.Count) _lastRowOfColumn = new int[layout.ColumnNames.Count];
        else Array.Clear(_lastRowOfColumn, 0, layout.ColumnNames.Count);
    }

    /// <summary>Per column, the last row that named it plus one (0: none yet).</summary>
    public Span<int> LastRowOfColumn => _lastRowOfColumn;

    /// <summary>The numeric inputs of rows [0, rows) with <paramref name="width"/> values each, growing (and keeping the rows written) when needed.</summary>
    public Span<float> Numeric(int rows, int width) => Grow(ref _numeric, rows * width);

    /// <summary>The categorical inputs of rows [0, rows), growing like <see cref="Numeric"/>.</summary>
    public Span<int> Categorical(int rows, int width) => Grow(ref _categorical, rows * width);

    /// <summary>Room for [rows, tasks] scores.</summary>
    public Span<float> Scores(int rows, int tasks) => Grow(ref _scores, rows * tasks);

    private static Span<T> Grow<T>(ref T[] array, int length)
    {
        if (array.Length < length) Array.Resize(ref array, Math.Max(length, array.Length * 2));
        return array.AsSpan(0, length);
    }
}
