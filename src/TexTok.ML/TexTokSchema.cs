using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace TexTok.ML;

/// <summary>Input checks shared by the components: each names the component, the column, and the expected and actual type.</summary>
internal static class TexTokSchema
{
    private static readonly ConstructorInfo ColumnConstructor = typeof(SchemaShape.Column)
        .GetConstructors(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
        .Single(c => c.GetParameters().Length == 5);

    /// <summary>Checks an input column of a fitted-time schema.</summary>
    public static void Require(DataViewSchema schema, string component, string column, Expected expected)
    {
        var found = schema.GetColumnOrNull(column);
        if (found is null)
        {
            throw new ArgumentOutOfRangeException(nameof(schema), $"{component}: input column '{column}' not found.");
        }

        var type = found.Value.Type;
        bool ok = expected.Kind switch
        {
            ExpectedKind.Image => type is ImageDataViewType,
            _ => type is VectorDataViewType v && v.ItemType == NumberDataViewType.Single && (expected.Size == 0 || v.Size == expected.Size),
        };
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"{component}: schema mismatch for input column '{column}': expected {expected}, got {type}.");
        }
    }

    /// <summary>Checks the caption embedding (Nt · Dt floats) and mask (Nt floats) columns of a fitted-time schema.</summary>
    public static void RequireText(DataViewSchema schema, string component, string embeddingColumn, string maskColumn, int textTokens, int textDim)
    {
        Require(schema, component, embeddingColumn, Expected.Vector(textTokens * textDim));
        Require(schema, component, maskColumn, Expected.Vector(textTokens));
    }

    /// <summary>
    /// The text shape (Nt, Dt) of the caption embedding (Nt · Dt floats) and mask (Nt floats) columns of a fitted-time
    /// schema, for a network whose text shape follows its input.
    /// </summary>
    public static (int TextTokens, int TextDim) TextShape(DataViewSchema schema, string component, string embeddingColumn, string maskColumn)
    {
        Require(schema, component, maskColumn, Expected.Vector(0));
        Require(schema, component, embeddingColumn, Expected.Vector(0));
        int textTokens = ((VectorDataViewType)schema[maskColumn].Type).Size;
        int embedding = ((VectorDataViewType)schema[embeddingColumn].Type).Size;
        if (textTokens == 0 || embedding == 0 || embedding % textTokens != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"{component}: the text columns need fixed sizes with the embedding a multiple of the mask " +
                $"('{embeddingColumn}' has {embedding}, '{maskColumn}' has {textTokens}).");
        }

        return (textTokens, embedding / textTokens);
    }

    /// <summary>Checks an input column of a pre-fit schema shape (sizes are not tracked there).</summary>
    public static void Require(SchemaShape shape, string component, string column, Expected expected)
    {
        var matches = shape.Where(c => c.Name == column).ToList();
        if (matches.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shape), $"{component}: input column '{column}' not found.");
        }

        var c = matches[^1];
        bool ok = expected.Kind switch
        {
            ExpectedKind.Image => c.ItemType is ImageDataViewType && c.Kind == SchemaShape.Column.VectorKind.Scalar,
            _ => c.ItemType == NumberDataViewType.Single && c.Kind == SchemaShape.Column.VectorKind.Vector,
        };
        if (!ok)
        {
            string actual = c.Kind == SchemaShape.Column.VectorKind.Scalar ? $"{c.ItemType}" : $"{c.Kind}<{c.ItemType}>";
            throw new ArgumentOutOfRangeException(nameof(shape),
                $"{component}: schema mismatch for input column '{column}': expected {expected}, got {actual}.");
        }
    }

    /// <summary>Checks the caption embedding and mask columns of a pre-fit schema shape (float vectors; sizes are checked at Fit).</summary>
    public static void RequireText(SchemaShape shape, string component, string embeddingColumn, string maskColumn)
    {
        Require(shape, component, embeddingColumn, Expected.Vector(0));
        Require(shape, component, maskColumn, Expected.Vector(0));
    }

    /// <summary>A schema shape with the given columns added (or replaced).</summary>
    public static SchemaShape With(SchemaShape shape, params SchemaShape.Column[] added)
    {
        var columns = shape.Where(c => added.All(a => a.Name != c.Name)).ToList();
        columns.AddRange(added);
        return new SchemaShape(columns);
    }

    /// <summary>A float vector column for a schema shape.</summary>
    public static SchemaShape.Column FloatVector(string name) =>
        (SchemaShape.Column)ColumnConstructor.Invoke([name, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, null]);

    /// <summary>An image column for a schema shape.</summary>
    public static SchemaShape.Column Image(string name, int height, int width) =>
        (SchemaShape.Column)ColumnConstructor.Invoke([name, SchemaShape.Column.VectorKind.Scalar, new ImageDataViewType(height, width), false, null]);

    public enum ExpectedKind
    {
        Image,
        FloatVector,
    }

    public readonly record struct Expected(ExpectedKind Kind, int Size)
    {
        public static Expected Image => new(ExpectedKind.Image, 0);

        public static Expected Vector(int size) => new(ExpectedKind.FloatVector, size);

        public override string ToString() => Kind == ExpectedKind.Image ? "Image" : Size > 0 ? $"Vector<Single, {Size}>" : "Vector<Single>";
    }
}
