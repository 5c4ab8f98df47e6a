using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;

namespace Snr.Core.Checkpoints;

/// <summary>
/// Reads and writes float32 tensors (and one-dimensional byte tensors, <see cref="ByteTensor"/>) in
/// the safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
/// <c>{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ..., "__metadata__": {...}}</c>,
/// then the raw little-endian data, offsets relative to its start. PyTorch, JAX and the
/// <c>safetensors</c> Python package read what this writes.
/// </summary>
/// <remarks>
/// Snr stores a SHA-256 in the metadata (<c>snr.sha256</c>) over every tensor's name, shape
/// and offsets, the other metadata and the data section, and checks it on load, so a
/// flipped byte anywhere is refused rather than served.
/// </remarks>
public static class SafetensorsFile
{
    /// <summary>The metadata key of the SHA-256 (hex) of the data section.</summary>
    public const string HashKey = "snr.sha256";

    /// <summary>Headers larger than this are refused before anything is allocated for them.</summary>
    public const int MaxHeaderBytes = 16 << 20;

    private const string Float32 = "F32", UInt8 = "U8";

    // One tensor of the header: where its bytes lie in the data section, relative to its start.
    private readonly record struct Entry(string Name, string DType, int[] Shape, long Begin, long End);

    /// <summary>
    /// Writes the tensors (in the given order, names unique) and the metadata to
    /// <paramref name="path"/> atomically: the file is written to a temporary file beside it,
    /// flushed to disk, then renamed over the target, so a crash leaves either the old file or
    /// the new one, never a mixture.
    /// </summary>
    /// <remarks>The <paramref name="bytes"/> tensors follow the float tensors in the data section.</remarks>
    /// <exception cref="ArgumentException">A name repeats or is empty, a shape does not match its values, or the metadata uses the key reserved for the hash.</exception>
    /// <exception cref="IOException">The file could not be written; the previous file at <paramref name="path"/> is untouched.</exception>
    public static void Write(string path, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null, IReadOnlyList<ByteTensor>? bytes = null)
    {
        var (header, data) = Encode(tensors, bytes ?? [], metadata);
        AtomicFile.Write(path, stream => WriteEncoded(stream, header, data));
    }

    /// <summary>Writes the tensors and the metadata in the safetensors format to <paramref name="destination"/> (from its current position).</summary>
    /// <exception cref="ArgumentException">A name repeats or is empty, a shape does not match its values, or the metadata uses the key reserved for the hash.</exception>
    /// <exception cref="IOException">Writing to the stream failed.</exception>
    public static void Write(Stream destination, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null, IReadOnlyList<ByteTensor>? bytes = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var (header, data) = Encode(tensors, bytes ?? [], metadata);
        WriteEncoded(destination, header, data);
    }

    private static (byte[] Header, byte[] Data) Encode(IReadOnlyList<NamedTensor> tensors, IReadOnlyList<ByteTensor> bytes, IReadOnlyDictionary<string, string>? metadata)
    {
        byte[] data = DataSection(tensors, bytes);
        var entries = new List<Entry>(tensors.Count + bytes.Count);
        long offset = 0;
        foreach (var t in tensors) entries.Add(new Entry(t.Name, Float32, t.Shape, offset, offset += 4L * t.Values.Length));
        foreach (var b in bytes) entries.Add(new Entry(b.Name, UInt8, [b.Data.Length], offset, offset += b.Data.Length));
        string hash = Hash(entries, metadata ?? new Dictionary<string, string>(), data);
        return (Header(entries, metadata, hash), data);
    }

