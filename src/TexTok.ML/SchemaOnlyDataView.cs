using Microsoft.ML;
using Microsoft.ML.Data;

namespace TexTok.ML;

/// <summary>
/// A data view with a schema and no rows. An inner chain whose estimators read only the schema is fitted on it when
/// the rows Fit got lack a column the chain reads later: DiTGenerate trains on rows without seeds and generates for
/// rows with them.
/// </summary>
internal sealed class SchemaOnlyDataView(DataViewSchema schema) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema { get; } = schema;

    public long? GetRowCount() => 0;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(Schema);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(Schema)];

    /// <summary><paramref name="schema"/> with <paramref name="column"/> of <paramref name="type"/> added when it has no such column.</summary>
    public static DataViewSchema WithColumn(DataViewSchema schema, string column, DataViewType type)
    {
        if (schema.GetColumnOrNull(column) is not null)
        {
            return schema;
        }

        var builder = new DataViewSchema.Builder();
        builder.AddColumns(schema);
        builder.AddColumn(column, type);
        return builder.ToSchema();
    }

    private sealed class Cursor(DataViewSchema schema) : DataViewRowCursor
    {
        public override DataViewSchema Schema => schema;

        public override long Position => -1;

        public override long Batch => 0;

        public override ValueGetter<DataViewRowId> GetIdGetter() => throw NoRows();

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => throw NoRows();

        public override bool MoveNext() => false;

        private static InvalidOperationException NoRows() => new("A schema-only data view has no rows to read.");
    }
}
