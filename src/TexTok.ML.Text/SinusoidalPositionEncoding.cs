using TexTok.ML.Core;

namespace TexTok.ML.Text;

/// <summary>
/// The fixed sinusoidal position encoding of the original Transformer:
/// PE[p, 2i] = sin(p·ω_i), PE[p, 2i+1] = cos(p·ω_i), with ω_i = 10000^(−2i/D).
/// </summary>
internal sealed class SinusoidalPositionEncoding
{
    private const double LnBase = 9.210340371976184; // ln 10000

    private readonly double[] _frequencies;
    private readonly int _dimension;

    /// <summary>Prepares the encoding for vectors of <paramref name="dimension"/> components.</summary>
    public SinusoidalPositionEncoding(int dimension)
    {
        _dimension = dimension;
        _frequencies = new double[(dimension + 1) / 2];
        for (int i = 0; i < _frequencies.Length; i++)
        {
            _frequencies[i] = PortableMath.Exp(-(2.0 * i / dimension) * LnBase);
        }
    }

    /// <summary>Adds the encoding of <paramref name="position"/> to <paramref name="destination"/>.</summary>
    public void AddTo(int position, Span<double> destination)
    {
        for (int i = 0; i < _frequencies.Length; i++)
        {
            (double sin, double cos) = PortableMath.SinCos(position * _frequencies[i]);
            destination[2 * i] += sin;
            if (2 * i + 1 < _dimension)
            {
                destination[2 * i + 1] += cos;
            }
        }
    }
}
