namespace TexTok.ML.Onnx;

/// <summary>
/// A dense tensor in row-major order passed to <see cref="OnnxScoringSession.Run(IReadOnlyDictionary{string, OnnxTensor})"/>:
/// <see cref="OnnxFloatTensor"/> or <see cref="OnnxInt64Tensor"/>.
/// </summary>
public abstract class OnnxTensor
{
    /// <summary>Checks that <paramref name="shape"/> holds <paramref name="count"/> values.</summary>
    /// <param name="count">Number of values.</param>
    /// <param name="shape">Dimensions.</param>
    private protected OnnxTensor(long count, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long expected = 1;
        foreach (var d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
            expected *= d;
        }

        if (expected != count)
        {
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] holds {expected} values but {count} were given.", "data");
        }

        Shape = shape;
    }

    /// <summary>Dimensions.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The element type.</summary>
    public abstract OnnxElementType ElementType { get; }
}
