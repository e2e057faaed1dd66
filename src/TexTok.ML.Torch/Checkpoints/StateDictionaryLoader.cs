using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Checkpoints;

/// <summary>Copies named tensors into a module's parameters and buffers, refusing any name or shape mismatch.</summary>
public static class StateDictionaryLoader
{
    /// <summary>
    /// Copies <paramref name="tensors"/> into <paramref name="module"/>'s state. Every state entry must be present
    /// with the same shape and no extra entries may exist.
    /// </summary>
    /// <param name="module">The destination module.</param>
    /// <param name="tensors">Tensors by state-dictionary name.</param>
    /// <param name="source">Where the tensors came from, for the error message.</param>
    /// <exception cref="InvalidDataException">A tensor is missing, unexpected or mis-shaped; the message names it and both shapes.</exception>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        var state = module.state_dict();
        foreach (var (name, target) in state)
        {
            if (!tensors.TryGetValue(name, out var value))
            {
                throw new InvalidDataException($"{source} does not fit this model: tensor '{name}' [{Shape(target)}] is missing.");
            }

            if (!value.shape.SequenceEqual(target.shape))
            {
                throw new InvalidDataException(
                    $"{source} does not fit this model: tensor '{name}' has shape [{Shape(value)}] in the checkpoint but [{Shape(target)}] in the model.");
            }
        }

        foreach (var name in tensors.Keys)
        {
            if (!state.ContainsKey(name))
            {
                throw new InvalidDataException($"{source} does not fit this model: it has tensor '{name}', which the model does not.");
            }
        }

        using var noGrad = torch.no_grad();
        foreach (var (name, target) in state)
        {
            target.copy_(tensors[name]);
        }
    }

    /// <summary>Formats a shape as "a, b, c".</summary>
    /// <param name="t">The tensor.</param>
    public static string Shape(Tensor t) => string.Join(", ", t.shape);
}
