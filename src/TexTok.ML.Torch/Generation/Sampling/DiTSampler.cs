using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// Generates image tokens with a trained <see cref="DiTModel"/> by integrating the rectified-flow ODE
/// dx/dt = v(x, t) from Gaussian noise at t = 1 to t = 0 (Euler or Heun on a uniform or shifted grid), with classifier-free
/// guidance inside a guidance interval, then maps the result back to tokenizer latents with the model's
/// <see cref="LatentNormalization"/>.
/// </summary>
public static class DiTSampler
{
    /// <summary>
    /// The guided velocity at <paramref name="x"/> [B, N, d] and time <paramref name="t"/>: the conditional
    /// prediction, or v_u + w·(v_c − v_u) when <paramref name="guidanceScale"/> ≠ 1 (both halves in one doubled batch).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="x">Current normalised tokens.</param>
    /// <param name="t">Flow time in [0, 1].</param>
    /// <param name="condition">Labels or caption (the null condition is derived from it).</param>
    /// <param name="guidanceScale">Guidance scale w.</param>
    public static Tensor GuidedVelocity(DiTModel model, Tensor x, double t, DiTCondition condition, double guidanceScale)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0];
        using var time = t.ToScalar();
        bool conditional = model.Config.IsClassConditional || model.Config.IsTextConditional;
        if (!conditional || guidanceScale == 1.0)
        {
            var times = torch.full(new long[] { b }, time, dtype: x.dtype, device: x.device);
            return model.forward(x, times, condition).MoveToOuterDisposeScope();
        }

        var doubledTimes = torch.full(new long[] { 2 * b }, time, dtype: x.dtype, device: x.device);
        var both = model.forward(torch.cat(new[] { x, x }), doubledTimes, condition.WithUnconditionalHalf(b, x.device));
        var conditionalVelocity = both.narrow(0, 0, b);
        var unconditionalVelocity = both.narrow(0, b, b);
        return unconditionalVelocity.Plus(conditionalVelocity.Minus(unconditionalVelocity).Times(guidanceScale)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Integrates from <paramref name="noise"/> [B, N, d] at t = 1 to t = 0 and returns the normalised tokens (no
    /// latent denormalisation), under no_grad.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="noise">Initial normalised tokens (standard normal).</param>
    /// <param name="condition">Labels, caption or none.</param>
    /// <param name="options">Sampler settings.</param>
    public static Tensor Integrate(DiTModel model, Tensor noise, DiTCondition condition, DiTSamplerOptions options)
    {
        options.Validate();
        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        var x = FlowIntegrator.Run(TensorAlgebra.Instance, noise, options, (state, t) => Velocity(model, state, t, condition, options));
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The Steps + 1 times the integrator visits, from 1 down to 0: the uniform grid 1 − i/Steps, shifted by
    /// <see cref="DiTSamplerOptions.TimeShift"/>.
    /// </summary>
    /// <param name="options">Sampler settings.</param>
    public static double[] TimeGrid(DiTSamplerOptions options)
    {
        double s = options.TimeShift;
        return Enumerable.Range(0, options.Steps + 1).Select(i =>
        {
            double u = 1.0 - (double)i / options.Steps;
            return s * u / (1 + (s - 1) * u);
        }).ToArray();
    }

    /// <summary>Seeded standard-normal noise [count, N, d] for samples <paramref name="first"/> … first + count − 1.</summary>
    /// <param name="config">Network shape.</param>
    /// <param name="seed">Sampler seed.</param>
    /// <param name="first">Index of the first sample.</param>
    /// <param name="count">Number of samples.</param>
    /// <param name="device">Device of the tensor.</param>
    public static Tensor Noise(DiTConfig config, int seed, int first, int count, Device device) =>
        torch.tensor(NoiseValues(config, seed, first, count), new long[] { count, config.NumTokens, config.TokenDim }, device: device);

    /// <summary>
    /// The values of <see cref="Noise"/> as a row-major float array [count, N, d], without TorchSharp (the ONNX sampler
    /// draws the same noise this way).
    /// </summary>
    /// <param name="config">Network shape.</param>
    /// <param name="seed">Sampler seed.</param>
    /// <param name="first">Index of the first sample.</param>
    /// <param name="count">Number of samples.</param>
    public static float[] NoiseValues(DiTConfig config, int seed, int first, int count)
    {
        var values = new float[count * config.TokenLength];
        for (int i = 0; i < count; i++)
        {
            SeededNoise.FillStandardNormal(seed, first + i, 0x5A3B1E, values.AsSpan(i * config.TokenLength, config.TokenLength));
        }

        return values;
    }

    /// <summary>Generates one token sequence (N·d floats, in tokenizer latent units) per class label.</summary>
    /// <param name="model">A class-conditional model.</param>
    /// <param name="labels">Labels in [0, NumClasses).</param>
    /// <param name="options">Sampler settings.</param>
    public static float[][] SampleClasses(DiTModel model, IReadOnlyList<int> labels, DiTSamplerOptions options)
    {
        if (!model.Config.IsClassConditional)
        {
            throw new InvalidOperationException("This DiT is not class-conditional; use SampleText or SampleUnconditional.");
        }

        foreach (int label in labels)
        {
            if (label < 0 || label >= model.Config.NumClasses)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"Class label {label} is outside [0, {model.Config.NumClasses}).");
            }
        }

        return Run(model, labels.Count, options, (first, count, device) =>
            DiTCondition.ForClasses(torch.tensor(labels.Skip(first).Take(count).Select(l => (long)l).ToArray(), device: device)));
    }

    /// <summary>Generates one token sequence (N·d floats, in tokenizer latent units) per caption embedding.</summary>
    /// <param name="model">A text-conditional model.</param>
    /// <param name="texts">Text embeddings, Nt·Dt floats each.</param>
    /// <param name="masks">Masks, Nt floats each (1 real, 0 padding).</param>
    /// <param name="options">Sampler settings.</param>
    public static float[][] SampleText(DiTModel model, IReadOnlyList<float[]> texts, IReadOnlyList<float[]> masks, DiTSamplerOptions options)
    {
        var config = model.Config;
        if (!config.IsTextConditional)
        {
            throw new InvalidOperationException("This DiT is not text-conditional; use SampleClasses or SampleUnconditional.");
        }

        if (texts.Count != masks.Count)
        {
            throw new ArgumentException($"Got {texts.Count} text embeddings but {masks.Count} masks.", nameof(masks));
        }

        int textLength = config.TextTokens * config.TextDim;
        for (int i = 0; i < texts.Count; i++)
        {
            if (texts[i].Length != textLength || masks[i].Length != config.TextTokens)
            {
                throw new ArgumentException(
                    $"Caption {i}: expected {textLength} embedding values and {config.TextTokens} mask values; got {texts[i].Length} and {masks[i].Length}.", nameof(texts));
            }
        }

        return Run(model, texts.Count, options, (first, count, device) =>
        {
            var text = texts.Skip(first).Take(count).SelectMany(v => v).ToArray();
            var mask = masks.Skip(first).Take(count).SelectMany(v => v).ToArray();
            return DiTCondition.ForText(
                torch.tensor(text, new long[] { count, config.TextTokens, config.TextDim }, device: device),
                torch.tensor(mask, new long[] { count, config.TextTokens }, device: device));
        });
    }

    /// <summary>Generates <paramref name="count"/> token sequences with an unconditional model.</summary>
    /// <param name="model">A model with neither classes nor text.</param>
    /// <param name="count">Number of samples.</param>
    /// <param name="options">Sampler settings.</param>
    public static float[][] SampleUnconditional(DiTModel model, int count, DiTSamplerOptions options)
    {
        if (model.Config.IsClassConditional || model.Config.IsTextConditional)
        {
            throw new InvalidOperationException("This DiT is conditional; use SampleClasses or SampleText.");
        }

        return Run(model, count, options, (_, _, _) => DiTCondition.None);
    }

    private static Tensor Velocity(DiTModel model, Tensor x, double t, DiTCondition condition, DiTSamplerOptions options)
    {
        bool guided = t >= options.GuidanceIntervalLow && t <= options.GuidanceIntervalHigh;
        return GuidedVelocity(model, x, t, condition, guided ? options.GuidanceScale : 1.0);
    }

    private static float[][] Run(DiTModel model, int total, DiTSamplerOptions options, Func<int, int, Device, DiTCondition> condition)
    {
        options.Validate();
        var config = model.Config;
        var normalization = model.Normalization;
        var results = new float[total][];
        bool wasTraining = model.training;
        model.eval();
        try
        {
            for (int first = 0; first < total; first += options.BatchSize)
            {
                int count = Math.Min(options.BatchSize, total - first);
                using var scope = NewDisposeScope();
                var noise = Noise(config, options.Seed, first, count, model.Device);
                var tokens = Integrate(model, noise, condition(first, count, model.Device), options);
                using var denormalized = tokens.DividedBy(normalization.Scale).Plus(normalization.Shift).to(CPU).contiguous();
                float[] flat = denormalized.data<float>().ToArray();
                for (int i = 0; i < count; i++)
                {
                    results[first + i] = flat.AsSpan(i * config.TokenLength, config.TokenLength).ToArray();
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        return results;
    }

    private sealed class TensorAlgebra : IFlowAlgebra<Tensor>
    {
        public static readonly TensorAlgebra Instance = new();

        public Tensor Add(Tensor a, Tensor b, string name) => a.Plus(b);

        public Tensor Scale(Tensor a, double factor, string name) => a.Times(factor);
    }
}
