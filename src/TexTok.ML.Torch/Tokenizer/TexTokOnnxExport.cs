using System.Reflection;
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
/// Metadata: <c>textok.config</c>, <c>textok.format</c>, <c>textok.network</c>, <c>textok.version</c>.
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

    /// <summary>The tokenizer of <paramref name="model"/> as ONNX model bytes.</summary>
    /// <param name="model">The model.</param>
    /// <returns>The ONNX model.</returns>
    public static byte[] ExportEncoder(TexTokModel model) => ExportEncoder(model, TexTokOnnxExportOptions.Default);

    /// <summary>Exports the tokenizer with the given input/output names and pixel range.</summary>
    /// <param name="model">The model (its current weights are written).</param>
    /// <param name="options">Names and pixel range.</param>
    /// <returns>The ONNX model bytes.</returns>
    public static byte[] ExportEncoder(TexTokModel model, TexTokOnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var c = model.Config;
        var g = NewGraph(c, "encoder", options);
        var image = g.AddInput(options.ImageInput, OnnxGraphBuilder.Batch, 3, c.ImageSize, c.ImageSize);
        if (options.PixelRange == TexTokPixelRange.Bytes)
        {
            var scaled = g.AddNode("Mul", "pixels.scale", [image, g.AddScalar("pixels.inv127_5", 1f / 127.5f)]);
            image = g.AddNode("Sub", "pixels.signed", [scaled, g.AddScalar("pixels.one", 1f)]);
        }

        var (text, mask) = AddTextInputs(g, c, options);
        string tokens;
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            tokens = model.Encoder.EmitOnnx(g, image, text, mask);
        }

        g.AddOutput(tokens, options.TokensOutput, OnnxGraphBuilder.Batch, c.NumTokens, c.TokenDim);
        return g.ToBytes();
    }

    /// <summary>Exports the detokenizer with the default names (inputs tokens, text, text_mask; output image in [-1, 1]).</summary>
    /// <param name="model">The model (its current weights are written).</param>
    /// <returns>The ONNX model bytes.</returns>
    public static byte[] ExportDecoder(TexTokModel model) => ExportDecoder(model, TexTokOnnxExportOptions.Default);

    /// <summary>Exports the detokenizer with the given input/output names and pixel range.</summary>
    /// <param name="model">The model (its current weights are written).</param>
    /// <param name="options">Names and pixel range.</param>
    /// <returns>The ONNX model bytes.</returns>
    public static byte[] ExportDecoder(TexTokModel model, TexTokOnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var c = model.Config;
        var g = NewGraph(c, "decoder", options);
        var tokens = g.AddInput(options.TokensInput, OnnxGraphBuilder.Batch, c.NumTokens, c.TokenDim);
        if (options.TokenGateInput is { } gateName)
        {
            var gate = g.AddInput(gateName, OnnxGraphBuilder.Batch, 1);
            var gate3 = g.AddNode("Unsqueeze", "tokens.gate3", [gate, g.AddInt64Vector("tokens.gate_axis", 2)]);
            tokens = g.AddNode("Mul", "tokens.gated", [tokens, gate3]);
        }

        var (text, mask) = AddTextInputs(g, c, options);
        string image;
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            image = model.Decoder.EmitOnnx(g, tokens, text, mask);
        }

        if (options.PixelRange == TexTokPixelRange.Bytes)
        {
            var shifted = g.AddNode("Add", "pixels.shift", [image, g.AddScalar("pixels.one", 1f)]);
            var scaled = g.AddNode("Mul", "pixels.scale", [shifted, g.AddScalar("pixels.127_5", 127.5f)]);
            image = g.AddNode("Clip", "pixels.clip", [scaled, g.AddScalar("pixels.zero", 0f), g.AddScalar("pixels.255", 255f)]);
        }

        g.AddOutput(image, options.ImageOutput, OnnxGraphBuilder.Batch, 3, c.ImageSize, c.ImageSize);
        return g.ToBytes();
    }

    private static OnnxGraphBuilder NewGraph(TexTokConfig config, string network, TexTokOnnxExportOptions options)
    {
        string version = typeof(TexTokOnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                         ?? typeof(TexTokOnnxExport).Assembly.GetName().Version?.ToString() ?? "0.0.0";
        var g = new OnnxGraphBuilder($"textok_{network}", "TexTok.ML", version);
        g.SetMetadata(OnnxScoringSession.ConfigKey, config.ToJson());
        g.SetMetadata(OnnxScoringSession.FormatKey, OnnxScoringSession.Format);
        g.SetMetadata(OnnxScoringSession.NetworkKey, network);
        g.SetMetadata(OnnxScoringSession.VersionKey, version);
        g.SetMetadata(PixelRangeKey, options.PixelRange == TexTokPixelRange.Bytes ? "0..255" : "-1..1");
        return g;
    }

    private static (string? Text, string? Mask) AddTextInputs(OnnxGraphBuilder g, TexTokConfig c, TexTokOnnxExportOptions options) =>
        c.UseText
            ? (g.AddInput(options.TextInput, OnnxGraphBuilder.Batch, c.TextTokens, c.TextDim), g.AddInput(options.TextMaskInput, OnnxGraphBuilder.Batch, c.TextTokens))
            : (null, null);

    private static void WriteFile(string path, byte[] bytes) => AtomicFile.WriteAllBytes(path, bytes);
}
