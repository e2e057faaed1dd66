using TexTok.ML.Core;

namespace TexTok.ML.Text;

/// <summary>
/// The frozen token embedding: a unit-RMS Gaussian vector per token id, derived on demand from a
/// hash of (seed, token id, dimension) rather than read from a trained or stored table.
/// </summary>
internal static class FrozenTokenVectors
{
    /// <summary>
    /// Writes the vector of <paramref name="tokenId"/> into <paramref name="destination"/>, whose length
    /// is the embedding dimension. The result has a root mean square of exactly 1 up to rounding.
    /// </summary>
    public static void Write(int seed, int tokenId, Span<double> destination)
    {
        // Chaining two mixes keeps streams of neighbouring seeds and token ids unrelated.
        ulong state = SplitMix64.Mix(SplitMix64.Mix(unchecked((ulong)(long)seed)) + unchecked((ulong)(uint)tokenId));

        int dim = destination.Length;
        double sumOfSquares = 0.0;
        for (int pair = 0; 2 * pair < dim; pair++)
        {
            // Box–Muller: two uniforms from consecutive stream positions give two independent normals.
            double u1 = SplitMix64.ToOpenClosedUnit(SplitMix64.At(state, 2UL * (ulong)pair));
            double u2 = SplitMix64.ToClosedOpenUnit(SplitMix64.At(state, 2UL * (ulong)pair + 1UL));
            var (first, second) = Gaussian.Pair(u1, u2);
            destination[2 * pair] = first;
            sumOfSquares += first * first;
            if (2 * pair + 1 < dim)
            {
                destination[2 * pair + 1] = second;
                sumOfSquares += second * second;
            }
        }

        double scale = 1.0 / Math.Sqrt(sumOfSquares / dim);
        for (int d = 0; d < dim; d++)
        {
            destination[d] *= scale;
        }
    }
}
