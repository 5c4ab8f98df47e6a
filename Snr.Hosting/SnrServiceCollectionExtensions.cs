using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Snr.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Snr models with an app's services.</summary>
public static class SnrServiceCollectionExtensions
{
    /// <summary>
    /// Serves the checkpoint in <paramref name="directory"/> as model <paramref name="name"/>: it is
    /// loaded when the app starts and reloaded whenever its <c>model.safetensors</c> is replaced.
    /// Call once per model; map the endpoints with <c>app.MapSnrModels()</c>. Also registers the
    /// readiness health check (tag <c>ready</c>) and the <c>Snr.Hosting</c> meter.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty, has characters other than letters, digits, '-', '_' and '.', or is already registered; or an option is out of range.</exception>
    public static IServiceCollection AddSnrModel(this IServiceCollection services, string name, string directory, Action<SnrModelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (string.IsNullOrEmpty(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ArgumentException($"A model name is letters, digits, '-', '_' and '.', got '{name}'.", nameof(name));
        var registered = services.Select(d => d.ImplementationInstance).OfType<SnrModelRegistration>().ToArray();
        if (registered.Any(r => r.Name == name))
            throw new ArgumentException($"A model named '{name}' is already registered.", nameof(name));
        var options = new SnrModelOptions { Directory = directory };
        configure?.Invoke(options);
        options.Validate(name);

        services.AddSingleton(new SnrModelRegistration(name, options));
        if (registered.Length == 0)
        {
            services.AddMetrics();
            services.TryAddSingleton<SnrMetrics>();
            services.TryAddSingleton<ModelRegistry>();
            services.AddHostedService<CheckpointWatcher>();
            services.AddHealthChecks().AddCheck<ModelReadinessCheck>(ModelReadinessCheck.Name, tags: [ModelReadinessCheck.Tag]);
        }
        return services;
    }
}
