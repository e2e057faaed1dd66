using TexTok.ML.Onnx;
using TexTok.ML.Torch.Tokenizer;

namespace TexTok.ML;

/// <summary>
/// A trained TexTok tokenizer/detokenizer pair: what a fitted <see cref="TexTokenizeTransformer"/> holds and what
/// <see cref="DetokenizeEstimator"/> shares. It keeps the weights as a TorchSharp <see cref="TexTokModel"/> (for
/// further training or eager scoring) and exports the two networks as ONNX for ML.NET pipelines.
/// </summary>
public sealed class TexTokTrainedModel : IDisposable
{
    private readonly object _gate = new();
    private byte[]? _encoderOnnx;
    private byte[]? _decoderOnnx;

    /// <summary>Wraps a trained model (the pair takes ownership and disposes it).</summary>
    /// <param name="model">The TorchSharp model, usually the EMA weights of a training run.</param>
    public TexTokTrainedModel(TexTokModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Model.eval();
    }

    /// <summary>The TorchSharp model.</summary>
    public TexTokModel Model { get; }

    /// <summary>The network configuration (image size, token count N and width d, text shape).</summary>
    public TexTokConfig Config => Model.Config;

    /// <summary>Length of a token vector: N · d.</summary>
    public int TokenLength => Config.NumTokens * Config.TokenDim;

    /// <summary>Length of a pixel vector: 3 · H · W (channel-major, RGB).</summary>
    public int PixelLength => 3 * Config.ImageSize * Config.ImageSize;

    /// <summary>Loads a model written by <see cref="Save"/> (or <see cref="TexTokModelFile"/>).</summary>
    /// <param name="path">A <c>.safetensors</c> model file.</param>
    public static TexTokTrainedModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"TexTok model file '{path}' does not exist.", path);
        }

        return new TexTokTrainedModel(TexTokModelFile.Load(path));
    }

    /// <summary>Writes the weights and configuration to a safetensors file (atomically).</summary>
    /// <param name="path">Target file.</param>
    public void Save(string path) => TexTokModelFile.Save(path, Model);

    /// <summary>The tokenizer as ONNX (default names, pixels in [-1, 1]): for use outside ML.NET.</summary>
    public byte[] ExportEncoderOnnx() => TexTokOnnxExport.ExportEncoder(Model);

    /// <summary>The detokenizer as ONNX (default names, pixels in [-1, 1]): for use outside ML.NET.</summary>
    public byte[] ExportDecoderOnnx() => TexTokOnnxExport.ExportDecoder(Model);

    /// <summary>The tokenizer ONNX bytes with the pipeline's internal column names and byte-valued pixels.</summary>
    internal byte[] PipelineEncoder()
    {
        lock (_gate)
        {
            return _encoderOnnx ??= TexTokOnnxExport.ExportEncoder(Model, PipelineOnnxBoundary.Instance);
        }
    }

    /// <summary>The detokenizer ONNX bytes with the pipeline's internal column names and byte-valued pixels.</summary>
    internal byte[] PipelineDecoder()
    {
        lock (_gate)
        {
            return _decoderOnnx ??= TexTokOnnxExport.ExportDecoder(Model, PipelineOnnxBoundary.Instance);
        }
    }

    /// <summary>A batched ONNX Runtime session over the pipeline encoder (byte pixels in, tokens out).</summary>
    /// <param name="options">Threads and execution provider.</param>
    public OnnxScoringSession CreateEncoderSession(OnnxScoringOptions? options = null) => new(PipelineEncoder(), options, "TexTok encoder");

    /// <summary>A batched ONNX Runtime session over the pipeline decoder (tokens in, byte pixels out).</summary>
    /// <param name="options">Threads and execution provider.</param>
    public OnnxScoringSession CreateDecoderSession(OnnxScoringOptions? options = null) => new(PipelineDecoder(), options, "TexTok decoder");

    /// <inheritdoc/>
    public void Dispose() => Model.Dispose();
}
