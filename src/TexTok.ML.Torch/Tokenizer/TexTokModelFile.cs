using TexTok.ML.Torch.Checkpoints;
using TexTok.ML.Torch.Runtime;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tokenizer;

/// <summary>An inference model file: the tokenizer/detokenizer weights in safetensors with the configuration as metadata.</summary>
public static class TexTokModelFile
{
    private const string Format = "textok-model/1";

    /// <summary>Writes <paramref name="weights"/> and <paramref name="config"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">Target file.</param>
    /// <param name="config">Network shape.</param>
    /// <param name="weights">State dictionary.</param>
    public static void Save(string path, TexTokConfig config, IReadOnlyDictionary<string, Tensor> weights) =>
        SafeTensors.Save(path, weights, new Dictionary<string, string> { ["format"] = Format, ["config"] = config.ToJson() });

    /// <summary>Writes a model's weights and configuration.</summary>
    /// <param name="path">Target file.</param>
    /// <param name="model">The model.</param>
    public static void Save(string path, TexTokModel model) =>
        Save(path, model.Config, model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value));

    /// <summary>Loads a model written by <see cref="Save(string, TexTokModel)"/>, in evaluation mode.</summary>
    /// <param name="path">The file.</param>
    /// <param name="device">Device, or null for the CPU.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid TexTok model file (malformed safetensors, configuration or weights); the message names it.</exception>
    public static TexTokModel Load(string path, Device? device = null)
    {
        TorchRuntime.EnsureAvailable();
        using var contents = SafeTensors.Load(path);
        var (tensors, metadata) = contents;
        if (!metadata.TryGetValue("format", out var format) || format != Format || !metadata.TryGetValue("config", out var json))
        {
            throw new InvalidDataException($"'{path}' is not a TexTok model file (expected format '{Format}').");
        }

        TexTokConfig config = ModelFileChecks.ParseConfig(path, TexTokConfig.FromJson, json);

        // Transformer blocks of the tokenizer and the detokenizer (attention 4·D², MLP 2·r·D² each), plus the patch
        // positions and queries: a lower bound on what the model allocates.
        double width = config.Width;
        ModelFileChecks.RequireParametersInFile(
            path, (2.0 * config.Depth * (4.0 + (2.0 * config.MlpRatio)) * width * width) + (2.0 * config.NumPatches * width), tensors);
        var model = TorchRuntime.BuildWithoutDrawing(() => new TexTokModel(config, device));
        try
        {
            StateDictionaryLoader.Load(model, tensors, $"Model file '{path}'");
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
