using Microsoft.ML;
using Microsoft.ML.Data;

namespace TexTok.ML;

/// <summary>
/// Estimator for <see cref="CaptionEmbedTransformer"/>: caption text → frozen text embedding [Nt·Dt] and mask [Nt].
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Estimator characteristic</term><description>Value</description></listheader>
/// <item><term>Does this estimator need to look at the data to train its parameters?</term><description>No</description></item>
/// <item><term>Input column data type</term><description>Text</description></item>
/// <item><term>Output column data types</term><description>Vector of Single [Nt·Dt] (embedding) and [Nt] (mask)</description></item>
/// <item><term>Saved with <c>mlContext.Model.Save</c></term><description>Yes (a versioned custom mapping; no weights to store)</description></item>
/// </list>
/// The encoder is the library's offline default (<see cref="TexTok.ML.Text.FrozenBpeTextEncoder"/> with its default
/// options, Nt = 32, Dt = 64). Blank or missing captions fail the row with a clear message.
/// </remarks>
/// <example>
/// <code language="csharp">
/// var rows = ml.Data.LoadFromEnumerable(new[] { new { Caption = "a red circle at the top left" } });
/// var embedded = ml.Transforms.CaptionEmbed().Fit(rows).Transform(rows);   // TextEmbedding [2048], TextMask [32]
/// </code>
/// </example>
public sealed class CaptionEmbedEstimator : IEstimator<CaptionEmbedTransformer>
{
    private readonly IEstimator<ITransformer> _inner;

    internal CaptionEmbedEstimator(TransformsCatalog catalog, CaptionEmbedOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        var t = catalog;
        _inner = t.CopyColumns(CaptionEmbedMapping.CaptionColumn, options.InputColumnName)
            .Append(t.CustomMapping(new CaptionEmbedMapping().GetMapping(), CaptionEmbedMapping.ContractName))
            .Append(t.CopyColumns(options.OutputColumnName, CaptionEmbedMapping.EmbeddingColumn))
            .Append(t.CopyColumns(options.MaskColumnName, CaptionEmbedMapping.MaskColumn))
            .Append(t.DropColumns(CaptionEmbedMapping.CaptionColumn, CaptionEmbedMapping.EmbeddingColumn, CaptionEmbedMapping.MaskColumn));
    }

    /// <summary>The column names this estimator reads and writes.</summary>
    public CaptionEmbedOptions Options { get; }

    /// <inheritdoc/>
    public CaptionEmbedTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Schema.GetColumnOrNull(Options.InputColumnName)?.Type, input.Schema.GetColumnOrNull(Options.InputColumnName) is not null);
        return new CaptionEmbedTransformer(_inner.Fit(input));
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var matches = inputSchema.Where(c => c.Name == Options.InputColumnName).ToList();
        bool found = matches.Count > 0;
        CheckInput(found ? matches[^1].ItemType : null, found, found && matches[^1].Kind != SchemaShape.Column.VectorKind.Scalar);
        return _inner.GetOutputSchema(inputSchema);
    }

    private void CheckInput(DataViewType? type, bool found, bool isVector = false)
    {
        if (!found)
        {
            throw new ArgumentOutOfRangeException(nameof(IDataView), $"CaptionEmbed: input column '{Options.InputColumnName}' not found.");
        }

        if (isVector || type is not TextDataViewType)
        {
            throw new ArgumentOutOfRangeException(nameof(IDataView),
                $"CaptionEmbed: schema mismatch for input column '{Options.InputColumnName}': expected Text, got {(isVector ? "Vector<" + type + ">" : type)}.");
        }
    }
}

/// <summary>Column names for <see cref="CaptionEmbedEstimator"/>.</summary>
public sealed class CaptionEmbedOptions
{
    /// <summary>Output column of the text embedding (vector of Nt·Dt floats).</summary>
    public string OutputColumnName { get; set; } = TexTokDefaults.TextEmbeddingColumn;

    /// <summary>Input caption column (text).</summary>
    public string InputColumnName { get; set; } = TexTokDefaults.CaptionColumn;

    /// <summary>Output column of the text mask (vector of Nt floats, 1 for tokens, 0 for padding).</summary>
    public string MaskColumnName { get; set; } = TexTokDefaults.TextMaskColumn;

    internal void Validate()
    {
        foreach (var (value, name) in new[] { (OutputColumnName, nameof(OutputColumnName)), (InputColumnName, nameof(InputColumnName)), (MaskColumnName, nameof(MaskColumnName)) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"CaptionEmbed option {name} must name a column.", name);
            }
        }

        if (OutputColumnName == MaskColumnName)
        {
            throw new ArgumentException($"CaptionEmbed writes two columns; OutputColumnName and MaskColumnName are both '{OutputColumnName}'.", nameof(MaskColumnName));
        }
    }
}
