using TexTok.ML.Core;

namespace TexTok.ML.Data;

/// <summary>
/// The random stream of one scene: a <see cref="SplitMix64"/> whose start is derived from the scene's key parts.
/// Scene parameters are drawn with it instead of <see cref="Random"/> so the dataset does not depend on the runtime's
/// generator, which .NET does not promise to keep stable across versions.
/// </summary>
internal struct SceneRandom
{
    private SplitMix64 _stream;

    /// <summary>Starts a stream whose position is fully determined by the given key parts.</summary>
    public SceneRandom(ulong first, ulong second, ulong third, ulong fourth)
    {
        _stream = new SplitMix64(Mix(Mix(Mix(Mix(first) ^ second) ^ third) ^ fourth));
    }

    /// <summary>One SplitMix64 step from <paramref name="z"/>: the first output of the stream that starts there.</summary>
    public static ulong Mix(ulong z) => SplitMix64.At(z, 0);

    /// <summary>Maps 64 bits to a double in [0, 1).</summary>
    public static double ToUnit(ulong bits) => SplitMix64.ToClosedOpenUnit(bits);

    /// <summary>A value in [0, <paramref name="bound"/>); the bias of the multiply-shift reduction is below 2^-32.</summary>
    public int Next(int bound) => _stream.Next(bound);

    /// <summary>A double in [0, 1).</summary>
    public double NextDouble() => _stream.NextDouble();
}
