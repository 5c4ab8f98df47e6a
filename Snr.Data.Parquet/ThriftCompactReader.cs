namespace Snr.Data.Parquet;

/// <summary>
/// Reads the Thrift compact protocol, the encoding of Parquet's page headers, from bytes in
/// memory: field headers, zigzag varint integers, and skipping of any value the reader does not
/// need (Parquet.Net's own reader is internal).
/// </summary>
internal ref struct ThriftCompactReader(ReadOnlySpan<byte> bytes)
{
    /// <summary>Field types of the compact protocol.</summary>
    public const byte Stop = 0, True = 1, False = 2, Byte = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7, Binary = 8, List = 9, Set = 10, Map = 11, Struct = 12;

    private const int MaxDepth = 32;  // nested structs and lists, so that damaged bytes cannot recurse without end

    private readonly ReadOnlySpan<byte> _bytes = bytes;

    /// <summary>The bytes read so far.</summary>
    public int Position { get; private set; }

    /// <summary>
    /// Reads the next field header of the current struct into <paramref name="id"/> and <paramref name="type"/>;
    /// false at the struct's end. <paramref name="lastId"/> is the previous field's id (0 at the struct's start).
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes end.</exception>
    public bool NextField(ref short lastId, out short id, out byte type)
    {
        byte header = ReadByte();
        type = (byte)(header & 0x0F);
        id = 0;
        if (type == Stop) return false;
        int delta = header >> 4;
        id = delta != 0 ? (short)(lastId + delta) : checked((short)ZigZag(ReadVarint()));
        lastId = id;
        return true;
    }

    /// <summary>Reads an i16, i32 or i64 field's value as a 32-bit integer.</summary>
    /// <exception cref="InvalidDataException">The bytes end or the value does not fit.</exception>
    public int ReadInt32()
    {
        long value = ZigZag(ReadVarint());
        if (value is < int.MinValue or > int.MaxValue) throw new InvalidDataException($"a page header's integer {value} is out of range");
        return (int)value;
    }

    /// <summary>Skips a value of <paramref name="type"/> (a field's, or a list element's).</summary>
    /// <exception cref="InvalidDataException">The bytes end, nest too deep, or hold an unknown type.</exception>
    public void Skip(byte type) => Skip(type, inList: false, depth: 0);

    private void Skip(byte type, bool inList, int depth)
    {
        if (depth > MaxDepth) throw new InvalidDataException("a page header nests too deep");
        switch (type)
        {
            case True or False:
                if (inList) ReadByte(); // in a list a boolean is a byte; in a field header, the type is the value
                break;
            case Byte: ReadByte(); break;
            case I16 or I32 or I64: ReadVarint(); break;
            case Double: Advance(8); break;
            case Binary: Advance(checked((int)ReadVarint())); break;
            case List or Set:
                {
                    byte header = ReadByte();
                    long size = header >> 4;
                    if (size == 15) size = (long)ReadVarint();
                    for (long i = 0; i < size; i++) Skip((byte)(header & 0x0F), inList: true, depth + 1);
                    break;
                }
            case Map:
                {
                    long size = (long)ReadVarint();
                    if (size == 0) break;
                    byte types = ReadByte();
                    for (long i = 0; i < size; i++)
                    {
                        Skip((byte)(types >> 4), inList: true, depth + 1);
                        Skip((byte)(types & 0x0F), inList: true, depth + 1);
                    }
                    break;
                }
            case Struct:
                {
                    short last = 0;
                    while (NextField(ref last, out _, out byte field)) Skip(field, inList: false, depth + 1);
                    break;
                }
            default: throw new InvalidDataException($"a page header holds an unknown Thrift type {type}");
        }
    }

    private byte ReadByte()
    {
        if (Position >= _bytes.Length) throw new InvalidDataException("a page header ends early");
        return _bytes[Position++];
    }

    private void Advance(int count)
    {
        if (count < 0 || count > _bytes.Length - Position) throw new InvalidDataException("a page header ends early");
        Position += count;
    }

    private ulong ReadVarint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidDataException("a page header's integer is too long");
    }

    private static long ZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
