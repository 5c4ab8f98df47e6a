using Spectre.Console;

namespace Snr.Cli;

/// <summary>
/// Where a command writes: rich output (tables, the progress bar) through Spectre.Console on
/// standard output, errors as one plain line on standard error. When standard output is not
/// a terminal, progress is one plain line per epoch instead of a redrawn bar. <see cref="Interrupt"/>
/// is cancelled by Ctrl-C.
/// </summary>
internal sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, bool interactive, CancellationToken interrupt = default)
    {
        Interrupt = interrupt;
        Output = output;
        Error = error;
        Interactive = interactive;
        Rich = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!interactive) Rich.Profile.Width = 200; // wide enough for a gate table of 8 blocks; a pipe has no width of its own
    }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public bool Interactive { get; }

    public IAnsiConsole Rich { get; }

    public CancellationToken Interrupt { get; }

    /// <summary>The same console with standard output discarded (errors still shown): for work repeated per seed.</summary>
    public CliConsole Quiet() => new(TextWriter.Null, Error, interactive: false, Interrupt);

    /// <summary>One line of plain text (never wrapped when standard output is not a terminal).</summary>
    public void Line(string text = "")
    {
        if (Interactive) Rich.WriteLine(text);
        else Output.WriteLine(text);
    }
}
