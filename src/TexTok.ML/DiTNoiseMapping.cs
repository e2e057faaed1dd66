using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using TexTok.ML.Torch.Generation;

namespace TexTok.ML;

/// <summary>Input row of the noise step inside DiTGenerate.</summary>
public sealed class DiTNoiseInput
{
    /// <summary>The row's sampling seed.</summary>
    [ColumnName(DiTNoiseMapping.SeedColumn)]
    public int Seed { get; set; }
}

/// <summary>Output row of the noise step inside DiTGenerate.</summary>
public sealed class DiTNoiseOutput
{
    /// <summary>
    /// <see cref="DiTNoiseMapping.Width"/> standard-normal values drawn from the seed; the sampler graph uses the
    /// first N · d, the same values <see cref="DiTSampler.NoiseValues"/> gives for this seed.
    /// </summary>
    [ColumnName(DiTNoiseMapping.NoiseColumn)]
    [VectorType(DiTNoiseMapping.Width)]
    public float[] Noise { get; set; } = [];
}

/// <summary>
/// Seed → starting noise for DiTGenerate (part of its saved chain). ML.NET's custom mappings have fixed vector sizes,
/// so the noise has one width, <see cref="Width"/>, for every model; a model with N · d above it is refused.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class DiTNoiseMapping : CustomMappingFactory<DiTNoiseInput, DiTNoiseOutput>
{
    /// <summary>The contract name stored in saved pipelines.</summary>
    public const string ContractName = "TexTok.DiTGenerate.Noise.w4096.v2";

    /// <summary>The noise width: the largest N · d that DiTGenerate supports.</summary>
    public const int Width = 4096;

    internal const string SeedColumn = TexTokColumns.Prefix + "dit_seed";
    internal const string NoiseColumn = TexTokColumns.Prefix + "dit_noise";

    private static readonly DiTConfig WidthConfig = new() { NumTokens = Width, TokenDim = 1, NumClasses = 0 };

    /// <summary>Draws the noise of one row.</summary>
    /// <param name="input">The seed.</param>
    /// <param name="output">The noise.</param>
    public static void Map(DiTNoiseInput input, DiTNoiseOutput output) =>
        output.Noise = DiTSampler.NoiseValues(WidthConfig, input.Seed, 0, 1);

    /// <inheritdoc/>
    public override Action<DiTNoiseInput, DiTNoiseOutput> GetMapping() => Map;
}

/// <summary>
/// The first noise contract (<c>TexTok.DiTGenerate.Noise.w4096.v1</c>), drawn with <see cref="Random"/>, whose seeded
/// sequence .NET does not promise to keep. It is kept only to refuse pipelines saved with it, with a message that says
/// what to do; their noise can no longer be reproduced.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class DiTNoiseMappingV1 : CustomMappingFactory<DiTNoiseInput, DiTNoiseOutput>
{
    /// <summary>The retired contract name.</summary>
    public const string ContractName = "TexTok.DiTGenerate.Noise.w4096.v1";

    /// <summary>The message a pipeline saved with the retired contract fails with.</summary>
    public const string Message =
        "This pipeline was saved by an earlier TexTok.ML whose DiTGenerate noise (contract '" + ContractName + "') drew on " +
        "System.Random, which is not reproducible across .NET versions; this version draws it with its own generator ('" +
        DiTNoiseMapping.ContractName + "'). Build DiTGenerate again from the DiT model (DiTModelFile.Load) and save the pipeline anew.";

    /// <inheritdoc/>
    public override Action<DiTNoiseInput, DiTNoiseOutput> GetMapping() => throw new InvalidOperationException(Message);
}
