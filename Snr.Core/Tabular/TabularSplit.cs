using Snr.Core.Data;

namespace Snr.Core.Tabular;

/// <summary>
/// A table cut into training, validation and test sets by a seeded shuffle, with the
/// encoder fitted on the training rows only. The encoder's preprocessing records the table's
/// content and the split (<see cref="TrainingDataIdentity"/>), so a saved model can later be
/// evaluated on its test rows only, whatever the data file is called.
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
    /// <exception cref="InvalidDataException">A binary task's training labels are all one class; the message lists the values and any near miss.</exception>
    public static TabularSplit Create(RawTable table, TabularSchema schema, ulong seed, double train = 0.7, double validation = 0.1)
    {
        schema.Validate();
        var recipe = new SplitRecipe(seed, train, validation);
        var split = recipe.Apply(table.RowCount);
        var identity = TrainingDataIdentity.Of(table, schema, [.. split.Train, .. split.Validation], recipe);
        var encoder = TabularEncoder.Fit(table, schema, split.Train, identity);
        return new TabularSplit(encoder,
            encoder.Encode(table, split.Train).ToDataset(),
            encoder.Encode(table, split.Validation).ToDataset(),
            encoder.Encode(table, split.Test).ToDataset());
    }
}
