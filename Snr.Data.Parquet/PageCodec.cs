using System.IO.Compression;
using K4os.Compression.LZ4;
using Parquet.Meta;
using Snappier;
using ZstdSharp;

namespace Snr.Data.Parquet;

/// <summary>
/// The compression codecs whose pages <see cref="ColumnChunkPages"/> decompresses itself: none, Snappy (Parquet.Net's default
/// and pyarrow's), gzip, zstd and LZ4_RAW, each through the managed library Parquet.Net itself uses. The older Hadoop-framed
/// LZ4 codec, Brotli and LZO are left to Parquet.Net.
/// </summary>
internal static class PageCodec
{
    // A zstd decompression context per reading thread, made once: a page is decompressed per column chunk and row group.
    [ThreadStatic] private static Decompressor? t_zstd;

    /// <summary>True for a codec this class decompresses.</summary>
    public static bool IsReadable(CompressionCodec codec) => codec is CompressionCodec.UNCOMPRESSED or CompressionCodec.SNAPPY or CompressionCodec.GZIP
        or CompressionCodec.ZSTD or CompressionCodec.LZ4_RAW;

    /// <summary>Decompresses <paramref name="source"/> into all of <paramref name="destination"/> (its length the page's uncompressed size).</summary>
    /// <exception cref="InvalidDataException">The bytes do not decompress to exactly that many bytes.</exception>
    public static void Decompress(CompressionCodec codec, ArraySegment<byte> source, Span<byte> destination)
    {
        int written;
        switch (codec)
        {
            case CompressionCodec.UNCOMPRESSED:
                if (source.Count != destination.Length) throw new InvalidDataException($"an uncompressed page of {source.Count} bytes says it holds {destination.Length}");
                source.AsSpan().CopyTo(destination);
                return;
            case CompressionCodec.SNAPPY:
                if (Snappy.GetUncompressedLength(source) != destination.Length) throw new InvalidDataException($"a Snappy page does not decompress to the {destination.Length} bytes its header says");
                written = Snappy.Decompress(source, destination);
                break;
            case CompressionCodec.GZIP:
                {
                    using var gzip = new GZipStream(new MemoryStream(source.Array!, source.Offset, source.Count, writable: false), CompressionMode.Decompress);
                    written = gzip.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
                    break;
                }
            case CompressionCodec.ZSTD:
                written = (t_zstd ??= new Decompressor()).Unwrap(source, destination);
                break;
            case CompressionCodec.LZ4_RAW:
                written = LZ4Codec.Decode(source, destination);
                if (written < 0) throw new InvalidDataException("an LZ4 page does not decompress");
                break;
            default:
                throw new NotSupportedException($"pages compressed with {codec}");
        }
        if (written != destination.Length) throw new InvalidDataException($"a {codec} page decompresses to {written} bytes; its header says {destination.Length}");
    }
}
