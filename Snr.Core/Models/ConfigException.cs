namespace Snr.Core.Models;

/// <summary>
/// A configuration that cannot be used: a mistake of the user's, which a caller can tell from a bug (it is not
/// an <see cref="ArgumentException"/>). <see cref="Field"/> is the JSON path of the offending field, for
/// example <c>routing[1].blocks</c>.
/// </summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the exception; the message reads "field: problem".</summary>
    public ConfigException(string field, string problem) : base(problem)
    {
        Field = field;
        Problem = problem;
    }

    /// <summary>The JSON path of the offending field.</summary>
    public string Field { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }

    /// <summary>"field: problem".</summary>
    public override string Message => $"{Field}: {Problem}";
}
