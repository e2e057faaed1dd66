namespace TexTok.ML;

/// <summary>Default column names of the TexTok components.</summary>
public static class TexTokDefaults
{
    /// <summary>Caption text.</summary>
    public const string CaptionColumn = "Caption";

    /// <summary>Frozen text embedding, Nt·Dt floats.</summary>
    public const string TextEmbeddingColumn = "TextEmbedding";

    /// <summary>Text mask, Nt floats.</summary>
    public const string TextMaskColumn = "TextMask";
}
