namespace TexTok.ML.Text.Tests;

/// <summary>
/// An independent, straightforward transcription of the embedding formula in docs/text-encoders.md,
/// using the platform's <see cref="Math"/> functions, to check the encoder against its documentation.
/// </summary>
internal static class ReferenceFormula
{
    public static double[] Row(int seed, int tokenId, int position, int dim)
    {
        ulong state = Mix(Mix((ulong)(long)seed) + (uint)tokenId);
        var gaussian = new double[dim];
        for (int k = 0; 2 * k < dim; k++)
        {
            ulong a = Mix(state + (ulong)(2 * k + 1) * 0x9E3779B97F4A7C15UL);
            ulong b = Mix(state + (ulong)(2 * k + 2) * 0x9E3779B97F4A7C15UL);
            double u1 = ((a >> 11) + 1) / 9007199254740992.0;
            double u2 = (b >> 11) / 9007199254740992.0;
            double r = Math.Sqrt(-2 * Math.Log(u1));
            gaussian[2 * k] = r * Math.Cos(2 * Math.PI * u2);
            if (2 * k + 1 < dim)
            {
                gaussian[2 * k + 1] = r * Math.Sin(2 * Math.PI * u2);
            }
        }

        double[] e = DivideByRms(gaussian);
        var y = new double[dim];
        for (int d = 0; d < dim; d++)
        {
            int i = d / 2;
            double omega = Math.Pow(10000, -2.0 * i / dim);
            y[d] = e[d] + (d % 2 == 0 ? Math.Sin(position * omega) : Math.Cos(position * omega));
        }

        return DivideByRms(y);
    }

    public static double Rms(ReadOnlySpan<float> row)
    {
        double sum = 0;
        foreach (float v in row)
        {
            sum += (double)v * v;
        }

        return Math.Sqrt(sum / row.Length);
    }

    private static double[] DivideByRms(double[] v)
    {
        double rms = Math.Sqrt(v.Sum(x => x * x) / v.Length);
        return v.Select(x => x / rms).ToArray();
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
