using System.Text.Json;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Checkpoints;

/// <summary>
/// Checks shared by the model-file readers: the configuration stored in a file's metadata is parsed with errors that
/// name the file, and a configuration whose networks need more parameters than the file holds tensor elements is
/// refused before the model is built (a few bytes of metadata could otherwise ask for terabytes).
/// </summary>
internal static class ModelFileChecks
{
    /// <summary>Parses a configuration from a model file's metadata; every failure becomes an <see cref="InvalidDataException"/> naming the file.</summary>
    /// <param name="path">The model file.</param>
    /// <param name="parse">The configuration's parser.</param>
    /// <param name="json">The metadata text.</param>
    public static T ParseConfig<T>(string path, Func<string, T> parse, string json)
    {
        try
        {
            return parse(json);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidDataException or NotSupportedException)
        {
            throw new InvalidDataException($"'{path}' holds an invalid model configuration: {e.Message}", e);
        }
    }

    /// <summary>
    /// Refuses a configuration whose lower bound on the parameter count, <paramref name="minimumParameters"/>, exceeds
    /// the number of elements in <paramref name="tensors"/>: every parameter must come from the file, so such a file
    /// cannot fit, and building its model first would allocate what the configuration asks for.
    /// </summary>
    /// <param name="path">The model file.</param>
    /// <param name="minimumParameters">A lower bound on the model's parameter count (a double: it may exceed any integer).</param>
    /// <param name="tensors">The file's tensors.</param>
    public static void RequireParametersInFile(string path, double minimumParameters, IReadOnlyDictionary<string, Tensor> tensors)
    {
        long held = tensors.Values.Sum(t => t.numel());
        if (minimumParameters > held)
        {
            throw new InvalidDataException(
                $"'{path}' does not fit its own configuration: the configuration needs at least {minimumParameters:G4} parameters but the file holds {held} tensor elements.");
        }
    }
}
