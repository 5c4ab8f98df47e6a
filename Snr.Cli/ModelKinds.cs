using Snr.Core.Models;

namespace Snr.Cli;

/// <summary>The command-line name of a model configuration's kind.</summary>
internal static class ModelKinds
{
    public static string Of(ModelConfig config) => config switch
    {
        SnrConfig { Variant: SnrVariant.Trans } => "snr-trans",
        SnrConfig => "snr-aver",
        MmoeConfig => "mmoe",
        SharedBottomConfig => "shared-bottom",
        SingleTaskConfig => "single-task",
        _ => config.GetType().Name,
    };
}
