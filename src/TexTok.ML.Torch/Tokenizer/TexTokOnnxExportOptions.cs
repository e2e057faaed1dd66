namespace TexTok.ML.Torch.Tokenizer;

/// <summary>The value range of the pixels that an exported encoder reads or an exported decoder writes.</summary>
public enum TexTokPixelRange
{
    /// <summary>The networks' own range: channel values in [-1, 1] (what <see cref="TexTokModel"/> works in).</summary>
    Signed,

    /// <summary>
    /// Byte-valued floats in [0, 255], as ML.NET's ExtractPixels produces and ConvertToImage expects. The encoder maps
    /// x to x / 127.5 - 1 in-graph; the decoder maps y to clamp(127.5 (y + 1), 0, 255).
    /// </summary>
    Bytes,
}

/// <summary>Names and pixel range of an exported TexTok ONNX graph.</summary>
public sealed record TexTokOnnxExportOptions
{
    /// <summary>The defaults: inputs <c>image</c>, <c>text</c>, <c>text_mask</c>, <c>tokens</c>; outputs <c>tokens</c> and <c>image</c>; signed pixels.</summary>
    public static TexTokOnnxExportOptions Default { get; } = new();

    /// <summary>Name of the encoder's image input.</summary>
    public string ImageInput { get; init; } = TexTokOnnxExport.ImageInput;

    /// <summary>Name of the text embedding input (both networks).</summary>
    public string TextInput { get; init; } = TexTokOnnxExport.TextInput;

    /// <summary>Name of the text mask input (both networks).</summary>
    public string TextMaskInput { get; init; } = TexTokOnnxExport.TextMaskInput;

    /// <summary>Name of the encoder's output and of the decoder's token input.</summary>
    public string TokensInput { get; init; } = TexTokOnnxExport.TokensName;

    /// <summary>Name of the encoder's token output.</summary>
    public string TokensOutput { get; init; } = TexTokOnnxExport.TokensName;

    /// <summary>Name of the decoder's image output.</summary>
    public string ImageOutput { get; init; } = TexTokOnnxExport.ImageOutput;

    /// <summary>
    /// When set, the decoder takes a second input of this name, [batch, 1], that multiplies the tokens. Pipelines feed
    /// it from a row check that fails on non-finite tokens, which makes the check run for every decoded row.
    /// </summary>
    public string? TokenGateInput { get; init; }

    /// <summary>Pixel range of the encoder's input and the decoder's output.</summary>
    public TexTokPixelRange PixelRange { get; init; } = TexTokPixelRange.Signed;

    internal void Validate()
    {
        foreach (var name in new[] { ImageInput, TextInput, TextMaskInput, TokensInput, TokensOutput, ImageOutput })
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("ONNX input and output names must not be blank.");
            }
        }

        if (ImageInput == TextInput || ImageInput == TextMaskInput || TextInput == TextMaskInput || TokensInput == TextInput || TokensInput == TextMaskInput)
        {
            throw new ArgumentException("The ONNX input names of one graph must differ from each other.");
        }
    }
}
