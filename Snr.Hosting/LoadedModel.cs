using Snr.Core.Serving;

namespace Snr.Hosting;

/// <summary>
/// One loaded version of a named model. Immutable: a request takes the current version once and
/// uses it from reading its rows to writing its scores, so a hot swap never mixes two models in
/// one response and a request in flight finishes on the version it started with.
/// </summary>
/// <param name="Version">1 for the first version this process loaded, then 2, 3, … at each swap.</param>
/// <param name="Predictor">The compiled model and its schema.</param>
/// <param name="Inputs">How request values become the predictor's inputs.</param>
/// <param name="Checkpoint">The size and time stamp of the file it was loaded from.</param>
/// <param name="LoadedAt">When it was loaded.</param>
/// <param name="Digest">SHA-256 of the checkpoint file's bytes: a reload of the same bytes keeps this version.</param>
internal sealed record LoadedModel(long Version, TabularPredictor Predictor, InputLayout Inputs, FileStamp Checkpoint, DateTimeOffset LoadedAt, byte[] Digest);
