using Microsoft.ML;

namespace TexTok.ML.Data;

/// <summary>
/// A procedural dataset of coloured shapes with English captions, rendered in pure C# so every machine produces
/// the same bytes. Sample <c>i</c> of a split is a pure function of the options, the split and <c>i</c>; a scene
/// description (background, shapes with their colours, sizes and cells, word and word colour) belongs to exactly
/// one split, so the train and test splits never share a scene or a caption.
/// </summary>
public static class CaptionedShapes
{
    /// <summary>The share of scene descriptions assigned to the test split.</summary>
    public const double TestFraction = SceneGenerator.TestFraction;

    /// <summary>The class names, indexed by <see cref="ShapeKind"/> value; a sample's label is the kind of its largest shape.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["circle", "square", "triangle", "diamond", "star", "hexagon"];

    /// <summary>The colours used for backgrounds, shapes and words.</summary>
    public static IReadOnlyList<PaletteColor> Palette { get; } =
    [
        new("red", 220, 38, 38),
        new("green", 34, 160, 60),
        new("blue", 37, 80, 220),
        new("yellow", 245, 215, 40),
        new("orange", 245, 135, 20),
        new("purple", 130, 50, 170),
        new("white", 245, 245, 245),
        new("black", 20, 20, 20),
        new("pink", 245, 150, 195),
        new("cyan", 40, 200, 215),
    ];

    /// <summary>The words that may be written on an image, each at most five letters.</summary>
    public static IReadOnlyList<string> Words { get; } =
    [
        "MOON", "SUN", "CAT", "DOG", "STAR", "TREE", "FISH", "BIRD", "RAIN", "SNOW",
        "FIRE", "LEAF", "BOAT", "CAKE", "KING", "BLUE", "WAVE", "JAZZ", "QUIZ", "EXIT",
    ];

    /// <summary>The description of sample <paramref name="index"/> of <paramref name="split"/>, without rendering it.</summary>
    /// <param name="options">The dataset settings; null for the defaults.</param>
    /// <param name="split">The split to read.</param>
    /// <param name="index">The zero-based sample index; any non-negative value is valid.</param>
    public static ShapeScene Describe(CaptionedShapesOptions? options, DataSplit split, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return SceneGenerator.Generate(options ?? new CaptionedShapesOptions(), split, index);
    }

    /// <summary>Renders sample <paramref name="index"/> of <paramref name="split"/>.</summary>
    /// <param name="options">The dataset settings; null for the defaults.</param>
    /// <param name="split">The split to read.</param>
    /// <param name="index">The zero-based sample index; any non-negative value is valid.</param>
    /// <returns>An <see cref="CaptionedShapesOptions.ImageSize"/>-square image with its caption and label.</returns>
    public static ImageSample Render(CaptionedShapesOptions? options, DataSplit split, int index)
    {
        options ??= new CaptionedShapesOptions();
        ShapeScene scene = Describe(options, split, index);
        return new ImageSample(ShapeRasterizer.Render(scene, options.ImageSize), scene.Caption, (int)scene.Label, ClassNames[(int)scene.Label]);
    }

    /// <summary>Renders a scene description as a square image.</summary>
    /// <param name="scene">A scene from <see cref="Describe"/>.</param>
    /// <param name="imageSize">The side length in pixels, from 32 to 256.</param>
    public static RgbImage Render(ShapeScene scene, int imageSize)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, CaptionedShapesOptions.MinImageSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(imageSize, CaptionedShapesOptions.MaxImageSize);
        return ShapeRasterizer.Render(scene, imageSize);
    }

    /// <summary>Lazily renders samples <paramref name="start"/> to <c>start + count - 1</c> of a split.</summary>
    /// <param name="split">The split to read.</param>
    /// <param name="count">How many samples to produce, at least 0.</param>
    /// <param name="options">The dataset settings; null for the defaults.</param>
    /// <param name="start">The index of the first sample, at least 0.</param>
    public static IEnumerable<ImageSample> Enumerate(DataSplit split, int count, CaptionedShapesOptions? options = null, int start = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, int.MaxValue - start);
        options ??= new CaptionedShapesOptions();
        return EnumerateCore(options, split, count, start);
    }

    /// <summary>
    /// A lazy view of the first <paramref name="count"/> samples of a split with columns <c>Image</c>
    /// (<see cref="Microsoft.ML.Data.MLImage"/> of <see cref="CaptionedShapesOptions.ImageSize"/> square),
    /// <c>Caption</c> (string), <c>Label</c> (int) and <c>ClassName</c> (string). Images are rendered each time
    /// a cursor reads the Image column.
    /// </summary>
    /// <param name="context">The ML.NET context.</param>
    /// <param name="split">The split to read.</param>
    /// <param name="count">The number of rows, at least 0.</param>
    /// <param name="options">The dataset settings; null for the defaults.</param>
    public static IDataView Load(MLContext context, DataSplit split, int count, CaptionedShapesOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        options ??= new CaptionedShapesOptions();
        return LabeledImageRow.CreateView(context, Rows(options, split, count), options.ImageSize, options.ImageSize);
    }

    private static IEnumerable<ImageSample> EnumerateCore(CaptionedShapesOptions options, DataSplit split, int count, int start)
    {
        for (int i = start; i < start + count; i++)
        {
            yield return Render(options, split, i);
        }
    }

    private static IEnumerable<LabeledImageRow> Rows(CaptionedShapesOptions options, DataSplit split, int count)
    {
        for (int i = 0; i < count; i++)
        {
            ShapeScene scene = SceneGenerator.Generate(options, split, i);
            int label = (int)scene.Label;
            yield return new LabeledImageRow(() => ShapeRasterizer.Render(scene, options.ImageSize), scene.Caption, label, ClassNames[label]);
        }
    }
}
