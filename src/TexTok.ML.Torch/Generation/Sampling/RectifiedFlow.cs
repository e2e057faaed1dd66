using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// The rectified-flow (linear interpolant) formulation the DiT is trained with. Time runs from data to noise:
/// x_t = (1 − t)·x₀ + t·ε with t ∈ [0, 1], x₀ the normalised tokens and ε ~ N(0, I); the network predicts the
/// velocity v = dx_t/dt = ε − x₀, so sampling integrates dx/dt = v from t = 1 (noise) down to t = 0 (data).
/// </summary>
public static class RectifiedFlow
{
    /// <summary>x_t = (1 − t)·x₀ + t·ε, with <paramref name="t"/> [B] broadcast over [B, N, d].</summary>
    /// <param name="data">x₀ [B, N, d].</param>
    /// <param name="noise">ε [B, N, d].</param>
    /// <param name="t">Times [B].</param>
    public static Tensor Interpolate(Tensor data, Tensor noise, Tensor t)
    {
        using var scope = NewDisposeScope();
        var tt = t.to_type(data.dtype).reshape(-1, 1, 1);
        return data.mul(tt.SubtractedFrom(1.0)).Plus(noise.mul(tt)).MoveToOuterDisposeScope();
    }

    /// <summary>The velocity target v = ε − x₀.</summary>
    /// <param name="data">x₀.</param>
    /// <param name="noise">ε.</param>
    public static Tensor Velocity(Tensor data, Tensor noise) => noise.Minus(data);

    /// <summary>Draws one training time in (0, 1).</summary>
    /// <param name="sampling">Distribution.</param>
    /// <param name="random">Source of randomness.</param>
    /// <param name="logitMean">Mean of the logit-normal's underlying normal.</param>
    /// <param name="logitStd">Standard deviation of the logit-normal's underlying normal.</param>
    public static double SampleTime(TimestepSampling sampling, Random random, double logitMean = 0, double logitStd = 1) => sampling switch
    {
        TimestepSampling.LogitNormal => 1.0 / (1.0 + Math.Exp(-(logitMean + logitStd * SeededNoise.StandardNormal(random)))),
        TimestepSampling.Uniform => random.NextDouble(),
        _ => throw new ArgumentOutOfRangeException(nameof(sampling), sampling, "Unknown timestep sampling."),
    };
}
