namespace Snr.Tests.Support;

/// <summary>
/// A test class that writes files: each test gets a fresh temporary folder (xunit makes one instance per test),
/// deleted with everything in it when the test ends.
/// </summary>
public abstract class TempFolderTests(string prefix) : IDisposable
{
    /// <summary>The test's folder.</summary>
    protected string Folder { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The path of <paramref name="name"/> in <see cref="Folder"/>.</summary>
    protected string PathOf(string name) => Path.Combine(Folder, name);

    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}
