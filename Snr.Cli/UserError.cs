namespace Snr.Cli;

/// <summary>A mistake of the user (a bad option value, a missing file): reported as one line, no stack trace.</summary>
internal sealed class UserError(string message) : Exception(message);
