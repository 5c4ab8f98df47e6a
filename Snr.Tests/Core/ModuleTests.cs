using Snr.Core.Modules;

namespace Snr.Tests.Core;

public class ModuleTests
{
    [Fact]
    public void Snr_parameters_have_stable_dotted_names()
    {
        var model = ModelFactory.Create(CoreTestModels.SnrTrans(5, CoreTestModels.Binary));
        var names = model.Parameters().Select(p => p.Name).ToList();
        Assert.Contains("routing.0.weight", names);
        Assert.Contains("routing.0.bias", names);
        Assert.Contains("routing.0.log_alpha", names);
        Assert.Contains("routing.1.log_alpha", names);
        Assert.Contains("level0.2.0.weight", names);
        Assert.Contains("towers.click.0.weight", names);
        Assert.Contains("towers.buy.1.bias", names);
        Assert.Equal(names.Count, names.Distinct().Count());
        var aver = ModelFactory.Create(CoreTestModels.SnrAver(5, CoreTestModels.Binary));
        Assert.Contains("routing.0.blocks.1.0.weight", aver.Parameters().Select(p => p.Name));
    }

    [Fact]
    public void Other_models_name_their_parts()
    {
        Assert.Contains("bottom.0.weight", ModelFactory.Create(CoreTestModels.SharedBottom(5, CoreTestModels.Binary)).Parameters().Select(p => p.Name));
        var mmoe = ModelFactory.Create(CoreTestModels.Mmoe(5, CoreTestModels.Binary)).Parameters().Select(p => p.Name).ToList();
        Assert.Contains("experts.3.0.weight", mmoe);
        Assert.Contains("gates.buy.weight", mmoe);
        Assert.Contains("tasks.click.0.weight", ModelFactory.Create(CoreTestModels.SingleTask(5, CoreTestModels.Binary)).Parameters().Select(p => p.Name));
    }

    [Fact]
    public void Parameter_count_is_the_sum_of_sizes()
    {
        // Shared-Bottom 5→16, towers 16→8→1 twice: (5·16+16) + 2·((16·8+8) + (8+1)).
        var model = ModelFactory.Create(CoreTestModels.SharedBottom(5, CoreTestModels.Binary));
        Assert.Equal(96 + 2 * (136 + 9), model.ParameterCount);
    }

    [Fact]
    public void Initialisation_depends_on_seed_and_name_only_and_follows_pytorch_bounds()
    {
        var a = ModelFactory.Create(CoreTestModels.SnrTrans(5, CoreTestModels.Binary, seed: 7));
        var b = ModelFactory.Create(CoreTestModels.SnrTrans(5, CoreTestModels.Binary, seed: 7));
        var c = ModelFactory.Create(CoreTestModels.SnrTrans(5, CoreTestModels.Binary, seed: 8));
        for (int i = 0; i < a.Parameters().Count; i++)
            Assert.True(a.Parameters()[i].Tensor.Data.SequenceEqual(b.Parameters()[i].Tensor.Data));
        Assert.False(a.Parameters()[0].Tensor.Data.SequenceEqual(c.Parameters()[0].Tensor.Data));

        var w = a.Parameters().Single(p => p.Name == "routing.0.weight").Tensor;   // fan-in 3·8
        float bound = 1f / MathF.Sqrt(24);
        Assert.All(w.Data.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.True(w.Data.ToArray().Max() > 0.8f * bound);
        Assert.All(a.Parameters().Single(p => p.Name == "routing.0.log_alpha").Tensor.Data.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Bad_registrations_throw()
    {
        Assert.Throws<ArgumentException>(() => new BadModule("a.b"));
        Assert.Throws<ArgumentException>(() => new BadModule(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Linear(0, 3));
    }

    private sealed class BadModule : Module
    {
        public BadModule(string name) => AddParameter(name, Shape.Vector(1), ParameterInit.Constant(0));
    }
}
