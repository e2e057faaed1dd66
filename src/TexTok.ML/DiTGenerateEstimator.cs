using Microsoft.ML;
using Microsoft.ML.Data;
using TexTok.ML.Torch.Generation;

namespace TexTok.ML;

/// <summary>
/// Class label or caption embedding + seed → N tokens, sampled by a DiT over TexTok tokens. <see cref="Fit"/> trains
/// the DiT on its input's token column (read once through a cursor into memory) or wraps a trained
/// <see cref="DiTGenerateOptions.Model"/>. The whole sampler (every step, guidance, latent denormalisation) is one ONNX
/// graph run by ML.NET's ApplyOnnxModel, so the step saves inside the pipeline zip like the other components.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Estimator characteristic</term><description>Value</description></listheader>
/// <item><term>Does this estimator need to look at the data to train its parameters?</term><description>Yes when no <see cref="DiTGenerateOptions.Model"/> is given (it trains the DiT on the token column); no otherwise</description></item>
/// <item><term>Input column data types</term><description>Training: Vector of Single [N·d] (tokens) and a numeric label or the caption columns. Generating: a numeric seed and the label or caption columns</description></item>
/// <item><term>Output column data type</term><description>Vector of Single [N·d], in the tokenizer's units</description></item>
/// <item><term>Saved with <c>mlContext.Model.Save</c></term><description>Yes (ConvertType, a versioned noise mapping, ApplyOnnxModel with the whole sampler)</description></item>
/// </list>
/// Fit reads the columns of the rows it is given: when it trains, the tokens and the condition (label or caption
/// columns), which need no seeds; when it wraps a Model, the seed and condition columns of the rows to generate for.
/// The fitted transformer always reads the seed and condition columns, so a DiTGenerate that trains is usually fitted
/// on token rows and then applied to other rows, e.g. (Label, Seed).
/// </remarks>
/// <example>
/// Train a class-conditional DiT on tokens inside <c>Fit</c>, then generate and decode (samples/FashionMnist shows the
/// same with the Torch-level trainer):
/// <code language="csharp">
/// using var generate = ml.Transforms.DiTGenerate(new DiTGenerateOptions { Training = new DiTTrainingOptions { Steps = 2000 } }).Fit(tokenRows);
/// var requests = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 16).Select(i =&gt; new { Label = i % 10, Seed = i, Caption = captions[i % 10] }));
/// using var decode = ml.Transforms.CaptionEmbed().Append(ml.Transforms.Detokenize(pair)).Fit(generate.Transform(requests));
/// var images = decode.Transform(generate.Transform(requests));
/// </code>
/// </example>
public sealed class DiTGenerateEstimator : IEstimator<DiTGenerateTransformer>
{
    internal const string Component = "DiTGenerate";

    private const string Labels = TexTokColumns.Prefix + "dit_labels";
    private const string Text = TexTokColumns.Prefix + "dit_text";
    private const string Mask = TexTokColumns.Prefix + "dit_text_mask";
    private const string Tokens = TexTokColumns.Prefix + "dit_tokens";

    private readonly TransformsCatalog _catalog;

    internal DiTGenerateEstimator(TransformsCatalog catalog, DiTGenerateOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(Component);
        _catalog = catalog;
        Options = options;
    }

    /// <summary>The settings.</summary>
    public DiTGenerateOptions Options { get; }

    /// <summary>
    /// The class-conditional network trained when no Network is given and the input has the label column: the Tiny preset
    /// (2 blocks, 64 wide, 4 heads) with its class count set to one more than the largest training label, and N and d
    /// taken from the token column.
    /// </summary>
    public static DiTConfig DefaultNetwork { get; } =
        DiTConfig.FromPreset(TexTokDefaults.GeneratorPreset, TexTokDefaults.NumTokens, TexTokDefaults.TokenDim);

    /// <summary>
    /// The text-conditional network (DiT-T2I, cross-attention to the caption) trained when no Network is given and the
    /// input has no label column: the Tiny preset with N and d from the token column and the text shape from the caption
    /// columns. Set it as <see cref="DiTGenerateOptions.Network"/> to train on captions when the rows have labels too.
    /// </summary>
    public static DiTConfig DefaultTextNetwork { get; } = DiTConfig.FromPreset(TexTokDefaults.GeneratorPreset, TexTokDefaults.NumTokens,
        TexTokDefaults.TokenDim, numClasses: 0, textTokens: CaptionEmbedMapping.DefaultTokens, textDim: CaptionEmbedMapping.DefaultDim);

    /// <summary>
    /// Trains (or wraps) the DiT and builds the sampling chain. Each call trains its own model, held by the returned
    /// transformer (and disposed with it); the estimator itself is not changed.
    /// </summary>
    /// <param name="input">
    /// When training: rows with the token column and the label or caption columns (a seed column is not needed). When
    /// wrapping a Model: rows with the seed and condition columns.
    /// </param>
    public DiTGenerateTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (Options.Model is { } given)
        {
            var check = GenerationColumnsCheck(given.Config);
            check(input.Schema);
            return new DiTGenerateTransformer(BuildChain(input.Schema, given), given, check);
        }

