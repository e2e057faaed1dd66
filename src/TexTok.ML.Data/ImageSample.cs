namespace TexTok.ML.Data;

/// <summary>One captioned, labelled image of a data source.</summary>
/// <param name="Image">The RGB pixels.</param>
/// <param name="Caption">The English caption.</param>
/// <param name="Label">The zero-based class index.</param>
/// <param name="ClassName">The name of class <paramref name="Label"/>.</param>
public sealed record ImageSample(RgbImage Image, string Caption, int Label, string ClassName);
