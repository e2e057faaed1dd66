using System.Reflection;
using TexTok.ML.Onnx;
using TorchSharp;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// Exports a <see cref="DiTModel"/> as ONNX models (opset 17) for ONNX Runtime: the denoiser alone (one velocity
/// evaluation), or the whole sampler — every Euler or Heun step, the time grid and classifier-free guidance unrolled
/// into one graph whose weights are stored once — from caller-supplied noise to denormalised tokens.
/// </summary>
/// <remarks>
/// Denoiser inputs: <c>x</c> [batch, N, d] (normalised tokens), <c>t</c> [batch] (flow time, 1 = noise), and the
/// condition: <c>labels</c> [batch] int64 (class-conditional; <see cref="DiTConfig.NumClasses"/> is the null class), or
/// <c>text</c> [batch, Nt, Dt], <c>text_mask</c> [batch, Nt] and <c>text_drop</c> [batch] (1 replaces the caption by the
/// learned null caption) for DiT-T2I; output <c>velocity</c> [batch, N, d]. Sampler inputs: <c>noise</c>
/// [batch, N, d], the condition (<c>labels</c>, or <c>text</c> and <c>text_mask</c>), and <c>guidance_scale</c> (a
/// float scalar) when the graph applies guidance; output <c>tokens</c> [batch, N, d] in tokenizer latent units.
/// Metadata: <c>textok.format</c> (<c>textok-onnx/1</c>), <c>textok.network</c> (<see cref="VelocityNetwork"/> or
/// <see cref="SamplerNetwork"/>), <c>textok.config</c> (the <see cref="DiTConfig"/> JSON), <c>textok.version</c>,
/// <see cref="NormalizationKey"/> and, for the sampler, <see cref="SamplerKey"/>.
/// </remarks>
public static class DiTOnnxExport
{
    /// <summary>Denoiser input: normalised noisy tokens.</summary>
    public const string TokensInput = "x";

    /// <summary>Denoiser input: flow times.</summary>
    public const string TimeInput = "t";

    /// <summary>Input: class labels (int64).</summary>
    public const string LabelsInput = "labels";

    /// <summary>Input: text embeddings.</summary>
    public const string TextInput = "text";

    /// <summary>Input: text mask (1 valid, 0 padding).</summary>
    public const string TextMaskInput = "text_mask";

    /// <summary>Denoiser input of DiT-T2I models: 1 where the caption is replaced by the null caption, else 0.</summary>
    public const string TextDropInput = "text_drop";

    /// <summary>Denoiser output: the velocity.</summary>
    public const string VelocityOutput = "velocity";

    /// <summary>Sampler input: the initial noise at t = 1 (standard normal).</summary>
    public const string NoiseInput = "noise";

    /// <summary>Sampler input (guided graphs only): the guidance scale w, a float scalar.</summary>
    public const string GuidanceScaleInput = "guidance_scale";

    /// <summary>Sampler output: generated tokens, denormalised.</summary>
    public const string TokensOutput = "tokens";

    /// <summary>The <c>textok.network</c> value of a denoiser export.</summary>
    public const string VelocityNetwork = "dit-velocity";

    /// <summary>The <c>textok.network</c> value of a sampler export.</summary>
    public const string SamplerNetwork = "dit-sampler";

    /// <summary>Metadata key holding the model's <see cref="LatentNormalization"/> as JSON.</summary>
    public const string NormalizationKey = "textok.dit.normalization";

    /// <summary>Metadata key holding the sampler settings (<see cref="DiTSamplerOptions.ToJson"/>) of a sampler export.</summary>
    public const string SamplerKey = "textok.dit.sampler";

    /// <summary>Writes the denoiser of <paramref name="model"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="model">The model.</param>
    /// <param name="path">Target ONNX file.</param>
    public static void ExportVelocity(DiTModel model, string path) => AtomicFile.WriteAllBytes(path, ExportVelocity(model));

