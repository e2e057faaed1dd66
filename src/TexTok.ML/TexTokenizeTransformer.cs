using Microsoft.ML;
using TexTok.ML.Torch.Training;

namespace TexTok.ML;

/// <summary>
/// A fitted <see cref="TexTokenizeEstimator"/>: an inner chain of built-in ML.NET transforms (resize, pixel
/// extraction, ApplyOnnxModel over the exported tokenizer) that <c>mlContext.Model.Save</c> stores with its weights.
/// Its token column carries a <see cref="TexTokTokenSource"/> annotation naming the pair, which a Detokenize later
/// in the same pipeline reads.
/// </summary>
public sealed class TexTokenizeTransformer : TexTokChainTransformer
{
    private readonly TexTokTokenSource? _source;

    internal TexTokenizeTransformer(ITransformer inner, TexTokTrainedModel? model, string? outputColumnName,
                                    TexTokenizeEstimator? estimator = null, IReadOnlyList<TexTokTrainingProgress>? history = null, bool ownsModel = false)
        : base(inner, ownsModel ? model : null)
    {
        Model = model;
        OutputColumnName = outputColumnName;
        TrainingHistory = history ?? [];
        _source = model is null || outputColumnName is null ? null : new TexTokTokenSource(model, estimator);
    }

    /// <summary>
    /// The trained model (null for a transformer re-wrapped with <see cref="FromLoaded"/>). A model that Fit trained
    /// belongs to this transformer and is disposed with it.
    /// </summary>
    public TexTokTrainedModel? Model { get; }

    /// <summary>The token column written (null when re-wrapped from a loaded pipeline).</summary>
    public string? OutputColumnName { get; }

    /// <summary>The training losses, a row per step, when Fit trained the model (empty when it wrapped one).</summary>
    public IReadOnlyList<TexTokTrainingProgress> TrainingHistory { get; }

    /// <summary>
    /// The training rows whose image could not be read and were left out, when Fit trained with
    /// <see cref="TexTokenizeOptions.SkipInvalidImages"/> (none otherwise).
    /// </summary>
    public SkippedRows SkippedImages { get; init; } = SkippedRows.None;

    /// <summary>Re-wraps what <c>mlContext.Model.Load</c> returned for a saved TexTokenize step.</summary>
    /// <param name="loaded">The loaded transformer.</param>
    public static TexTokenizeTransformer FromLoaded(ITransformer loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return new TexTokenizeTransformer(loaded, null, null);
    }

    /// <inheritdoc/>
    public override DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var schema = base.GetOutputSchema(inputSchema);
        return _source is null ? schema : _source.Annotate(schema, OutputColumnName!);
    }

    /// <inheritdoc/>
    public override IDataView Transform(IDataView input)
    {
        var output = base.Transform(input);
        return _source is null ? output : new ReannotatedDataView(output, _source.Annotate(output.Schema, OutputColumnName!));
    }
}