        var (model, history) = Train(input, ResolveNetwork(input.Schema));
        try
        {
            return new DiTGenerateTransformer(BuildChain(input.Schema, model), model, GenerationColumnsCheck(model.Config), history, ownsModel: true);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The output schema: the input plus the token column (works before Fit). It describes the fitted transformer's
    /// output, so it needs the seed and condition columns, and the token column too when Fit trains.
    /// </summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        RequireNumber(inputSchema, Options.SeedColumnName);
        if (Options.Model is null)
        {
            TexTokSchema.Require(inputSchema, Component, Options.TokensColumnName, TexTokSchema.Expected.Vector(0));
        }

        var config = Options.Model?.Config ?? Template(name => inputSchema.Any(c => c.Name == name));
        if (config.IsClassConditional)
        {
            RequireNumber(inputSchema, Options.LabelColumnName);
        }

        if (config.IsTextConditional)
        {
            TexTokSchema.RequireText(inputSchema, Component, Options.TextEmbeddingColumnName, Options.TextMaskColumnName);
        }

        return TexTokSchema.With(inputSchema, TexTokSchema.FloatVector(Options.OutputColumnName));
    }

    /// <summary>
    /// The check of the columns the sampling chain for <paramref name="config"/> reads: the seed, and the label or caption
    /// columns it is conditioned on. The column names are taken now, as the chain is built with them.
    /// </summary>
    private Action<DataViewSchema> GenerationColumnsCheck(DiTConfig config)
    {
        string seed = Options.SeedColumnName, label = Options.LabelColumnName, text = Options.TextEmbeddingColumnName, mask = Options.TextMaskColumnName;
        return schema =>
        {
            RequireNumber(schema, seed);
            if (config.IsClassConditional)
            {
                RequireNumber(schema, label);
            }

            if (config.IsTextConditional)
            {
                TexTokSchema.RequireText(schema, Component, text, mask, config.TextTokens, config.TextDim);
            }
        };
    }

    /// <summary>
    /// The sampling chain fitted for <paramref name="model"/>. Its steps read only the schema, so it is fitted on the
    /// input's schema with an Int32 seed column added where the input has none (ConvertType reads any numeric seed later).
    /// </summary>
    private ITransformer BuildChain(DataViewSchema schema, DiTModel model)
    {
        var t = _catalog;
        var inputs = new List<string> { DiTNoiseMapping.NoiseColumn };
        var temps = new List<string> { DiTNoiseMapping.SeedColumn, DiTNoiseMapping.NoiseColumn, Tokens };
        IEstimator<ITransformer> chain = t.Conversion.ConvertType(DiTNoiseMapping.SeedColumn, Options.SeedColumnName, DataKind.Int32)
            .Append(t.CustomMapping(new DiTNoiseMapping().GetMapping(), DiTNoiseMapping.ContractName));
        if (model.Config.IsClassConditional)
        {
            chain = chain.Append(t.Conversion.ConvertType(Labels, Options.LabelColumnName, DataKind.Int64));
            inputs.Add(Labels);
            temps.Add(Labels);
        }
        else if (model.Config.IsTextConditional)
        {
            chain = chain.Append(t.CopyColumns(Text, Options.TextEmbeddingColumnName)).Append(t.CopyColumns(Mask, Options.TextMaskColumnName));
            inputs.Add(Text);
            inputs.Add(Mask);
            temps.Add(Text);
            temps.Add(Mask);
        }

        var sampler = DiTOnnxExport.ExportSampler(model, Options.Sampler, new DiTOnnxGraphOptions
        {
            NoiseInput = DiTNoiseMapping.NoiseColumn, LabelsInput = Labels, TextInput = Text, TextMaskInput = Mask,
            TokensOutput = Tokens, NoiseWidth = DiTNoiseMapping.Width, BakeGuidanceScale = true, LabelsAsColumn = true,
        });
        return chain
            .Append(t.ApplyOnnxModel([Tokens], [.. inputs], new MemoryStream(sampler, writable: false), OnnxDevice.Resolve(Options.GpuDeviceId, Options.FallbackToCpu, Component), Options.FallbackToCpu))
            .Append(t.CopyColumns(Options.OutputColumnName, Tokens))
            .Append(t.DropColumns([.. temps]))
            .Fit(new SchemaOnlyDataView(SchemaOnlyDataView.WithColumn(schema, Options.SeedColumnName, NumberDataViewType.Int32)));
    }

