using TexTok.ML.Onnx;

namespace TexTok.ML;

/// <summary>
/// The device handed to ML.NET's ApplyOnnxModel. ML.NET falls back to the CPU only on ONNX Runtime's own errors; with
/// the CPU build of ONNX Runtime a CUDA request fails earlier, with an EntryPointNotFoundException, even when
/// FallbackToCpu is set. So the request is settled here: the CPU build with FallbackToCpu scores on the CPU, without it
/// fails with a message that names the package to add.
/// </summary>
internal static class OnnxDevice
{
    public static int? Resolve(int? gpuDeviceId, bool fallbackToCpu, string component)
    {
        if (gpuDeviceId is null || OnnxScoringSession.NativeRuntimeHasCuda())
        {
            return gpuDeviceId;
        }

        if (fallbackToCpu)
        {
            return null;
        }

        throw new InvalidOperationException(
            $"{component}: GpuDeviceId = {gpuDeviceId} asks for CUDA, but the application's ONNX Runtime is the CPU build " +
            "(Microsoft.ML.OnnxRuntime). Reference Microsoft.ML.OnnxRuntime.Gpu instead (docs/onnx.md), or set FallbackToCpu " +
            "to score on the CPU.");
    }
}
