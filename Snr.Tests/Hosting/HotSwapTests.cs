using System.Net;
using Microsoft.Extensions.Logging;

namespace Snr.Tests.Hosting;

/// <summary>Replacing a served checkpoint: swapped in under load without a lost or mixed answer; a damaged file refused; readiness.</summary>
[Collection(HostingCollection.Name)]
public sealed class HotSwapTests(CensusModels census)
{
    [Fact]
    public async Task A_swap_under_concurrent_requests_loses_none_and_never_mixes_two_models()
    {
        string folder = census.NewFolder(census.FolderA);
        await using var host = await TestHost.StartAsync(folder);
        var rows = census.Rows.Take(8).ToArray();
        // Client c sends rows c % 4 … with 1, 3, 5 or 7 rows; its expected scores per version (a batch's size can change the rounding).
        var batches = Enumerable.Range(0, 4).Select(c => rows.Skip(c).Take(1 + c * 2).ToArray()).ToArray();
        var expected = new Dictionary<long, float[][]>
        {
            [1] = batches.Select(b => census.Reference(census.PredictorA, b)).ToArray(),
            [2] = batches.Select(b => census.Reference(census.PredictorB, b)).ToArray(),
        };
        Assert.NotEqual(expected[1][0], expected[2][0]);

        int answeredByNew = 0, answers = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var clients = Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
        {
            // Each client keeps asking until it has seen 20 answers of the new version.
            for (int seen = 0; seen < 20 && !stop.IsCancellationRequested;)
            {
                var answer = await TestHost.ScoresOf(await host.PredictAsync(batches[c % 4]));
                Assert.True(expected.ContainsKey(answer.Version), $"version {answer.Version}");
                Assert.Equal(expected[answer.Version][c % 4], answer.Scores.SelectMany(s => s));
                Interlocked.Increment(ref answers);
                if (answer.Version == 2)
                {
                    seen++;
                    Interlocked.Increment(ref answeredByNew);
                }
            }
        })).ToArray();

        await Task.Delay(200);
        ModelCheckpoint.Save(folder, census.ModelB, census.Preprocessing); // an atomic rename over model.safetensors
        await Task.WhenAll(clients);

        Assert.False(stop.IsCancellationRequested, "the new version did not answer within 20 s");
        Assert.True(answers > answeredByNew, "no request was answered by the old version");
        Assert.Equal(2, (await host.InfoAsync())!.Version);
    }

    [Fact]
    public async Task A_damaged_replacement_is_refused_and_logged_and_the_old_model_keeps_serving()
    {
        string folder = census.NewFolder(census.FolderA);
        await using var host = await TestHost.StartAsync(folder);
        var rows = census.Rows.Take(3).ToArray();
        byte[] good = File.ReadAllBytes(Path.Combine(folder, ModelCheckpoint.WeightsFile));
        byte[] damaged = (byte[])good.Clone();
        damaged[^100] ^= 0x5A; // a weight changes: the file's integrity check fails

        AtomicFile.Write(Path.Combine(folder, ModelCheckpoint.WeightsFile), s => s.Write(damaged));
        await TestHost.Eventually(async () => (await host.InfoAsync())!.LastReloadError is not null, "the damaged file is refused");

        var info = await host.InfoAsync();
        Assert.Equal(1, info!.Version);
        Assert.Contains(host.Logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("refused") && e.Message.Contains("Version 1 keeps serving"));
        var answer = await TestHost.ScoresOf(await host.PredictAsync(rows));
        Assert.Equal(1, answer.Version);
        Assert.Equal(census.Reference(census.PredictorA, rows), answer.Scores.SelectMany(s => s));
        var readiness = await host.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, readiness.StatusCode);
        Assert.Equal("Degraded", await readiness.Content.ReadAsStringAsync());

        // A good file after the damaged one is loaded, and the error clears.
        ModelCheckpoint.Save(folder, census.ModelB, census.Preprocessing);
        await TestHost.Eventually(async () => (await host.InfoAsync())!.Version == 2, "the good file is loaded");
        Assert.Null((await host.InfoAsync())!.LastReloadError);
        Assert.Equal(census.Reference(census.PredictorB, rows), (await TestHost.ScoresOf(await host.PredictAsync(rows))).Scores.SelectMany(s => s));
    }

    [Fact]
    public async Task A_truncated_replacement_is_refused_too()
    {
        string folder = census.NewFolder(census.FolderA);
        await using var host = await TestHost.StartAsync(folder);
        string path = Path.Combine(folder, ModelCheckpoint.WeightsFile);
        byte[] good = File.ReadAllBytes(path);
        AtomicFile.Write(path, s => s.Write(good, 0, good.Length / 2));
        await TestHost.Eventually(async () => (await host.InfoAsync())!.LastReloadError is not null, "the truncated file is refused");
        Assert.Equal(1, (await TestHost.ScoresOf(await host.PredictAsync(census.Rows.Take(1)))).Version);
    }

    [Fact]
    public async Task Polling_finds_a_replacement_without_the_file_watcher()
    {
        string folder = census.NewFolder(census.FolderA);
        await using var host = await TestHost.StartAsync(folder, o => o.WatchFile = false);
        ModelCheckpoint.Save(folder, census.ModelB, census.Preprocessing);
        await TestHost.Eventually(async () => (await host.InfoAsync())!.Version == 2, "polling loads the new file");
    }

    [Fact]
    public async Task Readiness_fails_until_a_model_is_loaded()
    {
        string folder = census.NewFolder(null);
        await using var host = await TestHost.StartAsync(folder);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Client.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/healthz")).StatusCode);
        var problem = await TestHost.ProblemOf(await host.PredictAsync(census.Rows.Take(1)), HttpStatusCode.ServiceUnavailable);
        Assert.Equal("model-not-loaded", problem.Kind);
        Assert.Contains("no checkpoint file", problem.Detail);

        ModelCheckpoint.Save(folder, census.ModelA, census.Preprocessing);
        await TestHost.Eventually(async () => (await host.Client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "the model is loaded");
        Assert.Equal(1, (await TestHost.ScoresOf(await host.PredictAsync(census.Rows.Take(1)))).Version);
    }
}
