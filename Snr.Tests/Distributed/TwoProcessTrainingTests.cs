using Snr.Distributed;

namespace Snr.Tests.Distributed;

/// <summary><c>snr train --workers 2</c> with a real second process (<c>snr worker</c>) on localhost.</summary>
public sealed class TwoProcessTrainingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("snr-two-processes-").FullName;

    public void Dispose()
    {
        KillWorkers(); // whatever happened in the test, no worker process outlives it
        Directory.Delete(_folder, recursive: true);
    }

    private string Path(string name) => System.IO.Path.Combine(_folder, name);

    private string SmallCsv(int rows)
    {
        var lines = new List<string> { "x,y,color,clicked,spend" };
        for (int i = 0; i < rows; i++)
            lines.Add($"{i % 7},{(i * 13) % 11},{(i % 3 == 0 ? "red" : "blue")},{(i % 7 > 3 ? "yes" : "no")},{i % 5}");
        File.WriteAllLines(Path("rows.csv"), lines);
        return Path("rows.csv");
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        // Bounded: a hang fails the test (and Dispose kills the worker) instead of stalling the suite.
        int code = Task.Run(() => SnrCli.Run(args, output, error, interactive: false)).WaitAsync(TimeSpan.FromSeconds(90)).GetAwaiter().GetResult();
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void TrainsWithASecondProcessSavesALoadableModelAndLeavesNoProcessBehind()
    {
        string csv = SmallCsv(400);
        string model = Path("model");
        string[] args = ["train", "--data", csv, "--task", "click:clicked:yes", "--task", "spend:spend", "--epochs", "1", "--batch-size", "40",
            "--workers", "2", "--checkpoint-every", "2", "--out", model];
        var (code, output, error) = Run(args);

        Assert.True(code == 0, error + output);
        Assert.Contains("2 processes joined the cluster", output);
        Assert.Contains("epoch 1/1  loss ", output);
        Assert.Contains("validation: click auc ", output); // the epoch evaluated on the validation split, as single-process training does
        Assert.Contains("Keeping epoch 1, the last epoch.", output);
        Assert.Contains("test metrics", output);
        AssertRanTwoHosts(output);
        var (loaded, preprocessing) = ModelCheckpoint.Load(model);
        Assert.NotNull(preprocessing);
        Assert.All(loaded.Parameters(), p => Assert.All(p.Tensor.Data.ToArray(), v => Assert.True(float.IsFinite(v))));
        // The run is complete: its training state is gone, so there is nothing to resume, and the worker was stopped.
        Assert.False(TrainingCheckpoint.Exists(model));
        Assert.Contains("holds no training state", Run([.. args, "--resume"]).Error);
        Assert.Empty(WorkerProcesses());
    }

    [Fact]
    public void StreamsEachRanksShardOfTheFileInItsOwnProcess()
    {
        string model = Path("streamed");
        var (code, output, error) = Run("train", "--data", SmallCsv(400), "--task", "click:clicked:yes", "--task", "spend:spend", "--epochs", "1", "--batch-size", "40",
            "--workers", "2", "--stream", "--out", model);

        Assert.True(code == 0, error + output);
        Assert.Contains("each rank streams the training rows of its own chunks", output);
        Assert.Contains("validation: click auc ", output); // held-out rows streamed through the predictor, not an empty placeholder
        Assert.Matches(@"auc\D+0\.\d{4}", output[output.IndexOf("test metrics", StringComparison.Ordinal)..]); // metrics of the streamed test rows
        AssertRanTwoHosts(output);
        Assert.All(ModelCheckpoint.Load(model).Model.Parameters(), p => Assert.All(p.Tensor.Data.ToArray(), v => Assert.True(float.IsFinite(v))));
        Assert.Empty(WorkerProcesses());
    }

    // The ranks ran in the two processes: two silos computed.
    private static void AssertRanTwoHosts(string output)
    {
        string hosts = output.Split('\n').Single(l => l.Contains("hosts: ", StringComparison.Ordinal));
        Assert.Equal(2, hosts[(hosts.IndexOf("hosts: ", StringComparison.Ordinal) + 7)..].Split(", ").Select(h => h.Trim()).Distinct().Count());
    }

    [Fact]
    public void ANewRunDoesNotWriteOverTheTrainingStateOfAnUnfinishedOne()
    {
        string model = Path("unfinished");
        Directory.CreateDirectory(model);
        File.WriteAllText(TrainingCheckpoint.PathIn(model), "state of a stopped run");
        var (code, _, error) = Run("train", "--data", SmallCsv(100), "--task", "click:clicked:yes", "--workers", "2", "--out", model);
        CliRun.AssertUserError(code, error, "add --resume to continue it");
        Assert.Equal("state of a stopped run", File.ReadAllText(TrainingCheckpoint.PathIn(model)));
    }

    // The `snr worker` processes this test process started (Linux: /proc; elsewhere the trainer's own clean-up is trusted).
    private static List<int> WorkerProcesses()
    {
        var found = new List<int>();
        if (!OperatingSystem.IsLinux()) return found;
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), out int pid)) continue;
            try
            {
                string stat = File.ReadAllText(System.IO.Path.Combine(dir, "stat"));
                int parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                string commandLine = File.ReadAllText(System.IO.Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (parent == Environment.ProcessId && commandLine.Contains("worker --cluster", StringComparison.Ordinal)) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // The process exited while it was read.
            }
        }
        return found;
    }

    private static void KillWorkers()
    {
        foreach (int pid in WorkerProcesses())
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
            catch (ArgumentException) { } // already gone
        }
    }
}
