using static TorchSharp.torch;

namespace TexTok.ML.Torch.Checkpoints;

/// <summary>
/// Builds the tensor map of a checkpoint from named sections ("model.", "ema.", "opt." …), the inverse of
/// <see cref="SafeTensorsContents.Section"/>.
/// </summary>
internal static class CheckpointSections
{
    /// <summary>Adds every tensor of <paramref name="section"/> to <paramref name="tensors"/> under <paramref name="prefix"/> + its name.</summary>
    /// <param name="tensors">The checkpoint's tensors.</param>
    /// <param name="prefix">Section prefix, ending in a dot.</param>
    /// <param name="section">Tensors by name (a state dictionary, EMA or optimizer state).</param>
    public static void AddSection(this Dictionary<string, Tensor> tensors, string prefix, IEnumerable<KeyValuePair<string, Tensor>> section)
    {
        foreach (var (name, tensor) in section)
        {
            tensors[prefix + name] = tensor;
        }
    }
}
