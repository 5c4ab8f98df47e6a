namespace Snr.Core.Tabular;

/// <summary>What a row of a streamed file is used for.</summary>
public enum RowRole
{
    /// <summary>The row trains the model (and the encoder's statistics).</summary>
    Train,

    /// <summary>The row validates (picks the epoch, early stopping).</summary>
    Validation,

    /// <summary>The row is held out for the test metrics.</summary>
    Test,
}
