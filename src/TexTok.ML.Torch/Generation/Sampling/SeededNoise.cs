using TexTok.ML.Core;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// Deterministic random numbers for training and sampling, generated in C# so that they depend only on the seed and
/// the position in the run (not on libtorch's global generator, the thread count or the batch composition). The
/// standard normal streams (<see cref="FillStandardNormal"/>) come from the project's own SplitMix64 generator and
/// Box–Muller transform with portable math, so a seed gives the same noise on every machine and .NET version: a saved
/// DiTGenerate pipeline's noise is part of its contract.
/// </summary>
public static class SeededNoise
{
    /// <summary>A stable 32-bit seed from a seed and two counters (SplitMix64 finaliser; unlike <see cref="HashCode"/> it is the same in every process).</summary>
    /// <param name="seed">Run seed.</param>
    /// <param name="a">First counter (e.g. the step).</param>
    /// <param name="b">Second counter (e.g. the sample or a purpose tag).</param>
    public static int Mix(long seed, long a, long b) => unchecked((int)(Key(seed, a, b) & 0x7FFFFFFF));

    /// <summary>
    /// Fills <paramref name="destination"/> with standard normal values: the stream keyed by (<paramref name="seed"/>,
    /// <paramref name="a"/>, <paramref name="b"/>), the same on every machine and runtime.
    /// </summary>
    /// <param name="seed">Run seed.</param>
    /// <param name="a">First counter (e.g. the sample index).</param>
    /// <param name="b">Second counter (e.g. a purpose tag).</param>
    /// <param name="destination">Values to fill.</param>
    public static void FillStandardNormal(long seed, long a, long b, Span<float> destination)
    {
        var stream = new SplitMix64(Key(seed, a, b));
        Gaussian.Fill(ref stream, destination);
    }

    /// <summary>One standard normal value (Box–Muller) from two uniforms of <paramref name="random"/>.</summary>
    /// <param name="random">Source of uniforms.</param>
    public static double StandardNormal(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double u1 = 1.0 - random.NextDouble();
        return Gaussian.Pair(u1, random.NextDouble()).First;
    }

    private static ulong Key(long seed, long a, long b) =>
        SplitMix64.Mix(unchecked(((ulong)seed * 0x9E3779B97F4A7C15UL) + ((ulong)a * 0xBF58476D1CE4E5B9UL) + ((ulong)b * 0x94D049BB133111EBUL) + 0x2545F4914F6CDD1DUL));
}
