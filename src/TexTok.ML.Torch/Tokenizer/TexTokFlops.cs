namespace TexTok.ML.Torch.Tokenizer;

/// <summary>
/// Floating-point operation counts of the TexTok networks (a multiply-add counts as two), from the matrix products,
/// attention and convolutions; element-wise work (norms, GELU, softmax) is ignored, as is customary.
/// </summary>
public static class TexTokFlops
{
    /// <summary>Forward FLOPs of the tokenizer for one image.</summary>
    /// <param name="config">Network shape.</param>
    public static double Encoder(TexTokConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        double d = config.Width, p = config.PatchSize, patches = config.NumPatches, c = config.ConvStemChannels;
        double half = config.ImageSize / 2.0;
        double stem = c > 0 ? 2 * half * half * 3 * 9 * c : 0;
        double patchEmbed = c > 0 ? 2 * patches * c * (p / 2) * (p / 2) * d : 2 * patches * 3 * p * p * d;
        double head = 2 * config.NumTokens * d * 2 * config.TokenDim;
        return stem + patchEmbed + TokenMix(config) + Text(config) + Transformer(config) + head;
    }

    /// <summary>Forward FLOPs of the detokenizer for one image.</summary>
    /// <param name="config">Network shape.</param>
    public static double Decoder(TexTokConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        double d = config.Width, p = config.PatchSize, patches = config.NumPatches;
        double tokenProjection = 2 * config.NumTokens * config.TokenDim * d;
        int channels = config.ConvHeadChannels > 0 ? config.ConvHeadChannels : 3;
        double pixelHead = 2 * patches * d * channels * p * p;
        double pixels = (double)config.ImageSize * config.ImageSize;
        double convolution = config.ConvHeadChannels > 0 ? 2 * pixels * channels * 9 * 3 : config.RefineConv ? 2 * pixels * 3 * 27 : 0;
        return tokenProjection + TokenMix(config) + Text(config) + Transformer(config) + pixelHead + convolution;
    }

    /// <summary>
    /// FLOPs of one training step of the tokenizer–detokenizer pair per image: forward plus backward, counted as
    /// three forward passes (the usual estimate; the discriminator and perceptual network are not included).
    /// </summary>
    /// <param name="config">Network shape.</param>
    public static double TrainingStepPerImage(TexTokConfig config) => 3 * (Encoder(config) + Decoder(config));

    /// <summary>Length of the transformer's input sequence: patches (or patch queries), image tokens and text tokens.</summary>
    /// <param name="config">Network shape.</param>
    public static int SequenceLength(TexTokConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.NumPatches + config.NumTokens + (config.UseText ? config.TextTokens : 0);
    }

    private static double TokenMix(TexTokConfig config) =>
        config.TokenMixing ? 2.0 * config.NumTokens * config.NumPatches * config.Width : 0;

    private static double Text(TexTokConfig config) =>
        config.UseText ? 2.0 * config.TextTokens * config.TextDim * config.Width : 0;

    private static double Transformer(TexTokConfig config)
    {
        double l = SequenceLength(config), d = config.Width;
        double projections = 2 * l * d * 4 * d;            // q, k, v and output projections
        double attention = 2 * 2 * l * l * d;              // scores and the weighted sum over values
        double mlp = 2 * 2 * l * d * config.MlpRatio * d;  // two linear layers
        return config.Depth * (projections + attention + mlp);
    }
}
