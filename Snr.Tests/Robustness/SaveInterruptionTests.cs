using Snr.Tests.Serving;

namespace Snr.Tests.Robustness;

/// <summary>A save that fails at any stage leaves the previous checkpoint whole and loadable, and no stray files.</summary>
public sealed class SaveInterruptionTests(Xunit.Abstractions.ITestOutputHelper output) : TempFolderTests("snr-interrupt-")
{
    [Theory]
    [InlineData("open")]
    [InlineData("write")]
    [InlineData("flush")]
    [InlineData("rename")]
    public void A_save_failing_at_each_stage_keeps_the_old_model(string stage)
    {
        var old = ModelServingTests.Make("snr-trans", seed: 1);
        ModelCheckpoint.Save(Folder, old);
        string weights = PathOf(ModelCheckpoint.WeightsFile);
        byte[] before = File.ReadAllBytes(weights);

        AtomicFile.t_faultInjection = s => { if (s == stage) throw new IOException($"disk failure at {s} (simulated)"); };
        try
        {
            var error = Assert.Throws<IOException>(() => ModelCheckpoint.Save(Folder, ModelServingTests.Make("snr-trans", seed: 2)));
            Assert.Contains(stage, error.Message);
        }
        finally
        {
            AtomicFile.t_faultInjection = null;
        }

        Assert.Equal(before, File.ReadAllBytes(weights));
        var (loaded, _) = ModelCheckpoint.Load(Folder);
        Assert.Equal(old.Parameters().SelectMany(p => p.Tensor.Data.ToArray()), loaded.Parameters().SelectMany(p => p.Tensor.Data.ToArray()));
        Assert.Equal([FolderLock.FileName, ModelCheckpoint.ConfigFile, ModelCheckpoint.WeightsFile], Directory.GetFiles(Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    // Issue 12 item 10: eight threads saving four different models into one folder, round after round;
    // after each round config.json says what the weights beside it are, and no temporary is left.
    [Fact]
    public void Concurrent_saves_into_one_folder_leave_config_and_weights_that_agree()
    {
        string[] kinds = ["snr-trans", "mmoe", "shared-bottom", "single-task"];
        var models = kinds.Select(k => ModelServingTests.Make(k, seed: 5)).ToArray();
        for (int round = 0; round < 6; round++)
        {
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => ModelCheckpoint.Save(Folder, models[i % models.Length]));
            var (_, document) = ModelCheckpoint.LoadWithDocument(Folder);
            Assert.Equal(ModelCheckpoint.ConfigJson(document), File.ReadAllText(PathOf(ModelCheckpoint.ConfigFile)));
            Assert.Empty(Directory.GetFiles(Folder, "*.tmp"));
        }
    }

    // A save killed after its weights were renamed into place but before config.json was: the
    // next load rewrites config.json from the weights, and the next save removes the killed save's temporaries.
    [Fact]
    public void A_save_killed_between_the_weights_and_config_json_is_repaired_by_the_next_load()
    {
        ModelCheckpoint.Save(Folder, ModelServingTests.Make("snr-trans", seed: 1));
        int renames = 0;
        AtomicFile.t_faultInjection = s => { if (s == "rename" && ++renames == 2) throw new IOException("killed before config.json (simulated)"); };
        try
        {
            Assert.Throws<IOException>(() => ModelCheckpoint.Save(Folder, ModelServingTests.Make("mmoe", seed: 2)));
        }
        finally
        {
            AtomicFile.t_faultInjection = null;
        }
        string config = PathOf(ModelCheckpoint.ConfigFile);
        Assert.Contains("snr", File.ReadAllText(config)); // still the old model's description …
        var (model, document) = ModelCheckpoint.LoadWithDocument(Folder);
        Assert.IsType<MmoeModel>(model);                 // … beside the new weights, until a load repairs it
        Assert.Equal(ModelCheckpoint.ConfigJson(document), File.ReadAllText(config));

        string stale = PathOf($".{ModelCheckpoint.WeightsFile}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(stale, "left by a killed save");
        ModelCheckpoint.Save(Folder, model);
        Assert.False(File.Exists(stale));
    }

    // Seeded damage to whole checkpoint files: every case loads to the identical model or is refused with InvalidDataException.
    [Fact]
    public void Fuzzed_checkpoints_load_identically_or_are_refused()
    {
        var model = ModelServingTests.Make("mmoe", seed: 4);
        ModelCheckpoint.Save(Folder, model);
        string weights = PathOf(ModelCheckpoint.WeightsFile);
        byte[] original = File.ReadAllBytes(weights);
        var expected = model.Parameters().SelectMany(p => p.Tensor.Data.ToArray()).ToArray();
        var rng = new Snr.Kernels.CounterRng(77);
        int refused = 0;
        for (ulong trial = 0; trial < 500; trial++)
        {
            byte[] bytes = (byte[])original.Clone();
            int position = (int)(rng.NextBits(trial, 0) % (uint)bytes.Length);
            bytes = (rng.NextBits(trial, 1) % 3) switch
            {
                0 => Flip(bytes, position, (byte)(1 << (int)(rng.NextBits(trial, 2) % 8))),
                1 => bytes[..position],
                _ => [.. bytes, .. new byte[1 + position % 32]],
            };
            File.WriteAllBytes(weights, bytes);
            try
            {
                var (loaded, _) = ModelCheckpoint.Load(Folder);
                Assert.Equal(expected, loaded.Parameters().SelectMany(p => p.Tensor.Data.ToArray()));
            }
            catch (InvalidDataException)
            {
                refused++;
            }
        }
        output.WriteLine($"fuzzed checkpoints: {refused} refused, {500 - refused} loaded identically");
        Assert.True(refused > 450, $"only {refused} of 500 damaged checkpoints were refused");
    }

    private static byte[] Flip(byte[] bytes, int index, byte mask)
    {
        bytes[index] ^= mask;
        return bytes;
    }
}
