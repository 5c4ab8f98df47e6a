namespace Snr.Tests.Tabular;

/// <summary>Issue 12, the data half, through the C# API: missing values, row keys, and what a model saved from C# records.</summary>
public sealed class DataAnswerTests() : TempFolderTests("snr-data-")
{
    private static readonly TaskSpec[] IncomeTask = [new("income", "income", TaskKind.Binary, [">50K"])];

    private (TabularSplit Split, TabularPredictor Predictor) Fitted(IEnumerable<string> rows)
    {
        var table = RawTable.Load(AdultLikeCsv.Write(PathOf(Guid.NewGuid() + ".csv"), rows), CsvOptions.Default);
        var split = TabularSplit.Create(table, TabularSchema.Infer(table, IncomeTask), seed: 1);
        var model = ModelFactory.Create(DefaultModels.Create("shared-bottom", split.Train.NumericCount, split.Encoder.EmbeddingConfig(), [new("income")], seed: 1));
        return (split, new TabularPredictor(Predictor.Compile(model), split.Encoder));
    }

    [Fact]
    public void Question_mark_and_the_empty_field_are_the_same_missing_value()
    {
        // Training data writes missing workclass as the empty field; a request writes it "?" (or the other way round).
        var (split, predictor) = Fitted(AdultLikeCsv.Rows().Select(r => r.Replace(",?,", ",,")));
        var vocabulary = split.Encoder.Preprocessing.Categorical.Single(v => v.Name == "workclass");
        var row = new Dictionary<string, string> { ["age"] = "40", ["hours"] = "45", ["sex"] = "Male", ["workclass"] = "" };
        float empty = predictor.Score(row)[0];
        row["workclass"] = "?";
        Assert.Equal(empty, predictor.Score(row)[0]);
        row.Remove("workclass");                      // an absent column is missing too
        Assert.Equal(empty, predictor.Score(row)[0]);
        row["workclass"] = "Martian";                 // an unseen level is not missing
        Assert.NotEqual(empty, predictor.Score(row)[0]);

        // A file mixing both spellings has one missing level, not two.
        var mixed = AdultLikeCsv.Rows().Select((r, i) => i % 8 == 3 ? r.Replace(",?,", ",,") : r).ToList();
        Assert.Contains(mixed, r => r.Contains(",,")); Assert.Contains(mixed, r => r.Contains(",?,"));
        var (mixedSplit, _) = Fitted(mixed);
        var levels = mixedSplit.Encoder.Preprocessing.Categorical.Single(v => v.Name == "workclass").Levels;
        Assert.Equal(1, levels.Count(l => l is "" or "?"));
        Assert.Equal(vocabulary.Levels.Count, levels.Count);
    }

    [Fact]
    public void A_misspelled_key_in_a_scored_row_is_an_error_unless_allowed()
    {
        var (_, predictor) = Fitted(AdultLikeCsv.Rows());
        var row = new Dictionary<string, string> { ["Age"] = "52", ["SEX"] = "Female", ["hours"] = "40" };
        var error = Assert.Throws<ArgumentException>(() => predictor.Score(row));
        Assert.Contains("'Age'", error.Message);
        Assert.Contains("'age'", error.Message);      // the near miss
        Assert.Contains("'SEX'", error.Message);
        // Label and ignored columns are known keys, not mistakes.
        var lenient = new TabularPredictor(predictor.Predictor, predictor.Encoder, allowUnknownColumns: true);
        Assert.Equal(lenient.Score(new Dictionary<string, string> { ["hours"] = "40" }), lenient.Score(row));   // unknown keys ignored on request
        row = new Dictionary<string, string> { ["age"] = "52", ["sex"] = "Female", ["hours"] = "40", ["income"] = ">50K" };
        Assert.Single(predictor.Score(row));
    }

    [Fact]
    public void Scoring_a_row_into_a_span_allocates_nothing()
    {
        var (_, predictor) = Fitted(AdultLikeCsv.Rows());
        var row = new Dictionary<string, string> { ["age"] = " 52 ", ["workclass"] = "Gov", ["hours"] = "40", ["sex"] = "?" };
        var scores = new float[1];
        for (int i = 0; i < 100; i++) predictor.Score(row, scores);  // warm-up: tiered JIT and the predictor's per-thread workspace
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++) predictor.Score(row, scores);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(predictor.Score(row), scores);
    }

    [Theory]
    [InlineData("NaN", "not a finite number")]
    [InlineData("-Infinity", "not a finite number")]
    [InlineData("1e400", "beyond the float range")]
    [InlineData("\"1,5\"", "decimal comma")]
    public void Values_that_are_not_finite_numbers_in_a_numeric_column_are_errors_at_their_place(string value, string reason)
    {
        var rows = AdultLikeCsv.Rows();
        rows[3] = value + rows[3][rows[3].IndexOf(',')..];   // line 5, column 1
        var table = RawTable.Load(AdultLikeCsv.Write(PathOf("bad.csv"), rows), CsvOptions.Default);
        var inference = new SchemaInference { Declared = new Dictionary<string, ColumnKind> { ["age"] = ColumnKind.Numeric } };
        var error = Assert.Throws<CsvFormatException>(() => TabularSplit.Create(table, inference.Infer(table, IncomeTask).Schema, seed: 1));
        Assert.Equal((5L, 1), (error.Line, error.Column));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_schema_file_line_that_is_not_a_kind_names_its_line()
    {
        string path = PathOf("schema.txt");
        File.WriteAllText(path, "age: numeric\nincome: label of task 'income' (Binary)\nhours numeric\n");
        var error = Assert.Throws<CsvFormatException>(() => SchemaInference.ReadDeclarations(path));
        Assert.Equal(3, error.Line);
        Assert.Contains("hours numeric", error.Message);
    }
}
