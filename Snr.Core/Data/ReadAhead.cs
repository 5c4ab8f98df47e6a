using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Snr.Core.Data;

/// <summary>
/// Produces items on a background task while the caller consumes them, through a bounded
/// channel: the producer fills the next item (reads and encodes the next chunk, say) on the other
/// core while the caller works on the current one. A fixed set of item buffers circulates, so
/// memory stays at that many items however long the run.
/// </summary>
/// <remarks>
/// An exception in the producer reaches the caller at the point of the stream where it happened:
/// every item produced before it is taken first. Disposing stops the producer and waits for it.
/// </remarks>
/// <typeparam name="T">The item buffer type.</typeparam>
internal sealed class ReadAhead<T> : IDisposable where T : class
{
    private readonly Channel<T> _full, _free;
    private readonly CancellationTokenSource _stop;
    private readonly Task _producer;
    private ExceptionDispatchInfo? _failure;

    /// <summary>
    /// Starts producing: for each index of <paramref name="order"/>, <paramref name="produce"/>
    /// fills a free buffer; it returns false when there is nothing at that index, which ends the stream.
    /// </summary>
    public ReadAhead(IEnumerable<int> order, IReadOnlyList<T> buffers, Func<int, T, bool> produce, CancellationToken cancellation)
    {
        _full = Channel.CreateBounded<T>(buffers.Count);
        _free = Channel.CreateUnbounded<T>();
        foreach (var buffer in buffers) _free.Writer.TryWrite(buffer);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var token = _stop.Token;
        _producer = Task.Run(async () =>
        {
            try
            {
                foreach (int index in order)
                {
                    T item = await _free.Reader.ReadAsync(token).ConfigureAwait(false);
                    if (!produce(index, item)) break;
                    await _full.Writer.WriteAsync(item, token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                _full.Writer.TryComplete();
            }
        });
    }

    /// <summary>Waits for the next item; false at the end of the stream.</summary>
    /// <exception cref="Exception">The producer's exception, once the items produced before it have been taken.</exception>
    public bool TryTake(out T item)
    {
        while (!_full.Reader.TryRead(out item!))
        {
            if (!_full.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                _failure?.Throw();
                item = null!;
                return false;
            }
        }
        return true;
    }

    /// <summary>Hands a taken item's buffer back to the producer.</summary>
    public void Return(T item) => _free.Writer.TryWrite(item);

    /// <summary>Stops the producer and waits for it to end.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _producer.GetAwaiter().GetResult();
        }
        finally
        {
            _stop.Dispose();
        }
    }
}
