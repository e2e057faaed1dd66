using TexTok.ML.Onnx;
using TexTok.ML.Torch.Modules;

namespace TexTok.ML.Torch.Generation;

/// <summary>ONNX emitter of <see cref="TimestepEmbedder"/>.</summary>
public sealed partial class TimestepEmbedder
{
    /// <summary>
    /// Emits the sinusoidal embedding of <paramref name="t"/> ([B] or [1], on DiT's 0–1000 scale) computed in the graph,
    /// then Linear → SiLU → Linear, as <see cref="forward"/>.
    /// </summary>
    /// <param name="g">The graph.</param>
    /// <param name="t">Timesteps.</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The embedding [B, width] (or [1, width]).</returns>
    internal string EmitOnnx(OnnxGraphBuilder g, string t, string name)
    {
        var frequencies = g.Shared((this, "frequencies"), () => g.AddInitializer(name + ".frequencies", _frequencies, 1, _frequencies.Length));
        var arguments = g.AddNode("Mul", name + ".arguments", [OnnxEmit.Unsqueeze(g, t, name + ".t", 1), frequencies]);
        var embedding = g.AddNode("Concat", name + ".frequency_embedding",
            [g.AddNode("Cos", name + ".cos", [arguments]), g.AddNode("Sin", name + ".sin", [arguments])], OnnxAttribute.Int("axis", 1));
        var hidden = OnnxEmit.Silu(g, OnnxEmit.Linear(g, embedding, _fc1, name + ".fc1"), name + ".silu");
        return OnnxEmit.Linear(g, hidden, _fc2, name + ".fc2");
    }
}
