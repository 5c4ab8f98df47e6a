using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Snr.Distributed;

/// <summary>
/// Places the worker of rank r on the (r mod S)-th of the S live silos, ordered by address: the ranks spread evenly
/// and predictably, and a lost silo's ranks move to the remaining ones.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class RankPlacement : PlacementStrategy
{
    internal static RankPlacement Singleton { get; } = new();
}

/// <summary>Marks a grain keyed "runId/rank" for <see cref="RankPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RankPlacementAttribute : PlacementAttribute
{
    /// <summary>Creates the attribute.</summary>
    public RankPlacementAttribute() : base(RankPlacement.Singleton) { }
}

/// <summary>Chooses the silo of a rank (see <see cref="RankPlacement"/>).</summary>
public sealed class RankPlacementDirector : IPlacementDirector
{
    /// <inheritdoc/>
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var silos = context.GetCompatibleSilos(target).OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).ToArray();
        string key = target.GrainIdentity.Key.ToString() ?? "";
        int rank = int.TryParse(key.AsSpan(key.LastIndexOf('/') + 1), out int r) ? r : 0;
        return Task.FromResult(silos[rank % silos.Length]);
    }
}
