using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tests;

/// <summary>Small seeded inputs shared by the tokenizer tests.</summary>
internal static class TestData
{
    public static TexTokConfig TinyConfig(bool useText = true, int imageSize = 32, int numTokens = 8) =>
        TexTokConfig.FromPreset(TexTokPreset.Tiny, imageSize, numTokens, textTokens: 6, textDim: 16, useText: useText);

    public static (Tensor Image, Tensor Text, Tensor Mask) Batch(TexTokConfig config, int batch, int seed)
    {
        manual_seed(seed);
        var image = rand(new long[] { batch, 3, config.ImageSize, config.ImageSize }).Times(2).Minus(1);
        var text = randn(new long[] { batch, config.TextTokens, config.TextDim });
        var mask = ones(batch, config.TextTokens);
        return (image, text, mask);
    }

    /// <summary>Smooth, structured images (gradients and a bright square) that a tiny model can learn.</summary>
    public static InMemorySampleSource Samples(TexTokConfig config, int count, int seed)
    {
        var random = new Random(seed);
        var images = new List<float[]>();
        var texts = new List<float[]>();
        var masks = new List<float[]>();
        int s = config.ImageSize;
        for (int n = 0; n < count; n++)
        {
            var img = new float[3 * s * s];
            double a = random.NextDouble(), b = random.NextDouble();
            int x0 = random.Next(s / 2), y0 = random.Next(s / 2), w = s / 4 + random.Next(s / 4);
            for (int c = 0; c < 3; c++)
            {
                for (int y = 0; y < s; y++)
                {
                    for (int x = 0; x < s; x++)
                    {
                        bool inside = x >= x0 && x < x0 + w && y >= y0 && y < y0 + w;
                        double v = inside ? (c == n % 3 ? 0.9 : -0.6) : (a * x / s + b * y / s) - 0.5 + 0.2 * c;
                        img[(c * s + y) * s + x] = (float)Math.Clamp(v, -1, 1);
                    }
                }
            }

            images.Add(img);
            var text = new float[config.TextTokens * config.TextDim];
            for (int i = 0; i < text.Length; i++)
            {
                text[i] = (float)(random.NextDouble() * 2 - 1);
            }

            texts.Add(text);
            var mask = new float[config.TextTokens];
            int valid = 1 + random.Next(config.TextTokens);
            for (int i = 0; i < valid; i++)
            {
                mask[i] = 1;
            }

            masks.Add(mask);
        }

        return config.UseText ? new InMemorySampleSource(images, texts, masks) : new InMemorySampleSource(images);
    }
    /// <summary>
    /// Images in the manner of CaptionedShapes, without text: a flat background and two small squares of other colours
    /// at seeded places. Their background colour alone leaves most of the error in the squares.
    /// </summary>
    public static InMemorySampleSource Scenes(int imageSize, int count, int seed)
    {
        var random = new Random(seed);
        var images = new List<float[]>();
        int s = imageSize;
        for (int n = 0; n < count; n++)
        {
            var img = new float[3 * s * s];
            var background = Enumerable.Range(0, 3).Select(_ => (float)(random.NextDouble() * 1.6 - 0.8)).ToArray();
            for (int c = 0; c < 3; c++)
            {
                Array.Fill(img, background[c], c * s * s, s * s);
            }

            for (int square = 0; square < 2; square++)
            {
                int w = s / 8 + random.Next(s / 8), x0 = random.Next(s - w), y0 = random.Next(s - w);
                var colour = Enumerable.Range(0, 3).Select(_ => (float)(random.NextDouble() * 1.8 - 0.9)).ToArray();
                for (int c = 0; c < 3; c++)
                {
                    for (int y = y0; y < y0 + w; y++)
                    {
                        Array.Fill(img, colour[c], (c * s + y) * s + x0, w);
                    }
                }
            }

            images.Add(img);
        }

        return new InMemorySampleSource(images);
    }
}
