namespace TexTok.ML.Data;

/// <summary>
/// A SplitMix64 generator. Scene parameters are drawn with it instead of <see cref="Random"/> so the dataset does
/// not depend on the runtime's generator, which .NET does not promise to keep stable across versions.
/// </summary>
internal struct SceneRandom
{
    private const ulong GoldenGamma = 0x9E37_79B9_7F4A_7C15UL;

    private ulong _state;

    /// <summary>Starts a stream whose position is fully determined by the given key parts.</summary>
    public SceneRandom(ulong first, ulong second, ulong third, ulong fourth)
    {
        _state = Mix(Mix(Mix(Mix(first) ^ second) ^ third) ^ fourth);
    }

    /// <summary>The SplitMix64 output finaliser, a bijective avalanche mix of 64 bits.</summary>
    public static ulong Mix(ulong z)
    {
        z += GoldenGamma;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Maps 64 bits to a double in [0, 1).</summary>
    public static double ToUnit(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));

    /// <summary>The next 64 random bits.</summary>
    public ulong NextBits()
    {
        _state += GoldenGamma;
        ulong z = _state;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A value in [0, <paramref name="bound"/>); the bias of the multiply-shift reduction is below 2^-32.</summary>
    public int Next(int bound) => (int)(((NextBits() >> 32) * (ulong)bound) >> 32);

    /// <summary>A double in [0, 1).</summary>
    public double NextDouble() => ToUnit(NextBits());
}
