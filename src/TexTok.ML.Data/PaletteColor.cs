namespace TexTok.ML.Data;

/// <summary>A named colour of the <see cref="CaptionedShapes"/> palette.</summary>
/// <param name="Name">The lower-case English name used in captions.</param>
/// <param name="R">The red component.</param>
/// <param name="G">The green component.</param>
/// <param name="B">The blue component.</param>
public sealed record PaletteColor(string Name, byte R, byte G, byte B);
