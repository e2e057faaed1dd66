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

    /// <summary>Builds the scoring chain for the model (the TexTokenize estimator must have been fitted first).</summary>
    /// <param name="input">Rows with the token column and, for text-conditioned models, the text columns.</param>
    public DetokenizeTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var model = Options.Model ?? Options.Tokenizer!.FittedModel
            ?? throw new InvalidOperationException("Detokenize: its TexTokenize estimator has not been fitted yet; put TexTokenize earlier in the same pipeline, or pass a trained Model.");
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
            Options.GpuDeviceId, Options.FallbackToCpu));
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
