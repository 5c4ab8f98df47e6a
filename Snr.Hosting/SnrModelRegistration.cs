namespace Snr.Hosting;

/// <summary>One <c>AddSnrModel</c> call: the name a model is served under and its options.</summary>
internal sealed record SnrModelRegistration(string Name, SnrModelOptions Options);
