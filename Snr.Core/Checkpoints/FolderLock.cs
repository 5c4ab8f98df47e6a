namespace Snr.Core.Checkpoints;

/// <summary>
/// An exclusive lock on a checkpoint folder, held while its files are written so that two
/// saves into one folder (two <c>snr train</c> runs with the same <c>--out</c>) take turns
/// instead of interleaving their weights and their <c>config.json</c>. The lock is the lock
/// file <see cref="FileName"/> opened with <see cref="FileShare.None"/> (an exclusive
/// <c>flock</c> on Linux and macOS, a sharing lock on Windows); the operating system releases
/// it when the holder exits or is killed. The file itself stays: deleting it would let a
/// waiting process lock a file that is no longer the folder's.
/// </summary>
internal sealed class FolderLock : IDisposable
{
    /// <summary>The lock file's name in the folder.</summary>
    public const string FileName = ".snr-save.lock";

    private readonly FileStream _file;

    private FolderLock(FileStream file) => _file = file;

    /// <summary>Waits up to <paramref name="timeout"/> for the lock on <paramref name="directory"/> (which must exist).</summary>
    /// <exception cref="IOException">Another process held the lock for the whole timeout, or the lock file cannot be created.</exception>
    public static FolderLock Acquire(string directory, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (TryAcquire(directory) is { } acquired) return acquired;
            if (DateTime.UtcNow >= deadline)
                throw new IOException($"Another process has been saving a model into '{directory}' for {timeout.TotalSeconds:F0} s (it holds {FileName}); save into another folder or try again.");
            Thread.Sleep(20);
        }
    }

    /// <summary>The lock on <paramref name="directory"/> if no one else holds it, else null.</summary>
    public static FolderLock? TryAcquire(string directory)
    {
        string path = Path.Combine(directory, FileName);
        try
        {
            return new FolderLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && File.Exists(path))
        {
            return null; // held by another writer
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _file.Dispose();
}
