using System.Text.Json;

namespace Snr.Tests.Support;

/// <summary>A tensor as golden.json stores it: shape and row-major float64 values.</summary>
public sealed record GoldenTensor(int[] Shape, double[] Data)
{
    public Tensor ToTensor(bool requiresGrad = false) =>
        Tensor.FromArray(Data.Select(v => (float)v).ToArray(), Snr.Autograd.Shape.Of(Shape), requiresGrad);

    public int[] ToInts() => Data.Select(v => (int)v).ToArray();
}

/// <summary>One forward/backward case computed by libtorch in float64 (see golden/README.md).</summary>
public sealed record GoldenCase(
    string Name,
    IReadOnlyDictionary<string, GoldenTensor> Inputs,
    IReadOnlyDictionary<string, GoldenTensor> Constants,
    GoldenTensor? Output,
    GoldenTensor? Dout,
    IReadOnlyDictionary<string, GoldenTensor> ExtraOutputs,
    IReadOnlyDictionary<string, GoldenTensor> Grads);

/// <summary>
/// Loads ../shared/golden/golden.json when the repository sits beside the shared folder,
/// else the copy shipped in Snr.Tests/golden (so a fresh clone runs the same cases).
/// </summary>
public static class Golden
{
    private static readonly Lazy<IReadOnlyDictionary<string, GoldenCase>> s_cases = new(Load);

    public static GoldenCase Case(string name) =>
        s_cases.Value.TryGetValue(name, out var c) ? c : throw new KeyNotFoundException($"golden.json has no case '{name}'.");

    public static string SourcePath { get; private set; } = "";

    private static IReadOnlyDictionary<string, GoldenCase> Load()
    {
        SourcePath = FindFile();
        using var doc = JsonDocument.Parse(File.ReadAllText(SourcePath));
        var cases = new Dictionary<string, GoldenCase>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            cases[name] = new GoldenCase(name,
                Tensors(c, "inputs"), Tensors(c, "constants"),
                OptionalTensor(c, "output"), OptionalTensor(c, "dout"),
                Tensors(c, "extra_outputs"), Tensors(c, "grads"));
        }
        return cases;
    }

    private static string FindFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Snr.sln")))
            {
                string shared = Path.Combine(dir.FullName, "..", "shared", "golden", "golden.json");
                if (File.Exists(shared)) return shared;
                break;
            }
        }
        return Path.Combine(AppContext.BaseDirectory, "golden", "golden.json");
    }

    private static Dictionary<string, GoldenTensor> Tensors(JsonElement c, string property)
    {
        var result = new Dictionary<string, GoldenTensor>();
        if (c.TryGetProperty(property, out var obj) && obj.ValueKind == JsonValueKind.Object)
            foreach (var p in obj.EnumerateObject())
                result[p.Name] = Parse(p.Value);
        return result;
    }

    private static GoldenTensor? OptionalTensor(JsonElement c, string property) =>
        c.TryGetProperty(property, out var t) && t.ValueKind == JsonValueKind.Object ? Parse(t) : null;

    private static GoldenTensor Parse(JsonElement t) => new(
        t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
        t.GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray());
}
