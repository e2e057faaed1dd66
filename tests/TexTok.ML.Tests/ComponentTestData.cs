using Microsoft.ML;
using TexTok.ML.Torch;
using TexTok.ML.Data;
using TexTok.ML.Torch.Generation;
using TexTok.ML.Torch.Tokenizer;
using static TorchSharp.torch;

namespace TexTok.ML.Tests;

/// <summary>Tiny seeded models and CaptionedShapes rows for the component tests.</summary>
internal static class ComponentTestData
{
    public const int ImageSize = 32;

    /// <summary>A tiny 16 px network (images are resized from 32 px) with N = 4 tokens of width 4, for the default caption encoder.</summary>
    public static TexTokConfig TinyConfig(bool useText = true) => new()
    {
        ImageSize = 16, PatchSize = 4, Width = 16, Depth = 1, Heads = 2, NumTokens = 4, TokenDim = 4,
        TextTokens = CaptionEmbedMapping.DefaultTokens, TextDim = CaptionEmbedMapping.DefaultDim, UseText = useText,
    };

    /// <summary>A seeded model with weights perturbed away from the initialisation (so every path matters).</summary>
    public static TexTokTrainedModel Model(bool useText = true, int seed = 3)
    {
        manual_seed(seed);
        var model = new TexTokModel(TinyConfig(useText));
        using (no_grad())
        using (NewDisposeScope())
        {
            foreach (var parameter in model.parameters())
            {
                parameter.AddInPlace(randn_like(parameter), 0.1);
            }
        }

        return new TexTokTrainedModel(model);
    }

    /// <summary>
    /// A small generator for DiTGenerate's Fit (a step takes milliseconds); N and d are replaced by the token column's.
    /// <paramref name="numClasses"/> = 0 with <paramref name="text"/> makes it text-conditional (its text shape replaced by the caption columns').
    /// </summary>
    public static DiTConfig TinyGenerator(int numClasses = 0, bool text = false) => new()
    {
        Width = 32, Depth = 1, Heads = 2, FrequencyDim = 32, NumClasses = numClasses, TextTokens = text ? 1 : 0, TextDim = text ? 1 : 0,
    };

    /// <summary>
    /// Training rows for DiTGenerate: <paramref name="rows"/> CaptionedShapes images through CaptionEmbed and TexTokenize with
    /// <paramref name="tokenizer"/>, giving Tokens (annotated with the pair), TextEmbedding, TextMask and Label (0 … 5), no Seed.
    /// </summary>
    public static IDataView TokenRows(MLContext ml, TexTokTrainedModel tokenizer, int rows)
    {
        var images = Shapes(ml, rows, DataSplit.Train);
        return ml.Transforms.CaptionEmbed().Append(ml.Transforms.TexTokenize(tokenizer)).Fit(images).Transform(images);
    }

    public static IDataView Shapes(MLContext ml, int rows, DataSplit split = DataSplit.Test) =>
        CaptionedShapes.Load(ml, split, rows, new CaptionedShapesOptions { ImageSize = ImageSize });

    public static float[][] Column(IDataView data, string name)
    {
        var column = data.Schema[name];
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<Microsoft.ML.Data.VBuffer<float>>(column);
        Microsoft.ML.Data.VBuffer<float> value = default;
        var rows = new List<float[]>();
        while (cursor.MoveNext())
        {
            getter(ref value);
            rows.Add(value.DenseValues().ToArray());
        }

        return [.. rows];
    }
}
