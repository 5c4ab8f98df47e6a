using System.CommandLine.Parsing;
using System.Text.Json;

namespace Snr.Cli;

/// <summary>
/// The <c>snr</c> command line: train, eval, predict, inspect, compare. Every command runs
/// in-process through <see cref="Run"/>, which the tests call with their own writers.
/// </summary>
public static class SnrCli
{
    /// <summary>Exit code of a user mistake (bad option, missing or bad file).</summary>
    public const int UserErrorCode = 1;

    /// <summary>Exit code of a failure that is a bug of ours, printed with its stack trace.</summary>
    public const int InternalErrorCode = 70;

    /// <summary>Exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it); what was kept is printed.</summary>
    public const int InterruptedCode = 130;

    /// <summary>Parses and runs a command line; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, bool interactive) =>
        Run(args, output, error, interactive, CancellationToken.None);

    /// <summary>
    /// Parses and runs a command line; returns the process exit code. Cancelling
    /// <paramref name="interrupt"/> (Ctrl-C) stops training after the current batch, keeping the
    /// best or the last completed epoch.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, bool interactive, CancellationToken interrupt)
    {
        var console = new CliConsole(output, error, interactive, interrupt);
        var root = new RootCommand("Snr: multi-task networks with Sub-Network Routing (Ma et al., AAAI 2019), in pure .NET.");
        root.Subcommands.Add(TrainCommand.Create(console));
        root.Subcommands.Add(EvalCommand.Create(console));
        root.Subcommands.Add(PredictCommand.Create(console));
        root.Subcommands.Add(InspectCommand.Create(console));
        root.Subcommands.Add(CompareCommand.Create(console));
        root.Subcommands.Add(ServeCommand.Create(console));
        root.Subcommands.Add(LoadTestCommand.Create(console));
        root.Subcommands.Add(ExportCommand.Create(console));
        root.Subcommands.Add(ConfigCommand.Create(console));
        root.Subcommands.Add(ParetoCommand.Create(console));
        root.Subcommands.Add(WorkerCommand.Create(console));
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // The first mistake in one line, instead of every error followed by the whole help text.
            string command = parse.CommandResult.Command is RootCommand ? "snr" : $"snr {parse.CommandResult.Command.Name}";
            error.WriteLine($"error: {parse.Errors[0].Message} ('{command} --help' lists the options)");
            return UserErrorCode;
        }
        return parse.Invoke(new InvocationConfiguration
        {
            Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null,
        });
    }

    /// <summary>Runs a command's body, turning user mistakes into one line on standard error and an exit code.</summary>
    internal static int Guard(CliConsole console, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (NonFiniteTrainingException e)
        {
            console.Error.WriteLine($"error: {e.Message} On the command line: a smaller --lr, --clip-norm N, or --skip-non-finite.");
            return UserErrorCode;
        }
        catch (OperationCanceledException) when (console.Interrupt.IsCancellationRequested)
        {
            console.Error.WriteLine("Interrupted (Ctrl-C); nothing was saved.");
            return InterruptedCode;
        }
        catch (Exception e) when (IsUserError(e))
        {
            console.Error.WriteLine($"error: {e.Message}");
            return UserErrorCode;
        }
        catch (Exception e)
        {
            console.Error.WriteLine($"internal error (please report it): {e}");
            return InternalErrorCode;
        }
    }

    private static bool IsUserError(Exception e) => e is UserError or Core.Models.ConfigException or FileNotFoundException or DirectoryNotFoundException
        or InvalidDataException or FormatException or ArgumentException or IOException or UnauthorizedAccessException or JsonException;

    /// <summary>Writes the run summaries as the last line of standard output (one object, or a list for compare).</summary>
    internal static void WriteJson(CliConsole console, IReadOnlyList<RunSummary> summaries, bool asList)
    {
        string json = asList
            ? JsonSerializer.Serialize([.. summaries], CliJsonContext.Default.ListRunSummary)
            : JsonSerializer.Serialize(summaries[0], CliJsonContext.Default.RunSummary);
        console.Output.WriteLine(json);
    }

    // Options shared by train and compare.
    internal static Option<string> DataOption(string defaultValue) => new("--data")
    {
        Description = "census, census-education, synthetic, or a CSV file with a header (then name its tasks with --task)",
        DefaultValueFactory = _ => defaultValue,
    };

    internal static Option<string[]> TaskOption() => new("--task")
    {
        Description = "for a CSV file: NAME:COLUMN:POSITIVE (binary; values separated by |) or NAME:COLUMN (regression); repeat per task",
    };

    internal static Option<string[]> IgnoreOption() => new("--ignore") { Description = "for a CSV file: a column that is not an input; repeat per column" };

    internal static Option<int> PositiveInt(string name, int defaultValue, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => Number<int>(r, name, PositiveWholeNumberText, PositiveWholeNumber),
    };

    internal static Option<int?> Patience() => new("--patience")
    {
        Description = "stop after this many epochs without improvement of the validation loss (see --watch) and keep the best epoch (default: train every epoch, keep the last)",
        CustomParser = r => Number<int>(r, "--patience", PositiveWholeNumberText, PositiveWholeNumber),
    };

    internal static Option<ulong> Seed(string name, ulong defaultValue, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => Number(r, name, "a whole number from 0 to 18446744073709551615",
            (string s, out ulong v) => ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out v)),
    };

    internal static Option<float> NonNegativeFloat(string name, float defaultValue, string description, bool positive = false) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => Number(r, name, positive ? "a positive finite number" : "a finite number ≥ 0",
            (string s, out float v) => float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v)
                && float.IsFinite(v) && (positive ? v > 0 : v >= 0)),
    };

    private delegate bool NumberParser<T>(string text, out T value);

    private const string PositiveWholeNumberText = "a whole number from 1 to 2147483647";

    private static bool PositiveWholeNumber(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value > 0;

    // The option's value when its one token parses and is in range; otherwise an error naming the
    // option and the token (a parse error, so the command never runs).
    private static T Number<T>(ArgumentResult result, string name, string expected, NumberParser<T> parse) where T : struct
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));
        if (result.Tokens.Count == 1 && parse(text, out T value)) return value;
        result.AddError($"{name} must be {expected}, got '{text}'.");
        return default;
    }

    internal static Option<string> ModelKindOption(string defaultValue)
    {
        var option = new Option<string>("--model") { Description = $"one of {string.Join(", ", DefaultModels.Kinds)}", DefaultValueFactory = _ => defaultValue };
        return AcceptOnlyOneOf(option, [.. DefaultModels.Kinds]);
    }

    /// <summary>
    /// Restricts <paramref name="option"/> to <paramref name="values"/> with a one-line error naming them all
    /// (System.CommandLine's own <c>AcceptOnlyFromAmong</c> lists them one per line).
    /// </summary>
    internal static Option<string> AcceptOnlyOneOf(Option<string> option, string[] values)
    {
        option.CompletionSources.Add(values);
        option.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string>();
            if (value is not null && Array.IndexOf(values, value) < 0)
                result.AddError($"{option.Name} must be one of {string.Join(", ", values)}; got '{value}'.");
        });
        return option;
    }

    internal static Option<string> SavedModelOption() => new("--model") { Description = "a folder written by snr train", Required = true };

    internal static Option<bool> JsonOption() => new("--json") { Description = "make the last line of standard output a JSON summary" };
}
