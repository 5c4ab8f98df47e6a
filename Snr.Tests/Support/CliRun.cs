namespace Snr.Tests.Support;

/// <summary>Runs an <c>snr</c> command line in-process, as the console would, and keeps what it wrote.</summary>
public static class CliRun
{
    /// <summary>The exit code and the text written to standard output and standard error.</summary>
    public static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = SnrCli.Run(args, output, error, interactive: false);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Asserts that a run was refused as a user mistake: exit code <see cref="SnrCli.UserErrorCode"/> and an error naming <paramref name="expected"/>.</summary>
    public static void AssertUserError(int code, string error, string expected)
    {
        Assert.Equal(SnrCli.UserErrorCode, code);
        Assert.Contains(expected, error);
    }
}
