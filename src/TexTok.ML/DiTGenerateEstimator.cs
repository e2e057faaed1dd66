using Microsoft.ML;
using Microsoft.ML.Data;
using TexTok.ML.Torch.Generation;

namespace TexTok.ML;

/// <summary>
/// Class label or caption embedding + seed → N tokens, sampled by a DiT over TexTok tokens. The whole sampler (every
/// step, guidance, latent denormalisation) is one ONNX graph run by ML.NET's ApplyOnnxModel, so the step saves inside
/// the pipeline zip like the other components. Nothing is learned in Fit: train the DiT with <c>DiTTrainer</c>.
/// </summary>
public sealed class DiTGenerateEstimator : IEstimator<DiTGenerateTransformer>
{
    internal const string Component = "DiTGenerate";

    private const string Labels = TexTokColumns.Prefix + "dit_labels";
    private const string Text = TexTokColumns.Prefix + "dit_text";
    private const string Mask = TexTokColumns.Prefix + "dit_text_mask";
    private const string Tokens = TexTokColumns.Prefix + "dit_tokens";

    private readonly TransformsCatalog _catalog;
    private readonly object _gate = new();
    private byte[]? _sampler;

    internal DiTGenerateEstimator(TransformsCatalog catalog, DiTGenerateOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _catalog = catalog;
        Options = options;
    }

    /// <summary>The settings.</summary>
    public DiTGenerateOptions Options { get; }

    private DiTConfig Config => Options.Model!.Config;

    /// <summary>Builds the sampling chain.</summary>
    /// <param name="input">Rows with the seed and condition columns.</param>
    public DiTGenerateTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckSeedAndLabel(input.Schema);
        if (Config.IsTextConditional)
        {
            TexTokSchema.RequireText(input.Schema, Component, Options.TextEmbeddingColumnName, Options.TextMaskColumnName, Config.TextTokens, Config.TextDim);
        }

        return new DiTGenerateTransformer(BuildChain().Fit(input));
    }

    /// <summary>The output schema: the input plus the token column.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        RequireNumber(inputSchema, Options.SeedColumnName);
        if (Config.IsClassConditional)
        {
            RequireNumber(inputSchema, Options.LabelColumnName);
        }

        if (Config.IsTextConditional)
        {
            TexTokSchema.RequireText(inputSchema, Component, Options.TextEmbeddingColumnName, Options.TextMaskColumnName);
        }

        return TexTokSchema.With(inputSchema, TexTokSchema.FloatVector(Options.OutputColumnName));
    }

    /// <summary>The sampler graph with the pipeline's names, fixed-width noise and the guidance scale baked in.</summary>
    internal byte[] SamplerBytes()
    {
        lock (_gate)
        {
            return _sampler ??= DiTOnnxExport.ExportSampler(Options.Model!, Options.Sampler, new DiTOnnxGraphOptions
            {
                NoiseInput = DiTNoiseMapping.NoiseColumn, LabelsInput = Labels, TextInput = Text, TextMaskInput = Mask,
                TokensOutput = Tokens, NoiseWidth = DiTNoiseMapping.Width, BakeGuidanceScale = true, LabelsAsColumn = true,
            });
        }
    }

    private IEstimator<ITransformer> BuildChain()
    {
        var t = _catalog;
        var inputs = new List<string> { DiTNoiseMapping.NoiseColumn };
        var temps = new List<string> { DiTNoiseMapping.SeedColumn, DiTNoiseMapping.NoiseColumn, Tokens };
        IEstimator<ITransformer> chain = t.Conversion.ConvertType(DiTNoiseMapping.SeedColumn, Options.SeedColumnName, DataKind.Int32)
            .Append(t.CustomMapping(new DiTNoiseMapping().GetMapping(), DiTNoiseMapping.ContractName));
        if (Config.IsClassConditional)
        {
            chain = chain.Append(t.Conversion.ConvertType(Labels, Options.LabelColumnName, DataKind.Int64));
            inputs.Add(Labels);
            temps.Add(Labels);
        }
        else if (Config.IsTextConditional)
        {
            chain = chain.Append(t.CopyColumns(Text, Options.TextEmbeddingColumnName)).Append(t.CopyColumns(Mask, Options.TextMaskColumnName));
            inputs.Add(Text);
            inputs.Add(Mask);
            temps.Add(Text);
            temps.Add(Mask);
        }

        return chain
            .Append(t.ApplyOnnxModel([Tokens], [.. inputs], new MemoryStream(SamplerBytes(), writable: false), Options.GpuDeviceId, Options.FallbackToCpu))
            .Append(t.CopyColumns(Options.OutputColumnName, Tokens))
            .Append(t.DropColumns([.. temps]));
    }

    private void CheckSeedAndLabel(DataViewSchema schema)
    {
        RequireNumber(schema, Options.SeedColumnName);
        if (Config.IsClassConditional)
        {
            RequireNumber(schema, Options.LabelColumnName);
        }
    }

    private static bool IsNumber(DataViewType type) => type is NumberDataViewType && type is not KeyDataViewType;

    private void RequireNumber(DataViewSchema schema, string column)
    {
        var found = schema.GetColumnOrNull(column) ?? throw new ArgumentOutOfRangeException(nameof(schema), $"{Component}: input column '{column}' not found.");
        if (!IsNumber(found.Type))
        {
            throw new ArgumentOutOfRangeException(nameof(schema), $"{Component}: schema mismatch for input column '{column}': expected a number, got {found.Type}.");
        }
    }

    private void RequireNumber(SchemaShape shape, string column)
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

/// <summary>
/// A fitted <see cref="DiTGenerateEstimator"/>: a chain of built-in ML.NET steps (type conversion, a versioned noise
/// mapping, ApplyOnnxModel over the whole sampler) that <c>mlContext.Model.Save</c> stores with the DiT's weights.
/// </summary>
public sealed class DiTGenerateTransformer : TexTokChainTransformer
{
    internal DiTGenerateTransformer(ITransformer inner)
        : base(inner)
    {
    }

    /// <summary>Re-wraps what <c>mlContext.Model.Load</c> returned for a saved DiTGenerate step.</summary>
    /// <param name="loaded">The loaded transformer.</param>
    public static DiTGenerateTransformer FromLoaded(ITransformer loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return new DiTGenerateTransformer(loaded);
    }
}