    /// <summary>The denoiser of <paramref name="model"/> (one velocity evaluation) as ONNX model bytes.</summary>
    /// <param name="model">The model.</param>
    /// <returns>The ONNX model.</returns>
    public static byte[] ExportVelocity(DiTModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var c = model.Config;
        var g = NewGraph(model, VelocityNetwork);
        var x = g.AddInput(TokensInput, OnnxGraphBuilder.Batch, c.NumTokens, c.TokenDim);
        var t = g.AddInput(TimeInput, OnnxGraphBuilder.Batch);
        var (labels, text, mask) = AddConditionInputs(g, c);
        var drop = c.IsTextConditional ? g.AddInput(TextDropInput, OnnxGraphBuilder.Batch) : null;
        string velocity;
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            var dropMask = drop is null ? null : g.AddNode("Greater", "text_drop.bool", [drop, DiTOnnxEmit.Constant(g, 0.5f, scalar: true)]);
            var condition = model.EmitConditionOnnx(g, labels, text, mask, dropMask, "dit");
            velocity = model.EmitVelocityOnnx(g, x, t, condition, "dit");
        }

        g.AddOutput(velocity, VelocityOutput, OnnxGraphBuilder.Batch, c.NumTokens, c.TokenDim);
        return g.ToBytes();
    }

    /// <summary>Writes the whole sampler of <paramref name="model"/> with <paramref name="options"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="model">The model.</param>
    /// <param name="options">Sampler settings (method, steps, time shift, guidance and its interval); the seed and batch size stay with the caller.</param>
    /// <param name="path">Target ONNX file.</param>
    public static void ExportSampler(DiTModel model, DiTSamplerOptions options, string path) => AtomicFile.WriteAllBytes(path, ExportSampler(model, options));

    /// <summary>
    /// The whole sampler as ONNX model bytes: <see cref="DiTSampler.Integrate"/> from the <c>noise</c> input under the
    /// condition, then the latent denormalisation, with every step unrolled. The graph applies guidance (and has the
    /// <c>guidance_scale</c> input) when the model is conditional and <see cref="DiTSamplerOptions.GuidanceScale"/> ≠ 1;
    /// evaluations at times inside the guidance interval run the conditional and unconditional halves as one doubled
    /// batch, the others only the conditional half, exactly as the TorchSharp sampler.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="options">Sampler settings (method, steps, time shift, guidance and its interval); the seed and batch size stay with the caller.</param>
    /// <returns>The ONNX model.</returns>
    public static byte[] ExportSampler(DiTModel model, DiTSamplerOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var c = model.Config;
        bool conditional = c.IsClassConditional || c.IsTextConditional;
        bool guided = conditional && options.GuidanceScale != 1.0;
        var g = NewGraph(model, SamplerNetwork);
        g.SetMetadata(SamplerKey, options.ToJson());
        var noise = g.AddInput(NoiseInput, OnnxGraphBuilder.Batch, c.NumTokens, c.TokenDim);
        var (labels, text, mask) = AddConditionInputs(g, c);
        var scale = guided ? g.AddInput(GuidanceScaleInput) : null;
        string tokens;
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            var grid = DiTSampler.TimeGrid(options);
            bool InInterval(double t) => guided && t >= options.GuidanceIntervalLow && t <= options.GuidanceIntervalHigh;
            var evaluated = options.Method == DiTSamplerMethod.Heun ? grid : grid.Take(options.Steps);
            DiTModel.OnnxCondition? single = null, doubled = null;
            if (evaluated.Any(t => !InInterval(t)))
            {
                single = model.EmitConditionOnnx(g, labels, text, mask, null, "cond");
            }

            if (evaluated.Any(InInterval))
            {
                doubled = EmitDoubledCondition(g, model, noise, labels, text, mask);
            }

            int evaluation = 0;
            string Velocity(string x, double t)
            {
                string name = $"eval{evaluation++}";
                var time = g.AddInitializer(name + ".t", [(float)t], 1);
                if (!InInterval(t))
                {
                    return model.EmitVelocityOnnx(g, x, time, single!, name);
                }

                var both = model.EmitVelocityOnnx(g, g.AddNode("Concat", name + ".x2", [x, x], OnnxAttribute.Int("axis", 0)), time, doubled!, name);
                var halves = DiTOnnxEmit.Chunk(g, both, 2, 0, name + ".halves");
                var difference = g.AddNode("Sub", name + ".cond_minus_uncond", [halves[0], halves[1]]);
                return g.AddNode("Add", name + ".guided", [halves[1], g.AddNode("Mul", name + ".scaled", [difference, scale!])]);
            }

            var state = noise;
            for (int i = 0; i < options.Steps; i++)
            {
                double t = grid[i], next = grid[i + 1], dt = next - t;
                var velocity = Velocity(state, t);
                var euler = g.AddNode("Add", $"step{i}.euler", [state, g.AddNode("Mul", $"step{i}.v_dt", [velocity, DiTOnnxEmit.Constant(g, (float)dt)])]);
                if (options.Method == DiTSamplerMethod.Heun)
                {
                    var corrected = Velocity(euler, next);
                    var mean = g.AddNode("Mul", $"step{i}.heun_dt", [g.AddNode("Add", $"step{i}.v_sum", [velocity, corrected]), DiTOnnxEmit.Constant(g, (float)(0.5 * dt))]);
                    state = g.AddNode("Add", $"step{i}.heun", [state, mean]);
                }
                else
                {
                    state = euler;
                }
            }

            var normalization = model.Normalization;
            tokens = g.AddNode("Add", "denormalize", [g.AddNode("Div", "unscale", [state, DiTOnnxEmit.Constant(g, (float)normalization.Scale)]), DiTOnnxEmit.Constant(g, (float)normalization.Shift)]);
        }

        g.AddOutput(tokens, TokensOutput, OnnxGraphBuilder.Batch, c.NumTokens, c.TokenDim);
        return g.ToBytes();
    }

    // The doubled batch [conditional ; unconditional] of DiTCondition.WithUnconditionalHalf: labels followed by the
    // null class, or the caption twice with the second copy dropped to the null caption.
    private static DiTModel.OnnxCondition EmitDoubledCondition(OnnxGraphBuilder g, DiTModel model, string noise, string? labels, string? text, string? mask)
    {
        var batch = DiTOnnxEmit.BatchOf(g, noise, "cfg.batch");
        if (labels is not null)
        {
            var nullClass = g.AddInt64Initializer("cfg.null_class", [(long)model.Config.NumClasses], 1);
            var nullLabels = g.AddNode("Expand", "cfg.null_labels", [nullClass, batch]);
            var both = g.AddNode("Concat", "cfg.labels", [labels, nullLabels], OnnxAttribute.Int("axis", 0));
            return model.EmitConditionOnnx(g, both, null, null, null, "cfg");
        }

        var zeros = g.AddNode("Expand", "cfg.keep", [DiTOnnxEmit.Constant(g, 0f), batch]);
        var ones = g.AddNode("Expand", "cfg.drop", [DiTOnnxEmit.Constant(g, 1f), batch]);
        var drop = g.AddNode("Greater", "cfg.drop_mask", [g.AddNode("Concat", "cfg.drop_both", [zeros, ones], OnnxAttribute.Int("axis", 0)), DiTOnnxEmit.Constant(g, 0.5f, scalar: true)]);
        var text2 = g.AddNode("Concat", "cfg.text", [text!, text!], OnnxAttribute.Int("axis", 0));
        var mask2 = g.AddNode("Concat", "cfg.text_mask", [mask!, mask!], OnnxAttribute.Int("axis", 0));
        return model.EmitConditionOnnx(g, null, text2, mask2, drop, "cfg");
    }

    private static (string? Labels, string? Text, string? Mask) AddConditionInputs(OnnxGraphBuilder g, DiTConfig c)
    {
        if (c.IsClassConditional)
        {
            return (g.AddInt64Input(LabelsInput, OnnxGraphBuilder.Batch), null, null);
        }

        if (c.IsTextConditional)
        {
            return (null, g.AddInput(TextInput, OnnxGraphBuilder.Batch, c.TextTokens, c.TextDim), g.AddInput(TextMaskInput, OnnxGraphBuilder.Batch, c.TextTokens));
        }

        return (null, null, null);
    }

    private static OnnxGraphBuilder NewGraph(DiTModel model, string network)
    {
        var assembly = typeof(DiTOnnxExport).Assembly;
        string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                         ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
        var g = new OnnxGraphBuilder(network.Replace('-', '_'), "TexTok.ML", version);
        g.SetMetadata(OnnxScoringSession.FormatKey, OnnxScoringSession.Format);
        g.SetMetadata(OnnxScoringSession.NetworkKey, network);
        g.SetMetadata(OnnxScoringSession.ConfigKey, model.Config.ToJson());
        g.SetMetadata(OnnxScoringSession.VersionKey, version);
        g.SetMetadata(NormalizationKey, model.Normalization.ToJson());
        return g;
    }
}
