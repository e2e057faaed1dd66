using static TorchSharp.torch;

namespace TexTok.ML.Torch.Checkpoints;

/// <summary>Every tensor and the metadata of a safetensors file; disposing it disposes the tensors.</summary>
public sealed class SafeTensorsContents : IDisposable
{
    internal SafeTensorsContents(Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>Float32 CPU tensors by name.</summary>
    public Dictionary<string, Tensor> Tensors { get; }

    /// <summary>The <c>__metadata__</c> strings.</summary>
    public Dictionary<string, string> Metadata { get; }

    /// <summary>The tensors whose names start with <paramref name="prefix"/>, keyed by the rest of the name (not copies).</summary>
    /// <param name="prefix">Name prefix, e.g. "model.".</param>
    public Dictionary<string, Tensor> Section(string prefix) =>
        Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
               .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);

    /// <summary>Deconstructs into the tensors and the metadata.</summary>
    /// <param name="tensors">The tensors.</param>
    /// <param name="metadata">The metadata.</param>
    public void Deconstruct(out Dictionary<string, Tensor> tensors, out Dictionary<string, string> metadata)
    {
        tensors = Tensors;
        metadata = Metadata;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in Tensors.Values)
        {
            t.Dispose();
        }

        Tensors.Clear();
    }
}
