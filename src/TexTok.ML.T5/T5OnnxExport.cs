using System.Reflection;
using TexTok.ML.Core;
using TexTok.ML.Onnx;
using TorchSharp;

namespace TexTok.ML.T5;

/// <summary>
/// Exports a <see cref="T5Encoder"/> as an ONNX model (opset 17) with the input and output names of Hugging Face's
/// ONNX exports of <c>T5EncoderModel</c>, so it can be scored by <see cref="T5OnnxTextEncoder"/> or any ONNX runtime.
/// </summary>
/// <remarks>
/// Inputs: <c>input_ids</c> [batch, sequence] int64 and <c>attention_mask</c> [batch, sequence] int64 (1 real token,
/// 0 padding); output <c>last_hidden_state</c> [batch, sequence, d_model] float. Batch and sequence length are both
/// dynamic: the relative-position bias is gathered in the graph from a table of the 2·R + 1 relative positions
/// −R … R (R = <c>relative_attention_max_distance</c>), indexed by the clamped difference of key and query positions.
/// Metadata: <c>textok.format</c> (<c>textok-onnx/1</c>), <c>textok.network</c> (<c>t5-encoder</c>),
/// <c>textok.config</c> (the <see cref="T5Config"/> as <c>config.json</c>), <c>textok.version</c>.
/// The whole model is one protobuf message, so encoders whose weights exceed 2 GB (T5-XL and larger, in float32)
/// cannot be written; the exporter says so before building the graph.
/// </remarks>
public static class T5OnnxExport
{
    /// <summary>Input: token ids [batch, sequence], int64.</summary>
    public const string InputIdsName = "input_ids";

    /// <summary>Input: attention mask [batch, sequence], int64, 1 for a real token, 0 for padding.</summary>
    public const string AttentionMaskName = "attention_mask";

    /// <summary>Output: the encoder's last hidden state [batch, sequence, d_model], float.</summary>
    public const string LastHiddenStateName = "last_hidden_state";

    /// <summary>The value of <see cref="OnnxScoringSession.NetworkKey"/> in exported models.</summary>
    public const string NetworkName = "t5-encoder";

    /// <summary>The largest weight size, in bytes, that fits in one ONNX protobuf file (2 GiB less room for the graph).</summary>
    private const long MaxWeightBytes = (2L << 30) - (64L << 20);

    /// <summary>Writes the encoder to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    /// <param name="model">The encoder.</param>
    /// <param name="path">Target ONNX file.</param>
    /// <exception cref="NotSupportedException">The weights do not fit in one ONNX file (over 2 GB).</exception>
    public static void Export(T5Encoder model, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.WriteAllBytes(path, Export(model));
    }

    /// <summary>The encoder as ONNX model bytes.</summary>
    /// <param name="model">The encoder; not changed.</param>
    /// <returns>The ONNX model.</returns>
    /// <exception cref="NotSupportedException">The weights do not fit in one ONNX file (over 2 GB).</exception>
    public static byte[] Export(T5Encoder model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var config = model.Config;
        EnsureFitsOneFile(config);

        string version = typeof(T5OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                         ?? typeof(T5OnnxExport).Assembly.GetName().Version?.ToString() ?? "0.0.0";
        var g = new OnnxGraphBuilder("t5_encoder", "TexTok.ML", version);
        g.SetMetadata(OnnxScoringSession.FormatKey, OnnxScoringSession.Format);
        g.SetMetadata(OnnxScoringSession.NetworkKey, NetworkName);
        g.SetMetadata(OnnxScoringSession.ConfigKey, config.ToJson());
        g.SetMetadata(OnnxScoringSession.VersionKey, version);
        var ids = g.AddInput(InputIdsName, OnnxElementType.Int64, OnnxGraphBuilder.Batch, OnnxGraphBuilder.Sequence);
        var mask = g.AddInput(AttentionMaskName, OnnxElementType.Int64, OnnxGraphBuilder.Batch, OnnxGraphBuilder.Sequence);
        string hidden;
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            hidden = model.EmitOnnx(g, ids, mask);
        }

        g.AddOutput(hidden, LastHiddenStateName, OnnxElementType.Float, OnnxGraphBuilder.Batch, OnnxGraphBuilder.Sequence, config.DModel);
        return g.ToBytes();
    }

    /// <summary>Throws <see cref="NotSupportedException"/> when the float32 weights of <paramref name="config"/> exceed one ONNX file.</summary>
    internal static void EnsureFitsOneFile(T5Config config)
    {
        long weightBytes = config.EncoderParameterCount() * sizeof(float);
        if (weightBytes > MaxWeightBytes)
        {
            throw new NotSupportedException(
                $"The encoder's float32 weights take {weightBytes / 1e9:F2} GB; one ONNX file holds at most 2 GB. " +
                "Export encoders up to T5-large size, or score an ONNX export with external weight files made by another tool.");
        }
    }
}
