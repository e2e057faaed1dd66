namespace TexTok.ML.Torch.Generation;

/// <summary>
/// Input/output names and noise layout of an exported DiT sampler, for hosts that feed it differently from
/// <see cref="DiTOnnxSampler"/> (ML.NET pipelines name graph inputs after their columns and need fixed-size vectors).
/// </summary>
public sealed record DiTOnnxGraphOptions
{
    /// <summary>The defaults of <see cref="DiTOnnxExport"/>.</summary>
    public static DiTOnnxGraphOptions Default { get; } = new();

    /// <summary>Name of the noise input.</summary>
    public string NoiseInput { get; init; } = DiTOnnxExport.NoiseInput;

    /// <summary>Name of the class label input (int64 [batch]).</summary>
    public string LabelsInput { get; init; } = DiTOnnxExport.LabelsInput;

    /// <summary>Name of the caption embedding input.</summary>
    public string TextInput { get; init; } = DiTOnnxExport.TextInput;

    /// <summary>Name of the caption mask input.</summary>
    public string TextMaskInput { get; init; } = DiTOnnxExport.TextMaskInput;

    /// <summary>Name of the token output.</summary>
    public string TokensOutput { get; init; } = DiTOnnxExport.TokensOutput;

    /// <summary>
    /// When set, the noise input is [batch, NoiseWidth] (at least N · d) and the graph uses its first N · d values,
    /// reshaped to [batch, N, d]: a host can then supply noise of one fixed width for every model.
    /// </summary>
    public int? NoiseWidth { get; init; }

    /// <summary>When true the labels input is [batch, 1] (how ML.NET feeds a scalar column) instead of [batch].</summary>
    public bool LabelsAsColumn { get; init; }

    /// <summary>When true the guidance scale is a constant of the graph (the sampler options' value), not an input.</summary>
    public bool BakeGuidanceScale { get; init; }
}
