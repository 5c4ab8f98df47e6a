using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Snr.Hosting;

/// <summary>
/// Ready when every registered model has a loaded version; unhealthy while one has none (none
/// registered counts as not ready); degraded when a replacement checkpoint was refused and an
/// older version is serving. Registered by <c>AddSnrModel</c> with the tag <see cref="Tag"/>.
/// </summary>
internal sealed class ModelReadinessCheck(ModelRegistry registry) : IHealthCheck
{
    public const string Name = "snr-models";

    public const string Tag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = registry.Models.ToDictionary(m => m.Name, m => (object)(m.Current?.Version ?? 0));
        if (registry.Models.Count == 0)
            return Task.FromResult(HealthCheckResult.Unhealthy("No model is registered."));
        var notLoaded = registry.Models.Where(m => m.Current is null).ToArray();
        if (notLoaded.Length > 0)
            return Task.FromResult(HealthCheckResult.Unhealthy(
                string.Join("; ", notLoaded.Select(m => $"model '{m.Name}' is not loaded: {m.LastError ?? "loading"}")), data: data));
        var refused = registry.Models.Where(m => m.LastError is not null).ToArray();
        if (refused.Length > 0)
            return Task.FromResult(HealthCheckResult.Degraded(
                string.Join("; ", refused.Select(m => $"model '{m.Name}' serves version {m.Current!.Version}; its new checkpoint was refused: {m.LastError}")), data: data));
        return Task.FromResult(HealthCheckResult.Healthy($"{registry.Models.Count} model(s) loaded.", data));
    }
}
