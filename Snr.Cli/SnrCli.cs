using System.CommandLine;
using System.Text.Json;
using Snr.Core.Models;

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

    /// <summary>Parses and runs a command line; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, bool interactive)
    {
        var console = new CliConsole(output, error, interactive);
        var root = new RootCommand("Snr: multi-task networks with Sub-Network Routing (Ma et al., AAAI 2019), in pure .NET.");
        root.Subcommands.Add(TrainCommand.Create(console));
        root.Subcommands.Add(EvalCommand.Create(console));
        root.Subcommands.Add(PredictCommand.Create(console));
        root.Subcommands.Add(InspectCommand.Create(console));
        root.Subcommands.Add(CompareCommand.Create(console));
        root.Subcommands.Add(ServeCommand.Create(console));
        root.Subcommands.Add(LoadTestCommand.Create(console));
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    /// <summary>Runs a command's body, turning user mistakes into one line on standard error and an exit code.</summary>
    internal static int Guard(CliConsole console, Func<int> body)
    {
        try
        {
            return body();
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

    private static bool IsUserError(Exception e) => e is UserError or Core.Training.NonFiniteTrainingException or FileNotFoundException or DirectoryNotFoundException
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

    internal static Option<int> PositiveInt(string name, int defaultValue, string description)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() <= 0) r.AddError($"{name} must be positive, got {r.GetValueOrDefault<int>()}.");
        });
        return option;
    }

    internal static Option<float> NonNegativeFloat(string name, float defaultValue, string description, bool positive = false)
    {
        var option = new Option<float>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            float v = r.GetValueOrDefault<float>();
            if (!float.IsFinite(v) || v < 0 || (positive && v == 0)) r.AddError($"{name} must be {(positive ? "positive" : "non-negative")}, got {v}.");
        });
        return option;
    }

    internal static Option<string> ModelKindOption(string defaultValue)
    {
        var option = new Option<string>("--model") { Description = $"one of {string.Join(", ", DefaultModels.Kinds)}", DefaultValueFactory = _ => defaultValue };
        option.AcceptOnlyFromAmong([.. DefaultModels.Kinds]);
        return option;
    }

    internal static Option<bool> JsonOption() => new("--json") { Description = "make the last line of standard output a JSON summary" };
}
