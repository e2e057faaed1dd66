using TexTok.ML.Onnx;
using TexTok.ML.Torch.Modules;

namespace TexTok.ML.Torch.Tokenizer;

/// <summary>ONNX emitter of <see cref="TexTokDecoder"/>.</summary>
public sealed partial class TexTokDecoder
{
    /// <summary>Emits the detokenizer: tokens [B, N, d] (and text) to unclamped pixels [B, 3, H, W], as <see cref="forward"/>.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="tokens">Image tokens [B, N, d].</param>
    /// <param name="text">Text embeddings [B, Nt, Dt], or null for the baseline.</param>
    /// <param name="textMask">Text mask [B, Nt], or null for the baseline.</param>
    /// <param name="name">Value-name prefix.</param>
    /// <returns>The images [B, 3, H, W].</returns>
    internal string EmitOnnx(OnnxGraphBuilder g, string tokens, string? text, string? textMask, string name = "decoder")
    {
        int d = _config.Width, p = _config.PatchSize, grid = _config.GridSize, n = _config.NumTokens, patches = _config.NumPatches;
        var queries = OnnxEmit.Initializer(g, name + ".patch_queries", _patchQueries, 1, patches, d);
        queries = OnnxEmit.ExpandToBatch(g, queries, tokens, 3, name + ".queries_batch");
        var tokenValues = OnnxEmit.Linear(g, tokens, _tokenProjection, name + ".token_proj");
        var projected = g.AddNode("Add", name + ".token_add_pos", [tokenValues, OnnxEmit.Initializer(g, name + ".token_pos", _tokenPosition)]);
        if (_tokenMix is not null)
        {
            // [P, N] · [B, N, D] broadcasts over the batch to [B, P, D].
            var mixed = g.AddNode("MatMul", name + ".token_mix", [OnnxEmit.Initializer(g, name + ".token_mix.weight", _tokenMix), tokenValues]);
            queries = g.AddNode("Add", name + ".queries_mixed", [queries, mixed]);
        }

        string? projectedText = null;
        if (_text is not null)
        {
            if (text is null || textMask is null)
            {
                throw new ArgumentException("A text-conditioned decoder needs text and text-mask inputs in the graph.", nameof(text));
            }

            projectedText = _text.EmitOnnx(g, text, name + ".text");
        }

        var h = _transformer.EmitSegmentsOnnx(g, [queries, projected], patches + n, projectedText, textMask, name);
        var queryStates = OnnxEmit.Narrow(g, h, 1, 0, patches, name + ".query_states");
        var pixels = OnnxEmit.Linear(g, queryStates, _pixelHead, name + ".pixel_head");
        int c = PixelChannels;
        var image = OnnxEmit.Reshape(g, pixels, name + ".patches", 0, grid, grid, c, p, p);
        image = OnnxEmit.Transpose(g, image, name + ".unpatchify_t", 0, 3, 1, 4, 2, 5);
        image = OnnxEmit.Reshape(g, image, name + ".unpatchify", 0, c, grid * p, grid * p);
        if (_convHead is not null)
        {
            image = _convHead.EmitOnnx(g, OnnxEmit.Gelu(g, image, name + ".conv_head_gelu"), name + ".conv_head");
        }
        else if (_refine is not null)
        {
            var refined = _refine.EmitOnnx(g, image, name + ".refine");
            image = g.AddNode("Add", name + ".refine_residual", [image, refined]);
        }

        return image;
    }
}
