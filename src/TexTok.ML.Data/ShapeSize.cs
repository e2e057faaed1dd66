namespace TexTok.ML.Data;

/// <summary>How large a shape is relative to its cell of the 3×3 layout grid.</summary>
public enum ShapeSize
{
    /// <summary>About a third of the cell.</summary>
    Small,

    /// <summary>About three fifths of the cell.</summary>
    Medium,

    /// <summary>Nearly the whole cell.</summary>
    Large,
}
