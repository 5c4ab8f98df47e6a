namespace Snr.Distributed;

/// <summary>
/// A step was asked for that is not the coordinator's next one, typically because the coordinator was re-activated
/// from its last checkpoint and is behind the caller: <see cref="NextStep"/> says where the run goes on.
/// </summary>
[GenerateSerializer]
public sealed class StepOutOfOrderException : InvalidOperationException
{
    /// <summary>Creates the exception for a request of <paramref name="asked"/> when <paramref name="nextStep"/> is next.</summary>
    public StepOutOfOrderException(long asked, long nextStep)
        : base($"Step {asked} asked for; the run has completed {nextStep} steps, so the next is {nextStep}.") => NextStep = nextStep;

    /// <summary>The step the coordinator runs next.</summary>
    [Id(0)] public long NextStep { get; private set; }
}
