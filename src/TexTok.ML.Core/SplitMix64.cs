namespace TexTok.ML.Core;

/// <summary>
/// The SplitMix64 generator (Steele, Lea and Flood 2014), the project's one source of seeded random numbers where a
/// value is part of a contract (frozen caption vectors, generated scenes, a pipeline's sampler noise): unlike
/// <see cref="Random"/>, whose seeded sequence .NET does not promise to keep, it is defined here and is the same on
/// every machine and runtime. Use it sequentially (<see cref="NextBits"/>) or in counter mode (<see cref="At"/>, the
/// value at any position of a stream without the ones before it).
/// </summary>
internal struct SplitMix64
{
    /// <summary>The state increment, 2^64 / φ rounded to odd.</summary>
    public const ulong GoldenGamma = 0x9E37_79B9_7F4A_7C15UL;

    private ulong _state;

    /// <summary>A stream whose state starts at <paramref name="state"/>; its first value is <c>At(state, 0)</c>.</summary>
    public SplitMix64(ulong state)
    {
        _state = state;
    }

    /// <summary>The output finaliser, a bijective avalanche mix of 64 bits.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// The output at zero-based <paramref name="index"/> of the stream whose initial state is <paramref name="state"/>;
    /// equal to the (index + 1)-th <see cref="NextBits"/> of <c>new SplitMix64(state)</c>.
    /// </summary>
    public static ulong At(ulong state, ulong index) => Mix(state + ((index + 1) * GoldenGamma));

    /// <summary>Maps 64 random bits to a double in (0, 1], never zero so its logarithm is finite.</summary>
    public static double ToOpenClosedUnit(ulong bits) => ((bits >> 11) + 1) * (1.0 / (1UL << 53));

    /// <summary>Maps 64 random bits to a double in [0, 1).</summary>
    public static double ToClosedOpenUnit(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));

    /// <summary>The next 64 random bits.</summary>
    public ulong NextBits()
    {
        _state += GoldenGamma;
        return Mix(_state);
    }

    /// <summary>A double in [0, 1).</summary>
    public double NextDouble() => ToClosedOpenUnit(NextBits());

    /// <summary>A value in [0, <paramref name="bound"/>); the bias of the multiply-shift reduction is below 2^-32.</summary>
    public int Next(int bound) => (int)(((NextBits() >> 32) * (ulong)bound) >> 32);
}
