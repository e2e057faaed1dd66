namespace TexTok.ML;

/// <summary>Default column names of the TexTok components.</summary>
public static class TexTokDefaults
{
    /// <summary>Caption text (input of CaptionEmbed).</summary>
    public const string CaptionColumn = "Caption";

    /// <summary>Caption embedding, Nt · Dt floats (CaptionEmbed's output, TexTokenize's and Detokenize's input).</summary>
    public const string TextEmbeddingColumn = "TextEmbedding";

    /// <summary>Caption mask, Nt floats (CaptionEmbed's output).</summary>
    public const string TextMaskColumn = "TextMask";

    /// <summary>Image (TexTokenize's input).</summary>
    public const string ImageColumn = "Image";

    /// <summary>Tokens, N · d floats (TexTokenize's output, Detokenize's input).</summary>
    public const string TokensColumn = "Tokens";

    /// <summary>Reconstructed or generated image (Detokenize's output).</summary>
    public const string ReconstructionColumn = "Reconstruction";

    /// <summary>Reconstructed pixels, 3 · H · W floats in [0, 255], channel-major RGB (Detokenize's second output).</summary>
    public const string ReconstructionPixelsColumn = "ReconstructionPixels";
}
