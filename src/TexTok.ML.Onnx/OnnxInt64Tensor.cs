namespace TexTok.ML.Onnx;

/// <summary>A dense int64 tensor in row-major order (token ids, masks), as passed to <see cref="OnnxScoringSession.Run(IReadOnlyDictionary{string, OnnxTensor})"/>.</summary>
public sealed class OnnxInt64Tensor : OnnxTensor
{
    /// <summary>Wraps <paramref name="data"/> (not copied) with its <paramref name="shape"/>.</summary>
    /// <param name="data">Values in row-major order.</param>
    /// <param name="shape">Dimensions; their product must equal the number of values.</param>
    public OnnxInt64Tensor(long[] data, params long[] shape)
        : base((data ?? throw new ArgumentNullException(nameof(data))).LongLength, shape)
    {
        Data = data;
    }

    /// <summary>Values in row-major order.</summary>
    public long[] Data { get; }

    /// <inheritdoc/>
    public override OnnxElementType ElementType => OnnxElementType.Int64;
}
