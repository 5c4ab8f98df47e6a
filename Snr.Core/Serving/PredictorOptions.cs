namespace Snr.Core.Serving;

/// <summary>How a <see cref="Predictor"/> runs.</summary>
/// <param name="MaxThreads">Threads one call may use for its matrix products: 1 suits a service with many concurrent requests; 0 means all cores. Products too small to pay for a second thread (under 65,536 multiply-adds for a few rows) run on the caller's thread whatever this says, and results are the same bits for any value. After a product on more than one thread the kernels' worker threads spin for 100 µs before they sleep, which is what makes a second core pay off for one row; with many concurrent requests they would compete with the request threads, so use 1 there.</param>
/// <param name="RowsPerChunk">Rows processed at a time; larger calls are cut into chunks, so working memory stays fixed.</param>
public sealed record PredictorOptions(int MaxThreads = 0, int RowsPerChunk = 256);
