namespace TexTok.ML.Onnx;

/// <summary>Options of an <see cref="OnnxScoringSession"/>.</summary>
public sealed record OnnxScoringOptions
{
    /// <summary>Threads used inside one operator; 0 lets ONNX Runtime choose.</summary>
    public int IntraOpNumThreads { get; init; }

    /// <summary>Threads used to run independent operators in parallel; 0 lets ONNX Runtime choose.</summary>
    public int InterOpNumThreads { get; init; }

    /// <summary>The execution provider.</summary>
    public OnnxExecutionProvider ExecutionProvider { get; init; } = OnnxExecutionProvider.Cpu;

    /// <summary>The CUDA device ordinal when <see cref="ExecutionProvider"/> is <see cref="OnnxExecutionProvider.Cuda"/>.</summary>
    public int GpuDeviceId { get; init; }

    /// <summary>
    /// When CUDA was asked for but cannot be used: <see langword="true"/> runs on the CPU and reports why through
    /// <see cref="Log"/>; <see langword="false"/> throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public bool FallbackToCpu { get; init; }

    /// <summary>
    /// Whether the model must carry the TexTok export metadata (<see cref="OnnxScoringSession.FormatKey"/>); false
    /// accepts ONNX models written by other tools (their inputs and outputs are then checked by the caller).
    /// </summary>
    public bool RequireTexTokMetadata { get; init; } = true;

    /// <summary>
    /// Whether ONNX Runtime optimises the graph when the session is created (all levels; the default). Turning it off
    /// makes session creation much faster for very large graphs, such as a DiT sampler unrolled over many steps, where
    /// the optimisations were measured to bring no speed-up.
    /// </summary>
    public bool OptimizeGraph { get; init; } = true;

    /// <summary>Receives informational messages (such as a fallback to the CPU); null discards them.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (IntraOpNumThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(IntraOpNumThreads), IntraOpNumThreads, "IntraOpNumThreads must be 0 (automatic) or positive.");
        }

        if (InterOpNumThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(InterOpNumThreads), InterOpNumThreads, "InterOpNumThreads must be 0 (automatic) or positive.");
        }

        if (GpuDeviceId < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(GpuDeviceId), GpuDeviceId, "GpuDeviceId must be non-negative.");
        }

        if (!Enum.IsDefined(ExecutionProvider))
        {
            throw new ArgumentOutOfRangeException(nameof(ExecutionProvider), ExecutionProvider, "Unknown execution provider.");
        }
    }
}
