using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace TexTok.ML.Data;

/// <summary>Builds schema definitions for row classes whose <c>Image</c> member is an <see cref="MLImage"/>.</summary>
internal static class ImageSchema
{
    /// <summary>
    /// The read schema of <paramref name="rowType"/> with its Image column typed as an image of the given size
    /// (0 × 0 for images whose size varies).
    /// </summary>
    public static SchemaDefinition For(Type rowType, int height, int width)
    {
        var imageType = height == 0 ? new ImageDataViewType() : new ImageDataViewType(height, width);

        // Enumerable-backed views only build getters for column types the type manager knows, and ML.NET registers
        // image types only through member attributes, which cannot carry a size chosen at run time.
        DataViewTypeManager.Register(imageType, typeof(MLImage), height == 0 ? new ImageTypeAttribute() : new ImageTypeAttribute(height, width));
        var schema = SchemaDefinition.Create(rowType, SchemaDefinition.Direction.Read);
        schema["Image"].ColumnType = imageType;
        return schema;
    }
}
