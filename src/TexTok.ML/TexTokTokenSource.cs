using Microsoft.ML;
using Microsoft.ML.Data;

namespace TexTok.ML;

/// <summary>
/// Which trained pair wrote a token column. A fitted <see cref="TexTokenizeTransformer"/> attaches it to its output
/// column as the annotation <see cref="AnnotationName"/>, so a <see cref="DetokenizeEstimator"/> later in the same
/// pipeline finds the pair in the data it is fitted on, not in state kept on another estimator: two Fits of one
/// pipeline each pass their own pair. Annotations live in memory only; a saved and reloaded pipeline has none.
/// </summary>
public sealed class TexTokTokenSource
{
    /// <summary>The annotation's name on a token column.</summary>
    public const string AnnotationName = "TexTok.TokenSource";

    internal TexTokTokenSource(TexTokTrainedModel model, TexTokenizeEstimator? estimator)
    {
        Model = model;
        Estimator = estimator;
    }

    /// <summary>The annotation's type.</summary>
    public static DataViewType Type { get; } = new SourceType();

    /// <summary>The trained pair whose tokenizer wrote the column.</summary>
    public TexTokTrainedModel Model { get; }

    /// <summary>The estimator that was fitted (null for a transformer built without one).</summary>
    internal TexTokenizeEstimator? Estimator { get; }

    /// <summary>The source annotated on <paramref name="column"/>, or null.</summary>
    /// <param name="column">A column of a schema.</param>
    public static TexTokTokenSource? Find(DataViewSchema.Column column)
    {
        var annotations = column.Annotations;
        if (annotations.Schema.GetColumnOrNull(AnnotationName) is not { } found || found.Type is not SourceType)
        {
            return null;
        }

        TexTokTokenSource? value = null;
        annotations.GetValue(AnnotationName, ref value);
        return value;
    }

    /// <summary><paramref name="schema"/> with this source annotated on <paramref name="columnName"/> (its other annotations kept).</summary>
    internal DataViewSchema Annotate(DataViewSchema schema, string columnName)
    {
        int annotated = schema[columnName].Index;
        var builder = new DataViewSchema.Builder();
        foreach (var column in schema)
        {
            if (column.Index == annotated)
            {
                var annotations = new DataViewSchema.Annotations.Builder();
                annotations.Add(column.Annotations, name => name != AnnotationName);
                annotations.Add(AnnotationName, Type, (ref TexTokTokenSource value) => value = this);
                builder.AddColumn(column.Name, column.Type, annotations.ToAnnotations());
            }
            else
            {
                builder.AddColumn(column.Name, column.Type, column.Annotations);
            }
        }

        return builder.ToSchema();
    }

    private sealed class SourceType : StructuredDataViewType
    {
        public SourceType()
            : base(typeof(TexTokTokenSource))
        {
        }

        public override bool Equals(DataViewType? other) => other is SourceType;

        public override bool Equals(object? other) => other is SourceType;

        public override int GetHashCode() => typeof(SourceType).GetHashCode();

        public override string ToString() => "TexTokTokenSource";
    }
}

/// <summary>An <see cref="IDataView"/> that is another one with a different schema of the same columns (e.g. more annotations).</summary>
internal sealed class ReannotatedDataView : IDataView
{
    private readonly IDataView _inner;

    public ReannotatedDataView(IDataView inner, DataViewSchema schema)
    {
        _inner = inner;
        Schema = schema;
    }

    public bool CanShuffle => _inner.CanShuffle;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _inner.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(_inner.GetRowCursor(Inner(columnsNeeded), rand), Schema);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [.. _inner.GetRowCursorSet(Inner(columnsNeeded), n, rand).Select(c => new Cursor(c, Schema))];

    private IEnumerable<DataViewSchema.Column> Inner(IEnumerable<DataViewSchema.Column> columns) => columns.Select(c => _inner.Schema[c.Index]);

    private sealed class Cursor(DataViewRowCursor inner, DataViewSchema schema) : DataViewRowCursor
    {
        public override DataViewSchema Schema => schema;

        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(inner.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(inner.Schema[column.Index]);

        public override bool MoveNext() => inner.MoveNext();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
