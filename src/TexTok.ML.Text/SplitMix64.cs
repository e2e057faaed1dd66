namespace TexTok.ML.Text;

/// <summary>
/// The SplitMix64 generator used in counter mode: the value at any position of a stream is computed
/// directly, so a frozen vector needs no stored table and no sequential state.
/// </summary>
internal static class SplitMix64
{
    private const ulong GoldenGamma = 0x9E37_79B9_7F4A_7C15UL;

    /// <summary>The SplitMix64 output finaliser, a bijective avalanche mix of 64 bits.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// The output at zero-based <paramref name="index"/> of the SplitMix64 stream whose initial state is
    /// <paramref name="state"/>; equal to the (index + 1)-th call of the sequential generator.
    /// </summary>
    public static ulong At(ulong state, ulong index) => Mix(state + (index + 1) * GoldenGamma);

    /// <summary>Maps 64 random bits to a double in (0, 1], never zero so its logarithm is finite.</summary>
    public static double ToOpenClosedUnit(ulong bits) => ((bits >> 11) + 1) * (1.0 / (1UL << 53));

    /// <summary>Maps 64 random bits to a double in [0, 1).</summary>
    public static double ToClosedOpenUnit(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));
}
