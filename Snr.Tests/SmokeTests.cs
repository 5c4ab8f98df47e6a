namespace Snr.Tests;

public class SmokeTests
{
    [Fact]
    public void Solution_builds_and_tests_run() => Assert.True(Environment.ProcessorCount >= 1);
}
