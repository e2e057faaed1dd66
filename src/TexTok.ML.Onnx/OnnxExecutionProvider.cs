namespace TexTok.ML.Onnx;

/// <summary>Where ONNX Runtime runs a model.</summary>
public enum OnnxExecutionProvider
{
    /// <summary>The CPU execution provider (always available).</summary>
    Cpu,

    /// <summary>
    /// The CUDA execution provider. It needs the <c>Microsoft.ML.OnnxRuntime.Gpu</c> package in place of
    /// <c>Microsoft.ML.OnnxRuntime</c> and a CUDA-capable machine.
    /// </summary>
    Cuda,
}
