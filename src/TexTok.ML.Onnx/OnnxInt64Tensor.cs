namespace TexTok.ML.Onnx;

/// <summary>
/// A dense int64 tensor in row-major order (class labels), passed to
/// <see cref="OnnxScoringSession.Run(IReadOnlyDictionary{string, OnnxFloatTensor}, IReadOnlyDictionary{string, OnnxInt64Tensor})"/>.
/// </summary>
public sealed class OnnxInt64Tensor
{
    /// <summary>Wraps <paramref name="data"/> (not copied) with its <paramref name="shape"/>.</summary>
    /// <param name="data">Values in row-major order.</param>
    /// <param name="shape">Dimensions; their product must equal the number of values.</param>
    public OnnxInt64Tensor(long[] data, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (var d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
            count *= d;
        }

        if (count != data.Length)
        {
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] holds {count} values but {data.Length} were given.", nameof(data));
        }

        Data = data;
        Shape = shape;
    }

    /// <summary>Values in row-major order.</summary>
    public long[] Data { get; }

    /// <summary>Dimensions.</summary>
    public IReadOnlyList<long> Shape { get; }
}
