using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Generation;

/// <summary>
/// A diffusion transformer over TexTok's 1D tokens. Each of the N tokens (d channels) is one DiT token (patch size 1):
/// Linear(d → W) plus a fixed 1D sin-cos position, then DiT blocks with adaLN-Zero conditioned on
/// c = timestep embedding + (label embedding | pooled caption), cross-attention to the caption in DiT-T2I, and a
/// final adaLN layer back to d channels. The output is the rectified-flow velocity [B, N, d].
/// </summary>
public sealed partial class DiTModel : nn.Module<Tensor, Tensor, DiTCondition, Tensor>
{
    /// <summary>Timesteps t ∈ [0, 1] are embedded as t·1000, the range DiT's frequency embedding was designed for.</summary>
    public const double TimestepScale = 1000.0;

    [ComponentName(Name = "x_embedder")]
    private readonly Linear _tokenEmbedder;

    [ComponentName(Name = "t_embedder")]
    private readonly TimestepEmbedder _timestepEmbedder;

    [ComponentName(Name = "y_embedder")]
    private readonly LabelEmbedder? _labelEmbedder;

    [ComponentName(Name = "text_embedder")]
    private readonly TextEmbedder? _textEmbedder;

    [ComponentName(Name = "blocks")]
    private readonly ModuleList<DiTBlock> _blocks;

    [ComponentName(Name = "final_layer")]
    private readonly DiTFinalLayer _finalLayer;

    private readonly float[] _positions;

    /// <summary>Creates a model with DiT's initialisation, drawn from the current torch seed.</summary>
    /// <param name="config">Network shape.</param>
    /// <param name="device">Device for the weights; the CPU when null.</param>
    public DiTModel(DiTConfig config, Device? device = null)
        : base(nameof(DiTModel))
    {
        config.Validate();
        Config = config;
        int w = config.Width;
        _tokenEmbedder = nn.Linear(config.TokenDim, w);
        _positions = SinCosPositionEmbedding.Values(config.NumTokens, w);
        _timestepEmbedder = new TimestepEmbedder(w, config.FrequencyDim);
        _labelEmbedder = config.IsClassConditional ? new LabelEmbedder(config.NumClasses, w) : null;
        _textEmbedder = config.IsTextConditional ? new TextEmbedder(config.TextTokens, config.TextDim, w) : null;
        _blocks = nn.ModuleList(Enumerable.Range(0, config.Depth)
            .Select(_ => new DiTBlock(w, config.Heads, config.MlpRatio, config.IsTextConditional)).ToArray());
        _finalLayer = new DiTFinalLayer(w, config.TokenDim);
        RegisterComponents();
        InitializeWeights();
        if (device is not null && device.type != DeviceType.CPU)
        {
            this.to(device);
        }
    }

    /// <summary>The network shape.</summary>
    public DiTConfig Config { get; }

    /// <summary>The map from tokenizer latents to the model's unit-scale space; saved with the model file.</summary>
    public LatentNormalization Normalization { get; set; } = LatentNormalization.Identity;

    /// <summary>The device of the weights.</summary>
    public Device Device => _tokenEmbedder.weight!.device;

    /// <summary>
    /// Predicts the velocity [B, N, d] at normalised tokens <paramref name="x"/> [B, N, d] and times
    /// <paramref name="t"/> [B] in [0, 1] (1 is pure noise) under <paramref name="condition"/>.
    /// </summary>
    /// <param name="x">Noisy tokens in the normalised space.</param>
    /// <param name="t">Flow times.</param>
    /// <param name="condition">Labels, caption, or none, matching the configuration.</param>
    public override Tensor forward(Tensor x, Tensor t, DiTCondition condition)
    {
        CheckInputs(x, t, condition);
        using var scope = NewDisposeScope();
        var positions = torch.tensor(_positions, new long[] { Config.NumTokens, Config.Width }, dtype: x.dtype, device: x.device);
        var h = _tokenEmbedder.forward(x).Plus(positions);
        var c = _timestepEmbedder.forward(t.to_type(x.dtype).Times(TimestepScale));
        (Tensor Tokens, Tensor KeyBias)? text = null;
        if (_labelEmbedder is not null)
        {
            c = c.Plus(_labelEmbedder.forward(condition.Labels!, condition.Drop));
        }

        if (_textEmbedder is not null)
        {
            var (tokens, keyBias, pooled) = _textEmbedder.forward(condition.Text!, condition.TextMask!, condition.Drop);
            c = c.Plus(pooled);
            text = (tokens, keyBias);
        }

        foreach (var block in _blocks)
        {
            h = block.forward(h, c, text);
        }

        return _finalLayer.forward(h, c).MoveToOuterDisposeScope();
    }

