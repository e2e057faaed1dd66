using TexTok.ML.Onnx;
using TexTok.ML.Torch.Modules;

namespace TexTok.ML.Torch.Generation;

/// <summary>ONNX emitter of <see cref="DiTModel"/>.</summary>
public sealed partial class DiTModel
{
    /// <summary>
    /// Emits the part of <see cref="forward(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, DiTCondition)"/> that depends only on the
    /// condition: the label embedding, or the projected caption with its pooled vector, key bias and every block's
    /// cross-attention keys and values. An unrolled sampler emits it once and reuses it at every step.
    /// </summary>
    /// <param name="g">The graph.</param>
    /// <param name="labels">Int64 labels [B] for a class-conditional model (the null class selects the unconditional branch), else null.</param>
    /// <param name="text">Text embeddings [B, Nt, Dt] for a text-conditional model, else null.</param>
    /// <param name="textMask">Text mask [B, Nt] for a text-conditional model, else null.</param>
    /// <param name="textDrop">Bool [B]: which captions take the learned null caption; null for none.</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The emitted condition.</returns>
    internal OnnxCondition EmitConditionOnnx(OnnxGraphBuilder g, string? labels, string? text, string? textMask, string? textDrop, string name)
    {
        if (_labelEmbedder is not null)
        {
            var embedding = _labelEmbedder.EmitOnnx(g, labels ?? throw new ArgumentNullException(nameof(labels), "This DiT is class-conditional."), name + ".y_embedder");
            return new OnnxCondition(embedding, null);
        }

        if (_textEmbedder is not null)
        {
            if (text is null || textMask is null)
            {
                throw new ArgumentNullException(nameof(text), "This DiT is text-conditional: pass the text and its mask.");
            }

            var (tokens, keyBias, pooled) = _textEmbedder.EmitOnnx(g, text, textMask, textDrop, name + ".text_embedder");
            var perBlock = _blocks.Select((block, i) => (block.EmitCrossKeyValueOnnx(g, tokens, $"{name}.blocks.{i}"), keyBias)).ToArray();
            return new OnnxCondition(pooled, perBlock);
        }

        return new OnnxCondition(null, null);
    }

    /// <summary>
    /// Emits the velocity at normalised tokens <paramref name="x"/> [B, N, d] and flow times <paramref name="t"/> ([B], or
    /// [1] for one time shared by the batch) under an emitted condition, as
    /// <see cref="forward(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, DiTCondition)"/>: the timestep's sinusoidal
    /// embedding is computed in the graph from t·1000.
    /// </summary>
    /// <param name="g">The graph.</param>
    /// <param name="x">Noisy tokens.</param>
    /// <param name="t">Flow times in [0, 1].</param>
    /// <param name="condition">From <see cref="EmitConditionOnnx"/>, with the same batch as <paramref name="x"/>.</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The velocity [B, N, d].</returns>
    internal string EmitVelocityOnnx(OnnxGraphBuilder g, string x, string t, OnnxCondition condition, string name)
    {
        var positions = g.Shared((this, "positions"), () => g.AddInitializer(name + ".positions", _positions, Config.NumTokens, Config.Width));
        var h = g.AddNode("Add", name + ".add_positions", [OnnxEmit.Linear(g, x, _tokenEmbedder, name + ".x_embedder"), positions]);
        var scaledTime = g.AddNode("Mul", name + ".t_scaled", [t, OnnxEmit.Constant(g, (float)TimestepScale)]);
        var c = _timestepEmbedder.EmitOnnx(g, scaledTime, name + ".t_embedder");
        if (condition.Embedding is not null)
        {
            c = g.AddNode("Add", name + ".c", [c, condition.Embedding]);
        }

        int i = 0;
        foreach (var block in _blocks)
        {
            h = block.EmitOnnx(g, h, c, condition.CrossAttention?[i], $"{name}.blocks.{i}");
            i++;
        }

        return _finalLayer.EmitOnnx(g, h, c, name + ".final_layer");
    }

    /// <summary>A condition as emitted into a graph.</summary>
    /// <param name="Embedding">The vector [B, W] added to the timestep embedding (label embedding or pooled caption), or null.</param>
    /// <param name="CrossAttention">Per block: cross-attention keys and values and the key bias (DiT-T2I), or null.</param>
    internal sealed record OnnxCondition(string? Embedding, IReadOnlyList<((string Key, string Value) KeyValue, string KeyBias)>? CrossAttention);
}
