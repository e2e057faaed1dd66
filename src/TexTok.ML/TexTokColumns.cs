using Microsoft.ML;
using Microsoft.ML.Transforms.Image;

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

    /// <summary>
    /// Appends the copies of the caption columns into the networks' text inputs, and records those columns as ONNX
    /// inputs and as temporaries to drop (shared by the TexTokenize and Detokenize chains).
    /// </summary>
    public static IEstimator<ITransformer> AppendTextInputs(TransformsCatalog t, IEstimator<ITransformer> chain, string embeddingColumn,
                                                             string maskColumn, List<string> inputs, List<string> temps)
    {
        inputs.Add(NetworkText);
        inputs.Add(NetworkMask);
        temps.Add(NetworkText);
        temps.Add(NetworkMask);
        return chain.Append(t.CopyColumns(NetworkText, embeddingColumn)).Append(t.CopyColumns(NetworkMask, maskColumn));
    }

    /// <summary>
    /// Resize to the model's square size, then extract channel-major RGB byte-valued floats: the pixels the tokenizer
    /// graph reads and the training cache stores (one definition, so training and scoring see the same pixels).
    /// </summary>
    public static IEstimator<ITransformer> ModelPixels(TransformsCatalog t, string pixelsColumn, string resizedColumn, string imageColumn,
                                                        int size, ImageResizingEstimator.ResizingKind resizing) =>
        t.ResizeImages(resizedColumn, size, size, imageColumn, resizing)
            .Append(t.ExtractPixels(pixelsColumn, resizedColumn, ImagePixelExtractingEstimator.ColorBits.Rgb, ImagePixelExtractingEstimator.ColorsOrder.ARGB,
                interleavePixelColors: false, offsetImage: 0f, scaleImage: 1f, outputAsFloatArray: true));
}
