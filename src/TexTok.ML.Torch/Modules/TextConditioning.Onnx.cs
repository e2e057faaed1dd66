using TexTok.ML.Onnx;

namespace TexTok.ML.Torch.Modules;

/// <summary>ONNX emitter of <see cref="TextConditioning"/>.</summary>
public sealed partial class TextConditioning
{
    /// <summary>Emits the projection to the model width plus the text position embedding.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="text">Text embeddings [B, Nt, Dt].</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The projected text [B, Nt, D].</returns>
    internal string EmitOnnx(OnnxGraphBuilder g, string text, string name)
    {
        var projected = OnnxEmit.Linear(g, text, _projection, name + ".proj");
        return g.AddNode("Add", name + ".add_pos", [projected, OnnxEmit.Initializer(g, name + ".pos", _position)]);
    }
}
