using Parquet;
using Parquet.Schema;
using Snr.Core.Checkpoints;

namespace Snr.Data.Parquet;

/// <summary>Writes scores as a Parquet file: a string key column, then one float column per task.</summary>
public static class ParquetPredictions
{
    /// <summary>
    /// Writes <paramref name="keys"/> and <paramref name="scores"/> (row-major [rows, tasks]) to
    /// <paramref name="path"/> in one row group, through a temporary file, so a failed write leaves
    /// any earlier file whole.
    /// </summary>
    /// <exception cref="ArgumentException">The scores are not one per row and task, or a column name repeats.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, string keyName, IReadOnlyList<string> keys, IReadOnlyList<string> tasks, ReadOnlySpan<float> scores)
    {
        if (scores.Length != keys.Count * tasks.Count)
            throw new ArgumentException($"{scores.Length} scores for {keys.Count} rows × {tasks.Count} tasks.", nameof(scores));
        var columns = new float[tasks.Count][];
        for (int t = 0; t < tasks.Count; t++)
        {
            columns[t] = new float[keys.Count];
            for (int r = 0; r < keys.Count; r++) columns[t][r] = scores[r * tasks.Count + t];
        }
        var keyField = new DataField<string>(keyName);
        var taskFields = tasks.Select(t => new DataField<float>(t)).ToArray();
        Field[] fields = [keyField, .. taskFields];
        var schema = new ParquetSchema(fields);
        AtomicFile.Write(path, stream => WriteAsync(stream, schema, keyField, keys, taskFields, columns).GetAwaiter().GetResult());
    }

    private static async Task WriteAsync(Stream stream, ParquetSchema schema, DataField keyField, IReadOnlyList<string> keys, DataField[] taskFields, float[][] columns)
    {
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(keyField, keys.ToArray());
        for (int t = 0; t < taskFields.Length; t++) await group.WriteAsync<float>(taskFields[t], columns[t].AsMemory());
    }
}