    private static void WriteEncoded(Stream stream, byte[] header, byte[] data)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        stream.Write(data);
    }

    /// <summary>Reads every tensor and the metadata of a safetensors file, validating all of it.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid Snr safetensors file; the message says what is wrong and names the file.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static (IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<ByteTensor> Bytes) Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return Parse(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Reads every tensor and the metadata of a safetensors file from <paramref name="source"/> (to its end), validating all of it.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid Snr safetensors file; the message says what is wrong.</exception>
    public static (IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<ByteTensor> Bytes) Read(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var buffer = new MemoryStream();
        source.CopyTo(buffer);
        return Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>Parses the bytes of a safetensors file (see <see cref="Read(string)"/>).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid Snr safetensors file.</exception>
    public static (IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<ByteTensor> Bytes) Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8) throw new InvalidDataException($"the file has {bytes.Length} bytes, fewer than the 8-byte header length.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || headerLength > (ulong)(bytes.Length - 8))
            throw new InvalidDataException($"the header claims {headerLength} bytes but the file has {bytes.Length - 8} after the length (limit {MaxHeaderBytes}).");
        ReadOnlySpan<byte> data = bytes[(8 + (int)headerLength)..];

        var metadata = new Dictionary<string, string>();
        var entries = new List<Entry>();
        try
        {
            using var doc = JsonDocument.Parse(bytes.Slice(8, (int)headerLength).ToArray());
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException("the header is not a JSON object.");
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__") ReadMetadata(property.Value, metadata);
                else entries.Add(ReadEntry(property.Name, property.Value));
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the header is not valid JSON ({e.Message}).", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or KeyNotFoundException)
        {
            throw new InvalidDataException($"the header is malformed ({e.Message}).", e);
        }

        CheckLayout(entries, data.Length);
        if (!metadata.TryGetValue(HashKey, out var expectedHash))
            throw new InvalidDataException($"the metadata has no '{HashKey}': not written by Snr, or the header was altered.");
        metadata.Remove(HashKey);
        string actualHash = Hash(entries, metadata, data);
        if (!string.Equals(expectedHash, actualHash, StringComparison.Ordinal))
            throw new InvalidDataException($"the file is corrupt: its SHA-256 is {actualHash} but the header records {expectedHash}.");

        var tensors = new List<NamedTensor>(entries.Count);
        var byteTensors = new List<ByteTensor>();
        foreach (var (name, dtype, shape, begin, end) in entries)
        {
            var slice = data[(int)begin..(int)end];
            if (dtype == UInt8)
            {
                byteTensors.Add(new ByteTensor(name, slice.ToArray()));
                continue;
            }
            var values = new float[(end - begin) / 4];
            for (int i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(slice[(4 * i)..]);
            tensors.Add(new NamedTensor(name, shape, values));
        }
        return (tensors, metadata, byteTensors);
    }

    private static Entry ReadEntry(string name, JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"tensor '{name}' is not a JSON object.");
        string dtype = e.GetProperty("dtype").GetString() ?? "";
        if (dtype is not (Float32 or UInt8)) throw new InvalidDataException($"tensor '{name}' has dtype {dtype}; Snr reads F32 (and U8 of rank 1) only.");
        var shapeElement = e.GetProperty("shape");
        int rank = shapeElement.GetArrayLength();
        if (rank > 2) throw new InvalidDataException($"tensor '{name}' has rank {rank}; Snr tensors have rank 0, 1 or 2.");
        if (dtype == UInt8 && rank != 1) throw new InvalidDataException($"tensor '{name}' is U8 of rank {rank}; Snr's byte tensors have rank 1.");
        int elementBytes = dtype == UInt8 ? 1 : 4;
        var shape = new int[rank];
        long elements = 1;
        for (int i = 0; i < rank; i++)
        {
            shape[i] = shapeElement[i].GetInt32();
            if (shape[i] < 0) throw new InvalidDataException($"tensor '{name}' has a negative dimension {shape[i]}.");
            elements *= shape[i];
        }
        var offsets = e.GetProperty("data_offsets");
        if (offsets.GetArrayLength() != 2) throw new InvalidDataException($"tensor '{name}' has {offsets.GetArrayLength()} data offsets, expected 2.");
        long begin = offsets[0].GetInt64(), end = offsets[1].GetInt64();
        if (begin < 0 || end < begin) throw new InvalidDataException($"tensor '{name}' has data offsets [{begin}, {end}].");
        if (end - begin != elements * elementBytes)
            throw new InvalidDataException($"tensor '{name}' of shape [{string.Join(", ", shape)}] needs {elements * elementBytes} bytes but its offsets span {end - begin}.");
        return new Entry(name, dtype, shape, begin, end);
    }

    private static void ReadMetadata(JsonElement e, Dictionary<string, string> metadata)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new InvalidDataException("__metadata__ is not a JSON object.");
        foreach (var p in e.EnumerateObject())
            metadata[p.Name] = p.Value.ValueKind == JsonValueKind.String
                ? p.Value.GetString()!
                : throw new InvalidDataException($"metadata value '{p.Name}' is not a string.");
    }

    // The tensors must tile the data section exactly: in bounds, no overlaps, no holes.
    private static void CheckLayout(List<Entry> entries, int dataLength)
    {
        var sorted = entries.OrderBy(t => t.Begin).ThenBy(t => t.End).ToList();
        long position = 0;
        foreach (var (name, _, _, begin, end) in sorted)
        {
            if (begin != position)
                throw new InvalidDataException($"tensor '{name}' starts at byte {begin} of the data but the previous one ends at {position} (overlap or hole).");
            position = end;
        }
        if (position != dataLength)
            throw new InvalidDataException($"the tensors cover {position} bytes but the data section has {dataLength}.");
    }

    // SHA-256 of a canonical description (each tensor's name, shape and offsets in file order,
    // the metadata sorted by key) followed by the data section. The dtype is not described: with
    // the shape fixed, it is fixed by the offsets, and leaving it out keeps older files' hashes.
    private static string Hash(IReadOnlyList<Entry> entries, IReadOnlyDictionary<string, string> metadata, ReadOnlySpan<byte> data)
    {
        var description = new System.Text.StringBuilder();
        foreach (var (name, _, shape, begin, end) in entries)
            description.Append(name).Append('\0').Append(string.Join(",", shape)).Append('\0').Append(begin).Append('\0').Append(end).Append('\n');
        foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            description.Append(key).Append('\0').Append(value).Append('\n');
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes(description.ToString()));
        sha.AppendData(data);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static byte[] DataSection(IReadOnlyList<NamedTensor> tensors, IReadOnlyList<ByteTensor> bytes)
    {
        var names = new HashSet<string>();
        long total = 0;
        foreach (string name in tensors.Select(t => t.Name).Concat(bytes.Select(b => b.Name)))
            if (string.IsNullOrEmpty(name) || name == "__metadata__" || !names.Add(name))
                throw new ArgumentException($"Tensor names must be unique and non-empty; '{name}' is not.", nameof(tensors));
        foreach (var t in tensors)
        {
            long elements = t.Shape.Aggregate(1L, (a, d) => a * d);
            if (elements != t.Values.Length)
                throw new ArgumentException($"Tensor '{t.Name}' has shape [{string.Join(", ", t.Shape)}] but {t.Values.Length} values.", nameof(tensors));
            total += 4L * t.Values.Length;
        }
        total += bytes.Sum(b => (long)b.Data.Length);
        var data = new byte[total];
        int offset = 0;
        foreach (var t in tensors)
            foreach (float v in t.Values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(offset), v);
                offset += 4;
            }
        foreach (var b in bytes)
        {
            b.Data.CopyTo(data, offset);
            offset += b.Data.Length;
        }
        return data;
    }

    private static byte[] Header(IReadOnlyList<Entry> entries, IReadOnlyDictionary<string, string>? metadata, string hash)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
            {
                if (key == HashKey) throw new ArgumentException($"The metadata key '{HashKey}' is reserved.", nameof(metadata));
                json.WriteString(key, value);
            }
            json.WriteString(HashKey, hash);
            json.WriteEndObject();
            foreach (var (name, dtype, shape, begin, end) in entries)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (int d in shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(begin);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // Pad with spaces to a multiple of 8 so the data starts aligned, as the format recommends.
        int padding = (8 - (int)(buffer.Length % 8)) % 8;
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}
