using TexTok.ML.Onnx;

namespace TexTok.ML.Torch.Modules;

/// <summary>ONNX emitter of <see cref="UnfoldConv2d"/>.</summary>
public sealed partial class UnfoldConv2d
{
    /// <summary>Emits the layer as an ONNX Conv with the same kernel, bias, stride and padding.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="input">Images [B, in, H, W].</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The output [B, out, H', W'].</returns>
    internal string EmitOnnx(OnnxGraphBuilder g, string input, string name)
    {
        var inputs = new List<string> { input, OnnxEmit.Initializer(g, name + ".weight", _weight) };
        if (_bias is not null)
        {
            inputs.Add(OnnxEmit.Initializer(g, name + ".bias", _bias));
        }

        return g.AddNode("Conv", name, inputs,
                         OnnxAttribute.Ints("kernel_shape", KernelSize, KernelSize),
                         OnnxAttribute.Ints("strides", Stride, Stride),
                         OnnxAttribute.Ints("pads", Padding, Padding, Padding, Padding));
    }
}
