namespace TexTok.ML.Data;

/// <summary>A cell of the 3×3 layout grid, numbered row by row from the top left.</summary>
public enum GridPosition
{
    /// <summary>Top row, left column.</summary>
    TopLeft,

    /// <summary>Top row, middle column.</summary>
    Top,

    /// <summary>Top row, right column.</summary>
    TopRight,

    /// <summary>Middle row, left column.</summary>
    Left,

    /// <summary>The middle cell.</summary>
    Centre,

    /// <summary>Middle row, right column.</summary>
    Right,

    /// <summary>Bottom row, left column.</summary>
    BottomLeft,

    /// <summary>Bottom row, middle column.</summary>
    Bottom,

    /// <summary>Bottom row, right column.</summary>
    BottomRight,
}
