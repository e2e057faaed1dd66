using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tokenizer;

/// <summary>Batched, gradient-free use of a trained <see cref="TexTokModel"/> on flat float arrays.</summary>
public static class TexTokInference
{
    /// <summary>
    /// Reconstructs <paramref name="count"/> images (CHW in [−1, 1], concatenated) through the posterior mean and
    /// returns the reconstructions in the same layout, clamped to [−1, 1].
    /// </summary>
    /// <param name="model">The model (put in evaluation mode by this call).</param>
    /// <param name="images">count·3·H·W values.</param>
    /// <param name="texts">count·Nt·Dt values, or null for a baseline model.</param>
    /// <param name="masks">count·Nt values, or null for a baseline model.</param>
    /// <param name="count">Number of images.</param>
    /// <param name="batchSize">Images per forward pass.</param>
    public static float[] Reconstruct(TexTokModel model, float[] images, float[]? texts, float[]? masks, int count, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        var config = model.Config;
        int imageLength = 3 * config.ImageSize * config.ImageSize;
        return Run(model, images, texts, masks, count, batchSize, imageLength,
            (image, text, mask) => model.forward(image, text, mask).ClampTo(-1, 1));
    }

    /// <summary>Posterior means [count·N·d] of the tokens of <paramref name="count"/> images.</summary>
    /// <param name="model">The model (put in evaluation mode by this call).</param>
    /// <param name="images">count·3·H·W values in [−1, 1].</param>
    /// <param name="texts">count·Nt·Dt values, or null for a baseline model.</param>
    /// <param name="masks">count·Nt values, or null for a baseline model.</param>
    /// <param name="count">Number of images.</param>
    /// <param name="batchSize">Images per forward pass.</param>
    public static float[] Encode(TexTokModel model, float[] images, float[]? texts, float[]? masks, int count, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        var config = model.Config;
        return Run(model, images, texts, masks, count, batchSize, config.NumTokens * config.TokenDim,
            (image, text, mask) => model.Encode(image, text, mask).Mean);
    }

    private static float[] Run(TexTokModel model, float[] images, float[]? texts, float[]? masks, int count, int batchSize, int outputLength,
                               Func<Tensor, Tensor?, Tensor?, Tensor> compute)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var config = model.Config;
        int s = config.ImageSize, imageLength = 3 * s * s, textLength = config.TextTokens * config.TextDim;
        Check(images.Length, (long)count * imageLength, nameof(images));
        if (config.UseText)
        {
            Check(texts?.Length ?? -1, (long)count * textLength, nameof(texts));
            Check(masks?.Length ?? -1, (long)count * config.TextTokens, nameof(masks));
        }

        model.eval();
        var output = new float[(long)count * outputLength];
        using var noGrad = no_grad();
        var device = model.parameters().First().device;
        for (int start = 0; start < count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int b = Math.Min(batchSize, count - start);
            var image = tensor(images.AsSpan(start * imageLength, b * imageLength).ToArray(), new long[] { b, 3, s, s }, device: device);
            Tensor? text = null, mask = null;
            if (config.UseText)
            {
                text = tensor(texts!.AsSpan(start * textLength, b * textLength).ToArray(), new long[] { b, config.TextTokens, config.TextDim }, device: device);
                mask = tensor(masks!.AsSpan(start * config.TextTokens, b * config.TextTokens).ToArray(), new long[] { b, config.TextTokens }, device: device);
            }

            var result = compute(image, text, mask).cpu().contiguous();
            result.data<float>().CopyTo(output.AsSpan(start * outputLength, b * outputLength));
        }

        return output;
    }

    private static void Check(long actual, long expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException(actual < 0
                ? $"This model is text-conditioned: '{name}' is required."
                : $"'{name}' holds {actual} values; expected {expected}.", name);
        }
    }
}
