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
    /// <summary>
    /// Splits <paramref name="table"/> ⌊train·n⌋ / ⌊validation·n⌋ / rest with <see cref="DataSplit.Shuffled"/> and encodes each part;
    /// the vocabularies are fitted under <paramref name="limits"/> (default <see cref="VocabularyLimits.Default"/>).
    /// </summary>
    /// <exception cref="CsvFormatException">A value does not fit the schema (file, line and column named).</exception>
    /// <exception cref="ArgumentException">The schema is invalid or names a column the table lacks.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A vocabulary limit is not positive.</exception>
    /// <exception cref="InvalidDataException">A binary task's training labels are all one class; the message lists the values and any near miss.</exception>
    public static TabularSplit Create(RawTable table, TabularSchema schema, ulong seed, double train = 0.7, double validation = 0.1, VocabularyLimits? limits = null)
    {
        schema.Validate();
        var recipe = new SplitRecipe(seed, train, validation);
        var split = recipe.Apply(table.RowCount);
        var identity = TrainingDataIdentity.Of(table, schema, [.. split.Train, .. split.Validation], recipe);
        var encoder = TabularEncoder.Fit(table, schema, split.Train, identity, limits);
        return new TabularSplit(encoder,
            encoder.Encode(table, split.Train).ToDataset(),
            encoder.Encode(table, split.Validation).ToDataset(),
            encoder.Encode(table, split.Test).ToDataset());
    }

    /// <summary>
    /// Uses separate files by role: the encoder is fitted on the rows of <paramref name="train"/>
    /// that train the model (never on validation or test rows), and each table is encoded with
    /// it. Without a <paramref name="validation"/> table, a seeded ⌊<paramref name="validationFraction"/>·n⌋
    /// rows of <paramref name="train"/> (by <see cref="DataSplit.Shuffled"/>) validate instead. The
    /// vocabularies are fitted under <paramref name="limits"/> (default <see cref="VocabularyLimits.Default"/>).
    /// </summary>
    /// <remarks>The preprocessing records the content of the training and validation rows of <paramref name="train"/> and of every row of <paramref name="validation"/>, with no split, so evaluating a saved model leaves them out of any file.</remarks>
    /// <exception cref="CsvFormatException">A value does not fit the schema (file, line and column named).</exception>
    /// <exception cref="ArgumentException">The schema is invalid, a table lacks a column of the schema, or the validation fraction leaves no training or validation row.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A vocabulary limit is not positive.</exception>
    /// <exception cref="InvalidDataException">A binary task's training labels are all one class; the message lists the values and any near miss.</exception>
    public static TabularSplit FromFiles(RawTable train, RawTable? validation, RawTable test, TabularSchema schema, ulong seed, double validationFraction = 0.1,
        VocabularyLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        schema.Validate();
        int[] trainRows, validationRows;
        if (validation is null)
        {
            // The fractions' rounding may leave a row or two in the recipe's test part: they train too.
            var split = new SplitRecipe(seed, 1 - validationFraction, validationFraction).Apply(train.RowCount);
            trainRows = [.. split.Train, .. split.Test];
            validationRows = split.Validation;
            if (trainRows.Length == 0 || validationRows.Length == 0)
                throw new ArgumentException($"A validation fraction of {validationFraction} of the {train.RowCount:N0} rows of {train.Source} leaves {trainRows.Length} training and {validationRows.Length} validation rows; give a validation file or another fraction.", nameof(validationFraction));
        }
        else
        {
            trainRows = AllRows(train);
            validationRows = [];
        }
        var identity = TrainingDataIdentity.Of(train, schema, [.. trainRows, .. validationRows], split: null, validation is null ? [] : [validation]);
        var encoder = TabularEncoder.Fit(train, schema, trainRows, identity, limits);
        return new TabularSplit(encoder,
            encoder.Encode(train, trainRows).ToDataset(),
            validation is null ? encoder.Encode(train, validationRows).ToDataset() : encoder.Encode(validation, AllRows(validation)).ToDataset(),
            encoder.Encode(test, AllRows(test)).ToDataset());
    }

    private static int[] AllRows(RawTable table) => [.. Enumerable.Range(0, table.RowCount)];
}
