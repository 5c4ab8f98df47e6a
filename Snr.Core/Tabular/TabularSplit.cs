using Snr.Core.Data;

namespace Snr.Core.Tabular;

/// <summary>
/// A table cut into training, validation and test sets by a seeded shuffle, with the
/// encoder fitted on the training rows only.
/// </summary>
/// <param name="Encoder">Fitted on <paramref name="Train"/>'s rows: vocabularies, standardisation.</param>
/// <param name="Train">Training rows in the models' input layout (see <see cref="EncodedTable.ToDataset"/>).</param>
/// <param name="Validation">Validation rows.</param>
/// <param name="Test">Test rows.</param>
public sealed record TabularSplit(TabularEncoder Encoder, MultiTaskDataset Train, MultiTaskDataset Validation, MultiTaskDataset Test)
{
    /// <summary>Splits <paramref name="table"/> ⌊train·n⌋ / ⌊validation·n⌋ / rest with <see cref="DataSplit.Shuffled"/> and encodes each part.</summary>
    /// <exception cref="CsvFormatException">A value does not fit the schema (file, line and column named).</exception>
    /// <exception cref="ArgumentException">The schema is invalid or names a column the table lacks.</exception>
    public static TabularSplit Create(RawTable table, TabularSchema schema, ulong seed, double train = 0.7, double validation = 0.1)
    {
        var split = DataSplit.Shuffled(table.RowCount, seed, train, validation);
        var encoder = TabularEncoder.Fit(table, schema, split.Train);
        return new TabularSplit(encoder,
            encoder.Encode(table, split.Train).ToDataset(),
            encoder.Encode(table, split.Validation).ToDataset(),
            encoder.Encode(table, split.Test).ToDataset());
    }
}
