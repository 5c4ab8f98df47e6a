namespace Snr.Core.Models;

/// <summary>Builds and initialises the model a configuration describes.</summary>
public static class ModelFactory
{
    /// <summary>
    /// Validates <paramref name="config"/>, builds the matching model and initialises its
    /// parameters from <see cref="ModelConfig.Seed"/>.
    /// </summary>
    /// <exception cref="ConfigException">The configuration is invalid.</exception>
    /// <exception cref="ArgumentException">An unknown configuration type.</exception>
    public static MultiTaskModel Create(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        MultiTaskModel model = config switch
        {
            SharedBottomConfig c => new SharedBottomModel(c),
            MmoeConfig c => new MmoeModel(c),
            SnrConfig c => new SnrModel(c),
            SingleTaskConfig c => new SingleTaskModel(c),
            _ => throw new ArgumentException($"Unknown model configuration {config.GetType().Name}.", nameof(config)),
        };
        model.Initialize(config.Seed);
        return model;
    }
}
