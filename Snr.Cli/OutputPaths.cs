namespace Snr.Cli;

/// <summary>
/// Checks where a command will write before it does any work, so that a bad <c>--out</c> or
/// <c>--output</c> fails in a second with one line instead of after training, and never
/// overwrites the input it reads.
/// </summary>
internal static class OutputPaths
{
    /// <summary>Makes sure <paramref name="folder"/> is, or can become, a folder this process can write in (leaving nothing behind).</summary>
    /// <exception cref="UserError">It is a file, or cannot be created or written.</exception>
    public static void RequireWritableFolder(string option, string folder)
    {
        if (File.Exists(folder)) throw new UserError($"{option} '{folder}' is a file; {option} names a folder to save the model in.");
        Probe(folder, $"{option} '{folder}' cannot be used as a folder to write in");
    }

    /// <summary>Makes sure <paramref name="file"/> can be written as a file and is not <paramref name="input"/> under another name.</summary>
    /// <exception cref="UserError">It is a folder, it is the input file, or its folder cannot be written.</exception>
    public static void RequireWritableFile(string option, string file, string inputOption, string input)
    {
        if (Directory.Exists(file)) throw new UserError($"{option} '{file}' is a folder; {option} names the file to write.");
        if (SameFile(file, input))
            throw new UserError($"{option} '{file}' is the input file ({inputOption} '{input}'); writing it would replace the input. Choose another {option}.");
        Probe(Path.GetDirectoryName(Path.GetFullPath(file))!, $"{option} '{file}' cannot be written");
    }

    // Creates (with any missing folders) and removes an empty file, which fails exactly when a save into the
    // folder would; the folders it had to create are removed again, so that a run that fails later leaves nothing.
    // A failure is a UserError: "<failure>: <the system's reason>".
    private static void Probe(string folder, string failure)
    {
        string full = Path.GetFullPath(folder);
        string? firstMissing = null;
        for (string? f = full; f is not null && !Directory.Exists(f); f = Path.GetDirectoryName(f)) firstMissing = f;
        try
        {
            Directory.CreateDirectory(full);
            try
            {
                using var _ = new FileStream(Path.Combine(full, $".snr-probe-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write,
                    FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose);
            }
            finally
            {
                if (firstMissing is not null) Directory.Delete(firstMissing, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserError($"{failure}: {e.Message}");
        }
    }

    /// <summary>
    /// True when both names reach the same file: the same full path, or (for any other
    /// spelling: a symbolic or hard link, a folder link on the way) the same file on disk, found by
    /// locking the first exclusively and trying to lock the second.
    /// </summary>
    public static bool SameFile(string a, string b)
    {
        if (!File.Exists(a) || !File.Exists(b)) return false;
        if (string.Equals(Resolved(a), Resolved(b), StringComparison.Ordinal)) return true;
        using var first = new FileStream(a, FileMode.Open, FileAccess.Read, FileShare.None);
        try
        {
            using var second = new FileStream(b, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static string Resolved(string path) => new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
}
