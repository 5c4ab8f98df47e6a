namespace Snr.Core.Models;

/// <summary>Builds and initialises the model a configuration describes.</summary>
public static class ModelFactory
{
    /// <summary>
    /// Validates <paramref name="config"/>, builds the matching model and initialises its
    /// parameters from <see cref="ModelConfig.Seed"/>.
    /// </summary>
    /// <exception cref="ConfigException">The configuration is invalid.</exception>
    public static MultiTaskModel Create(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var model = config.Build();
        model.Initialize(config.Seed);
        return model;
    }
}
