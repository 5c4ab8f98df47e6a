using Snr.Tests.Serving;

namespace Snr.Tests.Checkpoints;

/// <summary>Checkpoints that do not fit their configuration, or are damaged, are refused with a reason.</summary>
public sealed class ModelCheckpointTests() : TempFolderTests("snr-checkpoint-")
{
    private string Saved(string kind = "snr-trans")
    {
        string dir = PathOf(Guid.NewGuid().ToString("N"));
        ModelCheckpoint.Save(dir, ModelServingTests.Make(kind));
        return dir;
    }

    // Rewrites the weights file through a transformation of its tensors and metadata (a valid file, hash and all).
    private static void Rewrite(string dir, Func<List<NamedTensor>, List<NamedTensor>> tensors, Func<string, string>? document = null)
    {
        string path = Path.Combine(dir, ModelCheckpoint.WeightsFile);
        var (read, metadata, bytes) = SafetensorsFile.Read(path);
        var meta = metadata.ToDictionary(p => p.Key, p => p.Value);
        if (document is not null) meta["snr.checkpoint"] = document(meta["snr.checkpoint"]);
        SafetensorsFile.Write(path, tensors([.. read]), meta, bytes);
    }

    [Fact]
    public void A_checkpoint_round_trips_through_a_stream_byte_for_byte_like_the_weights_file()
    {
        var model = ModelServingTests.Make("snr-aver");
        using var stream = new MemoryStream();
        ModelCheckpoint.Save(stream, model);
        string dir = PathOf("same");
        ModelCheckpoint.Save(dir, model);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, ModelCheckpoint.WeightsFile)), stream.ToArray());
        stream.Position = 0;
        var (loaded, _) = ModelCheckpoint.Load(stream);
        Assert.Equal(model.Parameters().SelectMany(p => p.Tensor.Data.ToArray()), loaded.Parameters().SelectMany(p => p.Tensor.Data.ToArray()));
        using var damaged = new MemoryStream(stream.ToArray()[..^3]);
        Assert.Contains("checkpoint stream", Assert.Throws<InvalidDataException>(() => ModelCheckpoint.Load(damaged)).Message);
    }

    private static string Refusal(string dir) => Assert.Throws<InvalidDataException>(() => ModelCheckpoint.Load(dir)).Message;

    // A configuration that does not match the weights; an invalid configuration, named by its field.
    [Theory]
    [InlineData("\"level0_hidden\": [\n      5\n    ]", "\"level0_hidden\": [\n      6\n    ]", "has shape")]
    [InlineData("\"level0_blocks\": 3", "\"level0_blocks\": 0", "level0_blocks")]
    public void A_changed_configuration_is_refused_with_a_reason(string from, string to, string expected)
    {
        string dir = Saved();
        Rewrite(dir, t => t, json => json.Replace(from, to));
        Assert.Contains(expected, Refusal(dir));
    }

    [Fact]
    public void Missing_and_extra_tensors_are_named()
    {
        string dir = Saved();
        Rewrite(dir, t => [.. t.Where(x => x.Name != "routing.0.log_alpha"), new NamedTensor("stray.weight", [1], [0f])]);
        string message = Refusal(dir);
        Assert.Contains("Missing: routing.0.log_alpha", message);
        Assert.Contains("Not in the model: stray.weight", message);
    }

    [Fact]
    public void A_non_finite_weight_is_refused()
    {
        string dir = Saved("mmoe");
        Rewrite(dir, t => [.. t.Select(x => x.Name == "experts.0.0.weight" ? x with { Values = [float.NaN, .. x.Values[1..]] } : x)]);
        Assert.Contains("not finite", Refusal(dir));
    }

    [Fact]
    public void A_truncated_file_and_a_missing_folder_are_refused()
    {
        string dir = Saved();
        string path = Path.Combine(dir, ModelCheckpoint.WeightsFile);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^10]);
        Assert.Contains(ModelCheckpoint.WeightsFile, Refusal(dir));
        Assert.Throws<DirectoryNotFoundException>(() => ModelCheckpoint.Load(PathOf("nope")));
    }
}
