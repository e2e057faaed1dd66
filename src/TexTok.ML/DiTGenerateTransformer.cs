using Microsoft.ML;
using TexTok.ML.Torch.Generation;

namespace TexTok.ML;

/// <summary>
/// A fitted <see cref="DiTGenerateEstimator"/>: a chain of built-in ML.NET steps (type conversion, a versioned noise
/// mapping, ApplyOnnxModel over the whole sampler) that <c>mlContext.Model.Save</c> stores with the DiT's weights.
/// It reads the seed and condition columns of every input, whatever rows Fit trained on.
/// </summary>
public sealed class DiTGenerateTransformer : TexTokChainTransformer
{
    private readonly Action<DataViewSchema>? _requireInput;

    internal DiTGenerateTransformer(ITransformer inner, DiTModel? model, Action<DataViewSchema>? requireInput,
                                    IReadOnlyList<DiTTrainingProgress>? history = null, bool ownsModel = false)
        : base(inner, ownsModel ? model : null)
    {
        Model = model;
        TrainingHistory = history ?? [];
        _requireInput = requireInput;
    }

    /// <summary>
    /// The generator (null for a transformer re-wrapped with <see cref="FromLoaded"/>). A model that Fit trained belongs
    /// to this transformer and is disposed with it; a model passed in stays the caller's.
    /// </summary>
    public DiTModel? Model { get; }

    /// <summary>The training losses, a row per step, when Fit trained the model (empty when it wrapped one).</summary>
    public IReadOnlyList<DiTTrainingProgress> TrainingHistory { get; }

    /// <summary>Re-wraps what <c>mlContext.Model.Load</c> returned for a saved DiTGenerate step.</summary>
    /// <param name="loaded">The loaded transformer.</param>
    public static DiTGenerateTransformer FromLoaded(ITransformer loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return new DiTGenerateTransformer(loaded, null, null);
    }

    /// <inheritdoc/>
    public override DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        _requireInput?.Invoke(inputSchema);
        return base.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    public override IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _requireInput?.Invoke(input.Schema);
        return base.Transform(input);
    }
}
