namespace TexTok.ML.Data;

/// <summary>
/// The full description of one <see cref="CaptionedShapes"/> image: everything the renderer draws and the caption
/// says. Shapes are listed largest first, ties broken by grid position, so the first shape decides the class label.
/// </summary>
public sealed class ShapeScene
{
    internal ShapeScene(PaletteColor background, IReadOnlyList<SceneShape> shapes, string? word, PaletteColor? wordColor, GridPosition wordPosition)
    {
        Background = background;
        Shapes = shapes;
        Word = word;
        WordColor = wordColor;
        WordPosition = wordPosition;
        Caption = BuildCaption();
    }

    /// <summary>The background colour.</summary>
    public PaletteColor Background { get; }

    /// <summary>One to three shapes, largest first, each in its own grid cell.</summary>
    public IReadOnlyList<SceneShape> Shapes { get; }

    /// <summary>The upper-case word written on the image, or null when there is none.</summary>
    public string? Word { get; }

    /// <summary>The colour of <see cref="Word"/>; null exactly when there is no word.</summary>
    public PaletteColor? WordColor { get; }

    /// <summary>The grid cell the word is centred on where space allows; meaningless without a word.</summary>
    public GridPosition WordPosition { get; }

    /// <summary>The class label: the kind of the first (largest) shape.</summary>
    public ShapeKind Label => Shapes[0].Kind;

    /// <summary>
    /// The English caption, for example "a large blue circle in the centre and a small red triangle at the top left,
    /// on a yellow background, with the word MOON in white".
    /// </summary>
    public string Caption { get; }

    private string BuildCaption()
    {
        string shapes = Shapes.Count switch
        {
            1 => Shapes[0].Describe(),
            _ => string.Join(", ", Shapes.Take(Shapes.Count - 1).Select(s => s.Describe())) + " and " + Shapes[^1].Describe(),
        };
        string caption = $"{shapes}, on a {Background.Name} background";
        return Word is null ? caption : $"{caption}, with the word {Word} in {WordColor!.Name}";
    }
}
