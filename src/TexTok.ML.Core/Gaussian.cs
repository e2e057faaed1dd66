namespace TexTok.ML.Core;

/// <summary>
/// Standard normal values by the Box–Muller transform, written once for every seeded draw of the project. The
/// logarithm and sine/cosine come from <see cref="PortableMath"/>, so a seeded draw is bit-identical on every machine.
/// </summary>
internal static class Gaussian
{
    /// <summary>Two independent standard normal values from a uniform <paramref name="u1"/> in (0, 1] and <paramref name="u2"/> in [0, 1).</summary>
    public static (double First, double Second) Pair(double u1, double u2)
    {
        double radius = Math.Sqrt(-2.0 * PortableMath.Log(u1));
        (double sin, double cos) = PortableMath.SinCos(2.0 * Math.PI * u2);
        return (radius * cos, radius * sin);
    }

    /// <summary>Fills <paramref name="destination"/> with standard normal values drawn in order from <paramref name="random"/>.</summary>
    public static void Fill(ref SplitMix64 random, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i += 2)
        {
            var (first, second) = Next(ref random);
            destination[i] = (float)first;
            if (i + 1 < destination.Length)
            {
                destination[i + 1] = (float)second;
            }
        }
    }

    /// <summary>One pair of standard normal values, the next two uniforms of <paramref name="random"/>.</summary>
    public static (double First, double Second) Next(ref SplitMix64 random)
    {
        double u1 = SplitMix64.ToOpenClosedUnit(random.NextBits());
        double u2 = SplitMix64.ToClosedOpenUnit(random.NextBits());
        return Pair(u1, u2);
    }
}
