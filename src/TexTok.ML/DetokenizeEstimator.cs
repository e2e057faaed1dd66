using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace TexTok.ML;

/// <summary>
/// Tokens + caption embedding → image. Builds a chain of built-in ML.NET steps: a row check that fails on
/// non-finite tokens, ApplyOnnxModel over the exported detokenizer (pixels clamped to [0, 255] in-graph), and
/// ConvertToImage. Nothing is learned here: the model comes from <see cref="DetokenizeOptions.Model"/> or from the
/// TexTokenize estimator given as <see cref="DetokenizeOptions.Tokenizer"/>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Estimator characteristic</term><description>Value</description></listheader>
/// <item><term>Does this estimator need to look at the data to train its parameters?</term><description>No (with a TexTokenize estimator, it reads the fitted pair from the token column's annotation)</description></item>
/// <item><term>Input column data types</term><description>Vector of Single [N·d] (tokens); the caption columns as for TexTokenize</description></item>
/// <item><term>Output column data types</term><description>Image of the model's size; Vector of Single [3·H·W] in [0, 255] (pixels, optional)</description></item>
/// <item><term>Saved with <c>mlContext.Model.Save</c></term><description>Yes (a versioned token check, ApplyOnnxModel with the detokenizer's ONNX bytes, ConvertToImage)</description></item>
/// </list>
/// A token vector holding NaN or infinity fails its row instead of producing an image.
/// </remarks>
/// <example>
/// Decode tokens with a trained pair (samples/TextToImage decodes generated tokens the same way):
/// <code language="csharp">
/// using var pair = TexTokTrainedModel.Load("textok.safetensors");
/// using var decode = ml.Transforms.CaptionEmbed().Append(ml.Transforms.Detokenize(pair)).Fit(tokens);
/// var images = decode.Transform(tokens).GetColumn&lt;float[]&gt;(TexTokDefaults.ReconstructionPixelsColumn);
/// </code>
/// </example>
public sealed class DetokenizeEstimator : IEstimator<DetokenizeTransformer>
{
    internal const string Component = "Detokenize";

    private readonly TransformsCatalog _catalog;

    internal DetokenizeEstimator(TransformsCatalog catalog, DetokenizeOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _catalog = catalog;
        Options = options;
    }

    /// <summary>The settings.</summary>
    public DetokenizeOptions Options { get; }

    /// <summary>
    /// Builds the scoring chain for the model: the given <see cref="DetokenizeOptions.Model"/>, or the pair that the
    /// <see cref="DetokenizeOptions.Tokenizer"/> estimator fitted earlier in the same pipeline (found in the token
    /// column's <see cref="TexTokTokenSource"/> annotation). The model is the caller's or the TexTokenize transformer's;
    /// disposing this transformer releases only its own ONNX sessions.
    /// </summary>
    /// <param name="input">Rows with the token column and, for text-conditioned models, the text columns.</param>
    public DetokenizeTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var model = Options.Model ?? ModelFromTokens(input.Schema);
        var c = model.Config;
        TexTokSchema.Require(input.Schema, Component, Options.TokensColumnName, TexTokSchema.Expected.Vector(model.TokenLength));
        if (c.UseText)
        {
            TexTokSchema.RequireText(input.Schema, Component, Options.TextEmbeddingColumnName, Options.TextMaskColumnName, c.TextTokens, c.TextDim);
        }

        return new DetokenizeTransformer(BuildChain(model).Fit(input), model);
    }

    /// <summary>The output schema: the input plus the image (and pixel) columns (works before Fit).</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var model = Options.Model;
        bool text = model?.Config.UseText ?? Options.Tokenizer!.UsesText;
        int size = model?.Config.ImageSize ?? Options.Tokenizer!.ImageSize;
        TexTokSchema.Require(inputSchema, Component, Options.TokensColumnName, TexTokSchema.Expected.Vector(0));

        if (text)
        {
            TexTokSchema.RequireText(inputSchema, Component, Options.TextEmbeddingColumnName, Options.TextMaskColumnName);
        }

        var added = new List<SchemaShape.Column> { TexTokSchema.Image(Options.OutputColumnName, size, size) };
        if (Options.PixelsColumnName is { } pixels)
        {
            added.Add(TexTokSchema.FloatVector(pixels));
        }

        return TexTokSchema.With(inputSchema, [.. added]);
    }

    /// <summary>The pair that <see cref="DetokenizeOptions.Tokenizer"/> fitted, from the token column's annotation.</summary>
    private TexTokTrainedModel ModelFromTokens(DataViewSchema schema)
    {
        var column = schema.GetColumnOrNull(Options.TokensColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"{Component}: input column '{Options.TokensColumnName}' not found.");
        var source = TexTokTokenSource.Find(column)
            ?? throw new InvalidOperationException(
                $"{Component}: the token column '{Options.TokensColumnName}' was not written by a fitted TexTokenize; put its TexTokenize " +
                "earlier in the same pipeline (Append), or pass a trained Model.");
        if (!ReferenceEquals(source.Estimator, Options.Tokenizer))
        {
            throw new InvalidOperationException(
                $"{Component}: the token column '{Options.TokensColumnName}' was written by another TexTokenize than the one this Detokenize was given.");
        }

        return source.Model;
    }

    private IEstimator<ITransformer> BuildChain(TexTokTrainedModel model)
    {
        var t = _catalog;
        var c = model.Config;
        var inputs = new List<string> { TexTokColumns.DecoderTokens, TexTokColumns.DecoderGate };
        var temps = new List<string> { TexTokColumns.DecoderTokens, TexTokColumns.DecoderGate, TexTokColumns.DecoderPixels };
        IEstimator<ITransformer> chain = t.CopyColumns(TexTokColumns.DecoderTokens, Options.TokensColumnName)
            .Append(t.CustomMapping(new TokenCheckMapping().GetMapping(), TokenCheckMapping.ContractName));
        if (c.UseText)
        {
            chain = TexTokColumns.AppendTextInputs(t, chain, Options.TextEmbeddingColumnName, Options.TextMaskColumnName, inputs, temps);
        }

        chain = chain.Append(t.ApplyOnnxModel([TexTokColumns.DecoderPixels], [.. inputs], new MemoryStream(model.PipelineDecoder(), writable: false),
            OnnxDevice.Resolve(Options.GpuDeviceId, Options.FallbackToCpu, Component), Options.FallbackToCpu));
        if (Options.PixelsColumnName is { } pixels)
        {
            chain = chain.Append(t.CopyColumns(pixels, TexTokColumns.DecoderPixels));
        }

        return chain
            .Append(t.ConvertToImage(c.ImageSize, c.ImageSize, Options.OutputColumnName, TexTokColumns.DecoderPixels,
                ImagePixelExtractingEstimator.ColorBits.Rgb, ImagePixelExtractingEstimator.ColorsOrder.ARGB, interleavedColors: false,
                scaleImage: 1f, offsetImage: 0f))
            .Append(t.DropColumns([.. temps]));
    }
}
