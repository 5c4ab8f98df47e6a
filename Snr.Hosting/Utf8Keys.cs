using System.Text;

namespace Snr.Hosting;

/// <summary>
/// A read-only map from texts to ints that is looked up with UTF-8 bytes, as they stand in a
/// request body: no transcoding to UTF-16 and no string per lookup.
/// </summary>
internal sealed class Utf8Keys
{
    private readonly Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    public Utf8Keys(IEnumerable<KeyValuePair<string, int>> entries) =>
        _lookup = entries.ToDictionary(e => Encoding.UTF8.GetBytes(e.Key), e => e.Value, ByteComparer.Instance).GetAlternateLookup<ReadOnlySpan<byte>>();

    public bool TryGetValue(ReadOnlySpan<byte> key, out int value) => _lookup.TryGetValue(key, out value);

    private sealed class ByteComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] key) => GetHashCode((ReadOnlySpan<byte>)key);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
