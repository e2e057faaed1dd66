using TexTok.ML.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tokenizer;

/// <summary>
/// The starting weights of the token-axis path (<see cref="TexTokConfig.TokenMixing"/>): each image token owns one
/// block of the patch grid, as the latent of a convolutional autoencoder owns a region of the image. The tokens are
/// laid out on a kh × kw grid (kh·kw = N, as square as the patch grid allows); the tokenizer's M_e starts as the mean
/// of each token's patches, the detokenizer's M_d gives every patch query its token. Training is free to change both;
/// the start only spares the networks from finding locality on their own.
/// </summary>
public static class TokenAxisPath
{
    /// <summary>
    /// Fills M_e [N, P] (<paramref name="encoderSide"/>) or M_d [P, N] in place. Where no block layout fits (more tokens than
    /// patches along an axis), the weights start random with unit gain, N(0, 1/fan-in).
    /// </summary>
    /// <param name="weight">The path's weight.</param>
    /// <param name="config">Network shape.</param>
    /// <param name="encoderSide">True for the tokenizer's M_e, false for the detokenizer's M_d.</param>
    public static void Initialize(Tensor weight, TexTokConfig config, bool encoderSide)
    {
        using var noGrad = torch.no_grad();
        var owner = PatchOwners(config);
        if (owner is null)
        {
            TruncatedNormal.Fill(weight, 1.0 / Math.Sqrt(weight.shape[1]));
            return;
        }

        int n = config.NumTokens, p = config.NumPatches;
        var counts = new int[n];
        foreach (int token in owner)
        {
            counts[token]++;
        }

        var values = new float[n * p];
        for (int patch = 0; patch < p; patch++)
        {
            int token = owner[patch];
            if (encoderSide)
            {
                values[(token * p) + patch] = 1f / counts[token];
            }
            else
            {
                values[(patch * n) + token] = 1f;
            }
        }

        using var start = torch.tensor(values, encoderSide ? new long[] { n, p } : new long[] { p, n });
        weight.copy_(start);
    }

    /// <summary>The token that owns each patch (row-major), or null when N tokens do not tile the patch grid in blocks.</summary>
    /// <param name="config">Network shape: its token count and patch grid.</param>
    public static int[]? PatchOwners(TexTokConfig config)
    {
        int g = config.GridSize, n = config.NumTokens;
        // The most square factorisation kh × kw = N with kh ≤ kw.
        int rows = (int)Math.Floor(Math.Sqrt(n));
        while (n % rows != 0)
        {
            rows--;
        }

        int columns = n / rows;
        if (columns > g)
        {
            return null;
        }

        var owner = new int[g * g];
        for (int y = 0; y < g; y++)
        {
            for (int x = 0; x < g; x++)
            {
                owner[(y * g) + x] = ((y * rows / g) * columns) + (x * columns / g);
            }
        }

        return owner;
    }
}
