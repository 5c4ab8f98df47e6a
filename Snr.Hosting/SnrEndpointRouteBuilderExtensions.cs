using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Snr.Hosting;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Snr endpoints into an app.</summary>
public static class SnrEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="prefix"/>: <c>POST {prefix}/{name}:predict</c> (score rows),
    /// <c>GET {prefix}/{name}</c> (<see cref="ModelInfo"/>) and <c>GET {prefix}</c> (the model names).
    /// Returns the group, for the app's own conventions (authorization, rate limiting).
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>AddSnrModel</c> was not called.</exception>
    public static RouteGroupBuilder MapSnrModels(this IEndpointRouteBuilder endpoints, string prefix = "/v1/models")
    {
        var registry = endpoints.ServiceProvider.GetService<ModelRegistry>()
            ?? throw new InvalidOperationException("No Snr model is registered: call services.AddSnrModel(name, directory) first.");
        var predict = new PredictEndpoint(registry, endpoints.ServiceProvider.GetRequiredService<SnrMetrics>());
        var info = new ModelInfoEndpoint(registry);
        var group = endpoints.MapGroup(prefix);
        group.MapPost("/{name}:predict", predict.HandleAsync);
        group.MapGet("/{name}", info.HandleAsync);
        group.MapGet("/", info.ListAsync);
        return group;
    }

    /// <summary>
    /// Maps <paramref name="livenessPath"/> (200 while the process answers) and
    /// <paramref name="readinessPath"/> (the checks tagged <c>ready</c>: 503 while a model has no
    /// loaded version).
    /// </summary>
    public static IEndpointRouteBuilder MapSnrHealthChecks(this IEndpointRouteBuilder endpoints, string livenessPath = "/healthz", string readinessPath = "/readyz")
    {
        endpoints.MapHealthChecks(livenessPath, new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks(readinessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ModelReadinessCheck.Tag) });
        return endpoints;
    }
}
