using static TorchSharp.torch;

namespace TexTok.ML.Torch.Generation;

/// <summary>The adaLN modulation of DiT: x·(1 + scale) + shift, with per-sample shift and scale broadcast over tokens.</summary>
public static partial class Modulation
{
    /// <summary>Returns <paramref name="x"/> [B, L, D] · (1 + <paramref name="scale"/> [B, D]) + <paramref name="shift"/> [B, D].</summary>
    /// <param name="x">Normalised tokens.</param>
    /// <param name="shift">Shift per sample.</param>
    /// <param name="scale">Scale per sample (0 is the identity).</param>
    public static Tensor Modulate(Tensor x, Tensor shift, Tensor scale)
    {
        using var scope = NewDisposeScope();
        return x.mul(scale.unsqueeze(1).Plus(1.0)).Plus(shift.unsqueeze(1)).MoveToOuterDisposeScope();
    }
}
