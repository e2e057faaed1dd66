namespace TexTok.ML.Data;

/// <summary>One shape of a <see cref="ShapeScene"/>.</summary>
/// <param name="Kind">What the shape is.</param>
/// <param name="Color">Its fill colour; never the scene's background colour.</param>
/// <param name="Size">Its size class.</param>
/// <param name="Position">The grid cell it sits in; no two shapes of a scene share a cell.</param>
/// <param name="JitterX">
/// Horizontal offset from the cell centre in steps of a quarter of the largest offset that keeps the shape inside
/// its cell, from -4 to 4.
/// </param>
/// <param name="JitterY">Vertical offset, in the same steps as <paramref name="JitterX"/>.</param>
public sealed record SceneShape(ShapeKind Kind, PaletteColor Color, ShapeSize Size, GridPosition Position, int JitterX, int JitterY)
{
    // Extent as a share of the cell; the shape moves at most (0.95 - extent) / 2 cells, so it never leaves its cell.
    private static readonly double[] _extent = [0.42, 0.62, 0.82];
    private static readonly double[] _maxJitter = [0.265, 0.165, 0.065];

    /// <summary>
    /// Where the shape lies in an image of <paramref name="imageSize"/> pixels: its centre in pixel coordinates
    /// (x to the right, y down, the image spanning 0 to <paramref name="imageSize"/>) and the radius of the circle
    /// that bounds it.
    /// </summary>
    /// <param name="imageSize">The side length of the square image in pixels.</param>
    public (double CentreX, double CentreY, double Radius) Geometry(int imageSize)
    {
        double cell = imageSize / 3.0;
        double step = _maxJitter[(int)Size] / 4;
        return (
            (((int)Position % 3) + 0.5 + (JitterX * step)) * cell,
            (((int)Position / 3) + 0.5 + (JitterY * step)) * cell,
            _extent[(int)Size] * 0.5 * cell);
    }

    /// <summary>The caption fragment for this shape, for example "a small red triangle at the top left".</summary>
    public string Describe()
        => $"a {SizeName(Size)} {Color.Name} {CaptionedShapes.ClassNames[(int)Kind]} {PositionPhrase(Position)}";

    private static string SizeName(ShapeSize size) => size switch
    {
        ShapeSize.Small => "small",
        ShapeSize.Medium => "medium",
        _ => "large",
    };

    private static string PositionPhrase(GridPosition position) => position switch
    {
        GridPosition.TopLeft => "at the top left",
        GridPosition.Top => "at the top",
        GridPosition.TopRight => "at the top right",
        GridPosition.Left => "on the left",
        GridPosition.Centre => "in the centre",
        GridPosition.Right => "on the right",
        GridPosition.BottomLeft => "at the bottom left",
        GridPosition.Bottom => "at the bottom",
        _ => "at the bottom right",
    };
}
