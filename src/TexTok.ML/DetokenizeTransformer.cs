using Microsoft.ML;
using Microsoft.ML.Data;

namespace TexTok.ML;

/// <summary>
/// A fitted <see cref="DetokenizeEstimator"/>: an inner chain of built-in ML.NET transforms that
/// <c>mlContext.Model.Save</c> stores with the detokenizer's weights.
/// </summary>
public sealed class DetokenizeTransformer : TexTokChainTransformer
{
    internal DetokenizeTransformer(ITransformer inner, TexTokTrainedModel? model)
        : base(inner)
    {
        Model = model;
    }

    /// <summary>The model (null for a transformer re-wrapped with <see cref="FromLoaded"/>).</summary>
    public TexTokTrainedModel? Model { get; }

    /// <summary>Re-wraps what <c>mlContext.Model.Load</c> returned for a saved Detokenize step.</summary>
    /// <param name="loaded">The loaded transformer.</param>
    public static DetokenizeTransformer FromLoaded(ITransformer loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return new DetokenizeTransformer(loaded, null);
    }
}