    /// <summary>The network to train, conditioned as <see cref="Template"/> says, with N, d and the text shape read from the input's schema.</summary>
    private DiTConfig ResolveNetwork(DataViewSchema schema)
    {
        var template = Template(name => schema.GetColumnOrNull(name) is not null);
        var (numTokens, tokenDim) = TokenShape(schema);
        var config = template with { NumTokens = numTokens, TokenDim = tokenDim };
        if (config.IsClassConditional)
        {
            RequireNumber(schema, Options.LabelColumnName);
        }

        if (config.IsTextConditional)
        {
            var (textTokens, textDim) = TexTokSchema.TextShape(schema, Component, Options.TextEmbeddingColumnName, Options.TextMaskColumnName);
            config = config with { TextTokens = textTokens, TextDim = textDim };
        }

        DiTGenerateOptions.CheckNoiseWidth(Component, config, nameof(DiTGenerateOptions.TokensColumnName));
        config.Validate();
        return config;
    }

    /// <summary>The given Network, or the default one the input's columns call for: class-conditional with a label column, else text-conditional.</summary>
    private DiTConfig Template(Func<string, bool> hasColumn)
    {
        if (Options.Network is { } network)
        {
            return network;
        }

        if (hasColumn(Options.LabelColumnName))
        {
            return DefaultNetwork;
        }

        if (hasColumn(Options.TextEmbeddingColumnName))
        {
            return DefaultTextNetwork;
        }

        throw new ArgumentOutOfRangeException("input",
            $"{Component}: input column '{Options.LabelColumnName}' not found; training needs a class label column, or the caption columns " +
            $"'{Options.TextEmbeddingColumnName}' and '{Options.TextMaskColumnName}' for a text-conditional DiT (or a Network with neither condition).");
    }

    /// <summary>N and d of the token column: its size is N · d, and d is the option, the annotating TexTokenize's, or the default.</summary>
    private (int NumTokens, int TokenDim) TokenShape(DataViewSchema schema)
    {
        string name = Options.TokensColumnName;
        TexTokSchema.Require(schema, Component, name, TexTokSchema.Expected.Vector(0));
        var column = schema[name];
        int length = ((VectorDataViewType)column.Type).Size;
        if (length == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"{Component}: schema mismatch for input column '{name}': expected a Vector<Single> of known size N · d, got {column.Type}.");
        }

        int tokenDim = Options.TokenDim ?? TexTokTokenSource.Find(column)?.Model.Config.TokenDim ?? TexTokDefaults.TokenDim;
        if (length % tokenDim != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"{Component}: the token column '{name}' has {length} values, which is not N · d for d = {tokenDim}; set TokenDim to the tokens' width.");
        }

        return (length / tokenDim, tokenDim);
    }

    private (DiTModel Model, IReadOnlyList<DiTTrainingProgress> History) Train(IDataView input, DiTConfig shape)
    {
        var training = Options.Training ?? new DiTTrainingOptions();
        using var cancellation = new FitCancellation(_catalog, Options.CancellationToken);
        cancellation.Token.ThrowIfCancellationRequested();
        var data = DataViewTokenDataset.Read(_catalog, input, Options, shape, Component, cancellation.Token);
        var config = shape;
        if (shape.IsClassConditional)
        {
            int largest = data.Labels!.Max();
            config = Options.Network is null ? shape with { NumClasses = largest + 1 } : shape;
            if (largest >= config.NumClasses)
            {
                throw new ArgumentOutOfRangeException(nameof(input),
                    $"{Component}: column '{Options.LabelColumnName}' holds the label {largest}, outside the Network's {config.NumClasses} classes.");
            }
        }

        using var trainer = new DiTTrainer(config, LatentNormalization.Measure(data), training);
        if (training.CheckpointPath is { } checkpoint && File.Exists(checkpoint))
        {
            // A checkpoint left by a cancelled or crashed Fit: carry on from its step.
            trainer.LoadCheckpoint(checkpoint);
        }

        var history = trainer.Train(data, Options.Progress, cancellation.Token);
        cancellation.ThrowIfStopped(Component, training, trainer.Step);
        return (trainer.CreateEmaModel(), history);
    }

    private static bool IsNumber(DataViewType type) => type is NumberDataViewType && type is not KeyDataViewType;

    private static void RequireNumber(DataViewSchema schema, string column)
    {
        var found = schema.GetColumnOrNull(column) ?? throw new ArgumentOutOfRangeException(nameof(schema), $"{Component}: input column '{column}' not found.");
        if (!IsNumber(found.Type))
        {
            throw new ArgumentOutOfRangeException(nameof(schema), $"{Component}: schema mismatch for input column '{column}': expected a number, got {found.Type}.");
        }
    }

    private static void RequireNumber(SchemaShape shape, string column)
    {
        var matches = shape.Where(c => c.Name == column).ToList();
        if (matches.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(shape), $"{Component}: input column '{column}' not found.");
        }

        SchemaShape.Column c = matches[^1];
        if (c.Kind != SchemaShape.Column.VectorKind.Scalar || !IsNumber(c.ItemType))
        {
            throw new ArgumentOutOfRangeException(nameof(shape), $"{Component}: schema mismatch for input column '{column}': expected a number, got {c.ItemType}.");
        }
    }
}
