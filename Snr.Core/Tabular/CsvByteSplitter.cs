using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Unicode;

namespace Snr.Core.Tabular;

/// <summary>
/// Splits CSV text into records and fields straight from its UTF-8 bytes: the one CSV parser,
/// under both <see cref="CsvReader"/> (a whole file in order) and <see cref="CsvChunkSource"/> (chunks).
/// </summary>
/// <remarks>
/// The file is read a block at a time into a byte window. Once per block, the window is indexed
/// whole: one bit per byte marks the delimiters and line ends (vector compares, 64 bytes per
/// word), the bytes are widened to chars (ASCII text is its own UTF-16), and the first byte
/// outside ASCII is found. A field's end is then the next marked bit, and a field before the first
/// non-ASCII byte is handed out as a span of the widened window, with its byte column as its
/// character column. Only fields at or after a non-ASCII byte are decoded as UTF-8 (and checked),
/// with their columns counted in UTF-16 characters. Quoted fields, rare in data files, are
/// unescaped byte by byte. A record is handed out only once it ends inside the window, so text
/// split across two blocks (a multi-byte character, a quoted line break) is always read whole.
/// </remarks>
internal sealed class CsvByteSplitter
{
    /// <summary>Receives the fields of a record as they are split.</summary>
    public interface IFieldSink
    {
        /// <summary>The next field's text and its 1-based character column.</summary>
        void Add(ReadOnlySpan<char> text, int column);

        /// <summary>Forgets the fields of a record that is split again after more text is read.</summary>
        void Discard();
    }

    /// <summary>The bytes read at a time, unless a record is longer.</summary>
    public const int DefaultBlockBytes = 1 << 20;

    private static readonly SearchValues<byte> s_quotedStops = SearchValues.Create("\"\r\n"u8);

    private readonly Stream _stream;
    private readonly string _name;
    private readonly byte _delimiter;
    private readonly bool _trim;
    private byte[] _bytes;
    private char[] _wide;         // _bytes widened one byte to one char (right where the text is ASCII)
    private ulong[] _fieldEnds;   // bit i: byte i is the delimiter, \r or \n
    private byte[] _quoted = new byte[256];
    private char[] _decoded = new char[256];
    private int _end, _pos, _nonAscii;  // window length, reading position, first non-ASCII byte at or before the current record (or _end)
    private long _windowOffset, _line;
    private bool _fileEnd;

