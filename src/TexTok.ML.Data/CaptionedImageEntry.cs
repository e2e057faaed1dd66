namespace TexTok.ML.Data;

/// <summary>One validated line of a captions file.</summary>
/// <param name="ImagePath">The absolute path of the image, which existed when the captions file was read.</param>
/// <param name="Caption">The caption, trimmed and never empty.</param>
/// <param name="Label">The index of <paramref name="LabelName"/> in <see cref="CaptionedImageFolder.LabelNames"/>, or -1 when the line has no label.</param>
/// <param name="LabelName">The label as written in the file, or the empty string when the line has none.</param>
/// <param name="LineNumber">The one-based line of the captions file that described this image.</param>
public sealed record CaptionedImageEntry(string ImagePath, string Caption, int Label, string LabelName, int LineNumber);
