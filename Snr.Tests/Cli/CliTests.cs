using System.Text.Json;
using Snr.Datasets;
using static Snr.Tests.Support.CliRun;

namespace Snr.Tests.Cli;

/// <summary>The <c>snr</c> commands run in-process: parse, run on small data, check the output, the JSON and the files.</summary>
public sealed class CliTests() : TempFolderTests("snr-cli-")
{
    private static JsonElement LastLineJson(string output)
    {
        string last = output.TrimEnd().Split('\n')[^1];
        return JsonDocument.Parse(last).RootElement;
    }

    [Fact]
    public void Train_on_census_then_eval_predict_and_inspect_the_saved_model()
    {
        var (code, output, error) = Run("train", "--epochs", "1", "--out", PathOf("model"), "--json");
        Assert.True(code == 0, error);
        Assert.Contains("epoch 1/1", output);            // plain progress lines when not on a terminal
        Assert.Contains("routing.0 (SNR-Trans)", output);
        var json = LastLineJson(output);
        Assert.Equal("train", json.GetProperty("command").GetString());
        Assert.Equal("snr-trans", json.GetProperty("model").GetString());
        Assert.Equal("census", json.GetProperty("data").GetString());
        var tasks = json.GetProperty("tasks").EnumerateArray().ToArray();
        Assert.Equal(["income", "never_married"], tasks.Select(t => t.GetProperty("name").GetString()));
        Assert.All(tasks, t => Assert.Equal("auc", t.GetProperty("metric").GetString()));
        Assert.True(tasks[0].GetProperty("value").GetDouble() > 0.9);
        Assert.True(json.GetProperty("parameters").GetInt64() > 0);
        Assert.True(json.GetProperty("serving_flops_per_row").GetInt64() > 0);
        Assert.Equal(8 * 8 + 2 * 8, json.GetProperty("total_connections").GetInt32());
        Assert.True(File.Exists(PathOf("model/model.safetensors")) && File.Exists(PathOf("model/config.json")));
        AssertReadmeSampleHasTheShapeOf(output);

        (code, output, error) = Run("eval", "--model", PathOf("model"), "--json");
        Assert.True(code == 0, error);
        var eval = LastLineJson(output);
        Assert.Equal("census (test split)", eval.GetProperty("data").GetString());
        // The saved model on its own test split scores what training reported.
        Assert.Equal(tasks[0].GetProperty("value").GetDouble(), eval.GetProperty("tasks")[0].GetProperty("value").GetDouble(), 4);

        // Five raw Census rows with a header, and a label-free copy: predict needs no labels.
        var table = CensusIncome.Load();
        var lines = new List<string> { string.Join(",", CensusIncome.ColumnNames.Take(41)) };
        for (int r = 0; r < 5; r++) lines.Add(string.Join(",", Enumerable.Range(0, 41).Select(c => "\"" + table.Value(r, c) + "\"")));
        File.WriteAllLines(PathOf("rows.csv"), lines);
        (code, output, error) = Run("predict", "--model", PathOf("model"), "--input", PathOf("rows.csv"), "--output", PathOf("scores.csv"));
        Assert.True(code == 0, error);
        var scores = File.ReadAllLines(PathOf("scores.csv"));
        Assert.Equal("row,income,never_married", scores[0]);
        Assert.Equal(6, scores.Length);
        Assert.All(scores[1..], l => Assert.All(l.Split(',')[1..], v => Assert.InRange(double.Parse(v, System.Globalization.CultureInfo.InvariantCulture), 0, 1)));

        (code, output, error) = Run("inspect", "--model", PathOf("model"));
        Assert.True(code == 0, error);
        Assert.Contains("gate table", output);
        Assert.Contains("Serving graph after pruning", output);
        Assert.Contains("marital_status: label of task 'never_married'", output);
    }

    // The README's sample output (written by scripts/readme-sample.sh) has the shape of what train
    // prints now: with numbers collapsed to # and repeated lines (the epochs) to one, every line of
    // the sample appears in this run's output, in the same order.
    private static void AssertReadmeSampleHasTheShapeOf(string output)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "README.md"))) directory = directory.Parent;
        Assert.NotNull(directory);
        string readme = File.ReadAllText(Path.Combine(directory.FullName, "README.md")).ReplaceLineEndings("\n");
        var sample = System.Text.RegularExpressions.Regex.Match(readme, "readme-sample: begin[^\n]*\n```text\n(.*?)\n```", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.True(sample.Success, "README.md has no readme-sample block");
        static List<string> Shapes(string text) => text.ReplaceLineEndings("\n").Split('\n')
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l.TrimEnd(), @"\d+", "#"))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, "^Saved to .* \\(", "Saved to DIR ("))
            .Where(l => l.Length > 0).Aggregate(new List<string>(), (list, l) => { if (list.Count == 0 || list[^1] != l) list.Add(l); return list; });
        var actual = Shapes(output);
        int at = 0;
        foreach (string line in Shapes(sample.Groups[1].Value))
        {
            int found = actual.IndexOf(line, at);
            Assert.True(found >= 0, $"The README sample line '{line}' is not in what snr train prints now (run scripts/readme-sample.sh):\n{string.Join("\n", actual)}");
            at = found + 1;
        }
    }

    [Fact]
    public void Compare_prints_one_table_and_a_json_list()
    {
        var (code, output, error) = Run("compare", "--data", "synthetic", "--seeds", "1", "--epochs", "1", "--json");
        Assert.True(code == 0, error);
        Assert.Contains("mean ± standard deviation", output);
        var list = LastLineJson(output).EnumerateArray().ToArray();
        Assert.Equal(["snr-trans", "snr-aver", "mmoe", "shared-bottom", "single-task"], list.Select(s => s.GetProperty("model").GetString()));
        Assert.All(list, s => Assert.Equal("rmse", s.GetProperty("tasks")[0].GetProperty("metric").GetString()));
    }

    [Fact]
    public void A_csv_file_with_named_tasks_trains()
    {
        var rows = new List<string> { "x,y,color,clicked,spend" };
        for (int i = 0; i < 400; i++)
            rows.Add($"{i % 7},{(i * 13) % 11},{(i % 3 == 0 ? "red" : "blue")},{(i % 7 > 3 ? "yes" : "no")},{i % 5}");
        File.WriteAllLines(PathOf("mine.csv"), rows);
        var (code, output, error) = Run("train", "--data", PathOf("mine.csv"), "--task", "click:clicked:yes", "--task", "spend:spend",
            "--model", "mmoe", "--epochs", "2", "--out", PathOf("mine"), "--json");
        Assert.True(code == 0, error);
        Assert.Contains("Schema of", output);
        var json = LastLineJson(output);
        Assert.Equal(["auc", "rmse"], json.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("metric").GetString()));
    }

    [Fact]
    public void A_corrupt_model_and_a_bad_csv_row_are_refused_with_their_place()
    {
        Directory.CreateDirectory(PathOf("broken"));
        File.WriteAllBytes(PathOf("broken/model.safetensors"), [1, 2, 3]);
        var (code, _, error) = Run("inspect", "--model", PathOf("broken"));
        AssertUserError(code, error, "model.safetensors");

        File.WriteAllLines(PathOf("bad.csv"), ["a,b,t", "1,2,yes", "3,oops,no", "4"]);
        (code, _, error) = Run("train", "--data", PathOf("bad.csv"), "--task", "t:t:yes", "--epochs", "1", "--out", PathOf("bad"));
        AssertUserError(code, error, "bad.csv:4:");
        Assert.DoesNotContain("   at ", error);
    }
}
