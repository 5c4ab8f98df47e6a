using Snr.Datasets;

namespace Snr.Tests.Tabular;

public class CensusIncomeTests
{
    private static readonly Lazy<RawTable> Table = new(() => CensusIncome.Load());

    [Fact]
    public void The_bundled_file_has_the_documented_rows_and_label_balance()
    {
        var table = Table.Value;
        Assert.Equal(99_762, table.RowCount);
        var all = Enumerable.Range(0, table.RowCount).ToArray();
        var encoder = TabularEncoder.Fit(table, CensusIncome.Schema(1), all);
        var encoded = encoder.Encode(table, all);
        Assert.Equal(6_186, encoded.Labels[0].Count(v => v == 1f));   // income > 50K
        Assert.Equal(43_143, encoded.Labels[1].Count(v => v == 1f));  // never married
    }

    [Theory]
    [InlineData(1, new[] { "marital_status", "income", "instance_weight" })]
    [InlineData(2, new[] { "marital_status", "income", "instance_weight", "education" })]
    public void Label_columns_and_the_instance_weight_are_not_inputs(int group, string[] excluded)
    {
        var schema = CensusIncome.Schema(group);
        var inputs = schema.Inputs(ColumnKind.Numeric).Concat(schema.Inputs(ColumnKind.Categorical)).Select(c => c.Name).ToHashSet();
        Assert.Equal(42 - excluded.Length, inputs.Count);
        Assert.All(excluded, name => Assert.DoesNotContain(name, inputs));
        Assert.Equal(7, schema.Inputs(ColumnKind.Numeric).Count());
    }

    [Fact]
    public void The_data_is_embedded_in_Snr_Datasets_not_in_the_core_library()
    {
        Assert.Empty(typeof(TabularSchema).Assembly.GetManifestResourceNames());
        Assert.Contains("embedded in Snr.Datasets", Table.Value.Source);
        using var stream = CensusIncome.OpenEmbedded();
        Assert.Equal(3_261_416, stream.Length);
    }
}
