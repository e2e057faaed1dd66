using Microsoft.ML;
using Microsoft.ML.Data;

namespace TexTok.ML;

/// <summary>
/// Adds a caption's frozen text embedding and mask to each row. Saved by <c>mlContext.Model.Save</c> as a chain of
/// built-in steps; <see cref="FromLoaded"/> wraps what <c>mlContext.Model.Load</c> returns again.
/// </summary>
public sealed class CaptionEmbedTransformer : TexTokChainTransformer
{
    internal CaptionEmbedTransformer(ITransformer inner)
        : base(inner)
    {
    }

    /// <summary>Wraps a transformer loaded with <c>mlContext.Model.Load</c> from a zip that a CaptionEmbed transformer wrote.</summary>
    /// <param name="loaded">The loaded transformer.</param>
    public static CaptionEmbedTransformer FromLoaded(ITransformer loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return new CaptionEmbedTransformer(loaded);
    }

}
