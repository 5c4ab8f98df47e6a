using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Snr.Hosting;

/// <summary>The named models of the app (one per <c>AddSnrModel</c>), looked up by name on every request.</summary>
internal sealed class ModelRegistry
{
    private readonly Dictionary<string, ServedModel> _byName;

    public ModelRegistry(IEnumerable<SnrModelRegistration> registrations, SnrMetrics metrics, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger("Snr.Hosting.Models");
        Models = registrations.Select(r => new ServedModel(r.Name, r.Options, metrics, logger)).ToArray();
        _byName = Models.ToDictionary(m => m.Name, StringComparer.Ordinal);
        metrics.ObserveVersions(() => Models.Select(m => new Measurement<long>(m.Current?.Version ?? 0, new KeyValuePair<string, object?>("model", m.Name))));
    }

    /// <summary>Every model, in registration order.</summary>
    public IReadOnlyList<ServedModel> Models { get; }

    /// <summary>The model called <paramref name="name"/>, or null.</summary>
    public ServedModel? Find(string name) => _byName.GetValueOrDefault(name);
}
