using System.Runtime.InteropServices;
using Snr.Core.Data;

namespace Snr.Core.Tabular;

/// <summary>
/// Encoded rows kept in a temporary file instead of memory, written once in blocks and read back
/// block by block as often as needed: a validation set read every epoch is then parsed from its
/// text once, and later read as 4·(inputs + tasks + 1) bytes a row. The file has no name once
/// created (on Windows, it is deleted when closed), so nothing is left behind when the process ends.
/// </summary>
/// <remarks>
/// Each block is stored as its row count, then per row the numeric inputs, the category indices,
/// the labels and the weight, in the machine's byte order (the file never leaves the process).
/// </remarks>
internal sealed class EncodedRowsSpill : IDisposable
{
    private readonly FileStream _file;
    private readonly BufferedStream _stream;

    /// <summary>Creates the temporary file.</summary>
    /// <exception cref="IOException">The file could not be created.</exception>
    public EncodedRowsSpill()
    {
        string path = Path.Combine(Path.GetTempPath(), $"snr-rows-{Guid.NewGuid():N}.tmp");
        bool windows = OperatingSystem.IsWindows();
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1,
            windows ? FileOptions.DeleteOnClose | FileOptions.SequentialScan : FileOptions.SequentialScan);
        // Elsewhere the name goes at once: the open handle keeps the data, and the system frees it when the process ends, however it ends.
        if (!windows) File.Delete(path);
        _stream = new BufferedStream(_file, 1 << 20);
    }

    /// <summary>True once every block was written (<see cref="Complete"/>): the spill can then be read.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>Appends the rows of <paramref name="block"/>.</summary>
    /// <exception cref="IOException">The file could not be written (a full disk, say).</exception>
    public void Append(EncodedRows block)
    {
        Span<byte> count = stackalloc byte[sizeof(int)];
        MemoryMarshal.Write(count, block.Count);
        _stream.Write(count);
        for (int r = 0; r < block.Count; r++)
        {
            _stream.Write(MemoryMarshal.AsBytes(block.Numeric(r)));
            _stream.Write(MemoryMarshal.AsBytes(block.Categorical(r)));
            _stream.Write(MemoryMarshal.AsBytes(block.Labels(r)));
            float weight = block.Weight(r);
            _stream.Write(MemoryMarshal.AsBytes(new ReadOnlySpan<float>(in weight)));
        }
    }

    /// <summary>Marks the spill as holding every block, and goes back to its start for reading.</summary>
    /// <exception cref="IOException">The file could not be written.</exception>
    public void Complete()
    {
        _stream.Flush();
        IsComplete = true;
        Rewind();
    }

    /// <summary>Goes back to the first block.</summary>
    public void Rewind() => _stream.Seek(0, SeekOrigin.Begin);

    /// <summary>Reads the next block into <paramref name="block"/> (cleared first); false after the last one.</summary>
    /// <exception cref="IOException">The file could not be read.</exception>
    public bool TryRead(EncodedRows block)
    {
        block.Clear();
        Span<byte> count = stackalloc byte[sizeof(int)];
        if (_stream.ReadAtLeast(count, count.Length, throwOnEndOfStream: false) < count.Length) return false;
        int rows = MemoryMarshal.Read<int>(count);
        for (int i = 0; i < rows; i++)
        {
            int r = block.AddRow();
            _stream.ReadExactly(MemoryMarshal.AsBytes(block.Numeric(r)));
            _stream.ReadExactly(MemoryMarshal.AsBytes(block.Categorical(r)));
            _stream.ReadExactly(MemoryMarshal.AsBytes(block.Labels(r)));
            float weight = 0;
            _stream.ReadExactly(MemoryMarshal.AsBytes(new Span<float>(ref weight)));
            block.SetWeight(r, weight);
        }
        return true;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _file.Dispose();
    }
}
