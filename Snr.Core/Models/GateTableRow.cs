namespace Snr.Core.Models;

/// <summary>One connection of an SNR network, as the gate table reports it.</summary>
/// <param name="Level">The routing level's parameter prefix, e.g. <c>routing.0</c>.</param>
/// <param name="Output">The output block i.</param>
/// <param name="Input">The input block j.</param>
/// <param name="LogAlpha">The learned log_alpha of the connection.</param>
/// <param name="ServingGate">The serving z = clamp(sigmoid(log_alpha)·(ζ − γ) + γ, 0, 1) (the forced value if forced).</param>
/// <param name="ProbabilityNonZero">P(z ≠ 0) during training, sigmoid(log_alpha − β·log(−γ/ζ)).</param>
public sealed record GateTableRow(string Level, int Output, int Input, float LogAlpha, float ServingGate, float ProbabilityNonZero);
