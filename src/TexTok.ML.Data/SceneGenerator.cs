namespace TexTok.ML.Data;

/// <summary>
/// Draws <see cref="CaptionedShapes"/> scenes. Sample <c>index</c> of a split is the first candidate in the stream
/// keyed by (seed, split, index) whose description hashes into that split, so every sample is computed directly
/// from its coordinates and a description can only ever occur in one split.
/// </summary>
internal static class SceneGenerator
{
    private const int Cells = 9;
    private const int JitterSteps = 4;

    // Fixed rather than seeded: a description lands in the same split whatever the seed.
    private const ulong SplitSalt = 0x5445_5854_4F4B_5350UL;

    /// <summary>The share of scene descriptions that belong to the test split.</summary>
    public const double TestFraction = 0.2;

    /// <summary>The scene shown as sample <paramref name="index"/> of <paramref name="split"/>.</summary>
    public static ShapeScene Generate(CaptionedShapesOptions options, DataSplit split, int index)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        for (ulong attempt = 0; ; attempt++)
        {
            var random = new SceneRandom((ulong)(uint)options.Seed, (ulong)split, (ulong)index, attempt);
            ShapeScene? scene = TryDraw(ref random, options, split);
            if (scene is not null)
            {
                return scene;
            }
        }
    }

    /// <summary>The split that owns a scene description, given its packed description key.</summary>
    public static DataSplit SplitOf(ulong descriptionKey)
        => SceneRandom.ToUnit(SceneRandom.Mix(descriptionKey ^ SplitSalt)) < TestFraction ? DataSplit.Test : DataSplit.Train;

    private static ShapeScene? TryDraw(ref SceneRandom random, CaptionedShapesOptions options, DataSplit split)
    {
        IReadOnlyList<PaletteColor> palette = CaptionedShapes.Palette;
        int background = random.Next(palette.Count);
        int count = 1 + random.Next(options.MaxShapes);

        Span<int> cells = stackalloc int[Cells];
        for (int i = 0; i < Cells; i++)
        {
            cells[i] = i;
        }

        // A partial Fisher-Yates shuffle: the first count + 1 cells are distinct, one for each shape and one for the word.
        for (int i = 0; i <= count; i++)
        {
            int j = i + random.Next(Cells - i);
            (cells[i], cells[j]) = (cells[j], cells[i]);
        }

        // The first shape drawn is never smaller than the others, so the label shape is a largest one.
        int largest = random.Next(3);
        var shapes = new (int Kind, int Color, int Size, int Cell, int JitterX, int JitterY)[count];
        for (int i = 0; i < count; i++)
        {
            shapes[i] = (
                random.Next(CaptionedShapes.ClassNames.Count),
                OtherColor(ref random, background, palette.Count),
                i == 0 ? largest : random.Next(largest + 1),
                cells[i],
                random.Next((2 * JitterSteps) + 1) - JitterSteps,
                random.Next((2 * JitterSteps) + 1) - JitterSteps);
        }

        int word = -1;
        int wordColor = -1;
        if (random.NextDouble() < options.WordProbability)
        {
            word = random.Next(CaptionedShapes.Words.Count);
            wordColor = OtherColor(ref random, background, palette.Count);
        }

        // A canonical order (size descending, then cell) makes the description, and so its split, independent of the
        // order in which shapes were drawn.
        Array.Sort(shapes, (a, b) => a.Size != b.Size ? b.Size.CompareTo(a.Size) : a.Cell.CompareTo(b.Cell));

        ulong key = (uint)background | ((ulong)(uint)(word + 1) << 4) | ((ulong)(uint)(wordColor + 1) << 9);
        for (int i = 0; i < count; i++)
        {
            var s = shapes[i];
            ulong packed = (uint)(s.Kind + 1) | ((uint)s.Color << 3) | ((uint)s.Size << 7) | ((uint)s.Cell << 9);
            key |= packed << (13 + (13 * i));
        }

        if (SplitOf(key) != split)
        {
            return null;
        }

        var sceneShapes = new SceneShape[count];
        for (int i = 0; i < count; i++)
        {
            var s = shapes[i];
            sceneShapes[i] = new SceneShape((ShapeKind)s.Kind, palette[s.Color], (ShapeSize)s.Size, (GridPosition)s.Cell, s.JitterX, s.JitterY);
        }

        return new ShapeScene(
            palette[background],
            sceneShapes,
            word < 0 ? null : CaptionedShapes.Words[word],
            wordColor < 0 ? null : palette[wordColor],
            (GridPosition)cells[count]);
    }

    private static int OtherColor(ref SceneRandom random, int excluded, int paletteSize)
        => (excluded + 1 + random.Next(paletteSize - 1)) % paletteSize;
}
