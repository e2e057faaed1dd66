namespace TexTok.ML.Onnx;

/// <summary>A dense float tensor in row-major order, as passed to and returned from <see cref="OnnxScoringSession.Run(IReadOnlyDictionary{string, OnnxFloatTensor})"/>.</summary>
public sealed class OnnxFloatTensor : OnnxTensor
{
    /// <summary>Wraps <paramref name="data"/> (not copied) with its <paramref name="shape"/>.</summary>
    /// <param name="data">Values in row-major order.</param>
    /// <param name="shape">Dimensions; their product must equal the number of values.</param>
    public OnnxFloatTensor(float[] data, params long[] shape)
        : base((data ?? throw new ArgumentNullException(nameof(data))).LongLength, shape)
    {
        Data = data;
    }

    /// <summary>Values in row-major order.</summary>
    public float[] Data { get; }

    /// <inheritdoc/>
    public override OnnxElementType ElementType => OnnxElementType.Float;
}
