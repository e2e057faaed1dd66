namespace TexTok.ML.Data;

/// <summary>
/// A built-in 5×7 pixel font for the capital letters A–Z. Text is drawn from these bitmaps rather than a system font
/// so that rendered images are identical on every machine.
/// </summary>
internal static class BitmapFont
{
    /// <summary>Glyph width in font pixels.</summary>
    public const int GlyphWidth = 5;

    /// <summary>Glyph height in font pixels.</summary>
    public const int GlyphHeight = 7;

    /// <summary>Blank font pixels between neighbouring glyphs.</summary>
    public const int Advance = GlyphWidth + 1;

    // Seven rows per letter, '#' marks an inked pixel.
    private static readonly string[][] _glyphs =
    [
        [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"], // A
        ["####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."], // B
        [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."], // C
        ["####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."], // D
        ["#####", "#....", "#....", "####.", "#....", "#....", "#####"], // E
        ["#####", "#....", "#....", "####.", "#....", "#....", "#...."], // F
        [".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"], // G
        ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"], // H
        [".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."], // I
        ["..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."], // J
        ["#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"], // K
        ["#....", "#....", "#....", "#....", "#....", "#....", "#####"], // L
        ["#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"], // M
        ["#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"], // N
        [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."], // O
        ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."], // P
        [".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"], // Q
        ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"], // R
        [".####", "#....", "#....", ".###.", "....#", "....#", "####."], // S
        ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."], // T
        ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."], // U
        ["#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."], // V
        ["#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."], // W
        ["#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"], // X
        ["#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."], // Y
        ["#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"], // Z
    ];

    /// <summary>Whether the font pixel at (<paramref name="column"/>, <paramref name="row"/>) of a letter is inked.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The character is not a capital letter A–Z.</exception>
    public static bool IsInked(char letter, int column, int row)
    {
        if (letter is < 'A' or > 'Z')
        {
            throw new ArgumentOutOfRangeException(nameof(letter), letter, "The built-in font covers only the capital letters A-Z.");
        }

        return _glyphs[letter - 'A'][row][column] == '#';
    }

    /// <summary>The width in font pixels of a word, without trailing space.</summary>
    public static int MeasureWidth(int letters) => letters == 0 ? 0 : (letters * Advance) - 1;
}
