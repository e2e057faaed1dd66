namespace TexTok.ML.Core;

/// <summary>
/// Writes files through a temporary file in the same folder and a rename, so readers never see a partial file: after
/// a crash the target is either the old file or the new one, plus at most a temporary file
/// (<c>.NAME.GUID</c><see cref="TemporaryExtension"/>) that no reader opens.
/// </summary>
internal static class AtomicFile
{
    /// <summary>The extension of the temporary files, for callers that clean up after interrupted writers.</summary>
    public const string TemporaryExtension = ".tmp";

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));

    /// <summary>
    /// Writes <paramref name="path"/> atomically with what <paramref name="write"/> puts into the stream, flushed to disk
    /// before the rename. With <paramref name="keepWinner"/>, a rename that fails because another writer has just put
    /// the file in place is not an error (for content that every writer writes the same).
    /// </summary>
    public static void Write(string path, Action<Stream> write, bool keepWinner = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}{TemporaryExtension}");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temp, full, overwrite: true);
            }
            catch (IOException) when (keepWinner && File.Exists(full))
            {
                // Another writer renamed the same content into place first (possible on Windows while it is read).
            }
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
