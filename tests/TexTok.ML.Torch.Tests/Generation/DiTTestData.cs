using TexTok.ML.Torch.Generation;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tests.Generation;

/// <summary>Small seeded DiT configurations and data shared by the generation tests.</summary>
internal static class DiTTestData
{
    public static DiTConfig ClassConfig(int numClasses = 4, int numTokens = 8, int tokenDim = 4) =>
        DiTConfig.FromPreset(DiTPreset.Tiny, numTokens, tokenDim, numClasses) with { FrequencyDim = 32 };

    public static DiTConfig TextConfig(int textTokens = 5, int textDim = 12) =>
        DiTConfig.FromPreset(DiTPreset.Tiny, numTokens: 8, tokenDim: 4, numClasses: 0, textTokens: textTokens, textDim: textDim) with { FrequencyDim = 32 };

    /// <summary>Replaces every parameter by N(0, 0.1²) so that zero-initialised paths carry signal.</summary>
    public static void Randomize(nn.Module module, int seed)
    {
        manual_seed(seed);
        using var noGrad = no_grad();
        foreach (var p in module.parameters())
        {
            p.normal_(0, 0.1);
        }
    }

    /// <summary><paramref name="count"/> fixed token vectors (N·d floats), one per class, well apart.</summary>
    public static float[][] Tokens(DiTConfig config, int count, int seed, double scale = 2.0)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
            Enumerable.Range(0, config.TokenLength).Select(_ => (float)(scale * (random.NextDouble() * 2 - 1))).ToArray()).ToArray();
    }

    public static TokenDataset TextDataset(DiTConfig config, int count, int seed)
    {
        var random = new Random(seed);
        var tokens = Tokens(config, count, seed + 1);
        var texts = Enumerable.Range(0, count).Select(_ =>
            Enumerable.Range(0, config.TextTokens * config.TextDim).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
        var masks = Enumerable.Range(0, count).Select(i =>
            Enumerable.Range(0, config.TextTokens).Select(j => j <= i % config.TextTokens ? 1f : 0f).ToArray()).ToArray();
        return TokenDataset.WithText(tokens, texts, masks);
    }

    public static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());
}
