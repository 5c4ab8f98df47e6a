namespace Snr.Hosting;

/// <summary>A request the server refuses: why, and the row (0-based) and column at fault when there is one.</summary>
internal sealed class BadRequestException(RequestErrorKind kind, string message, int? row = null, string? column = null) : Exception(message)
{
    public RequestErrorKind Kind { get; } = kind;

    public int? Row { get; } = row;

    public string? Column { get; } = column;
}
