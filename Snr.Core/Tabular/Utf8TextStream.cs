using System.Text;

namespace Snr.Core.Tabular;

/// <summary>The text of a <see cref="TextReader"/> as a read-only, forward-only stream of its UTF-8 bytes, encoded as they are read.</summary>
internal sealed class Utf8TextStream(TextReader reader) : Stream
{
    private readonly Encoder _encoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetEncoder();
    private readonly char[] _chars = new char[4096];
    private readonly byte[] _bytes = new byte[3 * 4096 + 3];
    private int _position, _count;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        // A high surrogate at the end of a read is held by the encoder until its pair comes: read on until bytes come or the text ends.
        while (_position == _count)
        {
            int chars = reader.Read(_chars);
            _count = _encoder.GetBytes(_chars.AsSpan(0, chars), _bytes, flush: chars == 0);
            _position = 0;
            if (chars == 0) break;
        }
        int length = Math.Min(buffer.Length, _count - _position);
        _bytes.AsSpan(_position, length).CopyTo(buffer);
        _position += length;
        return length;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) reader.Dispose();
        base.Dispose(disposing);
    }
}
