using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Snr.Hosting;

/// <summary>
/// Reads a prediction request, <c>{"rows": [{"column": value, …}, …]}</c>, straight into model
/// inputs: names are looked up and values parsed as spans, nothing is allocated for a valid row.
/// A value is a string or a number (as the CSV would hold it) or null (missing); every input
/// column must be named in every row, labels and ignored columns may be.
/// </summary>
internal static class PredictRequestReader
{
    // Longer names and values are still read, through a rented buffer.
    private const int StackChars = 256;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 4, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Reads <paramref name="body"/> into <paramref name="buffers"/>; returns the number of rows.</summary>
    /// <exception cref="BadRequestException">The body is not a valid request for <paramref name="layout"/>; the message names the row and column.</exception>
    public static int Read(ReadOnlySequence<byte> body, InputLayout layout, int maxRows, RequestBuffers buffers)
    {
        var reader = new Utf8JsonReader(body, ReaderOptions);
        try
        {
            return ReadBody(ref reader, layout, maxRows, buffers);
        }
        catch (JsonException e)
        {
            throw new BadRequestException(RequestErrorKind.MalformedJson,
                $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}");
        }
        // The reader checks text only when it compares, unescapes or transcodes it (invalid UTF-8, a lone surrogate), and
        // then throws this; every other call here is made on a token of the right type.
        catch (InvalidOperationException e)
        {
            throw new BadRequestException(RequestErrorKind.MalformedJson, $"The body is not valid JSON (byte {reader.TokenStartIndex + 1}): {FirstSentence(e.Message)}");
        }
    }

