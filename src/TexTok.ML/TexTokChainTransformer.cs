using Microsoft.ML;
using Microsoft.ML.Data;

namespace TexTok.ML;

/// <summary>
/// The common shape of the TexTok transformers: each is an inner chain of built-in ML.NET steps, which does the work
/// and is what <c>mlContext.Model.Save</c> stores; every <see cref="ITransformer"/> member delegates to it.
/// </summary>
public abstract class TexTokChainTransformer : ITransformer
{
    private protected TexTokChainTransformer(ITransformer inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
    }

    /// <summary>The chain of built-in ML.NET steps that does the work and is what gets saved.</summary>
    public ITransformer Inner { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => Inner.IsRowToRowMapper;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Inner.GetOutputSchema(inputSchema);

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => Inner.GetRowToRowMapper(inputSchema);

    /// <inheritdoc/>
    public IDataView Transform(IDataView input) => Inner.Transform(input);

    void ICanSaveModel.Save(ModelSaveContext ctx) => Inner.Save(ctx);
}
