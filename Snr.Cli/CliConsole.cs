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
        if (!interactive) Rich.Profile.Width = 120;
    }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public bool Interactive { get; }

    public IAnsiConsole Rich { get; }

    public CancellationToken Interrupt { get; }

    /// <summary>The same console with standard output discarded (errors still shown): for work repeated per seed.</summary>
    public CliConsole Quiet() => new(TextWriter.Null, Error, interactive: false, Interrupt);

    public void Line(string text = "") => Rich.WriteLine(text);
}
