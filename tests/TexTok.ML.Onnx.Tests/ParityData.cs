using TexTok.ML.Torch;
using TexTok.ML.Torch.Tokenizer;
using static TorchSharp.torch;

namespace TexTok.ML.Onnx.Tests;

/// <summary>Tiny models with every parameter perturbed (so zero-initialised biases and the refinement conv matter) and seeded inputs.</summary>
internal static class ParityData
{
    public static TexTokConfig TinyConfig(bool useText = true) =>
        TexTokConfig.FromPreset(TexTokPreset.Tiny, 32, 8, textTokens: 6, textDim: 16, useText: useText);

    public static TexTokModel PerturbedModel(TexTokConfig config, int seed)
    {
        manual_seed(seed);
        var model = new TexTokModel(config);
        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var parameter in model.parameters())
        {
            parameter.AddInPlace(randn_like(parameter), 0.1);
        }

        return model;
    }

    /// <summary>Images in [−1, 1], text N(0, 1), and a mask cycling through rows with 2 padded positions, no padding, and all padding.</summary>
    public static (Tensor Image, Tensor Text, Tensor Mask) Inputs(TexTokConfig config, int batch, int seed)
    {
        manual_seed(seed);
        var image = rand(new long[] { batch, 3, config.ImageSize, config.ImageSize }).Times(2).Minus(1);
        var text = randn(new long[] { batch, config.TextTokens, config.TextDim });
        var maskValues = new float[batch * config.TextTokens];
        for (int b = 0; b < batch; b++)
        {
            int valid = (b % 3) switch { 0 => config.TextTokens - 2, 1 => config.TextTokens, _ => 0 };
            for (int i = 0; i < valid; i++)
            {
                maskValues[(b * config.TextTokens) + i] = 1;
            }
        }

        var mask = tensor(maskValues, new long[] { batch, config.TextTokens });
        return (image, text, mask);
    }

    public static OnnxFloatTensor ToOnnx(Tensor t) => new(t.contiguous().data<float>().ToArray(), t.shape);

    public static double MaxAbsDifference(Tensor expected, OnnxFloatTensor actual)
    {
        CollectionAssert.AreEqual(expected.shape, actual.Shape.ToArray(), "shape");
        var e = expected.contiguous().data<float>().ToArray();
        double max = 0;
        for (int i = 0; i < e.Length; i++)
        {
            Assert.IsTrue(float.IsFinite(actual.Data[i]), $"non-finite ONNX output at {i}");
            max = Math.Max(max, Math.Abs(e[i] - actual.Data[i]));
        }

        return max;
    }
}
