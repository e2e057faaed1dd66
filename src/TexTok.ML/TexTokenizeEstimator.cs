using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;

namespace TexTok.ML;

/// <summary>
/// Image + caption embedding → N continuous tokens. <see cref="Fit"/> trains a TexTok tokenizer/detokenizer pair on
/// its input (reading rows through cursors into a temporary on-disk sample cache) or wraps a trained
/// <see cref="TexTokenizeOptions.Model"/>; the fitted transformer scores with ONNX Runtime through ML.NET's
/// ApplyOnnxModel, the weights travelling inside the saved zip.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Estimator characteristic</term><description>Value</description></listheader>
/// <item><term>Does this estimator need to look at the data to train its parameters?</term><description>Yes when no <see cref="TexTokenizeOptions.Model"/> is given (it trains the tokenizer and detokenizer); no otherwise</description></item>
/// <item><term>Input column data types</term><description>Image (any size; resized to the model's); Vector of Single [Nt·Dt] (caption embedding) and [Nt] (mask), not read by a model without text</description></item>
/// <item><term>Output column data type</term><description>Vector of Single [N·d], annotated with the <see cref="TexTokTokenSource"/> that wrote it</description></item>
/// <item><term>Saved with <c>mlContext.Model.Save</c></term><description>Yes (ResizeImages, ExtractPixels, ApplyOnnxModel with the tokenizer's ONNX bytes)</description></item>
/// </list>
/// A Fit that trains honours <see cref="TexTokenizeOptions.CancellationToken"/> and <c>MLContext.CancelExecution()</c>,
/// writes checkpoints and carries on from an existing one (<c>Training.CheckpointPath</c>), and can leave out unreadable
/// images (<see cref="TexTokenizeOptions.SkipInvalidImages"/>). The estimator keeps no state from a Fit.
/// </remarks>
/// <example>
/// Train a pair inside <c>Fit</c> and reconstruct (samples/QuickStart and samples/ImageFolder show it whole):
/// <code language="csharp">
/// var tokenize = ml.Transforms.TexTokenize(numTokens: 16, imageSize: 32, steps: 2500);
/// using var model = ml.Transforms.CaptionEmbed().Append(tokenize).Append(ml.Transforms.Detokenize(tokenize)).Fit(data);
/// var trained = ((TexTokenizeTransformer)model.ElementAt(1)).Model;   // the pair, to save or export
/// var reconstructions = model.Transform(data);                          // Tokens, Reconstruction, ReconstructionPixels
/// </code>
/// </example>
public sealed class TexTokenizeEstimator : IEstimator<TexTokenizeTransformer>
{
    internal const string Component = "TexTokenize";

    private readonly TransformsCatalog _catalog;

    internal TexTokenizeEstimator(TransformsCatalog catalog, TexTokenizeOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(Component);
        _catalog = catalog;
        Options = options;
    }

    /// <summary>The settings.</summary>
    public TexTokenizeOptions Options { get; }

    /// <summary>The image size the model works at (from the options; an estimator keeps no fitted state).</summary>
    internal int ImageSize => (Options.Model?.Config ?? Options.Network ?? DefaultNetwork).ImageSize;

    internal bool UsesText => (Options.Model?.Config ?? Options.Network ?? DefaultNetwork).UseText;

    /// <summary>
    /// The network trained when none is given: the <see cref="TexTokDefaults.Preset"/> preset at
    /// <see cref="TexTokDefaults.ImageSize"/> px with <see cref="TexTokDefaults.NumTokens"/> tokens, d = 8.
    /// </summary>
    public static TexTokConfig DefaultNetwork { get; } = TexTokConfig.FromPreset(TexTokDefaults.Preset, TexTokDefaults.ImageSize, TexTokDefaults.NumTokens);

    /// <summary>
    /// Trains (or wraps) the model and builds the scoring chain. Each call trains its own model, held by the returned
    /// transformer (and disposed with it); the estimator itself is not changed.
    /// </summary>
    /// <param name="input">Rows with the image column and, for text-conditioned models, the text columns.</param>
    public TexTokenizeTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        TexTokSchema.Require(input.Schema, Component, Options.ImageColumnName, TexTokSchema.Expected.Image);
        if (Options.Model is { } given)
        {
            CheckText(input.Schema, given.Config);
            return new TexTokenizeTransformer(BuildChain(_catalog, Options, given).Fit(input), given, Options.OutputColumnName, this);
        }

