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
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a DiT model file (malformed safetensors, configuration or normalisation), or its weights do not fit its configuration; the message names it.</exception>
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

        DiTConfig config = ModelFileChecks.ParseConfig(path, DiTConfig.FromJson, json);
        LatentNormalization latent = ModelFileChecks.ParseConfig(path, LatentNormalization.FromJson, normalization);

        // DiT blocks (attention 4·W², MLP 2·r·W², adaLN 6·W²), the class table and the timestep embedder's first
        // layer: a lower bound on what the model allocates.
        double width = config.Width;
        ModelFileChecks.RequireParametersInFile(
            path,
            (config.Depth * (10.0 + (2.0 * config.MlpRatio)) * width * width) + ((double)config.NumClasses * width) + ((double)config.FrequencyDim * width),
            tensors);
        var model = TorchRuntime.BuildWithoutDrawing(() => new DiTModel(config, device) { Normalization = latent });
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
