using TexTok.ML.Onnx;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// Generates image tokens with a sampler exported by <see cref="DiTOnnxExport.ExportSampler(DiTModel, DiTSamplerOptions)"/>
/// on ONNX Runtime. The initial noise is drawn in .NET exactly as <see cref="DiTSampler"/> draws it (sample i's noise
/// depends only on the seed and i), so a seed gives the same tokens in both runtimes up to floating-point rounding.
/// </summary>
/// <remarks>
/// The sampling methods may be called from several threads at once: the instance holds no mutable state and ONNX
/// Runtime sessions are thread-safe for running.
/// </remarks>
public sealed class DiTOnnxSampler : IDisposable
{
    private readonly OnnxScoringSession _session;

    /// <summary>Loads an exported sampler from a file.</summary>
    /// <param name="path">ONNX file written by <see cref="DiTOnnxExport.ExportSampler(DiTModel, DiTSamplerOptions, string)"/>.</param>
    /// <param name="options">ONNX Runtime session options; CPU with automatic threading when null.</param>
    public DiTOnnxSampler(string path, OnnxScoringOptions? options = null)
        : this(new OnnxScoringSession(path, options))
    {
    }

    /// <summary>Loads an exported sampler from its bytes.</summary>
    /// <param name="model">ONNX model bytes written by <see cref="DiTOnnxExport.ExportSampler(DiTModel, DiTSamplerOptions)"/>.</param>
    /// <param name="options">ONNX Runtime session options; CPU with automatic threading when null.</param>
    /// <param name="sourceName">Name used in error messages.</param>
    public DiTOnnxSampler(byte[] model, OnnxScoringOptions? options = null, string sourceName = "DiT sampler ONNX bytes")
        : this(new OnnxScoringSession(model, options, sourceName))
    {
    }

    private DiTOnnxSampler(OnnxScoringSession session)
    {
        _session = session;
        try
        {
            if (session.Network != DiTOnnxExport.SamplerNetwork)
            {
                throw new InvalidDataException(
                    $"'{session.Source}' holds the TexTok network '{session.Network}', not an exported DiT sampler ('{DiTOnnxExport.SamplerNetwork}').");
            }

            Config = DiTConfig.FromJson(Read(OnnxScoringSession.ConfigKey));
            Normalization = LatentNormalization.FromJson(Read(DiTOnnxExport.NormalizationKey));
            Sampler = DiTSamplerOptions.FromJson(Read(DiTOnnxExport.SamplerKey));
            HasGuidanceInput = session.InputNames.Contains(DiTOnnxExport.GuidanceScaleInput);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The generator's configuration, as exported.</summary>
    public DiTConfig Config { get; }

    /// <summary>The latent normalisation the graph undoes at the end.</summary>
    public LatentNormalization Normalization { get; }

    /// <summary>
    /// The sampler settings unrolled into the graph (method, steps, time shift, guidance interval, default guidance
    /// scale). Changing this copy changes nothing; <see cref="DiTSamplerOptions.Seed"/> and
    /// <see cref="DiTSamplerOptions.BatchSize"/> are the defaults of the sampling methods.
    /// </summary>
    public DiTSamplerOptions Sampler { get; }

    /// <summary>Whether the graph applies classifier-free guidance and takes the guidance scale as an input.</summary>
    public bool HasGuidanceInput { get; }

    /// <summary>The underlying ONNX Runtime session.</summary>
    public OnnxScoringSession Session => _session;

    /// <summary>Generates one token sequence (N·d floats, in tokenizer latent units) per class label.</summary>
    /// <param name="labels">Labels in [0, NumClasses).</param>
    /// <param name="seed">Noise seed (as <see cref="DiTSamplerOptions.Seed"/>).</param>
    /// <param name="guidanceScale">Guidance scale; the exported one when null. Only a guided export accepts it.</param>
    /// <param name="batchSize">Samples per ONNX Runtime call; the exported <see cref="DiTSamplerOptions.BatchSize"/> when null.</param>
    /// <returns>The tokens, one array per label.</returns>
    public float[][] SampleClasses(IReadOnlyList<int> labels, int seed, double? guidanceScale = null, int? batchSize = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!Config.IsClassConditional)
        {
            throw new InvalidOperationException("This DiT sampler is not class-conditional; use SampleText or SampleUnconditional.");
        }

        foreach (int label in labels)
        {
            if (label < 0 || label >= Config.NumClasses)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"Class label {label} is outside [0, {Config.NumClasses}).");
            }
        }

