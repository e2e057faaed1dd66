using System.Reflection;
using TexTok.ML.Core;
using TexTok.ML.Onnx;
using TexTok.ML.Torch.Modules;
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
            var dropMask = drop is null ? null : g.AddNode("Greater", "text_drop.bool", [drop, OnnxEmit.Constant(g, 0.5f, scalar: true)]);
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
    /// evaluations at times inside the guidance interval run the network on the condition and on the null condition
    /// (the two halves of the TorchSharp sampler's doubled batch) and combine them, the others run only the
    /// conditional evaluation, exactly as the TorchSharp sampler decides.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="options">Sampler settings (method, steps, time shift, guidance and its interval); the seed and batch size stay with the caller.</param>
    /// <returns>The ONNX model.</returns>
    public static byte[] ExportSampler(DiTModel model, DiTSamplerOptions options) => ExportSampler(model, options, DiTOnnxGraphOptions.Default);

    /// <summary>The whole sampler as ONNX model bytes, with the given input/output names and noise layout.</summary>
    /// <param name="model">The model.</param>
    /// <param name="options">Sampler settings.</param>
    /// <param name="graph">Names, noise width and whether the guidance scale is baked in.</param>
    /// <returns>The ONNX model.</returns>
    public static byte[] ExportSampler(DiTModel model, DiTSamplerOptions options, DiTOnnxGraphOptions graph)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(graph);
        options.Validate();
        var c = model.Config;
        if (graph.NoiseWidth is int width && width < c.TokenLength)
        {
            throw new ArgumentOutOfRangeException(nameof(graph), width, $"NoiseWidth must be at least N · d = {c.TokenLength}.");
        }

        bool conditional = c.IsClassConditional || c.IsTextConditional;
        bool guided = conditional && options.GuidanceScale != 1.0;
        var g = NewGraph(model, SamplerNetwork);
        g.SetMetadata(SamplerKey, options.ToJson());
        string noise;
        if (graph.NoiseWidth is int noiseWidth)
        {
            var wide = g.AddInput(graph.NoiseInput, OnnxGraphBuilder.Batch, noiseWidth);
            var used = OnnxEmit.Narrow(g, wide, 1, 0, c.TokenLength, "noise.used");
            noise = OnnxEmit.Reshape(g, used, "noise.tokens", 0, c.NumTokens, c.TokenDim);
        }
        else
        {
            noise = g.AddInput(graph.NoiseInput, OnnxGraphBuilder.Batch, c.NumTokens, c.TokenDim);
        }

        var (labels, text, mask) = AddConditionInputs(g, c, graph);
        var scale = !guided ? null : graph.BakeGuidanceScale ? g.AddScalar("guidance_scale.value", (float)options.GuidanceScale) : g.AddInput(GuidanceScaleInput);
        string tokens;
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            var grid = DiTSampler.TimeGrid(options);
            bool InInterval(double t) => guided && t >= options.GuidanceIntervalLow && t <= options.GuidanceIntervalHigh;
            var evaluated = options.Method == DiTSamplerMethod.Heun ? grid : grid.Take(options.Steps);
            var single = model.EmitConditionOnnx(g, labels, text, mask, null, "cond");
            var unconditional = evaluated.Any(InInterval) ? EmitUnconditional(g, model, labels, text, mask) : null;

            int evaluation = 0;
            string Velocity(string x, double t)
            {
                string name = $"eval{evaluation++}";
                var time = g.AddInitializer(name + ".t", [(float)t], 1);
                if (!InInterval(t))
                {
                    return model.EmitVelocityOnnx(g, x, time, single, name);
                }

                // The conditional and unconditional halves as two evaluations on the same batch rather than one
                // doubled batch: concatenating along the dynamic batch leaves dimensions that shape inference cannot
                // name, and ONNX Runtime's session creation then grew quadratically with the number of steps.
                var conditionalVelocity = model.EmitVelocityOnnx(g, x, time, single, name + ".cond");
                var unconditionalVelocity = model.EmitVelocityOnnx(g, x, time, unconditional!, name + ".uncond");
                var difference = g.AddNode("Sub", name + ".cond_minus_uncond", [conditionalVelocity, unconditionalVelocity]);
                return g.AddNode("Add", name + ".guided", [unconditionalVelocity, g.AddNode("Mul", name + ".scaled", [difference, scale!])]);
            }

            var state = FlowIntegrator.Run(new GraphAlgebra(g), noise, options, Velocity);

            var normalization = model.Normalization;
            tokens = g.AddNode("Add", "denormalize", [g.AddNode("Div", "unscale", [state, OnnxEmit.Constant(g, (float)normalization.Scale)]), OnnxEmit.Constant(g, (float)normalization.Shift)]);
        }

        g.AddOutput(tokens, graph.TokensOutput, OnnxGraphBuilder.Batch, c.NumTokens, c.TokenDim);
        return g.ToBytes();
    }

    // The null condition of DiTCondition.WithUnconditionalHalf for the same batch: the null class for every label, or
    // every caption dropped to the null caption. Both are derived from the inputs element-wise, so their batch
    // dimension keeps the input's symbolic name.
    private static DiTModel.OnnxCondition EmitUnconditional(OnnxGraphBuilder g, DiTModel model, string? labels, string? text, string? mask)
    {
        if (labels is not null)
        {
            var zero = g.AddInt64Initializer("uncond.zero", [0L]);
            var nullClass = g.AddInt64Initializer("uncond.null_class", [(long)model.Config.NumClasses]);
            var nullLabels = g.AddNode("Add", "uncond.labels", [g.AddNode("Mul", "uncond.labels_zero", [labels, zero]), nullClass]);
            return model.EmitConditionOnnx(g, nullLabels, null, null, null, "uncond");
        }

        var firstColumn = g.AddNode("Squeeze", "uncond.mask_column",
            [OnnxEmit.Narrow(g, mask!, 1, 0, 1, "uncond.mask_first"), OnnxEmit.Ints(g, 1)]);
        var ones = g.AddNode("Add", "uncond.ones", [g.AddNode("Mul", "uncond.zeros", [firstColumn, OnnxEmit.Constant(g, 0f, scalar: true)]), OnnxEmit.Constant(g, 1f, scalar: true)]);
        var drop = g.AddNode("Greater", "uncond.drop", [ones, OnnxEmit.Constant(g, 0.5f, scalar: true)]);
        return model.EmitConditionOnnx(g, null, text, mask, drop, "uncond");
    }

    private static (string? Labels, string? Text, string? Mask) AddConditionInputs(OnnxGraphBuilder g, DiTConfig c, DiTOnnxGraphOptions? names = null)
    {
        names ??= DiTOnnxGraphOptions.Default;
        if (c.IsClassConditional)
        {
            if (names.LabelsAsColumn)
            {
                var column = g.AddInt64Input(names.LabelsInput, OnnxGraphBuilder.Batch, 1);
                return (g.AddNode("Squeeze", "labels.squeeze", [column, g.AddInt64Vector("labels.squeeze_axis", 1)]), null, null);
            }

            return (g.AddInt64Input(names.LabelsInput, OnnxGraphBuilder.Batch), null, null);
        }

        if (c.IsTextConditional)
        {
            return (null, g.AddInput(names.TextInput, OnnxGraphBuilder.Batch, c.TextTokens, c.TextDim), g.AddInput(names.TextMaskInput, OnnxGraphBuilder.Batch, c.TextTokens));
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

    // The integrator's arithmetic as graph nodes; a factor becomes a float constant stored once per value.
    private sealed class GraphAlgebra(OnnxGraphBuilder g) : IFlowAlgebra<string>
    {
        public string Add(string a, string b, string name) => g.AddNode("Add", name, [a, b]);

        public string Scale(string a, double factor, string name) => g.AddNode("Mul", name, [a, OnnxEmit.Constant(g, (float)factor)]);
    }
}
