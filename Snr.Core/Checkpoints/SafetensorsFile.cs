using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;

namespace Snr.Core.Checkpoints;

/// <summary>
/// Reads and writes float32 tensors in the safetensors format (Hugging Face): an 8-byte
/// little-endian header length N, N bytes of JSON
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

    /// <summary>
    /// Writes the tensors (in the given order, names unique) and the metadata to
    /// <paramref name="path"/> atomically: the file is written to a temporary file beside it,
    /// flushed to disk, then renamed over the target, so a crash leaves either the old file or
    /// the new one, never a mixture.
    /// </summary>
    /// <exception cref="ArgumentException">A name repeats or is empty, a shape does not match its values, or the metadata uses the key reserved for the hash.</exception>
    /// <exception cref="IOException">The file could not be written; the previous file at <paramref name="path"/> is untouched.</exception>
    public static void Write(string path, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var (header, data) = Encode(tensors, metadata);
        AtomicFile.Write(path, stream => WriteEncoded(stream, header, data));
    }

    /// <summary>Writes the tensors and the metadata in the safetensors format to <paramref name="destination"/> (from its current position).</summary>
    /// <exception cref="ArgumentException">A name repeats or is empty, a shape does not match its values, or the metadata uses the key reserved for the hash.</exception>
    /// <exception cref="IOException">Writing to the stream failed.</exception>
    public static void Write(Stream destination, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var (header, data) = Encode(tensors, metadata);
        WriteEncoded(destination, header, data);
    }

    private static (byte[] Header, byte[] Data) Encode(IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        byte[] data = DataSection(tensors);
        var entries = new List<(string, int[], long, long)>(tensors.Count);
        long offset = 0;
        foreach (var t in tensors) entries.Add((t.Name, t.Shape, offset, offset += 4L * t.Values.Length));
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
    public static (IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
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
    public static (IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var buffer = new MemoryStream();
        source.CopyTo(buffer);
        return Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>Parses the bytes of a safetensors file (see <see cref="Read(string)"/>).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid Snr safetensors file.</exception>
    public static (IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8) throw new InvalidDataException($"the file has {bytes.Length} bytes, fewer than the 8-byte header length.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || headerLength > (ulong)(bytes.Length - 8))
            throw new InvalidDataException($"the header claims {headerLength} bytes but the file has {bytes.Length - 8} after the length (limit {MaxHeaderBytes}).");
        ReadOnlySpan<byte> data = bytes[(8 + (int)headerLength)..];

        var metadata = new Dictionary<string, string>();
        var entries = new List<(string Name, int[] Shape, long Begin, long End)>();
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
        foreach (var (name, shape, begin, end) in entries)
        {
            var values = new float[(end - begin) / 4];
            var slice = data[(int)begin..(int)end];
            for (int i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(slice[(4 * i)..]);
            tensors.Add(new NamedTensor(name, shape, values));
        }
        return (tensors, metadata);
    }

    private static (string, int[], long, long) ReadEntry(string name, JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"tensor '{name}' is not a JSON object.");
        string dtype = e.GetProperty("dtype").GetString() ?? "";
        if (dtype != "F32") throw new InvalidDataException($"tensor '{name}' has dtype {dtype}; Snr reads F32 only.");
        var shapeElement = e.GetProperty("shape");
        int rank = shapeElement.GetArrayLength();
        if (rank > 2) throw new InvalidDataException($"tensor '{name}' has rank {rank}; Snr tensors have rank 0, 1 or 2.");
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
        if (end - begin != elements * 4)
            throw new InvalidDataException($"tensor '{name}' of shape [{string.Join(", ", shape)}] needs {elements * 4} bytes but its offsets span {end - begin}.");
        return (name, shape, begin, end);
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
    private static void CheckLayout(List<(string Name, int[] Shape, long Begin, long End)> entries, int dataLength)
    {
        var sorted = entries.OrderBy(t => t.Begin).ThenBy(t => t.End).ToList();
        long position = 0;
        foreach (var (name, _, begin, end) in sorted)
        {
            if (begin != position)
                throw new InvalidDataException($"tensor '{name}' starts at byte {begin} of the data but the previous one ends at {position} (overlap or hole).");
            position = end;
        }
        if (position != dataLength)
            throw new InvalidDataException($"the tensors cover {position} bytes but the data section has {dataLength}.");
    }

    // SHA-256 of a canonical description (each tensor's name, shape and offsets in file order,
    // the metadata sorted by key) followed by the data section.
    private static string Hash(IReadOnlyList<(string Name, int[] Shape, long Begin, long End)> entries, IReadOnlyDictionary<string, string> metadata, ReadOnlySpan<byte> data)
    {
        var description = new System.Text.StringBuilder();
        foreach (var (name, shape, begin, end) in entries)
            description.Append(name).Append('\0').Append(string.Join(",", shape)).Append('\0').Append(begin).Append('\0').Append(end).Append('\n');
        foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            description.Append(key).Append('\0').Append(value).Append('\n');
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes(description.ToString()));
        sha.AppendData(data);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static byte[] DataSection(IReadOnlyList<NamedTensor> tensors)
    {
        var names = new HashSet<string>();
        long total = 0;
        foreach (var t in tensors)
        {
            if (string.IsNullOrEmpty(t.Name) || t.Name == "__metadata__" || !names.Add(t.Name))
                throw new ArgumentException($"Tensor names must be unique and non-empty; '{t.Name}' is not.", nameof(tensors));
            long elements = t.Shape.Aggregate(1L, (a, d) => a * d);
            if (elements != t.Values.Length)
                throw new ArgumentException($"Tensor '{t.Name}' has shape [{string.Join(", ", t.Shape)}] but {t.Values.Length} values.", nameof(tensors));
            total += 4L * t.Values.Length;
        }
        var data = new byte[total];
        int offset = 0;
        foreach (var t in tensors)
            foreach (float v in t.Values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(offset), v);
                offset += 4;
            }
        return data;
    }

    private static byte[] Header(IReadOnlyList<(string Name, int[] Shape, long Begin, long End)> entries, IReadOnlyDictionary<string, string>? metadata, string hash)
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
            foreach (var (name, shape, begin, end) in entries)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
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
