namespace TexTok.ML.Text;

/// <summary>Describes a caption that produced more tokens than an encoder keeps.</summary>
public sealed class CaptionTruncatedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="caption">The caption as it was passed to the encoder.</param>
    /// <param name="originalTokenCount">The number of tokens the caption produced.</param>
    /// <param name="keptTokenCount">The number of leading tokens kept.</param>
    /// <exception cref="ArgumentNullException"><paramref name="caption"/> is null.</exception>
    public CaptionTruncatedEventArgs(string caption, int originalTokenCount, int keptTokenCount)
    {
        ArgumentNullException.ThrowIfNull(caption);
        Caption = caption;
        OriginalTokenCount = originalTokenCount;
        KeptTokenCount = keptTokenCount;
    }

    /// <summary>The caption as it was passed to the encoder.</summary>
    public string Caption { get; }

    /// <summary>The number of tokens the caption produced.</summary>
    public int OriginalTokenCount { get; }

    /// <summary>The number of leading tokens kept; the rest were dropped.</summary>
    public int KeptTokenCount { get; }
}
