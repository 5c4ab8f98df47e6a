namespace Snr.Distributed;

/// <summary>A worker's gradient that the coordinator refused: for another step or attempt, from an unknown rank, twice, or of the wrong shape.</summary>
[GenerateSerializer]
public sealed class GradientRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GradientRefusedException(string message) : base(message) { }
}
