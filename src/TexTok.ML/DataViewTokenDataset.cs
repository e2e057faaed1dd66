using Microsoft.ML;
using Microsoft.ML.Data;
using TexTok.ML.Torch.Generation;

namespace TexTok.ML;

/// <summary>
/// The training rows of a DiT, read from an IDataView in one cursor pass into a <see cref="TokenDataset"/>. Unlike
/// TexTokenize's on-disk <see cref="DataViewSampleCache"/>, the rows stay in memory: <see cref="DiTTrainer"/> takes
/// its data as arrays, and a token row is small (N · d floats: 1 KB at N = 32, d = 8, where a 128 px image is 192 KB).
/// A caption embedding (Nt · Dt floats, 8 KB at CaptionEmbed's 32 · 64) is kept per row with its tokens.
/// </summary>
internal static class DataViewTokenDataset
{
    private const string Label = TexTokColumns.Prefix + "train_label";

    /// <summary>Reads the tokens and the condition <paramref name="shape"/> asks for (labels, captions or none).</summary>
    public static TokenDataset Read(TransformsCatalog t, IDataView input, DiTGenerateOptions options, DiTConfig shape, string component,
                                    CancellationToken cancellationToken)
    {
        // Labels of any numeric type are read as doubles, so a float label that is not a whole number is caught here.
        var prepared = shape.IsClassConditional ? t.Conversion.ConvertType(Label, options.LabelColumnName, DataKind.Double).Fit(input).Transform(input) : input;
        var schema = prepared.Schema;
        var columns = new List<DataViewSchema.Column> { schema[options.TokensColumnName] };
        if (shape.IsClassConditional)
        {
            columns.Add(schema[Label]);
        }

        if (shape.IsTextConditional)
        {
            columns.Add(schema[options.TextEmbeddingColumnName]);
            columns.Add(schema[options.TextMaskColumnName]);
        }

        using var cursor = prepared.GetRowCursor(columns);
        var tokensGetter = cursor.GetGetter<VBuffer<float>>(schema[options.TokensColumnName]);
        var labelGetter = shape.IsClassConditional ? cursor.GetGetter<double>(schema[Label]) : null;
        var textGetter = shape.IsTextConditional ? cursor.GetGetter<VBuffer<float>>(schema[options.TextEmbeddingColumnName]) : null;
        var maskGetter = shape.IsTextConditional ? cursor.GetGetter<VBuffer<float>>(schema[options.TextMaskColumnName]) : null;
        VBuffer<float> buffer = default;
        var tokens = new List<float[]>();
        var labels = new List<int>();
        var texts = new List<float[]>();
        var masks = new List<float[]>();
        while (cursor.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            int row = tokens.Count;
            tokens.Add(ReadVector(tokensGetter, ref buffer, shape.TokenLength, component, options.TokensColumnName, row));
            if (labelGetter is not null)
            {
                double label = 0;
                labelGetter(ref label);
                labels.Add(label is >= 0 and <= int.MaxValue && label == Math.Floor(label)
                    ? (int)label
                    : throw new InvalidDataException($"{component}: row {row}: column '{options.LabelColumnName}' holds {label}; a class label is a whole number from 0."));
            }

            if (textGetter is not null && maskGetter is not null)
            {
                texts.Add(ReadVector(textGetter, ref buffer, shape.TextTokens * shape.TextDim, component, options.TextEmbeddingColumnName, row));
                masks.Add(ReadVector(maskGetter, ref buffer, shape.TextTokens, component, options.TextMaskColumnName, row));
            }
        }

        if (tokens.Count == 0)
        {
            throw new ArgumentException($"{component}: the training data has no rows.", nameof(input));
        }

        return shape.IsClassConditional ? TokenDataset.WithLabels(tokens, labels)
            : shape.IsTextConditional ? TokenDataset.WithText(tokens, texts, masks)
            : TokenDataset.Unconditional(tokens);
    }

    private static float[] ReadVector(ValueGetter<VBuffer<float>> getter, ref VBuffer<float> buffer, int length, string component, string column, int row)
    {
        getter(ref buffer);
        var values = new float[length];
        DataViewSampleCache.Copy(buffer, values, component, column, row);
        return values;
    }
}
