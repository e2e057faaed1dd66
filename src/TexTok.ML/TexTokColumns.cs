namespace TexTok.ML;

/// <summary>Names of the temporary columns inside the components' inner chains (dropped at the end of each chain).</summary>
internal static class TexTokColumns
{
    public const string Prefix = "__textok_";
    public const string SourceImage = Prefix + "source_image";
    public const string ResizedImage = Prefix + "resized_image";
    public const string EncoderImage = Prefix + "enc_pixels";
    public const string NetworkText = Prefix + "net_text";
    public const string NetworkMask = Prefix + "net_text_mask";
    public const string EncoderTokens = Prefix + "enc_tokens";
    public const string DecoderTokens = Prefix + "dec_tokens";
    public const string DecoderGate = Prefix + "dec_gate";
    public const string DecoderPixels = Prefix + "dec_pixels";
}
