using Google.Protobuf;
using Onnx;

namespace Snr.Onnx;

/// <summary>
/// An ONNX graph under construction: inputs, outputs, weights (initializers) and nodes, each
/// intermediate tensor given a fresh name. Every tensor here is [N, columns] or a constant,
/// N being the batch size, left symbolic so that one file serves any batch. It also adds up the
/// matrix floating-point operations per row that the nodes written through it cost.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>The symbolic name of the batch dimension.</summary>
    public const string BatchDimension = "N";

    private readonly GraphProto _graph = new() { Name = "snr" };
    private readonly HashSet<string> _names = [];
    private string? _batchShapeSource;
    private string? _batchSize;
    private int _next;

    /// <summary>The graph as written so far.</summary>
    public GraphProto Proto => _graph;

    /// <summary>Floating-point operations per row of the matrix products, weighted sums and mixtures written (a multiply-add counts 2).</summary>
    public long FlopsPerRow { get; private set; }

    /// <summary>Adds to <see cref="FlopsPerRow"/>.</summary>
    public void CountFlops(long flopsPerRow) => FlopsPerRow += flopsPerRow;

    /// <summary>Declares a graph input of shape [N, <paramref name="columns"/>].</summary>
    /// <exception cref="ArgumentException">The name is taken.</exception>
    public string Input(string name, TensorProto.Types.DataType type, long columns)
    {
        Claim(name);
        _graph.Input.Add(ValueInfo(name, type, columns));
        _batchShapeSource ??= name;
        return name;
    }

    /// <summary>Declares a graph output [N, <paramref name="columns"/>] of float named <paramref name="name"/>, computed by <paramref name="op"/> from <paramref name="tensor"/>.</summary>
    /// <exception cref="ArgumentException">The name is taken (by an input, for example).</exception>
    public void Output(string name, string op, string tensor, long columns)
    {
        Claim(name);
        _graph.Node.Add(new NodeProto { OpType = op, Name = $"output/{name}", Input = { tensor }, Output = { name } });
        _graph.Output.Add(ValueInfo(name, TensorProto.Types.DataType.Float, columns));
    }

    /// <summary>A float constant of shape <paramref name="dims"/> (no dims: a scalar).</summary>
    public string Constant(string hint, ReadOnlySpan<float> values, params long[] dims)
    {
        var tensor = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Float, Dims = { dims } };
        foreach (float v in values) tensor.FloatData.Add(v);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>An int64 constant of shape <paramref name="dims"/> (no dims: a scalar).</summary>
    public string Constant(string hint, ReadOnlySpan<long> values, params long[] dims)
    {
        var tensor = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Int64, Dims = { dims } };
        foreach (long v in values) tensor.Int64Data.Add(v);
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a node of the default (ai.onnx) domain with one output; returns the output's name.</summary>
    public string Node(string op, string hint, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        Node("", op, hint, inputs, attributes);

    /// <summary>Adds a node of <paramref name="domain"/> with one output; returns the output's name.</summary>
    public string Node(string domain, string op, string hint, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        string output = Fresh(hint);
        _graph.Node.Add(new NodeProto { OpType = op, Domain = domain, Name = output, Input = { inputs }, Output = { output }, Attribute = { attributes } });
        return output;
    }

    /// <summary>
    /// <paramref name="row"/> ([1, columns]) repeated for every row of the batch: the output of a
    /// block that reads nothing (all its gates are zero) but is still needed.
    /// </summary>
    public string Broadcast(string hint, ReadOnlySpan<float> row)
    {
        _batchSize ??= Node("Shape", "batch_size", [_batchShapeSource ?? throw new InvalidOperationException("Declare an input before broadcasting a constant.")],
            Attribute("start", 0), Attribute("end", 1));
        string shape = Node("Concat", hint + "/shape", [_batchSize, Constant(hint + "/width", [(long)row.Length], 1)], Attribute("axis", 0));
        return Node("Expand", hint, [Constant(hint + "/row", row, 1, row.Length), shape]);
    }

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Attribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A list-of-integers attribute.</summary>
    public static AttributeProto Attribute(string name, IEnumerable<long> values) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { values } };

    /// <summary>A list-of-strings attribute (UTF-8).</summary>
    public static AttributeProto Attribute(string name, IEnumerable<string> values) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Strings, Strings = { values.Select(ByteString.CopyFromUtf8) } };

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, long columns) => new()
    {
        Name = name,
        Type = new TypeProto
        {
            TensorType = new TypeProto.Types.Tensor
            {
                ElemType = (int)type,
                Shape = new TensorShapeProto
                {
                    Dim =
                    {
                        new TensorShapeProto.Types.Dimension { DimParam = BatchDimension },
                        new TensorShapeProto.Types.Dimension { DimValue = columns },
                    },
                },
            },
        },
    };

    private void Claim(string name)
    {
        if (!_names.Add(name))
            throw new ArgumentException($"Two inputs or outputs of the ONNX graph would be named '{name}'; rename the task or column.");
    }

    // Internal tensors live under "snr/", so they never meet an input or output named after a column or a task.
    private string Fresh(string hint)
    {
        string name = $"snr/{hint}/{_next++}";
        _names.Add(name);
        return name;
    }
}
