using Microsoft.ML;
using Microsoft.ML.Data;

namespace TexTok.ML;

/// <summary>
/// A fitted <see cref="TexTokenizeEstimator"/>: an inner chain of built-in ML.NET transforms (resize, pixel
/// extraction, ApplyOnnxModel over the exported tokenizer) that <c>mlContext.Model.Save</c> stores with its weights.
/// </summary>
public sealed class TexTokenizeTransformer : TexTokChainTransformer
{
    internal TexTokenizeTransformer(ITransformer inner, TexTokTrainedModel? model, string? outputColumnName)
        : base(inner)
    {
        Model = model;
        OutputColumnName = outputColumnName;
    }

    /// <summary>The trained model (null for a transformer re-wrapped with <see cref="FromLoaded"/>).</summary>
    public TexTokTrainedModel? Model { get; }

    /// <summary>The token column written (null when re-wrapped from a loaded pipeline).</summary>
    public string? OutputColumnName { get; }

    /// <summary>Re-wraps what <c>mlContext.Model.Load</c> returned for a saved TexTokenize step.</summary>
    /// <param name="loaded">The loaded transformer.</param>
    public static TexTokenizeTransformer FromLoaded(ITransformer loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return new TexTokenizeTransformer(loaded, null, null);
    }
}
