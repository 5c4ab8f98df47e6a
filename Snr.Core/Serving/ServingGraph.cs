namespace Snr.Core.Serving;

/// <summary>The activation fused into a serving node's output.</summary>
public enum ServingActivation
{
    /// <summary>Identity.</summary>
    None,

    /// <summary>max(x, 0).</summary>
    Relu,
}

/// <summary>
/// A node of a serving graph: it reads earlier nodes (by index; node 0 is the model input)
/// and writes a [rows, <see cref="Width"/>] buffer. The graph is what a trained model hands
/// to <see cref="Predictor.Compile"/>: plain arrays, serving gates already fixed, no tape.
/// </summary>
/// <param name="Name">A dotted name for reports (<c>routing.1</c>).</param>
/// <param name="Width">Columns of the node's output.</param>
public abstract record ServingNode(string Name, int Width);

/// <summary>Node 0: the dense model input (numeric features and embeddings side by side).</summary>
public sealed record InputNode(int Width) : ServingNode("input", Width);

/// <summary>
/// One linear map inside a <see cref="GroupedLinearNode"/>: output columns
/// [OutOffset, OutOffset + OutWidth) = x[:, InOffset .. InOffset + InWidth)·Wᵀ + b.
/// </summary>
/// <param name="Name">A dotted name for reports (<c>subnetworks.2</c>, <c>towers.income.0</c>).</param>
/// <param name="InOffset">First input column read.</param>
/// <param name="InWidth">Input columns read.</param>
/// <param name="OutOffset">First output column written.</param>
/// <param name="OutWidth">Output columns written.</param>
/// <param name="Weight">[OutWidth, InWidth], PyTorch layout.</param>
/// <param name="Bias">[OutWidth].</param>
public sealed record LinearGroup(string Name, int InOffset, int InWidth, int OutOffset, int OutWidth, float[] Weight, float[] Bias);

/// <summary>
/// Independent linear maps side by side, each followed by the activation: a plain Linear
/// layer (one group), the level-0 sub-networks (groups reading the whole input), per-block
/// sub-networks (groups reading their own block) or the towers. Pruning drops whole groups.
/// </summary>
public sealed record GroupedLinearNode(string Name, int Source, int Width, IReadOnlyList<LinearGroup> Groups, ServingActivation Activation)
    : ServingNode(Name, Width);

/// <summary>
/// An SNR-Trans routing level with fixed gates: y_i = act(Σ_j z_ij·x_j·W_ijᵀ + b_i).
/// Gates [KOut, KIn], weight [KOut·HOut, KIn·HIn], bias [KOut·HOut].
/// </summary>
public sealed record RoutedNode(string Name, int Source, int KIn, int HIn, int KOut, int HOut, float[] Gates, float[] Weight, float[] Bias, ServingActivation Activation)
    : ServingNode(Name, KOut * HOut);

/// <summary>An SNR-Aver routing level with fixed gates: y_i = Σ_j z_ij·x_j, blocks of width H. Gates [KOut, KIn].</summary>
public sealed record AveragedNode(string Name, int Source, int KIn, int KOut, int H, float[] Gates)
    : ServingNode(Name, KOut * H);

/// <summary>
/// MMoE's mixtures: for each task t, softmax over the gate logits
/// g = gateSource[:, t·Experts .. (t+1)·Experts) and y_t = Σ_e g_e·expert_e, where expert e is
/// columns [e·ExpertWidth, (e+1)·ExpertWidth) of the expert source. Output [rows, Tasks·ExpertWidth].
/// </summary>
public sealed record MixtureNode(string Name, int ExpertSource, int Experts, int ExpertWidth, int GateSource, int Tasks)
    : ServingNode(Name, Tasks * ExpertWidth);

/// <summary>Where task <paramref name="Task"/>'s head is: column <paramref name="Column"/> of node <paramref name="Node"/>; binary tasks go through a sigmoid.</summary>
public sealed record TaskOutput(string Task, int Node, int Column, bool Binary);

/// <summary>An embedding table of the input: row v is the vector of category v of one column.</summary>
/// <param name="Name">The input column it embeds.</param>
/// <param name="Rows">Categories, including the "unknown" slot 0.</param>
/// <param name="Dim">Width of each vector.</param>
/// <param name="Table">[Rows, Dim], row-major.</param>
public sealed record EmbeddingTable(string Name, int Rows, int Dim, float[] Table);

/// <summary>
/// A model ready to serve: how the input is assembled (numeric features, then one embedding
/// per categorical column) and the nodes in the order they run.
/// </summary>
public sealed record ServingGraph(int NumericInputs, IReadOnlyList<EmbeddingTable> Embeddings, IReadOnlyList<ServingNode> Nodes, IReadOnlyList<TaskOutput> Outputs)
{
    /// <summary>Width of the dense input: numeric features plus every embedding's dimension.</summary>
    public int InputWidth => NumericInputs + Embeddings.Sum(e => e.Dim);
}
