using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace TexTok.ML.Data;

/// <summary>
/// A row of the Image/Caption/Label/ClassName views. The image is produced only when the Image column is read,
/// so views that read captions or labels alone never rasterise or decode pixels.
/// </summary>
internal sealed class LabeledImageRow(Func<RgbImage> pixels, string caption, int label, string className)
{
    // ML.NET maps MLImage members only through this attribute, and its size-less form fails to register, so a
    // placeholder size is declared here and ImageSchema replaces it with the real column type.
    [ImageType(1, 1)]
    public MLImage Image => ImagePixels.ToMLImage(pixels());

    public string Caption { get; } = caption;

    public int Label { get; } = label;

    public string ClassName { get; } = className;

    /// <summary>Wraps lazily produced rows as a view whose Image column has the given fixed size.</summary>
    public static IDataView CreateView(MLContext context, IEnumerable<LabeledImageRow> rows, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Data.LoadFromEnumerable(rows, ImageSchema.For(typeof(LabeledImageRow), height, width));
    }
}