    private static int ReadBody(ref Utf8JsonReader reader, InputLayout layout, int maxRows, RequestBuffers buffers)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw Malformed("The body must be a JSON object: {\"rows\": [{\"column\": value, …}, …]}.");
        Span<char> stack = stackalloc char[StackChars];
        int rows = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("rows"u8))
            {
                using var name = new TokenText(in reader, stack);
                throw Malformed($"Unknown field '{name.Chars}': the body has one field, \"rows\".");
            }
            if (rows >= 0) throw Malformed("The field \"rows\" appears twice.");
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                throw Malformed("\"rows\" must be an array of objects, one per row.");
            rows = ReadRows(ref reader, layout, maxRows, buffers);
        }
        if (reader.TokenType != JsonTokenType.EndObject) throw Malformed("The body ends early.");
        if (rows < 0) throw Malformed("The body has no \"rows\" field: {\"rows\": [{\"column\": value, …}, …]}.");
        if (reader.Read()) throw Malformed("There is more after the JSON object.");
        return rows;
    }

    private static int ReadRows(ref Utf8JsonReader reader, InputLayout layout, int maxRows, RequestBuffers buffers)
    {
        buffers.Start(layout);
        int row = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (row == maxRows)
                throw new BadRequestException(RequestErrorKind.TooManyRows, $"The request has more than {maxRows} rows, the most this model takes at once; split it.", row);
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new BadRequestException(RequestErrorKind.MalformedJson, $"Row {row} is a JSON {Describe(reader.TokenType)}, not an object of column → value.", row);
            ReadRow(ref reader, layout, buffers, row);
            row++;
        }
        return row;
    }

    private static void ReadRow(ref Utf8JsonReader reader, InputLayout layout, RequestBuffers buffers, int row)
    {
        var numeric = buffers.Numeric(row + 1, layout.NumericCount).Slice(row * layout.NumericCount);
        var categorical = buffers.Categorical(row + 1, layout.CategoricalCount).Slice(row * layout.CategoricalCount);
        var lastRowOfColumn = buffers.LastRowOfColumn;
        Span<char> stack = stackalloc char[StackChars];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Names are looked up as the body's bytes; an escaped or split name is decoded first.
            if (!(IsPlain(in reader) && layout.TryFindColumn(reader.ValueSpan, out int column)))
            {
                using var name = new TokenText(in reader, stack);
                if (!layout.TryFindColumn(name.Chars, out column))
                    throw new BadRequestException(RequestErrorKind.UnknownColumn, $"Row {row} has a column '{name.Chars}' that the model does not know.", row, name.Chars.ToString());
            }
            string columnName = layout.ColumnNames[column];
            if (lastRowOfColumn[column] == row + 1)
                throw new BadRequestException(RequestErrorKind.DuplicateColumn, $"Row {row} names column '{columnName}' twice.", row, columnName);
            lastRowOfColumn[column] = row + 1;

            reader.Read();
            var slot = layout.SlotOf(column);
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    if (slot.Role == ColumnRole.Numeric) numeric[slot.Input] = InputLayout.MissingNumeric;
                    else if (slot.Role == ColumnRole.Categorical) categorical[slot.Input] = layout.MissingCategorical(slot.Input);
                    break;
                case JsonTokenType.String or JsonTokenType.Number:
                    if (slot.Role == ColumnRole.Accepted) break;
                    if (slot.Role == ColumnRole.Categorical && reader.TokenType == JsonTokenType.String && IsPlain(in reader)
                        && layout.TryEncodeCategorical(slot.Input, reader.ValueSpan, out categorical[slot.Input]))
                        break;
                    using (var value = new TokenText(in reader, stack))
                    {
                        if (slot.Role == ColumnRole.Categorical) categorical[slot.Input] = layout.EncodeCategorical(slot.Input, value.Chars);
                        else if (!layout.TryEncodeNumeric(slot.Input, value.Chars, out numeric[slot.Input]))
                            throw new BadRequestException(RequestErrorKind.NotANumber, $"Row {row}, column '{columnName}': '{value.Chars}' is not a number.", row, columnName);
                    }
                    break;
                default:
                    throw new BadRequestException(RequestErrorKind.NotAValue,
                        $"Row {row}, column '{columnName}' holds a JSON {Describe(reader.TokenType)}; a value is a string, a number or null.", row, columnName);
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject) throw Malformed($"Row {row} ends early.");
        string? missing = layout.FirstMissing(lastRowOfColumn, row);
        if (missing is not null)
            throw new BadRequestException(RequestErrorKind.MissingColumn, $"Row {row} lacks column '{missing}' (send null, \"?\" or \"\" for a missing value).", row, missing);
    }

    // A token whose bytes in the body are its text: one segment, no escapes.
    private static bool IsPlain(in Utf8JsonReader reader) => !reader.HasValueSequence && !reader.ValueIsEscaped;

    private static BadRequestException Malformed(string message) => new(RequestErrorKind.MalformedJson, message);

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        _ => token.ToString(),
    };

    // The reader's messages add a second sentence about the reader's own state; the first says what is wrong.
    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    /// <summary>The text of the current property name, string or number token, unescaped, in the caller's stack buffer when it fits.</summary>
    private readonly ref struct TokenText
    {
        private readonly char[]? _rented;

        public TokenText(in Utf8JsonReader reader, Span<char> stack)
        {
            int maxBytes = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
            // UTF-8 never takes fewer bytes than UTF-16 chars, and unescaping only shortens.
            var destination = maxBytes <= stack.Length ? stack : (_rented = ArrayPool<char>.Shared.Rent(maxBytes));
            if (reader.TokenType == JsonTokenType.Number)
            {
                // A number token is ASCII: its bytes are its chars.
                Chars = destination[..(reader.HasValueSequence
                    ? Encoding.ASCII.GetChars(reader.ValueSequence, destination)
                    : Encoding.ASCII.GetChars(reader.ValueSpan, destination))];
            }
            else
            {
                Chars = destination[..reader.CopyString(destination)];
            }
        }

        public ReadOnlySpan<char> Chars { get; }

        public void Dispose()
        {
            if (_rented is not null) ArrayPool<char>.Shared.Return(_rented);
        }
    }
}
