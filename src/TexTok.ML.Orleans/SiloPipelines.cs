using System.Collections.Concurrent;
using Microsoft.ML;

namespace TexTok.ML.Orleans;

/// <summary>The saved pipelines a silo's shard grains run, each loaded once per silo and file.</summary>
internal static class SiloPipelines
{
    private static readonly ConcurrentDictionary<string, Lazy<ITransformer>> Loaded = new(StringComparer.Ordinal);

    /// <summary>The pipeline saved at <paramref name="path"/>. A load that fails is not kept, so a file mended after a failed run is read again.</summary>
    /// <param name="path">A pipeline zip written by <c>mlContext.Model.Save</c>.</param>
    public static ITransformer Load(string path)
    {
        string full = Path.GetFullPath(path);
        var entry = Loaded.GetOrAdd(full, key => new Lazy<ITransformer>(() => new MLContext(seed: 1).Model.LoadTexTokPipeline(key, out _)));
        try
        {
            return entry.Value;
        }
        catch
        {
            Loaded.TryRemove(new KeyValuePair<string, Lazy<ITransformer>>(full, entry));
            throw;
        }
    }
}
