using TexTok.ML.Torch;
using TexTok.ML.Torch.Generation;
using static TorchSharp.torch;

namespace TexTok.ML.Onnx.Tests;

/// <summary>Tiny DiT generators with every parameter drawn at random (so zero-initialised paths carry signal) and seeded inputs.</summary>
internal static class DiTParityData
{
    public static DiTConfig Config(string kind) => kind switch
    {
        "class" => DiTConfig.FromPreset(DiTPreset.Tiny, numTokens: 8, tokenDim: 4, numClasses: 5) with { FrequencyDim = 32 },
        "text" => DiTConfig.FromPreset(DiTPreset.Tiny, numTokens: 8, tokenDim: 4, numClasses: 0, textTokens: 6, textDim: 12) with { FrequencyDim = 32 },
        "none" => DiTConfig.FromPreset(DiTPreset.Tiny, numTokens: 8, tokenDim: 4, numClasses: 0) with { FrequencyDim = 32 },
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "class, text or none"),
    };

    public static DiTModel RandomModel(DiTConfig config, int seed)
    {
        manual_seed(seed);
        var model = new DiTModel(config) { Normalization = new LatentNormalization(0.25, 1.6) };
        model.eval();
        using var noGrad = no_grad();
        foreach (var parameter in model.parameters())
        {
            parameter.normal_(0, 0.1);
        }

        return model;
    }

    /// <summary>Captions N(0, 1) with masks cycling through 2 padded positions, none, and all padded.</summary>
    public static (float[][] Texts, float[][] Masks) Captions(DiTConfig config, int count, int seed)
    {
        var texts = new float[count][];
        var masks = new float[count][];
        for (int b = 0; b < count; b++)
        {
            texts[b] = new float[config.TextTokens * config.TextDim];
            SeededNoise.FillStandardNormal(seed, b, 0xCA9, texts[b]);
            int valid = (b % 3) switch { 0 => config.TextTokens - 2, 1 => config.TextTokens, _ => 0 };
            masks[b] = Enumerable.Range(0, config.TextTokens).Select(i => i < valid ? 1f : 0f).ToArray();
        }

        return (texts, masks);
    }

    public static int[] Labels(DiTConfig config, int count) => Enumerable.Range(0, count).Select(i => (3 * i + 1) % config.NumClasses).ToArray();

    public static OnnxFloatTensor ToOnnx(Tensor t) => new(t.contiguous().data<float>().ToArray(), t.shape);

    public static double MaxAbsDifference(float[][] expected, float[][] actual)
    {
        Assert.HasCount(expected.Length, actual);
        double max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.HasCount(expected[i].Length, actual[i]);
            for (int j = 0; j < expected[i].Length; j++)
            {
                Assert.IsTrue(float.IsFinite(actual[i][j]), $"non-finite ONNX output at sample {i}, value {j}");
                max = Math.Max(max, Math.Abs(expected[i][j] - actual[i][j]));
            }
        }

        return max;
    }
}
