namespace Snr.Core.Modules;

/// <summary>A container of named child modules (<c>towers.income</c>, <c>experts.3</c>) with no parameters of its own.</summary>
public sealed class ModuleList : Module
{
    /// <summary>Registers <paramref name="module"/> under <paramref name="name"/> and returns it.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains a dot or is taken.</exception>
    public T Add<T>(string name, T module) where T : Module
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("A list entry needs a non-empty name.", nameof(name));
        return AddModule(name, module);
    }

    /// <summary>Registers <paramref name="module"/> under its index as a name (<c>"0"</c>, <c>"1"</c>, …).</summary>
    public T Add<T>(int index, T module) where T : Module =>
        Add(index.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
}
