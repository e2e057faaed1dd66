namespace TexTok.ML.Data;

/// <summary>The kinds of shape drawn by <see cref="CaptionedShapes"/>; the numeric value is the class label.</summary>
public enum ShapeKind
{
    /// <summary>A disc.</summary>
    Circle,

    /// <summary>An axis-aligned square.</summary>
    Square,

    /// <summary>An equilateral triangle pointing up.</summary>
    Triangle,

    /// <summary>A square standing on one corner.</summary>
    Diamond,

    /// <summary>A five-pointed star pointing up.</summary>
    Star,

    /// <summary>A regular hexagon with a vertex at the top.</summary>
    Hexagon,
}