    /// <summary>
    /// Splits the text of <paramref name="stream"/>, named <paramref name="name"/> in errors, from its start (after a UTF-8
    /// byte order mark), reading <paramref name="blockBytes"/> at a time (tests use small blocks). Only <see cref="Seek"/>
    /// needs a seekable stream.
    /// </summary>
    /// <exception cref="ArgumentException">The delimiter is not an ASCII character.</exception>
    public CsvByteSplitter(Stream stream, string name, CsvOptions options, int blockBytes = DefaultBlockBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockBytes);
        if (options.Delimiter > 0x7F)
            throw new ArgumentException($"A CSV file is read with a delimiter of one ASCII character; '{options.Delimiter}' is not (rewrite the file with another delimiter).", nameof(options));
        _stream = stream;
        _name = name;
        _delimiter = (byte)options.Delimiter;
        _trim = options.TrimFields && options.Delimiter != ' ';
        _bytes = new byte[blockBytes];
        _wide = new char[blockBytes];
        _fieldEnds = new ulong[(blockBytes + 63) / 64];
        _line = 1;
        do Refill(); while (_end < 3 && !_fileEnd);
        if (_bytes.AsSpan(0, _end).StartsWith("\uFEFF"u8))
        {
            _pos = 3;
            _nonAscii = FirstNonAscii(_pos);
        }
    }

    /// <summary>The file offset of the reading position (the start of the next record or blank line).</summary>
    public long Offset => _windowOffset + _pos;

    /// <summary>The line at the reading position.</summary>
    public long Line => _line;

    /// <summary>Moves the reading position to <paramref name="offset"/>, a record start found earlier, which is on line <paramref name="line"/> (the stream must be seekable).</summary>
    public void Seek(long offset, long line)
    {
        _stream.Position = offset;
        _windowOffset = offset;
        _line = line;
        _end = _pos = _nonAscii = 0;
        _fileEnd = false;
    }

    /// <summary>Hands the next record's fields to <paramref name="sink"/>, skipping blank lines; false at the end of the text.</summary>
    /// <param name="sink">Receives the fields.</param>
    /// <param name="line">The line on which the record starts.</param>
    /// <exception cref="CsvFormatException">A quoted field is not closed, or the text is not valid UTF-8.</exception>
    public bool Next<TSink>(ref TSink sink, out long line) where TSink : struct, IFieldSink
    {
        while (true)
        {
            var result = TryParse(ref sink, out line);
            if (result != Parse.NeedMore) return result == Parse.Record;
            sink.Discard();
            Refill();
        }
    }

    private enum Parse { Record, End, NeedMore }

    // Splits one record from the window at _pos; NeedMore when the window ends before the record does (nothing is consumed then).
    private Parse TryParse<TSink>(ref TSink sink, out long recordLine) where TSink : struct, IFieldSink
    {
        bool final = _fileEnd;
        var bytes = _bytes.AsSpan(0, _end);
        int p = _pos;
        long line = _line;
        recordLine = line;
        while (true) // blank lines
        {
            if (p >= bytes.Length) return final ? Parse.End : Parse.NeedMore;
            byte c = bytes[p];
            if (c == '\n') { p++; line++; continue; }
            if (c != '\r') break;
            if (p + 1 >= bytes.Length && !final) return Parse.NeedMore;
            p += p + 1 < bytes.Length && bytes[p + 1] == '\n' ? 2 : 1;
            line++;
        }
        recordLine = line;
        int lineStart = p;
        while (true)
        {
            int fieldStart = p, scan = p;
            while (_trim && scan < bytes.Length && bytes[scan] == ' ') scan++;
            if (scan >= bytes.Length && !final) return Parse.NeedMore;
            if (scan < bytes.Length && bytes[scan] == '"')
            {
                if (!TryQuoted(ref sink, scan + 1, Column(fieldStart, lineStart), recordLine, final, ref p, ref line, ref lineStart)) return Parse.NeedMore;
            }
            else
            {
                int end = NextFieldEnd(p);
                if (end >= bytes.Length && !final) return Parse.NeedMore;
                int start = p, stop = end;
                if (_trim)
                {
                    while (start < stop && bytes[start] == ' ') start++;
                    while (stop > start && bytes[stop - 1] == ' ') stop--;
                }
                if (stop <= _nonAscii) sink.Add(_wide.AsSpan(start, stop - start), fieldStart - lineStart + 1);
                else sink.Add(Decode(bytes[start..stop], start, line), Column(fieldStart, lineStart));
                p = end;
            }
            if (p >= bytes.Length) break; // the last record, without a line end
            if (bytes[p] == _delimiter)
            {
                p++;
                continue;
            }
            // A line end: \n, \r\n or a lone \r.
            if (bytes[p] == '\r')
            {
                if (p + 1 >= bytes.Length && !final) return Parse.NeedMore;
                p += p + 1 < bytes.Length && bytes[p + 1] == '\n' ? 2 : 1;
            }
            else p++;
            line++;
            break;
        }
        _pos = p;
        _line = line;
        if (p > _nonAscii) _nonAscii = FirstNonAscii(p);
        return Parse.Record;
    }

    // A quoted field whose text starts at `open` (after the quote): unescaped, decoded and handed to the sink, with `p` left at the
    // delimiter or line end after it (text between the closing quote and there is ignored).
    private bool TryQuoted<TSink>(ref TSink sink, int open, int column, long recordLine, bool final, ref int p, ref long line, ref int lineStart)
        where TSink : struct, IFieldSink
    {
        var bytes = _bytes.AsSpan(0, _end);
        int q = open, length = 0, lineStartHere = lineStart;
        long lineHere = line;
        while (true)
        {
            int run = bytes[q..].IndexOfAny(s_quotedStops);
            if (run < 0)
            {
                if (!final) return false;
                throw new CsvFormatException(_name, recordLine, column, "a quoted field is not closed before the end of the file");
            }
            AppendQuoted(ref length, bytes.Slice(q, run));
            q += run;
            byte c = bytes[q++];
            if (c is (byte)'\n' or (byte)'\r')
            {
                if (c == '\r')
                {
                    if (q >= bytes.Length && !final) return false;
                    if (q < bytes.Length && bytes[q] == '\n') q++;
                }
                AppendQuoted(ref length, "\n"u8);
                lineHere++;
                lineStartHere = q;
                continue;
            }
            if (q >= bytes.Length && !final) return false;
            if (q < bytes.Length && bytes[q] == '"')
            {
                AppendQuoted(ref length, "\""u8);
                q++;
                continue;
            }
            break; // the closing quote
        }
        int after = NextFieldEnd(q);
        if (after >= bytes.Length && !final) return false;
        if (after > _nonAscii && !Utf8.IsValid(bytes[open..after])) throw InvalidText(open, after, line);
        sink.Add(Decode(_quoted.AsSpan(0, length), open, line), column);
        p = after;
        line = lineHere;
        lineStart = lineStartHere;
        return true;
    }

    private void AppendQuoted(ref int length, ReadOnlySpan<byte> text)
    {
        if (length + text.Length > _quoted.Length) Array.Resize(ref _quoted, Math.Max(_quoted.Length * 2, length + text.Length));
        text.CopyTo(_quoted.AsSpan(length));
        length += text.Length;
    }

    // UTF-8 text as chars (in a reused buffer); text that is not UTF-8 is refused at its line (`at` and `line`: where it starts in the window).
    private ReadOnlySpan<char> Decode(ReadOnlySpan<byte> text, int at, long line)
    {
        if (_decoded.Length < text.Length) _decoded = new char[Math.Max(_decoded.Length * 2, text.Length)];
        if (Utf8.ToUtf16(text, _decoded, out _, out int written, replaceInvalidSequences: false) != OperationStatus.Done)
            throw InvalidText(at, at + text.Length, line);
        return _decoded.AsSpan(0, written);
    }

    // Invalid UTF-8 somewhere in the window's bytes [from, to), which start on `line`: the error names the line of the first invalid byte.
    private CsvFormatException InvalidText(int from, int to, long line)
    {
        var text = _bytes.AsSpan(from, to - from);
        if (_decoded.Length < text.Length) _decoded = new char[text.Length];
        Utf8.ToUtf16(text, _decoded, out int valid, out _, replaceInvalidSequences: false);
        for (int i = 0; i < valid; i++)
        {
            if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.Length || text[i + 1] != '\n'))) line++;
        }
        return new CsvFormatException(_name, line, 0, "the text is not valid UTF-8");
    }

    // The 1-based character column of the byte at `at` on the line starting at `lineStart`.
    private int Column(int at, int lineStart) =>
        1 + (at <= _nonAscii ? at - lineStart : Encoding.UTF8.GetCharCount(_bytes.AsSpan(lineStart, at - lineStart)));

    // The first delimiter or line end at or after `from`, or the end of the window.
    private int NextFieldEnd(int from)
    {
        int word = from >> 6, words = (_end + 63) >> 6;
        if (word >= words) return _end;
        ulong bits = _fieldEnds[word] & (ulong.MaxValue << (from & 63));
        while (bits == 0)
        {
            if (++word >= words) return _end;
            bits = _fieldEnds[word];
        }
        return (word << 6) + BitOperations.TrailingZeroCount(bits);
    }

    private int FirstNonAscii(int from)
    {
        int found = _bytes.AsSpan(from, _end - from).IndexOfAnyInRange((byte)0x80, (byte)0xFF);
        return found < 0 ? _end : from + found;
    }

    // Drops the window's bytes before _pos, reads more of the file after what is left, and indexes the window.
    private void Refill()
    {
        if (_fileEnd) throw new InvalidOperationException("The CSV splitter asked for more text at the end of the file.");
        int kept = _end - _pos;
        _bytes.AsSpan(_pos, kept).CopyTo(_bytes);
        _windowOffset += _pos;
        _pos = 0;
        _end = kept;
        if (_end == _bytes.Length) // one record longer than the window
        {
            Array.Resize(ref _bytes, _bytes.Length * 2);
            _wide = new char[_bytes.Length];
            _fieldEnds = new ulong[(_bytes.Length + 63) / 64];
        }
        int wanted = _bytes.Length - _end;
        int read = _stream.ReadAtLeast(_bytes.AsSpan(_end, wanted), wanted, throwOnEndOfStream: false);
        _fileEnd = read < wanted;
        _end += read;
        var window = _bytes.AsSpan(0, _end);
        Encoding.Latin1.GetChars(window, _wide);
        MarkFieldEnds(window);
        _nonAscii = FirstNonAscii(0);
    }

    // One bit per byte of the window in _fieldEnds: set for the delimiter, \r and \n.
    private void MarkFieldEnds(ReadOnlySpan<byte> window)
    {
        var delimiter = Vector128.Create(_delimiter);
        var cr = Vector128.Create((byte)'\r');
        var lf = Vector128.Create((byte)'\n');
        int words = window.Length >> 6;
        for (int w = 0; w < words; w++)
        {
            ulong bits = 0;
            for (int k = 0; k < 4; k++)
            {
                var v = Vector128.Create(window.Slice((w << 6) + (k << 4), 16));
                var hits = Vector128.Equals(v, delimiter) | Vector128.Equals(v, cr) | Vector128.Equals(v, lf);
                bits |= (ulong)hits.ExtractMostSignificantBits() << (k << 4);
            }
            _fieldEnds[w] = bits;
        }
        if ((window.Length & 63) != 0)
        {
            ulong bits = 0;
            for (int i = words << 6; i < window.Length; i++)
            {
                byte b = window[i];
                if (b == _delimiter || b == '\r' || b == '\n') bits |= 1UL << (i & 63);
            }
            _fieldEnds[words] = bits;
        }
    }
}
