using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// The fixed 1D sine-cosine position table of MAE and DiT (DiT uses its 2D form; TexTok's tokens are a 1D sequence):
/// row p is [sin(p·ω₀) … sin(p·ω_{D/2−1}), cos(p·ω₀) … cos(p·ω_{D/2−1})] with ω_i = 10000^(−i/(D/2)).
/// </summary>
public static class SinCosPositionEmbedding
{
    /// <summary>The table as a [<paramref name="length"/>, <paramref name="width"/>] float array, row-major.</summary>
    /// <param name="length">Number of positions.</param>
    /// <param name="width">Embedding width; must be even.</param>
    public static float[] Values(int length, int width)
    {
        if (width % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, $"The sin-cos position width must be even; got {width}.");
        }

        int half = width / 2;
        var table = new float[length * width];
        for (int p = 0; p < length; p++)
        {
            for (int i = 0; i < half; i++)
            {
                double omega = Math.Pow(10000.0, -(double)i / half);
                table[p * width + i] = (float)Math.Sin(p * omega);
                table[p * width + half + i] = (float)Math.Cos(p * omega);
            }
        }

        return table;
    }

    /// <summary>The table as a [<paramref name="length"/>, <paramref name="width"/>] tensor.</summary>
    /// <param name="length">Number of positions.</param>
    /// <param name="width">Embedding width; must be even.</param>
    public static Tensor Create(int length, int width) => torch.tensor(Values(length, width), new long[] { length, width });
}
