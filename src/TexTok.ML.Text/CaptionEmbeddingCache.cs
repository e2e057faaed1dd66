using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using TexTok.ML.Core;

namespace TexTok.ML.Text;

/// <summary>
/// A directory of precomputed caption embeddings, addressed by content: the file of a caption is named by the
/// SHA-256 of (encoder identity, caption text), so any encoder's embeddings can share a directory without confusion.
/// </summary>
/// <remarks>
/// <para>
/// Every entry is written to a temporary file in the same folder and renamed into place, so a reader sees either
/// no entry or a complete one, several processes may read and fill the cache at once, and a crash leaves only
/// complete entries (plus temporary files, which are never read and which <see cref="RemoveTemporaryFiles"/> deletes):
/// a run that is restarted computes only what is missing. Each entry also stores the identity and caption it was
/// computed for and is checked on reading; an unreadable or mismatched entry counts as a miss and is rewritten.
/// </para>
/// <para>Instances are safe to use from several threads.</para>
/// </remarks>
public sealed class CaptionEmbeddingCache
{
    private const uint Magic = 0x454B5454; // "TTKE"
    private const int FormatVersion = 1;
    private const string EntryExtension = ".emb";
    private const string TemporaryExtension = AtomicFile.TemporaryExtension;

    private long _hits;
    private long _misses;

    /// <summary>Opens (creating if needed) a cache directory.</summary>
    /// <param name="directory">The directory.</param>
    public CaptionEmbeddingCache(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The cache directory.</summary>
    public string Directory { get; }

    /// <summary>The number of lookups answered from the cache since this instance was created.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>The number of lookups that found no valid entry since this instance was created.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The content key of a caption under an encoder identity: 64 lower-case hex digits of SHA-256.</summary>
    /// <param name="identity">The encoder identity.</param>
    /// <param name="caption">The caption text, exactly as passed to the encoder.</param>
    /// <returns>The key.</returns>
    public static string Key(string identity, string caption)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(caption);
        // Length-prefixed so that no (identity, caption) pair can collide with another by moving characters.
        string text = $"{identity.Length}:{identity}\n{caption.Length}:{caption}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>The file an entry is stored in: <c>&lt;directory&gt;/&lt;first two hex digits&gt;/&lt;key&gt;.emb</c>.</summary>
    /// <param name="identity">The encoder identity.</param>
    /// <param name="caption">The caption.</param>
    /// <returns>The path (which may not exist).</returns>
    public string PathOf(string identity, string caption)
    {
        string key = Key(identity, caption);
        return Path.Combine(Directory, key[..2], key + EntryExtension);
    }

    /// <summary>Reads the entry of a caption, if a complete one exists.</summary>
    /// <param name="identity">The encoder identity.</param>
    /// <param name="caption">The caption.</param>
    /// <param name="embedding">The embedding, when found.</param>
    /// <returns>Whether a valid entry was found.</returns>
    public bool TryGet(string identity, string caption, out TextEmbedding? embedding)
    {
        embedding = TryRead(PathOf(identity, caption), identity, caption);
        Interlocked.Increment(ref embedding is null ? ref _misses : ref _hits);
        return embedding is not null;
    }

    /// <summary>Stores the entry of a caption atomically (temporary file, then rename), replacing any existing one.</summary>
    /// <param name="identity">The encoder identity.</param>
    /// <param name="caption">The caption.</param>
    /// <param name="embedding">Its embedding.</param>
    public void Put(string identity, string caption, TextEmbedding embedding)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        string path = PathOf(identity, caption);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(identity);
            writer.Write(caption);
            writer.Write(embedding.MaxTokens);
            writer.Write(embedding.EmbeddingDim);
            writer.Write(embedding.TokenCount);
            writer.Write(embedding.OriginalTokenCount);
            foreach (float v in embedding.Values)
            {
                writer.Write(v);
            }
        }, keepWinner: true); // entries are deterministic: another writer's file is as good as this one
    }

    /// <summary>
    /// Returns the embedding of every caption, in order: cached entries are read, and the misses (each distinct
    /// caption once) are encoded in batches of <paramref name="batchSize"/> and stored before being returned.
    /// </summary>
    /// <param name="captions">The captions.</param>
    /// <param name="encoder">The encoder; its identity addresses the entries.</param>
    /// <param name="batchSize">Captions per <see cref="ITextEncoder.EncodeBatch"/> call.</param>
    /// <returns>One embedding per caption.</returns>
    public IReadOnlyList<TextEmbedding> GetOrCompute(IReadOnlyList<string> captions, ITextEncoder encoder, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(captions);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        string identity = encoder.Identity;
        var results = new TextEmbedding?[captions.Count];
        var missing = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < captions.Count; i++)
        {
            TextEncoderBase.ValidateCaption(captions[i], nameof(captions), i);
            if (TryGet(identity, captions[i], out var cached))
            {
                results[i] = cached;
            }
            else if (seen.Add(captions[i]))
            {
                missing.Add(captions[i]);
            }
        }

        var computed = new Dictionary<string, TextEmbedding>(StringComparer.Ordinal);
        for (int start = 0; start < missing.Count; start += batchSize)
        {
            var batch = missing.GetRange(start, Math.Min(batchSize, missing.Count - start));
            var embeddings = encoder.EncodeBatch(batch);
            for (int j = 0; j < batch.Count; j++)
            {
                Put(identity, batch[j], embeddings[j]);
                computed[batch[j]] = embeddings[j];
            }
        }

        var output = new TextEmbedding[captions.Count];
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < captions.Count; i++)
        {
            if (results[i] is { } hit)
            {
                output[i] = hit;
                continue;
            }

            var embedding = computed[captions[i]];
            // Every returned embedding owns its arrays: a repeated caption gets its own copy.
            output[i] = used.Add(captions[i]) ? embedding : Copy(embedding);
        }

        return output;
    }

    /// <summary>Deletes temporary files left by writers that were interrupted; call it when no writer is running.</summary>
    /// <returns>The number of files deleted.</returns>
    public int RemoveTemporaryFiles()
    {
        int removed = 0;
        foreach (string file in System.IO.Directory.EnumerateFiles(Directory, "*" + TemporaryExtension, SearchOption.AllDirectories))
        {
            File.Delete(file);
            removed++;
        }

        return removed;
    }

    private static TextEmbedding Copy(TextEmbedding e) =>
        new((float[])e.Values.Clone(), (float[])e.Mask.Clone(), e.TokenCount, e.OriginalTokenCount);

    private static TextEmbedding? TryRead(string path, string identity, string caption)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            if (reader.ReadUInt32() != Magic || reader.ReadInt32() != FormatVersion
                || reader.ReadString() != identity || reader.ReadString() != caption)
            {
                return null;
            }

            int maxTokens = reader.ReadInt32(), dim = reader.ReadInt32(), tokenCount = reader.ReadInt32(), original = reader.ReadInt32();
            long count = (long)maxTokens * dim;
            if (maxTokens <= 0 || dim <= 0 || bytes.Length - reader.BaseStream.Position != count * sizeof(float))
            {
                return null;
            }

            var values = new float[count];
            var span = bytes.AsSpan((int)reader.BaseStream.Position);
            for (long i = 0; i < count; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(span[(int)(i * 4)..]);
            }

            var mask = new float[maxTokens];
            mask.AsSpan(0, Math.Clamp(tokenCount, 0, maxTokens)).Fill(1f);
            return new TextEmbedding(values, mask, tokenCount, original);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException)
        {
            return null;
        }
    }
}
