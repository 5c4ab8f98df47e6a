using Snr.Distributed;

namespace Snr.Tests.Distributed;

public sealed class GradientReducerTests
{
    private static GradientMessage Part(int rank, long step = 4, int attempt = 1, int length = 3, float scale = 1f) => new GradientMessage
    {
        Step = step, Attempt = attempt, Rank = rank, GradientBytes = RawFloats.ToBytes([0.1f * scale * (rank + 1), 1e8f * (rank == 0 ? 1 : -1), 3e-8f * scale]),
        HasGradient = [true, rank == 2], Loss = 0.5f, TaskLosses = [0.25f], Rows = 10,
    }.WithLength(length);

    [Fact]
    public void SumsInRankOrderWhateverTheArrivalOrder()
    {
        float[] Reduce(int[] arrival)
        {
            var reducer = new GradientReducer(3, 3, 2);
            reducer.Begin(4, 1);
            foreach (int r in arrival) reducer.Accept(Part(r));
            var sum = new float[3];
            var has = new bool[2];
            Assert.True(reducer.Reduce(sum, has));
            Assert.Equal([true, true], has);
            return sum;
        }
        var inOrder = Reduce([0, 1, 2]);
        Assert.Equal(inOrder, Reduce([2, 0, 1]));
        Assert.Equal(inOrder, Reduce([1, 2, 0]));
        // (g0 + g1) + g2 rounds differently from g0 + (g1 + g2) here: rank order is what makes the result fixed.
        Assert.Equal((1e8f + -1e8f) + -1e8f, inOrder[1]);
    }

    [Fact]
    public void RefusesAGradientForAnotherStepAttemptRankOrShapeAndChangesNothing()
    {
        var reducer = new GradientReducer(2, 3, 2);
        reducer.Begin(4, 2);
        Assert.Contains("step 3", Assert.Throws<GradientRefusedException>(() => reducer.Accept(Part(0, step: 3, attempt: 2))).Message);
        Assert.Contains("attempt 1", Assert.Throws<GradientRefusedException>(() => reducer.Accept(Part(0, attempt: 1))).Message);
        Assert.Contains("rank 5", Assert.Throws<GradientRefusedException>(() => reducer.Accept(Part(5, attempt: 2))).Message);
        Assert.Contains("4 values", Assert.Throws<GradientRefusedException>(() => reducer.Accept(Part(1, attempt: 2, length: 4))).Message);
        Assert.Equal(0, reducer.Received);
        reducer.Accept(Part(0, attempt: 2));
        Assert.Contains("second", Assert.Throws<GradientRefusedException>(() => reducer.Accept(Part(0, attempt: 2))).Message);
        Assert.False(reducer.IsComplete);
        Assert.Throws<InvalidOperationException>(() => reducer.Reduce(new float[3], new bool[2]));
    }
}

internal static class GradientMessageTestExtensions
{
    public static GradientMessage WithLength(this GradientMessage m, int length) => length == m.Gradient.Length ? m : new GradientMessage
    {
        Step = m.Step, Attempt = m.Attempt, Rank = m.Rank, GradientBytes = new byte[4 * length], HasGradient = m.HasGradient, Loss = m.Loss, TaskLosses = m.TaskLosses, Rows = m.Rows,
    };
}
