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
    public static byte[] ExportEncoder(TexTokModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var c = model.Config;
        var g = NewGraph(c, "encoder");
        var image = g.AddInput(ImageInput, OnnxGraphBuilder.Batch, 3, c.ImageSize, c.ImageSize);
        var (text, mask) = AddTextInputs(g, c);
        string tokens;
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            tokens = model.Encoder.EmitOnnx(g, image, text, mask);
        }

        g.AddOutput(tokens, TokensName, OnnxGraphBuilder.Batch, c.NumTokens, c.TokenDim);
        return g.ToBytes();
    }

    /// <summary>The detokenizer of <paramref name="model"/> as ONNX model bytes.</summary>
    /// <param name="model">The model.</param>
    /// <returns>The ONNX model.</returns>
    public static byte[] ExportDecoder(TexTokModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var c = model.Config;
        var g = NewGraph(c, "decoder");
        var tokens = g.AddInput(TokensName, OnnxGraphBuilder.Batch, c.NumTokens, c.TokenDim);
        var (text, mask) = AddTextInputs(g, c);
        string image;
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            image = model.Decoder.EmitOnnx(g, tokens, text, mask);
        }

        g.AddOutput(image, ImageOutput, OnnxGraphBuilder.Batch, 3, c.ImageSize, c.ImageSize);
        return g.ToBytes();
    }

    private static OnnxGraphBuilder NewGraph(TexTokConfig config, string network)
    {
        string version = typeof(TexTokOnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                         ?? typeof(TexTokOnnxExport).Assembly.GetName().Version?.ToString() ?? "0.0.0";
        var g = new OnnxGraphBuilder($"textok_{network}", "TexTok.ML", version);
        g.SetMetadata(OnnxScoringSession.ConfigKey, config.ToJson());
        g.SetMetadata(OnnxScoringSession.FormatKey, OnnxScoringSession.Format);
        g.SetMetadata(OnnxScoringSession.NetworkKey, network);
        g.SetMetadata(OnnxScoringSession.VersionKey, version);
        return g;
    }

    private static (string? Text, string? Mask) AddTextInputs(OnnxGraphBuilder g, TexTokConfig c) =>
        c.UseText
            ? (g.AddInput(TextInput, OnnxGraphBuilder.Batch, c.TextTokens, c.TextDim), g.AddInput(TextMaskInput, OnnxGraphBuilder.Batch, c.TextTokens))
            : (null, null);

    private static void WriteFile(string path, byte[] bytes) => AtomicFile.WriteAllBytes(path, bytes);
}