        return Run(labels.Count, seed, guidanceScale, batchSize, (first, count, _, int64) =>
            int64[DiTOnnxExport.LabelsInput] = new OnnxInt64Tensor(labels.Skip(first).Take(count).Select(l => (long)l).ToArray(), count));
    }

    /// <summary>Generates one token sequence (N·d floats, in tokenizer latent units) per caption embedding.</summary>
    /// <param name="texts">Text embeddings, Nt·Dt floats each.</param>
    /// <param name="masks">Masks, Nt floats each (1 real, 0 padding).</param>
    /// <param name="seed">Noise seed (as <see cref="DiTSamplerOptions.Seed"/>).</param>
    /// <param name="guidanceScale">Guidance scale; the exported one when null. Only a guided export accepts it.</param>
    /// <param name="batchSize">Samples per ONNX Runtime call; the exported <see cref="DiTSamplerOptions.BatchSize"/> when null.</param>
    /// <returns>The tokens, one array per caption.</returns>
    public float[][] SampleText(IReadOnlyList<float[]> texts, IReadOnlyList<float[]> masks, int seed, double? guidanceScale = null, int? batchSize = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(masks);
        if (!Config.IsTextConditional)
        {
            throw new InvalidOperationException("This DiT sampler is not text-conditional; use SampleClasses or SampleUnconditional.");
        }

        if (texts.Count != masks.Count)
        {
            throw new ArgumentException($"Got {texts.Count} text embeddings but {masks.Count} masks.", nameof(masks));
        }

        int textLength = Config.TextTokens * Config.TextDim;
        for (int i = 0; i < texts.Count; i++)
        {
            if (texts[i].Length != textLength || masks[i].Length != Config.TextTokens)
            {
                throw new ArgumentException(
                    $"Caption {i}: expected {textLength} embedding values and {Config.TextTokens} mask values; got {texts[i].Length} and {masks[i].Length}.", nameof(texts));
            }
        }

        return Run(texts.Count, seed, guidanceScale, batchSize, (first, count, floats, _) =>
        {
            floats[DiTOnnxExport.TextInput] = new OnnxFloatTensor(texts.Skip(first).Take(count).SelectMany(v => v).ToArray(), count, Config.TextTokens, Config.TextDim);
            floats[DiTOnnxExport.TextMaskInput] = new OnnxFloatTensor(masks.Skip(first).Take(count).SelectMany(v => v).ToArray(), count, Config.TextTokens);
        });
    }

    /// <summary>Generates <paramref name="count"/> token sequences with an unconditional model.</summary>
    /// <param name="count">Number of samples.</param>
    /// <param name="seed">Noise seed (as <see cref="DiTSamplerOptions.Seed"/>).</param>
    /// <param name="batchSize">Samples per ONNX Runtime call; the exported <see cref="DiTSamplerOptions.BatchSize"/> when null.</param>
    /// <returns>The tokens.</returns>
    public float[][] SampleUnconditional(int count, int seed, int? batchSize = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (Config.IsClassConditional || Config.IsTextConditional)
        {
            throw new InvalidOperationException("This DiT sampler is conditional; use SampleClasses or SampleText.");
        }

        return Run(count, seed, null, batchSize, (_, _, _, _) => { });
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();

    private string Read(string key) =>
        _session.Metadata.TryGetValue(key, out var value)
            ? value
            : throw new InvalidDataException($"'{_session.Source}' lacks the metadata '{key}' of an exported DiT sampler.");

    private float[][] Run(int total, int seed, double? guidanceScale, int? batchSize,
                          Action<int, int, Dictionary<string, OnnxFloatTensor>, Dictionary<string, OnnxInt64Tensor>> addCondition)
    {
        if (guidanceScale is { } w)
        {
            if (!HasGuidanceInput)
            {
                throw new ArgumentException(
                    "This sampler was exported without guidance (guidance scale 1 or an unconditional model); export it with another GuidanceScale to choose one.",
                    nameof(guidanceScale));
            }

            if (!(w >= 0) || !double.IsFinite(w))
            {
                throw new ArgumentOutOfRangeException(nameof(guidanceScale), w, $"The guidance scale must be finite and non-negative; got {w}.");
            }
        }

        int step = batchSize ?? Sampler.BatchSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1, nameof(batchSize));
        var results = new float[total][];
        for (int first = 0; first < total; first += step)
        {
            int count = Math.Min(step, total - first);
            var floats = new Dictionary<string, OnnxFloatTensor>(StringComparer.Ordinal)
            {
                [DiTOnnxExport.NoiseInput] = new OnnxFloatTensor(DiTSampler.NoiseValues(Config, seed, first, count), count, Config.NumTokens, Config.TokenDim),
            };
            var int64 = new Dictionary<string, OnnxInt64Tensor>(StringComparer.Ordinal);
            if (HasGuidanceInput)
            {
                floats[DiTOnnxExport.GuidanceScaleInput] = new OnnxFloatTensor([(float)(guidanceScale ?? Sampler.GuidanceScale)]);
            }

            addCondition(first, count, floats, int64);
            var tokens = _session.Run(floats, int64)[DiTOnnxExport.TokensOutput].Data;
            for (int i = 0; i < count; i++)
            {
                results[first + i] = tokens.AsSpan(i * Config.TokenLength, Config.TokenLength).ToArray();
            }
        }

        return results;
    }
}
