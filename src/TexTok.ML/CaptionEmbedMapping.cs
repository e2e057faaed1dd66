using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using TexTok.ML.Text;

namespace TexTok.ML;

/// <summary>The caption column as the caption mapping reads it (a fixed internal column name).</summary>
public sealed class CaptionEmbedInput
{
    /// <summary>The caption.</summary>
    [ColumnName(CaptionEmbedMapping.CaptionColumn)]
    public string? Caption { get; set; }
}

/// <summary>The caption mapping's outputs: the frozen text embedding [Nt·Dt] and its mask [Nt].</summary>
public sealed class CaptionEmbedOutput
{
    /// <summary>Text embedding, row-major [Nt, Dt].</summary>
    [ColumnName(CaptionEmbedMapping.EmbeddingColumn)]
    [VectorType(CaptionEmbedMapping.DefaultTokens * CaptionEmbedMapping.DefaultDim)]
    public float[] Embedding { get; set; } = [];

    /// <summary>1 for caption tokens, 0 for padding.</summary>
    [ColumnName(CaptionEmbedMapping.MaskColumn)]
    [VectorType(CaptionEmbedMapping.DefaultTokens)]
    public float[] Mask { get; set; } = [];
}

/// <summary>
/// The saved form of CaptionEmbed: an ML.NET custom mapping whose contract name identifies the frozen default
/// text encoder exactly, so a loaded pipeline recreates the same encoder (it has no state beyond its identity).
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class CaptionEmbedMapping : CustomMappingFactory<CaptionEmbedInput, CaptionEmbedOutput>
{
    /// <summary>The contract name stored in saved pipelines; it changes whenever the mapping's output would.</summary>
    public const string ContractName = "TexTok.CaptionEmbed.frozen-bpe.cl100k.Nt32.Dt64.seed24301.v1";

    /// <summary>Text tokens per caption (Nt) of the default encoder.</summary>
    public const int DefaultTokens = 32;

    /// <summary>Embedding width (Dt) of the default encoder.</summary>
    public const int DefaultDim = 64;

    internal const string CaptionColumn = "__textok_caption";
    internal const string EmbeddingColumn = "__textok_text";
    internal const string MaskColumn = "__textok_text_mask";

    private static readonly Lazy<FrozenBpeTextEncoder> Encoder = new(() => new FrozenBpeTextEncoder(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The text encoder this mapping applies.</summary>
    public static ITextEncoder TextEncoder => Encoder.Value;

    /// <summary>Encodes one caption; thread-safe.</summary>
    /// <param name="input">The caption.</param>
    /// <param name="output">Receives the embedding and mask.</param>
    /// <exception cref="InvalidOperationException">The caption is missing or blank.</exception>
    public static void Map(CaptionEmbedInput input, CaptionEmbedOutput output)
    {
        if (string.IsNullOrWhiteSpace(input.Caption))
        {
            throw new InvalidOperationException(
                "CaptionEmbed got an empty or missing caption. Every row needs a non-blank caption; filter or fill such rows first.");
        }

        var embedding = Encoder.Value.Encode(input.Caption);
        output.Embedding = embedding.Values;
        output.Mask = embedding.Mask;
    }

    /// <inheritdoc/>
    public override Action<CaptionEmbedInput, CaptionEmbedOutput> GetMapping() => Map;
}
