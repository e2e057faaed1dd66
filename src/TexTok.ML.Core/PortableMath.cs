namespace TexTok.ML.Core;

/// <summary>
/// Logarithm, exponential and sine/cosine built only from IEEE 754 addition, multiplication and
/// division, so that every machine computes bit-identical results.
/// </summary>
/// <remarks>
/// <see cref="Math.Log(double)"/>, <see cref="Math.Exp"/>, <see cref="Math.Sin"/> and
/// <see cref="Math.Cos"/> defer to the platform C runtime, whose last-bit rounding differs between
/// operating systems and CPUs. The frozen embeddings promise identical values everywhere, so the few
/// transcendental functions they need are evaluated here with fixed polynomial kernels instead.
/// The accuracy (a few units in the last place of a double) is far finer than the single-precision
/// output needs; determinism is the point.
/// </remarks>
internal static class PortableMath
{
    // ln 2 and pi/2 split into a head with trailing zero bits and a tail, so that k * head is exact
    // for the small integers k that range reduction produces.
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double HalfPiHi = 1.57079632673412561417e+00;
    private const double HalfPiLo = 6.07710050650619224932e-11;
    private const double InvHalfPi = 6.36619772367581382433e-01;
    private const double InvLn2 = 1.44269504088896338700e+00;
    private const double Sqrt2 = 1.41421356237309514547e+00;

    /// <summary>Natural logarithm of a positive, finite, normal <paramref name="x"/>.</summary>
    public static double Log(double x)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        int exponent = (int)((bits >> 52) & 0x7FF) - 1023;
        double mantissa = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);

        // Centre the mantissa on 1 so the atanh series below converges in a dozen terms.
        if (mantissa > Sqrt2)
        {
            mantissa *= 0.5;
            exponent++;
        }

        // ln m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (m - 1) / (m + 1), |s| <= 0.172.
        double s = (mantissa - 1.0) / (mantissa + 1.0);
        double s2 = s * s;
        double series = 1.0 / 25.0;
        for (int n = 23; n >= 1; n -= 2)
        {
            series = series * s2 + 1.0 / n;
        }

        double lnMantissa = 2.0 * s * series;
        return exponent * Ln2Hi + (lnMantissa + exponent * Ln2Lo);
    }

    /// <summary>Exponential of <paramref name="x"/>, for |x| &lt; 700.</summary>
    public static double Exp(double x)
    {
        double k = Math.Round(x * InvLn2);
        double r = (x - k * Ln2Hi) - k * Ln2Lo;

        // Taylor series on |r| <= ln2 / 2; the 18th-order term is below 1e-19.
        double sum = 1.0;
        for (int n = 18; n >= 1; n--)
        {
            sum = 1.0 + sum * r / n;
        }

        double scale = BitConverter.Int64BitsToDouble((long)((int)k + 1023) << 52);
        return sum * scale;
    }

    /// <summary>Sine and cosine of <paramref name="x"/>, for |x| &lt; 1e6.</summary>
    public static (double Sin, double Cos) SinCos(double x)
    {
        double k = Math.Round(x * InvHalfPi);
        double r = (x - k * HalfPiHi) - k * HalfPiLo;

        double sin = SinKernel(r);
        double cos = CosKernel(r);
        return ((long)k & 3) switch
        {
            0 => (sin, cos),
            1 => (cos, -sin),
            2 => (-sin, -cos),
            _ => (-cos, sin),
        };
    }

    // Taylor series on |r| <= pi/4; the first omitted term is below 1e-19.
    private static double SinKernel(double r)
    {
        double r2 = r * r;
        double sum = 1.0;
        for (int n = 19; n >= 3; n -= 2)
        {
            sum = 1.0 - sum * r2 / (n * (n - 1));
        }

        return r * sum;
    }

    private static double CosKernel(double r)
    {
        double r2 = r * r;
        double sum = 1.0;
        for (int n = 20; n >= 2; n -= 2)
        {
            sum = 1.0 - sum * r2 / (n * (n - 1));
        }

        return sum;
    }
}
