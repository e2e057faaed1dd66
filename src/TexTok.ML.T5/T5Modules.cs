using TexTok.ML.Torch;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.T5;

/// <summary>T5's RMSNorm: x / sqrt(mean(x²) + ε) · weight, without mean subtraction or bias, computed in float32.</summary>
internal sealed partial class T5LayerNorm : nn.Module<Tensor, Tensor>
{
    private readonly double _epsilon;

    [ComponentName(Name = "weight")]
    private readonly Parameter _weight;

    public T5LayerNorm(int width, double epsilon)
        : base(nameof(T5LayerNorm))
    {
        _epsilon = epsilon;
        _weight = nn.Parameter(torch.ones(width));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x.to(ScalarType.Float32);
        var variance = h.Squared().mean(new long[] { -1 }, keepdim: true);
        var normed = h.mul(variance.Plus(_epsilon).rsqrt());
        return normed.mul(_weight).MoveToOuterDisposeScope();
    }
}

/// <summary>T5 self-attention: no biases, no 1/sqrt(d_kv) scaling, an additive position-and-mask bias.</summary>
internal sealed partial class T5Attention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly int _heads;
    private readonly int _dKv;

    [ComponentName(Name = "q")]
    private readonly Linear _q;

    [ComponentName(Name = "k")]
    private readonly Linear _k;

    [ComponentName(Name = "v")]
    private readonly Linear _v;

    [ComponentName(Name = "o")]
    private readonly Linear _o;

    [ComponentName(Name = "relative_attention_bias")]
    private readonly Embedding? _relativeAttentionBias;

    public T5Attention(T5Config config, bool hasRelativeAttentionBias)
        : base(nameof(T5Attention))
    {
        _heads = config.NumHeads;
        _dKv = config.DKv;
        _q = nn.Linear(config.DModel, config.InnerDim, hasBias: false);
        _k = nn.Linear(config.DModel, config.InnerDim, hasBias: false);
        _v = nn.Linear(config.DModel, config.InnerDim, hasBias: false);
        _o = nn.Linear(config.InnerDim, config.DModel, hasBias: false);
        _relativeAttentionBias = hasRelativeAttentionBias ? nn.Embedding(config.RelativeAttentionNumBuckets, config.NumHeads) : null;
        RegisterComponents();
    }

    /// <summary>The learned bias of each bucket and head, [1, H, L, L] for the given buckets [L, L].</summary>
    public Tensor PositionBias(Tensor buckets)
    {
        if (_relativeAttentionBias is null)
        {
            throw new InvalidOperationException("Only the first block's attention holds the relative attention bias.");
        }

        using var scope = NewDisposeScope();
        return _relativeAttentionBias.forward(buckets).permute(2, 0, 1).unsqueeze(0).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor x, Tensor bias)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], l = x.shape[1];
        var q = _q.forward(x).view(b, l, _heads, _dKv).transpose(1, 2);
        var k = _k.forward(x).view(b, l, _heads, _dKv).transpose(1, 2);
        var v = _v.forward(x).view(b, l, _heads, _dKv).transpose(1, 2);
        var scores = q.matmul(k.transpose(-2, -1)).Plus(bias);
        var weights = scores.softmax(-1, ScalarType.Float32).to(v.dtype);
        var attended = weights.matmul(v).transpose(1, 2).reshape(b, l, (long)_heads * _dKv);
        return _o.forward(attended).MoveToOuterDisposeScope();
    }
}

/// <summary>The sub-layers of a T5 block: pre-norm with a residual connection.</summary>
internal abstract partial class T5SubLayer : nn.Module<Tensor, Tensor, Tensor>
{
    protected T5SubLayer(string name)
        : base(name)
    {
    }
}

/// <summary><c>layer.0</c> of a block: h + SelfAttention(layer_norm(h)).</summary>
internal sealed partial class T5LayerSelfAttention : T5SubLayer
{
    [ComponentName(Name = "SelfAttention")]
    private readonly T5Attention _selfAttention;

    [ComponentName(Name = "layer_norm")]
    private readonly T5LayerNorm _layerNorm;

    public T5LayerSelfAttention(T5Config config, bool hasRelativeAttentionBias)
        : base(nameof(T5LayerSelfAttention))
    {
        _selfAttention = new T5Attention(config, hasRelativeAttentionBias);
        _layerNorm = new T5LayerNorm(config.DModel, config.LayerNormEpsilon);
        RegisterComponents();
    }

    public T5Attention Attention => _selfAttention;

    public override Tensor forward(Tensor h, Tensor bias)
    {
        using var scope = NewDisposeScope();
        return h.Plus(_selfAttention.forward(_layerNorm.forward(h), bias)).MoveToOuterDisposeScope();
    }
}

/// <summary>The feed-forward of a block: wo(act(wi_0 x) · wi_1 x) when gated, wo(act(wi x)) otherwise; no biases.</summary>
internal sealed partial class T5DenseFeedForward : nn.Module<Tensor, Tensor>
{
    private static readonly double GeluScale = Math.Sqrt(2.0 / Math.PI);

    private readonly bool _gelu;

    [ComponentName(Name = "wi")]
    private readonly Linear? _wi;

