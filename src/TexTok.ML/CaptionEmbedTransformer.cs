using Microsoft.ML;
using Microsoft.ML.Data;

namespace TexTok.ML;

/// <summary>
/// Adds a caption's frozen text embedding and mask to each row. Saved by <c>mlContext.Model.Save</c> as a chain of
/// built-in steps; <see cref="FromLoaded"/> wraps what <c>mlContext.Model.Load</c> returns again.
/// </summary>
public sealed class CaptionEmbedTransformer : ITransformer
{
    internal CaptionEmbedTransformer(ITransformer inner) => Inner = inner;

    /// <summary>The chain of built-in ML.NET steps that does the work and is what gets saved.</summary>
    public ITransformer Inner { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => Inner.IsRowToRowMapper;

    /// <summary>Wraps a transformer loaded with <c>mlContext.Model.Load</c> from a zip that a CaptionEmbed transformer wrote.</summary>
    /// <param name="loaded">The loaded transformer.</param>
    public static CaptionEmbedTransformer FromLoaded(ITransformer loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return new CaptionEmbedTransformer(loaded);
    }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Inner.GetOutputSchema(inputSchema);

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => Inner.GetRowToRowMapper(inputSchema);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => Inner.Transform(input);

    /// <inheritdoc/>
    void ICanSaveModel.Save(ModelSaveContext ctx) => Inner.Save(ctx);
}
