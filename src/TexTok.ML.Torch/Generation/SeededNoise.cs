namespace TexTok.ML.Torch.Generation;

/// <summary>
/// Deterministic random numbers for training and sampling, generated in C# so that they depend only on the seed and
/// the position in the run (not on libtorch's global generator, the thread count or the batch composition).
/// </summary>
public static class SeededNoise
{
    /// <summary>A stable 32-bit seed from a seed and two counters (SplitMix64 finaliser; unlike <see cref="HashCode"/> it is the same in every process).</summary>
    /// <param name="seed">Run seed.</param>
    /// <param name="a">First counter (e.g. the step).</param>
    /// <param name="b">Second counter (e.g. the sample or a purpose tag).</param>
    public static int Mix(long seed, long a, long b)
    {
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)a * 0xBF58476D1CE4E5B9UL + (ulong)b * 0x94D049BB133111EBUL + 0x2545F4914F6CDD1DUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return unchecked((int)(z & 0x7FFFFFFF));
    }

    /// <summary>Fills <paramref name="destination"/> with standard normal values (Box–Muller) drawn from <paramref name="random"/>.</summary>
    /// <param name="random">Source of uniforms.</param>
    /// <param name="destination">Values to fill.</param>
    public static void FillStandardNormal(Random random, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            destination[i] = (float)(radius * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < destination.Length)
            {
                destination[i + 1] = (float)(radius * Math.Sin(2 * Math.PI * u2));
            }
        }
    }

    /// <summary>One standard normal value (Box–Muller) from <paramref name="random"/>.</summary>
    /// <param name="random">Source of uniforms.</param>
    public static double StandardNormal(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
