namespace Snr.Core.Serving;

/// <summary>Where task <paramref name="Task"/>'s head is: column <paramref name="Column"/> of node <paramref name="Node"/>; binary tasks go through a sigmoid.</summary>
internal sealed record TaskOutput(string Task, int Node, int Column, bool Binary);

/// <summary>An embedding table of the input: row v is the vector of category v of one column.</summary>
/// <param name="Name">The input column it embeds.</param>
/// <param name="Rows">Categories, including the "unknown" slot 0.</param>
/// <param name="Dim">Width of each vector.</param>
/// <param name="Table">[Rows, Dim], row-major.</param>
internal sealed record EmbeddingTable(string Name, int Rows, int Dim, float[] Table);

/// <summary>
/// A model ready to serve: how the input is assembled (numeric features, then one embedding per categorical
/// column) and the nodes in the order they run. Plain arrays, serving gates already fixed, no tape; a model
/// writes its own (<see cref="Models.MultiTaskModel"/>), the <see cref="Predictor"/> compiles it.
/// </summary>
internal sealed record ServingGraph(int NumericInputs, IReadOnlyList<EmbeddingTable> Embeddings, IReadOnlyList<ServingNode> Nodes, IReadOnlyList<TaskOutput> Outputs)
{
    /// <summary>Width of the dense input: numeric features plus every embedding's dimension.</summary>
    public int InputWidth { get; } = NumericInputs + Embeddings.Sum(e => e.Dim);

    /// <summary>Multiply-add FLOPs per row of every node.</summary>
    public long FlopsPerRow => Nodes.Sum(n => n.FlopsPerRow);

    /// <summary>Checks that every node reads only earlier nodes, with the widths it expects, and that every task head exists.</summary>
    /// <exception cref="ArgumentException">The graph is inconsistent; the message names the node.</exception>
    public void Validate()
    {
        if (Nodes.Count == 0 || Nodes[0] is not InputNode input || input.Width != InputWidth)
            throw new ArgumentException($"Node 0 must be the input node of width {InputWidth} (numeric inputs plus embedding dimensions).");
        for (int index = 1; index < Nodes.Count; index++)
        {
            var node = Nodes[index];
            foreach (int source in node.Sources)
                if (source < 0 || source >= index)
                    throw new ArgumentException($"Node {index} '{node.Name}' reads node {source}, which does not run before it.");
            node.Validate(Nodes);
        }
        foreach (var o in Outputs)
            if (o.Node <= 0 || o.Node >= Nodes.Count || o.Column < 0 || o.Column >= Nodes[o.Node].Width)
                throw new ArgumentException($"Task '{o.Task}' reads column {o.Column} of node {o.Node}, which does not exist.");
    }

    /// <summary>
    /// Everything the given task heads do not need removed. Working back from the heads, each node keeps what
    /// produces its wanted columns and marks the columns of its sources that this reads; so a connection with
    /// z = 0 disappears, and with it every sub-network that no task reaches any more.
    /// </summary>
    public ServingGraph Prune(IReadOnlyList<TaskOutput> outputs)
    {
        var needed = Nodes.Select(n => new bool[n.Width]).ToArray();
        foreach (var o in outputs) needed[o.Node][o.Column] = true;
        var pruned = new ServingNode[Nodes.Count];
        for (int index = Nodes.Count - 1; index >= 0; index--) pruned[index] = Nodes[index].Prune(needed[index], needed);
        return this with { Nodes = pruned, Outputs = outputs };
    }

    /// <summary>The same graph with each node in its fastest equivalent form.</summary>
    public ServingGraph Fuse() => this with { Nodes = [.. Nodes.Select(n => n.Fuse())] };
}
