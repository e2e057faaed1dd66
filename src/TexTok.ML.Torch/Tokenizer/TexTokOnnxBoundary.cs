using TexTok.ML.Onnx;

namespace TexTok.ML.Torch.Tokenizer;

/// <summary>
/// Where an exported TexTok graph meets its caller: the names of its inputs and outputs, and whatever is added in front
/// of or behind the networks at those edges. This class gives the plain graphs (inputs <c>image</c>, <c>text</c>,
/// <c>text_mask</c>, <c>tokens</c>; outputs <c>tokens</c>, <c>image</c>; pixels in [−1, 1], as
/// <see cref="TexTokModel"/> works); a caller that needs other names or conversions derives from it and passes the
/// derived boundary to <see cref="TexTokOnnxExport"/>, which keeps the networks themselves free of any host's
/// conventions.
/// </summary>
public class TexTokOnnxBoundary
{
    /// <summary>The plain graphs' boundary.</summary>
    public static TexTokOnnxBoundary Plain { get; } = new();

    /// <summary>Name of the text embedding input (both networks), [batch, Nt, Dt].</summary>
    public virtual string TextInput => TexTokOnnxExport.TextInput;

    /// <summary>Name of the text mask input (both networks), [batch, Nt], 1 valid and 0 padding.</summary>
    public virtual string TextMaskInput => TexTokOnnxExport.TextMaskInput;

    /// <summary>The pixel range recorded in the <see cref="TexTokOnnxExport.PixelRangeKey"/> metadata.</summary>
    public virtual string PixelRange => "-1..1";

    /// <summary>Adds the encoder's image input and returns the value the encoder reads: images [batch, 3, H, W] in [−1, 1].</summary>
    /// <param name="graph">The graph being built.</param>
    /// <param name="config">The model's shape.</param>
    public virtual string AddEncoderInput(OnnxGraphBuilder graph, TexTokConfig config)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(config);
        return graph.AddInput(TexTokOnnxExport.ImageInput, OnnxGraphBuilder.Batch, 3, config.ImageSize, config.ImageSize);
    }

    /// <summary>Makes the encoder's tokens [batch, N, d] (the posterior mean) an output of the graph.</summary>
    /// <param name="graph">The graph being built.</param>
    /// <param name="config">The model's shape.</param>
    /// <param name="tokens">The value holding the tokens.</param>
    public virtual void AddEncoderOutput(OnnxGraphBuilder graph, TexTokConfig config, string tokens)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(config);
        graph.AddOutput(tokens, TexTokOnnxExport.TokensName, OnnxGraphBuilder.Batch, config.NumTokens, config.TokenDim);
    }

    /// <summary>Adds the decoder's token input and returns the value the decoder reads: tokens [batch, N, d].</summary>
    /// <param name="graph">The graph being built.</param>
    /// <param name="config">The model's shape.</param>
    public virtual string AddDecoderInput(OnnxGraphBuilder graph, TexTokConfig config)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(config);
        return graph.AddInput(TexTokOnnxExport.TokensName, OnnxGraphBuilder.Batch, config.NumTokens, config.TokenDim);
    }

    /// <summary>Makes the decoder's images [batch, 3, H, W] (in [−1, 1], unclamped) an output of the graph.</summary>
    /// <param name="graph">The graph being built.</param>
    /// <param name="config">The model's shape.</param>
    /// <param name="image">The value holding the images.</param>
    public virtual void AddDecoderOutput(OnnxGraphBuilder graph, TexTokConfig config, string image)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(config);
        graph.AddOutput(image, TexTokOnnxExport.ImageOutput, OnnxGraphBuilder.Batch, 3, config.ImageSize, config.ImageSize);
    }
}
