using System.Buffers.Binary;
using System.Text;

namespace Snr.Tests.Checkpoints;

public sealed class SafetensorsFileTests(Xunit.Abstractions.ITestOutputHelper output) : TempFolderTests("snr-safetensors-")
{
    private static readonly NamedTensor[] Sample =
    [
        new("routing.0.weight", [2, 3], [1f, -2f, 3.5f, 0f, float.Epsilon, -0f]),
        new("routing.0.log_alpha", [1, 2], [0.25f, -7f]),
        new("towers.income.0.bias", [3], [9f, 8f, 7f]),
        new("step", [], [42f]),
    ];

    [Fact]
    public void Round_trip_keeps_names_shapes_values_and_metadata()
    {
        SafetensorsFile.Write(PathOf("m.safetensors"), Sample, new Dictionary<string, string> { ["format"] = "snr" });
        var (tensors, metadata, _) = SafetensorsFile.Read(PathOf("m.safetensors"));
        Assert.Equal(Sample.Length, tensors.Count);
        for (int i = 0; i < Sample.Length; i++)
        {
            Assert.Equal(Sample[i].Name, tensors[i].Name);
            Assert.Equal(Sample[i].Shape, tensors[i].Shape);
            Assert.Equal(Sample[i].Values.Select(BitConverter.SingleToInt32Bits), tensors[i].Values.Select(BitConverter.SingleToInt32Bits));
        }
        Assert.Equal("snr", metadata["format"]);
    }

    [Fact]
    public void The_layout_is_the_safetensors_format()
    {
        SafetensorsFile.Write(PathOf("m.safetensors"), Sample);
        byte[] bytes = File.ReadAllBytes(PathOf("m.safetensors"));
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0ul, (8 + headerLength) % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        Assert.Contains("\"routing.0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}", header);
        Assert.Equal(-2f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)headerLength + 4)));
    }

    [Fact]
    public void A_failed_save_leaves_the_previous_file_untouched()
    {
        SafetensorsFile.Write(PathOf("m.safetensors"), Sample);
        byte[] before = File.ReadAllBytes(PathOf("m.safetensors"));
        Assert.Throws<IOException>(() => AtomicFile.Write(PathOf("m.safetensors"), stream =>
        {
            stream.Write(new byte[100]);
            throw new IOException("disk full (simulated)");
        }));
        Assert.Equal(before, File.ReadAllBytes(PathOf("m.safetensors")));
        Assert.Single(Directory.GetFiles(Folder)); // the temporary file is gone
    }

    [Theory]
    [InlineData("truncated", "bytes")]
    [InlineData("short", "fewer than the 8-byte")]
    [InlineData("huge-header", "header claims")]
    [InlineData("flipped-weight", "SHA-256")]
    [InlineData("extended", "data section")]
    public void Corrupt_files_are_refused_with_a_reason(string damage, string expected)
    {
        SafetensorsFile.Write(PathOf("m.safetensors"), Sample);
        byte[] bytes = File.ReadAllBytes(PathOf("m.safetensors"));
        bytes = damage switch
        {
            "truncated" => bytes[..^5],
            "short" => bytes[..5],
            "huge-header" => WithHeaderLength(bytes, ulong.MaxValue / 2),
            "flipped-weight" => Flip(bytes, bytes.Length - 3),
            "extended" => [.. bytes, 0, 0, 0, 0],
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };
        File.WriteAllBytes(PathOf("bad.safetensors"), bytes);
        var error = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Read(PathOf("bad.safetensors")));
        Assert.Contains(expected, error.Message);
        Assert.Contains("bad.safetensors", error.Message);
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", "dtype F16")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "needs 12 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "overlap")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1],\"data_offsets\":[0,4]}}", "rank 3")]
    [InlineData("{\"a\":{\"dtype\":\"F32\"}}", "malformed")]
    [InlineData("[1, 2]", "not a JSON object")]
    [InlineData("{\"a\": ", "not valid JSON")]
    public void Malformed_headers_are_refused_with_a_reason(string header, string expected)
    {
        byte[] headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        var error = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Parse(bytes));
        Assert.Contains(expected, error.Message);
    }

    // Seeded fuzzing: flip, truncate and extend bytes of a valid file; every case loads to the
    // same tensors or throws InvalidDataException, never anything else.
    [Fact]
    public void Fuzzed_files_load_identically_or_throw_invalid_data()
    {
        SafetensorsFile.Write(PathOf("m.safetensors"), Sample);
        byte[] original = File.ReadAllBytes(PathOf("m.safetensors"));
        var rng = new CounterRng(2026);
        int refused = 0, identical = 0;
        for (ulong trial = 0; trial < 3000; trial++)
        {
            byte[] bytes = (byte[])original.Clone();
            uint kind = rng.NextBits(trial, 0) % 3, position = rng.NextBits(trial, 1);
            bytes = kind switch
            {
                0 => Flip(bytes, (int)(position % bytes.Length), (byte)(1 << (int)(rng.NextBits(trial, 2) % 8))),
                1 => bytes[..(int)(position % bytes.Length)],
                _ => [.. bytes, .. new byte[1 + position % 16]],
            };
            try
            {
                var (tensors, _, _) = SafetensorsFile.Parse(bytes);
                Assert.Equal(Sample.Select(t => t.Name), tensors.Select(t => t.Name));
                Assert.Equal(Sample.SelectMany(t => t.Values), tensors.SelectMany(t => t.Values));
                identical++;
            }
            catch (InvalidDataException)
            {
                refused++;
            }
        }
        output.WriteLine($"fuzzed safetensors: {refused} refused, {identical} loaded identically");
        Assert.Equal(3000, refused + identical);
        Assert.True(refused > 2500, $"only {refused} of 3000 damaged files were refused");
    }

    private static byte[] Flip(byte[] bytes, int index, byte mask = 0x40)
    {
        var copy = (byte[])bytes.Clone();
        copy[index] ^= mask;
        return copy;
    }

    private static byte[] WithHeaderLength(byte[] bytes, ulong length)
    {
        var copy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(copy, length);
        return copy;
    }
}
