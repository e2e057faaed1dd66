using Microsoft.ML;

namespace TexTok.ML;

/// <summary>Entry points of the TexTok components on <c>mlContext.Transforms</c>.</summary>
public static class TexTokCatalog
{
    /// <summary>Caption text → frozen text embedding and mask (the offline default encoder).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Embedding column to write.</param>
    /// <param name="inputColumnName">Caption column to read.</param>
    /// <param name="maskColumnName">Mask column to write.</param>
    public static CaptionEmbedEstimator CaptionEmbed(this TransformsCatalog catalog,
                                                     string outputColumnName = TexTokDefaults.TextEmbeddingColumn,
                                                     string inputColumnName = TexTokDefaults.CaptionColumn,
                                                     string maskColumnName = TexTokDefaults.TextMaskColumn) =>
        catalog.CaptionEmbed(new CaptionEmbedOptions { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, MaskColumnName = maskColumnName });

    /// <summary>Caption text → frozen text embedding and mask, with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Column names.</param>
    public static CaptionEmbedEstimator CaptionEmbed(this TransformsCatalog catalog, CaptionEmbedOptions options) => new(catalog, options);
}
