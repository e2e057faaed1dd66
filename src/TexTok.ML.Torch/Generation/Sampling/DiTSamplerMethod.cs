namespace TexTok.ML.Torch.Generation;

/// <summary>ODE integrator for sampling.</summary>
public enum DiTSamplerMethod
{
    /// <summary>First-order Euler: one network evaluation per step.</summary>
    Euler,

    /// <summary>Second-order Heun (trapezoidal predictor–corrector): two network evaluations per step.</summary>
    Heun,
}
