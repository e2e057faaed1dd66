using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace TexTok.ML.T5;

/// <summary>
/// The encoder half of T5 (v1.1 by default) as a TorchSharp module whose state names are those of Hugging Face's
/// <c>T5EncoderModel</c>, so checkpoints load by name: <c>shared.weight</c>,
/// <c>encoder.block.{i}.layer.0.SelfAttention.{q,k,v,o}.weight</c>,
/// <c>encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight</c>,
/// <c>encoder.block.{i}.layer.{0,1}.layer_norm.weight</c>, <c>encoder.block.{i}.layer.1.DenseReluDense.{wi_0,wi_1,wo}.weight</c>
/// and <c>encoder.final_layer_norm.weight</c>.
/// </summary>
/// <remarks>
/// T5 specifics: RMSNorm (no mean subtraction, no bias, float32), attention scores not scaled by 1/√d_kv, one
/// bidirectional relative-position bias table (block 0's) shared by all blocks, the attention mask applied as an
/// additive bias, a gated-GELU feed-forward (tanh-approximate GELU), and no biases anywhere. New instances hold
/// placeholder weights: load real ones with <see cref="T5WeightLoader"/>.
/// </remarks>
public sealed partial class T5Encoder : nn.Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "shared")]
    private readonly Embedding _shared;

    [ComponentName(Name = "encoder")]
    private readonly T5Stack _encoder;

    /// <summary>Creates an encoder with the given shape; weights are placeholders until loaded.</summary>
    /// <param name="config">The shape; validated here.</param>
    /// <exception cref="ArgumentException">The configuration is invalid.</exception>
    public T5Encoder(T5Config config)
        : base(nameof(T5Encoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        _shared = nn.Embedding(config.VocabSize, config.DModel);
        _encoder = new T5Stack(config);
        RegisterComponents();
    }

    /// <summary>The shape of this encoder.</summary>
    public T5Config Config { get; }

    /// <summary>Encodes token ids.</summary>
    /// <param name="inputIds">Token ids [B, L], int64.</param>
    /// <param name="attentionMask">[B, L]: 1 for a real token, 0 for padding (any numeric dtype).</param>
    /// <returns><c>last_hidden_state</c> [B, L, d_model], float32. Rows of padded positions hold values too; ignore them.</returns>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(attentionMask);
        if (inputIds.dim() != 2 || !attentionMask.shape.SequenceEqual(inputIds.shape))
        {
            throw new ArgumentException(
                $"input_ids must be [B, L] and attention_mask the same shape; got [{string.Join(", ", inputIds.shape)}] and [{string.Join(", ", attentionMask.shape)}].");
        }

        using var scope = NewDisposeScope();
        var embedded = _shared.forward(inputIds.to(ScalarType.Int64));
        return _encoder.forward(embedded, attentionMask).MoveToOuterDisposeScope();
    }
}
