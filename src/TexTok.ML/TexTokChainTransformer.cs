using Microsoft.ML;
using Microsoft.ML.Data;

namespace TexTok.ML;

/// <summary>
/// The common shape of the TexTok transformers: each is an inner chain of built-in ML.NET steps, which does the work
/// and is what <c>mlContext.Model.Save</c> stores; every <see cref="ITransformer"/> member delegates to it.
/// Disposing the transformer releases what it holds: the ONNX Runtime sessions of its chain and a model that its Fit
/// trained (a model passed in by the caller stays the caller's).
/// </summary>
public abstract class TexTokChainTransformer : ITransformer, IDisposable
{
    private readonly IDisposable? _owned;
    private bool _disposed;

    private protected TexTokChainTransformer(ITransformer inner, IDisposable? owned = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
        _owned = owned;
    }

    /// <summary>The chain of built-in ML.NET steps that does the work and is what gets saved.</summary>
    public ITransformer Inner { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => Inner.IsRowToRowMapper;

    /// <inheritdoc/>
    public virtual DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Inner.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Inner.GetRowToRowMapper(inputSchema);
    }

    /// <inheritdoc/>
    public virtual IDataView Transform(IDataView input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Inner.Transform(input);
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Inner.Save(ctx);
    }

    /// <summary>Releases the chain's native sessions and a model trained by Fit; the transformer is unusable afterwards.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the transformer holds.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (disposing)
        {
            (Inner as IDisposable)?.Dispose();
            _owned?.Dispose();
        }
    }
}
