using System.Reflection;
using TexTok.ML.Core;
using TexTok.ML.Onnx;
using TorchSharp;

namespace TexTok.ML.Torch.Tokenizer;

/// <summary>
/// Exports a <see cref="TexTokModel"/>'s tokenizer and detokenizer as ONNX models (opset 17) for scoring with ONNX
/// Runtime (<see cref="OnnxScoringSession"/>).
/// </summary>
/// <remarks>
/// Encoder inputs: <c>image</c> [batch, 3, H, W] in [−1, 1], <c>text</c> [batch, Nt, Dt], <c>text_mask</c>
/// [batch, Nt]; output <c>tokens</c> [batch, N, d] (the posterior mean). Decoder inputs: <c>tokens</c>, <c>text</c>,
/// <c>text_mask</c>; output <c>image</c> [batch, 3, H, W] (unclamped). Baseline models (no text) have no text inputs.
/// Metadata: <c>textok.config</c>, <c>textok.format</c>, <c>textok.network</c>, <c>textok.version</c>,
/// <c>textok.pixel_range</c>. A <see cref="TexTokOnnxBoundary"/> changes the names and adds nodes at the edges.
/// </remarks>
public static class TexTokOnnxExport
{
    /// <summary>Encoder input: images.</summary>
    public const string ImageInput = "image";

    /// <summary>Input: text embeddings.</summary>
    public const string TextInput = "text";

    /// <summary>Input: text mask (1 valid, 0 padding).</summary>
    public const string TextMaskInput = "text_mask";

    /// <summary>Encoder output and decoder input: image tokens.</summary>
    public const string TokensName = "tokens";

    /// <summary>Decoder output: images.</summary>
    public const string ImageOutput = "image";

    /// <summary>Metadata key that records the pixel range of the image input or output ("-1..1" or "0..255").</summary>
    public const string PixelRangeKey = "textok.pixel_range";

    /// <summary>Writes the tokenizer of <paramref name="model"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="model">The model.</param>
    /// <param name="path">Target ONNX file.</param>
    public static void ExportEncoder(TexTokModel model, string path) => WriteFile(path, ExportEncoder(model));

    /// <summary>Writes the detokenizer of <paramref name="model"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="model">The model.</param>
    /// <param name="path">Target ONNX file.</param>
    public static void ExportDecoder(TexTokModel model, string path) => WriteFile(path, ExportDecoder(model));

    /// <summary>The tokenizer of <paramref name="model"/> as ONNX model bytes (the plain graph).</summary>
    /// <param name="model">The model.</param>
    /// <returns>The ONNX model.</returns>
    public static byte[] ExportEncoder(TexTokModel model) => ExportEncoder(model, TexTokOnnxBoundary.Plain);

    /// <summary>Exports the tokenizer with the inputs, outputs and edge conversions <paramref name="boundary"/> adds.</summary>
    /// <param name="model">The model (its current weights are written).</param>
    /// <param name="boundary">Names and what is added around the network.</param>
    /// <returns>The ONNX model bytes.</returns>
    public static byte[] ExportEncoder(TexTokModel model, TexTokOnnxBoundary boundary)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(boundary);
        var c = model.Config;
        var g = NewGraph(c, "encoder", boundary);
        var image = boundary.AddEncoderInput(g, c);
        var (text, mask) = AddTextInputs(g, c, boundary);
        string tokens;
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            tokens = model.Encoder.EmitOnnx(g, image, text, mask);
        }

        boundary.AddEncoderOutput(g, c, tokens);
        return g.ToBytes();
    }

    /// <summary>The detokenizer of <paramref name="model"/> as ONNX model bytes (the plain graph: output image in [−1, 1]).</summary>
    /// <param name="model">The model (its current weights are written).</param>
    /// <returns>The ONNX model bytes.</returns>
    public static byte[] ExportDecoder(TexTokModel model) => ExportDecoder(model, TexTokOnnxBoundary.Plain);

    /// <summary>Exports the detokenizer with the inputs, outputs and edge conversions <paramref name="boundary"/> adds.</summary>
    /// <param name="model">The model (its current weights are written).</param>
    /// <param name="boundary">Names and what is added around the network.</param>
    /// <returns>The ONNX model bytes.</returns>
    public static byte[] ExportDecoder(TexTokModel model, TexTokOnnxBoundary boundary)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(boundary);
        var c = model.Config;
        var g = NewGraph(c, "decoder", boundary);
        var tokens = boundary.AddDecoderInput(g, c);
        var (text, mask) = AddTextInputs(g, c, boundary);
        string image;
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            image = model.Decoder.EmitOnnx(g, tokens, text, mask);
        }

        boundary.AddDecoderOutput(g, c, image);
        return g.ToBytes();
    }

    private static OnnxGraphBuilder NewGraph(TexTokConfig config, string network, TexTokOnnxBoundary boundary)
    {
        string version = typeof(TexTokOnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                         ?? typeof(TexTokOnnxExport).Assembly.GetName().Version?.ToString() ?? "0.0.0";
        var g = new OnnxGraphBuilder($"textok_{network}", "TexTok.ML", version);
        g.SetMetadata(OnnxScoringSession.ConfigKey, config.ToJson());
        g.SetMetadata(OnnxScoringSession.FormatKey, OnnxScoringSession.Format);
        g.SetMetadata(OnnxScoringSession.NetworkKey, network);
        g.SetMetadata(OnnxScoringSession.VersionKey, version);
        g.SetMetadata(PixelRangeKey, boundary.PixelRange);
        return g;
    }

    private static (string? Text, string? Mask) AddTextInputs(OnnxGraphBuilder g, TexTokConfig c, TexTokOnnxBoundary boundary) =>
        c.UseText
            ? (g.AddInput(boundary.TextInput, OnnxGraphBuilder.Batch, c.TextTokens, c.TextDim), g.AddInput(boundary.TextMaskInput, OnnxGraphBuilder.Batch, c.TextTokens))
            : (null, null);

    private static void WriteFile(string path, byte[] bytes) => AtomicFile.WriteAllBytes(path, bytes);
}
