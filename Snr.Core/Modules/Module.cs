using Snr.Autograd;
using Snr.Kernels;

namespace Snr.Core.Modules;

/// <summary>
/// A building block with named parameters and named child modules, PyTorch's <c>nn.Module</c>
/// reduced to what Snr needs. Parameters get stable dotted names from the path of
/// registrations (<c>towers.income.0.weight</c>): checkpoints, the gate table and the
/// optimizer state all key on them.
/// </summary>
/// <remarks>
/// A subclass registers its parameters (<see cref="AddParameter"/>) and children
/// (<see cref="AddModule{T}"/>) in its constructor. Registration order is the order of
/// <see cref="Parameters"/>, so it is deterministic.
/// </remarks>
public abstract class Module
{
    private readonly List<(string Name, Tensor Tensor, ParameterInit Init, bool RowSparse)> _own = [];
    private readonly List<(string Name, Module Module)> _children = [];
    private NamedParameter[]? _all;
    private ParameterInit[]? _allInits;

    /// <summary>
    /// Creates and registers a parameter of zeros (filled by <see cref="Initialize"/>) that requires a gradient.
    /// </summary>
    /// <param name="name">A local name without dots, unique in this module.</param>
    /// <param name="shape">The shape.</param>
    /// <param name="init">How <see cref="Initialize"/> fills it.</param>
    /// <param name="rowSparse">An embedding table: optimisers update only the rows a step touched (see <see cref="NamedParameter.RowSparse"/>).</param>
    /// <exception cref="ArgumentException">The name is empty, contains a dot, or is taken.</exception>
    /// <exception cref="InvalidOperationException">Parameters were already enumerated (registration happens in constructors).</exception>
    protected Tensor AddParameter(string name, Shape shape, ParameterInit init, bool rowSparse = false)
    {
        CheckName(name, allowEmpty: false);
        var tensor = Tensor.Zeros(shape, requiresGrad: true);
        _own.Add((name, tensor, init, rowSparse));
        return tensor;
    }

    /// <summary>
    /// Registers a child module under <paramref name="name"/>; its parameters are named
    /// <c>name.child_parameter</c>. An empty name inlines the child: its parameters appear
    /// directly under this module's prefix (a routing layer's gate gives
    /// <c>routing.0.log_alpha</c>, not <c>routing.0.gate.log_alpha</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The name contains a dot or is taken.</exception>
    protected T AddModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name, allowEmpty: true);
        _children.Add((name, module));
        return module;
    }

    /// <summary>
    /// Registers a <see cref="ModuleList"/> under <paramref name="name"/> holding <paramref name="count"/> modules made
    /// by <paramref name="create"/>, entry i named <paramref name="entryNames"/>[i] or, without names, i; returns them.
    /// </summary>
    private protected T[] AddModules<T>(string name, int count, Func<int, T> create, IReadOnlyList<string>? entryNames = null) where T : Module
    {
        var list = AddModule(name, new ModuleList());
        var modules = new T[count];
        for (int i = 0; i < count; i++) modules[i] = entryNames is null ? list.Add(i, create(i)) : list.Add(entryNames[i], create(i));
        return modules;
    }

    /// <summary>Every parameter of this module and its descendants, with full dotted names, in registration order.</summary>
    public IReadOnlyList<NamedParameter> Parameters()
    {
        if (_all is null) Collect();
        return _all!;
    }

    /// <summary>The number of trainable scalars: Σ size over <see cref="Parameters"/>.</summary>
    public long ParameterCount => Parameters().Sum(p => (long)p.Tensor.Size);

    /// <summary>
    /// Fills every parameter from its <see cref="ParameterInit"/> with a <see cref="CounterRng"/>
    /// for <paramref name="seed"/>, on a stream derived from the parameter's full name, so a
    /// parameter's initial values depend only on (seed, name, shape) — not on what else the
    /// model contains or on the order of construction. Resets module state such as gate-noise step counters.
    /// </summary>
    public void Initialize(ulong seed)
    {
        var rng = new CounterRng(seed);
        var parameters = Parameters();
        for (int i = 0; i < parameters.Count; i++)
        {
            var init = _allInits![i];
            Span<float> data = parameters[i].Tensor.Data;
            if (init.Low == init.High) data.Fill(init.Low);
            else rng.FillUniform(data, StreamOf(parameters[i].Name), 0, init.Low, init.High);
        }
        InitializeState(seed, "");
    }

    /// <summary>
    /// Called by <see cref="Initialize"/> on every module after the parameters are filled, with
    /// this module's dotted prefix (empty at the root, else ending in a dot). Modules with
    /// state beyond parameters (random streams, counters) reset it here.
    /// </summary>
    protected virtual void OnInitialize(ulong seed, string prefix) { }

    /// <summary>A 64-bit FNV-1a hash of a name: the random stream of that parameter or module.</summary>
    protected internal static ulong StreamOf(string name)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in name)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        return hash;
    }

    private void InitializeState(ulong seed, string prefix)
    {
        OnInitialize(seed, prefix);
        foreach (var (name, child) in _children)
            child.InitializeState(seed, name.Length == 0 ? prefix : prefix + name + ".");
    }

    private void Collect()
    {
        var names = new List<NamedParameter>();
        var inits = new List<ParameterInit>();
        CollectInto("", names, inits);
        var seen = new HashSet<string>();
        foreach (var p in names)
            if (!seen.Add(p.Name))
                throw new InvalidOperationException($"Two parameters are both named '{p.Name}'.");
        _all = names.ToArray();
        _allInits = inits.ToArray();
    }

    private void CollectInto(string prefix, List<NamedParameter> names, List<ParameterInit> inits)
    {
        foreach (var (name, tensor, init, rowSparse) in _own)
        {
            names.Add(new NamedParameter(prefix + name, tensor, rowSparse));
            inits.Add(init);
        }
        foreach (var (name, child) in _children)
            child.CollectInto(name.Length == 0 ? prefix : prefix + name + ".", names, inits);
    }

    private void CheckName(string name, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_all is not null)
            throw new InvalidOperationException("Register parameters and modules in the constructor, before Parameters() is first called.");
        if ((!allowEmpty && name.Length == 0) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid local name: it must be non-empty and contain no dot.", nameof(name));
        if (name.Length == 0) return;
        if (_own.Exists(p => p.Name == name) || _children.Exists(c => c.Name == name))
            throw new ArgumentException($"The name '{name}' is already taken in this module.", nameof(name));
    }
}
