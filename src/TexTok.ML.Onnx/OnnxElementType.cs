namespace TexTok.ML.Onnx;

/// <summary>Element types of ONNX tensors, numbered as <c>TensorProto.DataType</c> in onnx.proto.</summary>
public enum OnnxElementType
{
    /// <summary>A type this library does not read or write (complex, strings, 8/16-bit integers, …).</summary>
    Other = 0,

    /// <summary>32-bit float.</summary>
    Float = 1,

    /// <summary>32-bit signed integer.</summary>
    Int32 = 6,

    /// <summary>64-bit signed integer.</summary>
    Int64 = 7,

    /// <summary>16-bit float.</summary>
    Float16 = 10,

    /// <summary>64-bit float.</summary>
    Double = 11,
}
