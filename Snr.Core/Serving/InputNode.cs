namespace Snr.Core.Serving;

/// <summary>Node 0: the dense model input (numeric features and embeddings side by side), written by the predictor.</summary>
internal sealed record InputNode(int Width) : ServingNode("input", Width)
{
    public override IReadOnlyList<int> Sources => [];

    public override long FlopsPerRow => 0;

    public override ServingNode Prune(ReadOnlySpan<bool> wanted, bool[][] needed) => this;

    public override PreparedNode Prepare(int index) => new Prepared(index);

    public override string Describe() => $"input: {Width} columns";

    private sealed class Prepared(int index) : PreparedNode(index)
    {
        public override void Run(ServingWorkspace workspace, int rows, int maxThreads) { }
    }
}
