using TexTok.ML.Onnx;
using TexTok.ML.Torch.Modules;

namespace TexTok.ML.Torch.Tokenizer;

/// <summary>ONNX emitter of <see cref="TexTokEncoder"/>.</summary>
public sealed partial class TexTokEncoder
{
    /// <summary>
    /// Emits the tokenizer up to the posterior mean [B, N, d] (the log-variance is training-only and not exported).
    /// </summary>
    /// <param name="g">The graph.</param>
    /// <param name="image">Images [B, 3, H, W] in [−1, 1].</param>
    /// <param name="text">Text embeddings [B, Nt, Dt], or null for the baseline.</param>
    /// <param name="textMask">Text mask [B, Nt], or null for the baseline.</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The token means [B, N, d].</returns>
    internal string EmitOnnx(OnnxGraphBuilder g, string image, string? text, string? textMask, string name = "encoder")
    {
        int d = _config.Width, p = _config.PatchSize, n = _config.NumTokens, patches = _config.NumPatches;
        var features = image;
        if (_stem is not null)
        {
            features = OnnxEmit.Gelu(g, _stem.EmitOnnx(g, image, name + ".stem"), name + ".stem_gelu");
            p /= 2;
        }

        var convInputs = new List<string> { features, OnnxEmit.Initializer(g, name + ".patch_embed.weight", _patchEmbed.weight!) };
        if (_patchEmbed.bias is { } bias)
        {
            convInputs.Add(OnnxEmit.Initializer(g, name + ".patch_embed.bias", bias));
        }

        var embedded = g.AddNode("Conv", name + ".patch_embed", convInputs,
                                 OnnxAttribute.Ints("kernel_shape", p, p), OnnxAttribute.Ints("strides", p, p));
        var flat = OnnxEmit.Reshape(g, embedded, name + ".patch_flat", 0, d, -1);
        var sequence = OnnxEmit.Transpose(g, flat, name + ".patch_seq", 0, 2, 1);
        var patchTokens = g.AddNode("Add", name + ".patch_add_pos", [sequence, OnnxEmit.Initializer(g, name + ".patch_pos", _patchPosition)]);

        var latents = g.AddNode("Add", name + ".latents",
                                [OnnxEmit.Initializer(g, name + ".latent_tokens", _latentTokens, 1, n, d),
                                 OnnxEmit.Initializer(g, name + ".latent_pos", _latentPosition, 1, n, d)]);
        latents = OnnxEmit.ExpandToBatch(g, latents, image, 3, name + ".latents_batch");
        if (_tokenMix is not null)
        {
            // [N, P] · [B, P, D] broadcasts over the batch to [B, N, D].
            var mixed = g.AddNode("MatMul", name + ".token_mix", [OnnxEmit.Initializer(g, name + ".token_mix.weight", _tokenMix), sequence]);
            latents = g.AddNode("Add", name + ".latents_mixed", [latents, mixed]);
        }

        string? projectedText = null;
        if (_text is not null)
        {
            if (text is null || textMask is null)
            {
                throw new ArgumentException("A text-conditioned encoder needs text and text-mask inputs in the graph.", nameof(text));
            }

            projectedText = _text.EmitOnnx(g, text, name + ".text");
        }

        var h = _transformer.EmitSegmentsOnnx(g, [patchTokens, latents], patches + n, projectedText, textMask, name);
        var tokenStates = OnnxEmit.Narrow(g, h, 1, patches, n, name + ".token_states");
        var moments = OnnxEmit.Linear(g, tokenStates, _head, name + ".head");
        return OnnxEmit.Narrow(g, moments, 2, 0, _config.TokenDim, name + ".mean");
    }
}