    [ComponentName(Name = "wi_0")]
    private readonly Linear? _wi0;

    [ComponentName(Name = "wi_1")]
    private readonly Linear? _wi1;

    [ComponentName(Name = "wo")]
    private readonly Linear _wo;

    public T5DenseFeedForward(T5Config config)
        : base(nameof(T5DenseFeedForward))
    {
        _gelu = config.Activation == "gelu_new";
        if (config.IsGated)
        {
            _wi0 = nn.Linear(config.DModel, config.DFf, hasBias: false);
            _wi1 = nn.Linear(config.DModel, config.DFf, hasBias: false);
        }
        else
        {
            _wi = nn.Linear(config.DModel, config.DFf, hasBias: false);
        }

        _wo = nn.Linear(config.DFf, config.DModel, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor hidden = _wi is not null
            ? Activate(_wi.forward(x))
            : Activate(_wi0!.forward(x)).mul(_wi1!.forward(x));
        return _wo.forward(hidden).MoveToOuterDisposeScope();
    }

    /// <summary>gelu_new(x) = ½x(1 + tanh(√(2/π)(x + 0.044715x³))), or relu.</summary>
    private Tensor Activate(Tensor x)
    {
        if (!_gelu)
        {
            return x.relu();
        }

        var cubed = x.Squared().mul(x);
        var inner = x.Plus(cubed.Times(0.044715)).Times(GeluScale);
        return inner.tanh().Plus(1.0).mul(x).Times(0.5);
    }
}

/// <summary><c>layer.1</c> of a block: h + DenseReluDense(layer_norm(h)).</summary>
internal sealed partial class T5LayerFeedForward : T5SubLayer
{
    [ComponentName(Name = "DenseReluDense")]
    private readonly T5DenseFeedForward _denseReluDense;

    [ComponentName(Name = "layer_norm")]
    private readonly T5LayerNorm _layerNorm;

    public T5LayerFeedForward(T5Config config)
        : base(nameof(T5LayerFeedForward))
    {
        _denseReluDense = new T5DenseFeedForward(config);
        _layerNorm = new T5LayerNorm(config.DModel, config.LayerNormEpsilon);
        RegisterComponents();
    }

    public override Tensor forward(Tensor h, Tensor bias)
    {
        using var scope = NewDisposeScope();
        return h.Plus(_denseReluDense.forward(_layerNorm.forward(h))).MoveToOuterDisposeScope();
    }
}

/// <summary>One encoder block, <c>block.{i}</c>, whose <c>layer</c> list holds self-attention then feed-forward.</summary>
internal sealed partial class T5Block : nn.Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "layer")]
    private readonly ModuleList<T5SubLayer> _layer;

    public T5Block(T5Config config, bool hasRelativeAttentionBias)
        : base(nameof(T5Block))
    {
        _layer = nn.ModuleList<T5SubLayer>(new T5LayerSelfAttention(config, hasRelativeAttentionBias), new T5LayerFeedForward(config));
        RegisterComponents();
    }

    public T5Attention Attention => ((T5LayerSelfAttention)_layer[0]).Attention;

    public override Tensor forward(Tensor h, Tensor bias)
    {
        using var scope = NewDisposeScope();
        var x = _layer[0].forward(h, bias);
        return _layer[1].forward(x, bias).MoveToOuterDisposeScope();
    }
}

/// <summary>The <c>encoder</c> stack: blocks, then the final RMSNorm.</summary>
internal sealed partial class T5Stack : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly T5Config _config;

    [ComponentName(Name = "block")]
    private readonly ModuleList<T5Block> _block;

    [ComponentName(Name = "final_layer_norm")]
    private readonly T5LayerNorm _finalLayerNorm;

    public T5Stack(T5Config config)
        : base(nameof(T5Stack))
    {
        _config = config;
        _block = nn.ModuleList(Enumerable.Range(0, config.NumLayers).Select(i => new T5Block(config, i == 0)).ToArray());
        _finalLayerNorm = new T5LayerNorm(config.DModel, config.LayerNormEpsilon);
        RegisterComponents();
    }

    /// <summary>Runs the blocks on embedded tokens <paramref name="embedded"/> [B, L, D] with the float mask [B, L].</summary>
    public override Tensor forward(Tensor embedded, Tensor mask)
    {
        using var scope = NewDisposeScope();
        long b = embedded.shape[0];
        int l = checked((int)embedded.shape[1]);
        var buckets = torch.tensor(
            T5RelativePosition.Buckets(l, _config.RelativeAttentionNumBuckets, _config.RelativeAttentionMaxDistance),
            new long[] { l, l },
            ScalarType.Int64,
            embedded.device);
        var positionBias = _block[0].Attention.PositionBias(buckets);
        // Padding keys get −1e9: exp underflows to exactly 0, so padded positions never change valid outputs.
        var maskBias = mask.to(ScalarType.Float32).Minus(1.0).Times(1e9).reshape(b, 1, 1, l);
        var bias = positionBias.Plus(maskBias);
        var h = embedded;
        foreach (var block in _block)
        {
            h = block.forward(h, bias);
        }

        return _finalLayerNorm.forward(h).MoveToOuterDisposeScope();
    }
}
