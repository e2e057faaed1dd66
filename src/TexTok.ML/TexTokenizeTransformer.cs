using Microsoft.ML;
using Microsoft.ML.Data;

namespace TexTok.ML;

/// <summary>
/// A fitted <see cref="TexTokenizeEstimator"/>: an inner chain of built-in ML.NET transforms (resize, pixel
/// extraction, ApplyOnnxModel over the exported tokenizer) that <c>mlContext.Model.Save</c> stores with its weights.
/// </summary>
public sealed class TexTokenizeTransformer : ITransformer
{
    internal TexTokenizeTransformer(ITransformer inner, TexTokTrainedModel? model, string? outputColumnName)
    {
        Inner = inner;
        Model = model;
        OutputColumnName = outputColumnName;
    }

    /// <summary>The inner chain (what a saved pipeline holds).</summary>
    public ITransformer Inner { get; }

    /// <summary>The trained model (null for a transformer re-wrapped with <see cref="FromLoaded"/>).</summary>
    public TexTokTrainedModel? Model { get; }

    /// <summary>The token column written (null when re-wrapped from a loaded pipeline).</summary>
    public string? OutputColumnName { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => Inner.IsRowToRowMapper;

    /// <summary>Re-wraps what <c>mlContext.Model.Load</c> returned for a saved TexTokenize step.</summary>
    /// <param name="loaded">The loaded transformer.</param>
    public static TexTokenizeTransformer FromLoaded(ITransformer loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return new TexTokenizeTransformer(loaded, null, null);
    }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Inner.GetOutputSchema(inputSchema);

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => Inner.GetRowToRowMapper(inputSchema);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => Inner.Transform(input);

    void ICanSaveModel.Save(ModelSaveContext ctx) => Inner.Save(ctx);
}
