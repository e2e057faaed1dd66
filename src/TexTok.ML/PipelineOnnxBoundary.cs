using TexTok.ML.Onnx;
using TexTok.ML.Torch.Tokenizer;

namespace TexTok.ML;

/// <summary>
/// How the TexTok networks meet an ML.NET pipeline, added around the plain graphs that <see cref="TexTokOnnxExport"/>
/// writes: the inner chains' column names; byte-valued pixels as ExtractPixels gives and ConvertToImage takes (the
/// encoder maps x to x / 127.5 − 1, the decoder y to clamp(127.5 (y + 1), 0, 255)); and the decoder's row gate, a
/// [batch, 1] input that multiplies the tokens, fed from the row check that fails on non-finite tokens so that the check
/// runs for every decoded row.
/// </summary>
internal sealed class PipelineOnnxBoundary : TexTokOnnxBoundary
{
    /// <summary>The <see cref="TexTokOnnxExport.PixelRangeKey"/> metadata of graphs made for pipelines.</summary>
    public const string BytePixelRange = "0..255";

    private PipelineOnnxBoundary()
    {
    }

    public static PipelineOnnxBoundary Instance { get; } = new();

    public override string TextInput => TexTokColumns.NetworkText;

    public override string TextMaskInput => TexTokColumns.NetworkMask;

    public override string PixelRange => BytePixelRange;

    public override string AddEncoderInput(OnnxGraphBuilder graph, TexTokConfig config)
    {
        var bytes = graph.AddInput(TexTokColumns.EncoderImage, OnnxGraphBuilder.Batch, 3, config.ImageSize, config.ImageSize);
        var scaled = graph.AddNode("Mul", "pixels.scale", [bytes, graph.AddScalar("pixels.inv127_5", 1f / 127.5f)]);
        return graph.AddNode("Sub", "pixels.signed", [scaled, graph.AddScalar("pixels.one", 1f)]);
    }

    public override void AddEncoderOutput(OnnxGraphBuilder graph, TexTokConfig config, string tokens) =>
        graph.AddOutput(tokens, TexTokColumns.EncoderTokens, OnnxGraphBuilder.Batch, config.NumTokens, config.TokenDim);

    public override string AddDecoderInput(OnnxGraphBuilder graph, TexTokConfig config)
    {
        var tokens = graph.AddInput(TexTokColumns.DecoderTokens, OnnxGraphBuilder.Batch, config.NumTokens, config.TokenDim);
        var gate = graph.AddInput(TexTokColumns.DecoderGate, OnnxGraphBuilder.Batch, 1);
        var gate3 = graph.AddNode("Unsqueeze", "tokens.gate3", [gate, graph.AddInt64Vector("tokens.gate_axis", 2)]);
        return graph.AddNode("Mul", "tokens.gated", [tokens, gate3]);
    }

    public override void AddDecoderOutput(OnnxGraphBuilder graph, TexTokConfig config, string image)
    {
        var shifted = graph.AddNode("Add", "pixels.shift", [image, graph.AddScalar("pixels.one", 1f)]);
        var scaled = graph.AddNode("Mul", "pixels.scale", [shifted, graph.AddScalar("pixels.127_5", 127.5f)]);
        var bytes = graph.AddNode("Clip", "pixels.clip", [scaled, graph.AddScalar("pixels.zero", 0f), graph.AddScalar("pixels.255", 255f)]);
        graph.AddOutput(bytes, TexTokColumns.DecoderPixels, OnnxGraphBuilder.Batch, 3, config.ImageSize, config.ImageSize);
    }
}