    /// <summary>Velocity for class labels [B] (int64); <see cref="DiTConfig.NumClasses"/> selects the null class.</summary>
    /// <param name="x">Noisy tokens [B, N, d].</param>
    /// <param name="t">Flow times [B].</param>
    /// <param name="labels">Labels.</param>
    public Tensor forward(Tensor x, Tensor t, Tensor labels) => forward(x, t, DiTCondition.ForClasses(labels));

    /// <summary>Velocity for captions [B, Nt, Dt] with masks [B, Nt].</summary>
    /// <param name="x">Noisy tokens [B, N, d].</param>
    /// <param name="t">Flow times [B].</param>
    /// <param name="text">Text embeddings.</param>
    /// <param name="textMask">Text mask (1 real, 0 padding).</param>
    public Tensor forward(Tensor x, Tensor t, Tensor text, Tensor textMask) => forward(x, t, DiTCondition.ForText(text, textMask));

    // DiT's initialize_weights: xavier-uniform for every Linear, zero biases; N(0, 0.02) for the timestep MLP, the
    // label table and the null caption; zero for every adaLN modulation, the cross-attention outputs and the final
    // Linear, so that the untrained model is the identity in every block and outputs exactly 0.
    private void InitializeWeights()
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal) && !name.Contains("norm", StringComparison.Ordinal))
            {
                parameter.zero_();
            }
            else if (name.Contains("norm", StringComparison.Ordinal))
            {
                if (name.EndsWith(".weight", StringComparison.Ordinal))
                {
                    parameter.FillWith(1.0);
                }
                else
                {
                    parameter.zero_();
                }
            }
            else if (name.Contains("adaLN_modulation", StringComparison.Ordinal) || name.StartsWith("final_layer.linear", StringComparison.Ordinal) ||
                     name.Contains("cross_attn.proj", StringComparison.Ordinal))
            {
                parameter.zero_();
            }
            else if (name.StartsWith("t_embedder.", StringComparison.Ordinal) || name.StartsWith("y_embedder.", StringComparison.Ordinal) ||
                     name == "text_embedder.null_tokens")
            {
                parameter.normal_(0, 0.02);
            }
            else if (parameter.ndim == 2)
            {
                long fanOut = parameter.shape[0], fanIn = parameter.shape[1];
                double bound = Math.Sqrt(6.0 / (fanIn + fanOut));
                parameter.uniform_(-bound, bound);
            }
            else
            {
                throw new InvalidOperationException($"DiT parameter '{name}' has no initialisation rule.");
            }
        }
    }

    private void CheckInputs(Tensor x, Tensor t, DiTCondition condition)
    {
        if (x.ndim != 3 || x.shape[1] != Config.NumTokens || x.shape[2] != Config.TokenDim)
        {
            throw new ArgumentException($"Tokens must be [B, {Config.NumTokens}, {Config.TokenDim}]; got [{string.Join(", ", x.shape)}].", nameof(x));
        }

        long b = x.shape[0];
        if (t.ndim != 1 || t.shape[0] != b)
        {
            throw new ArgumentException($"Times must be [{b}]; got [{string.Join(", ", t.shape)}].", nameof(t));
        }

        if (Config.IsClassConditional && (condition.Labels is null || condition.Labels.ndim != 1 || condition.Labels.shape[0] != b))
        {
            throw new ArgumentException($"This DiT is class-conditional: pass labels [{b}] (int64).", nameof(condition));
        }

        if (condition.Labels is { } labels && labels.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"Class labels must be int64; got {labels.dtype}.", nameof(condition));
        }

        if (Config.IsTextConditional)
        {
            if (condition.Text is null || condition.Text.ndim != 3 || condition.Text.shape[0] != b ||
                condition.Text.shape[1] != Config.TextTokens || condition.Text.shape[2] != Config.TextDim)
            {
                throw new ArgumentException(
                    $"This DiT is text-conditional: pass text embeddings [{b}, {Config.TextTokens}, {Config.TextDim}].", nameof(condition));
            }

            if (condition.TextMask is null || condition.TextMask.ndim != 2 || condition.TextMask.shape[0] != b || condition.TextMask.shape[1] != Config.TextTokens)
            {
                throw new ArgumentException($"This DiT is text-conditional: pass a text mask [{b}, {Config.TextTokens}].", nameof(condition));
            }
        }

        if (condition.Drop is { } drop && (drop.ndim != 1 || drop.shape[0] != b || drop.dtype != ScalarType.Bool))
        {
            throw new ArgumentException($"The drop mask must be bool [{b}].", nameof(condition));
        }
    }
}
