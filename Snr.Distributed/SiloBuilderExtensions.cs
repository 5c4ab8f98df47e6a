using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;

namespace Snr.Distributed;

/// <summary>Makes a silo able to host data-parallel training: its jobs, and the rank placement of the workers.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>Registers <paramref name="jobs"/> and the <see cref="RankPlacement"/> director on the silo.</summary>
    public static ISiloBuilder AddDataParallelTraining(this ISiloBuilder builder, DataParallelJobs jobs)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(jobs);
        builder.AddPlacementDirector<RankPlacement, RankPlacementDirector>();
        return builder;
    }
}
