using TexTok.ML.Torch.Checkpoints;
using TexTok.ML.Torch.Runtime;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Generation;

/// <summary>An inference model file: DiT weights in safetensors, with the configuration and the latent normalisation as metadata.</summary>
public static class DiTModelFile
{
    private const string Format = "dit-model/1";

    /// <summary>Writes <paramref name="weights"/>, <paramref name="config"/> and <paramref name="normalization"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">Target file.</param>
    /// <param name="config">Network shape.</param>
    /// <param name="normalization">Latent normalisation the weights were trained with.</param>
    /// <param name="weights">State dictionary.</param>
    public static void Save(string path, DiTConfig config, LatentNormalization normalization, IReadOnlyDictionary<string, Tensor> weights) =>
        SafeTensors.Save(path, weights, new Dictionary<string, string>
        {
            ["format"] = Format,
            ["config"] = config.ToJson(),
            ["normalization"] = normalization.ToJson(),
        });

    /// <summary>Writes a model's weights, configuration and normalisation.</summary>
    /// <param name="path">Target file.</param>
    /// <param name="model">The model.</param>
    public static void Save(string path, DiTModel model) =>
        Save(path, model.Config, model.Normalization, model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value));

    /// <summary>Loads a model written by <see cref="Save(string, DiTModel)"/>, in evaluation mode.</summary>
    /// <param name="path">The file.</param>
    /// <param name="device">Device, or null for the CPU.</param>
    /// <exception cref="InvalidDataException">The file is not a DiT model file, or its weights do not fit its configuration.</exception>
    public static DiTModel Load(string path, Device? device = null)
    {
        TorchRuntime.EnsureAvailable();
        using var contents = SafeTensors.Load(path);
        var (tensors, metadata) = contents;
        if (!metadata.TryGetValue("format", out var format) || format != Format || !metadata.TryGetValue("config", out var json) ||
            !metadata.TryGetValue("normalization", out var normalization))
        {
            throw new InvalidDataException($"'{path}' is not a DiT model file (expected format '{Format}').");
        }

        var model = new DiTModel(DiTConfig.FromJson(json), device) { Normalization = LatentNormalization.FromJson(normalization) };
        try
        {
            StateDictionaryLoader.Load(model, tensors, $"DiT model file '{path}'");
        }
        catch
        {
            model.Dispose();
            throw;
        }

        model.eval();
        return model;
    }
}