        var config = ResolveNetwork(input.Schema);
        CheckText(input.Schema, config);
        var (model, history, skipped) = Train(input, config);
        try
        {
            return new TexTokenizeTransformer(BuildChain(_catalog, Options, model).Fit(input), model, Options.OutputColumnName, this, history, ownsModel: true)
            {
                SkippedImages = skipped,
            };
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The output schema: the input plus the token column (works before Fit).</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        TexTokSchema.Require(inputSchema, Component, Options.ImageColumnName, TexTokSchema.Expected.Image);
        if (UsesText)
        {
            TexTokSchema.RequireText(inputSchema, Component, Options.TextEmbeddingColumnName, Options.TextMaskColumnName);
        }

        return TexTokSchema.With(inputSchema, TexTokSchema.FloatVector(Options.OutputColumnName));
    }

    internal static IEstimator<ITransformer> BuildChain(TransformsCatalog t, TexTokenizeOptions options, TexTokTrainedModel model)
    {
        var c = model.Config;
        var inputs = new List<string> { TexTokColumns.EncoderImage };
        IEstimator<ITransformer> chain = TexTokColumns.ModelPixels(t, TexTokColumns.EncoderImage, TexTokColumns.ResizedImage, options.ImageColumnName,
            c.ImageSize, options.Resizing);
        var temps = new List<string> { TexTokColumns.ResizedImage, TexTokColumns.EncoderImage, TexTokColumns.EncoderTokens };
        if (c.UseText)
        {
            chain = TexTokColumns.AppendTextInputs(t, chain, options.TextEmbeddingColumnName, options.TextMaskColumnName, inputs, temps);
        }

        return chain
            .Append(t.ApplyOnnxModel([TexTokColumns.EncoderTokens], [.. inputs], new MemoryStream(model.PipelineEncoder(), writable: false),
                OnnxDevice.Resolve(options.GpuDeviceId, options.FallbackToCpu, Component), options.FallbackToCpu))
            .Append(t.CopyColumns(options.OutputColumnName, TexTokColumns.EncoderTokens))
            .Append(t.DropColumns([.. temps]));
    }

    private TexTokConfig ResolveNetwork(DataViewSchema schema)
    {
        var network = Options.Network ?? DefaultNetwork;
        if (!network.UseText)
        {
            return network;
        }

        var (textTokens, textDim) = TexTokSchema.TextShape(schema, Component, Options.TextEmbeddingColumnName, Options.TextMaskColumnName);
        return network with { TextTokens = textTokens, TextDim = textDim };
    }

    private void CheckText(DataViewSchema schema, TexTokConfig config, string component = Component)
    {
        if (config.UseText)
        {
            TexTokSchema.RequireText(schema, component, Options.TextEmbeddingColumnName, Options.TextMaskColumnName, config.TextTokens, config.TextDim);
        }
    }

    private DataViewSampleCache HeldOutCache(IDataView heldOut, TexTokConfig config, CancellationToken cancellationToken)
    {
        const string component = Component + " (HeldOutData)";
        TexTokSchema.Require(heldOut.Schema, component, Options.ImageColumnName, TexTokSchema.Expected.Image);
        CheckText(heldOut.Schema, config, component);

        return DataViewSampleCache.Create(_catalog, heldOut, config, Options, Component, cancellationToken, role: "held-out");
    }

    private (TexTokTrainedModel, IReadOnlyList<TexTokTrainingProgress>, SkippedRows) Train(IDataView input, TexTokConfig config)
    {
        var training = Options.Training ?? new TexTokTrainingOptions();
        using var cancellation = new FitCancellation(_catalog, Options.CancellationToken);
        cancellation.Token.ThrowIfCancellationRequested();
        using var cache = DataViewSampleCache.Create(_catalog, input, config, Options, Component, cancellation.Token);
        using var heldOut = Options.HeldOutData is { } heldOutData ? HeldOutCache(heldOutData, config, cancellation.Token) : null;
        using var trainer = new TexTokTrainer(config, training);
        if (training.CheckpointPath is { } checkpoint && File.Exists(checkpoint))
        {
            // A checkpoint left by a cancelled or crashed Fit: carry on from its step.
            trainer.LoadCheckpoint(checkpoint);
        }

        var history = trainer.Train(cache, Options.Progress, cancellation.Token, heldOut);
        cancellation.ThrowIfStopped(Component, training, trainer.Step);

        return (new TexTokTrainedModel(trainer.CreateEmaModel()), history, cache.Skipped);
    }
}
