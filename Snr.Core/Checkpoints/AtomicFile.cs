namespace Snr.Core.Checkpoints;

/// <summary>
/// Replaces a file so that a reader (or a crash) sees either the old content or the new,
/// never a half-written file: write a temporary file in the same folder, flush it to the
/// disk, then rename it over the target (a rename within a folder is atomic on POSIX
/// file systems and NTFS).
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Test hook: called on this thread at each stage of a write (<c>open</c>, <c>write</c>,
    /// <c>flush</c>, <c>rename</c>) so that tests can fail a save at every point and check that the
    /// previous file survives. Null in production.
    /// </summary>
    [ThreadStatic] internal static Action<string>? t_faultInjection;

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    /// <exception cref="IOException">Writing or renaming failed; the old file is untouched and the temporary one removed.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                t_faultInjection?.Invoke("open");
                write(stream);
                t_faultInjection?.Invoke("write");
                stream.Flush(flushToDisk: true);
                t_faultInjection?.Invoke("flush");
            }
            t_faultInjection?.Invoke("rename");
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Writes text (UTF-8, no BOM) to <paramref name="path"/>, atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream => stream.Write(new System.Text.UTF8Encoding(false).GetBytes(text)));

    /// <summary>Deletes <paramref name="file"/> if it can; a file that is in use or not ours to delete is left.</summary>
    internal static void TryDelete(string file)
    {
        try { File.Delete(file); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
