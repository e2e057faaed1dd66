namespace TexTok.ML.Torch.Generation;

/// <summary>How training draws the flow time t ∈ (0, 1).</summary>
public enum TimestepSampling
{
    /// <summary>t = sigmoid(n), n ~ N(mean, std²): concentrates training on intermediate noise levels (SD3, LightningDiT).</summary>
    LogitNormal,

    /// <summary>t ~ U(0, 1) (SiT, REPA).</summary>
    Uniform,
}
