using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace TexTok.ML.Onnx;

/// <summary>
/// Scores a TexTok ONNX model with ONNX Runtime: batched float (or int64) inputs in, named float outputs out.
/// </summary>
/// <remarks>
/// The model must carry the <see cref="FormatKey"/> metadata property written by the TexTok exporter; a file that is
/// not ONNX, is truncated, or is ONNX from elsewhere is rejected with <see cref="InvalidDataException"/> naming it.
/// <see cref="OnnxScoringOptions.RequireTexTokMetadata"/> = false accepts ONNX models exported by other tools.
/// <see cref="Run(IReadOnlyDictionary{string, OnnxFloatTensor})"/> may be called from several threads at once (ONNX Runtime sessions are thread-safe for running).
/// </remarks>
public sealed class OnnxScoringSession : IDisposable
{
    /// <summary>Metadata key holding the export format, e.g. <c>textok-onnx/1</c>.</summary>
    public const string FormatKey = "textok.format";

    /// <summary>Metadata key holding the network: <c>encoder</c> or <c>decoder</c>.</summary>
    public const string NetworkKey = "textok.network";

    /// <summary>Metadata key holding the tokenizer configuration as JSON.</summary>
    public const string ConfigKey = "textok.config";

    /// <summary>Metadata key holding the version of the library that wrote the model.</summary>
    public const string VersionKey = "textok.version";

    /// <summary>The export format this library writes and reads.</summary>
    public const string Format = "textok-onnx/1";

    private readonly InferenceSession _session;
    private readonly string[] _floatOutputs;
    private int _disposed;

    /// <summary>Loads the model file at <paramref name="path"/>.</summary>
    /// <param name="path">
    /// An ONNX file written by the TexTok exporter (or any ONNX file when <see cref="OnnxScoringOptions.RequireTexTokMetadata"/>
    /// is false). ONNX Runtime opens the file itself, so weights stored as external data next to it are found.
    /// </param>
    /// <param name="options">Session options; CPU with automatic threading when null.</param>
    public OnnxScoringSession(string path, OnnxScoringOptions? options = null)
        : this(null, CheckPath(path), path, options)
    {
    }

    /// <summary>Loads a model from its bytes.</summary>
    /// <param name="model">ONNX model bytes written by the TexTok exporter.</param>
    /// <param name="options">Session options; CPU with automatic threading when null.</param>
    /// <param name="sourceName">Name used in error messages (e.g. the file or column the bytes came from).</param>
    public OnnxScoringSession(byte[] model, OnnxScoringOptions? options = null, string sourceName = "ONNX model bytes")
        : this(model ?? throw new ArgumentNullException(nameof(model)), null, sourceName, options)
    {
    }

    private OnnxScoringSession(byte[]? model, string? path, string source, OnnxScoringOptions? options)
    {
        options ??= new OnnxScoringOptions();
        options.Validate();
        Source = source;
        if (model is { Length: 0 })
        {
            throw new InvalidDataException($"'{source}' is empty, not an ONNX model.");
        }

        _session = CreateSession(model, path, source, options, out var provider);
        try
        {
            ExecutionProvider = provider;
            Metadata = new Dictionary<string, string>(_session.ModelMetadata.CustomMetadataMap, StringComparer.Ordinal);
            if (options.RequireTexTokMetadata)
            {
                if (!Metadata.TryGetValue(FormatKey, out var format) || !format.StartsWith("textok-onnx/", StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"'{source}' is an ONNX model but not a TexTok export (metadata '{FormatKey}' is missing).");
                }

                if (format != Format)
                {
                    throw new InvalidDataException($"'{source}' has TexTok export format '{format}'; this library reads '{Format}'.");
                }
            }

            InputNames = [.. _session.InputMetadata.Keys];
            OutputNames = [.. _session.OutputMetadata.Keys];
            InputShapes = _session.InputMetadata.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<int>)kv.Value.Dimensions.ToArray(), StringComparer.Ordinal);
            OutputShapes = _session.OutputMetadata.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<int>)kv.Value.Dimensions.ToArray(), StringComparer.Ordinal);
            InputElementTypes = _session.InputMetadata.ToDictionary(kv => kv.Key, kv => ElementTypeOf(kv.Value), StringComparer.Ordinal);
            OutputElementTypes = _session.OutputMetadata.ToDictionary(kv => kv.Key, kv => ElementTypeOf(kv.Value), StringComparer.Ordinal);
            _floatOutputs = [.. OutputNames.Where(n => OutputElementTypes[n] == OnnxElementType.Float)];
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>The file name or description the model was loaded from.</summary>
    public string Source { get; }

    /// <summary>The execution provider the session actually runs on.</summary>
    public OnnxExecutionProvider ExecutionProvider { get; }

    /// <summary>The model's metadata properties.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The network the model holds (<c>encoder</c> or <c>decoder</c>), or an empty string when not recorded.</summary>
    public string Network => Metadata.TryGetValue(NetworkKey, out var n) ? n : string.Empty;

    /// <summary>Input names in model order.</summary>
    public IReadOnlyList<string> InputNames { get; }

    /// <summary>Output names in model order.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Declared input shapes; -1 marks a dynamic dimension (the batch, or a sequence length).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<int>> InputShapes { get; }

    /// <summary>Declared output shapes; -1 marks a dynamic dimension.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<int>> OutputShapes { get; }

    /// <summary>Declared element type of each input.</summary>
    public IReadOnlyDictionary<string, OnnxElementType> InputElementTypes { get; }

    /// <summary>Declared element type of each output; <see cref="Run(IReadOnlyDictionary{string, OnnxTensor})"/> returns the float ones.</summary>
    public IReadOnlyDictionary<string, OnnxElementType> OutputElementTypes { get; }

    /// <summary>Runs the model on a batch of float inputs.</summary>
    /// <param name="inputs">One tensor per model input, by name.</param>
    /// <returns>Every float model output, by name.</returns>
    public IReadOnlyDictionary<string, OnnxFloatTensor> Run(IReadOnlyDictionary<string, OnnxFloatTensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Run(inputs.ToDictionary(kv => kv.Key, kv => (OnnxTensor)kv.Value, StringComparer.Ordinal));
    }

    /// <summary>Runs the model on a batch whose inputs may be float or int64 (token ids, masks).</summary>
    /// <param name="inputs">One tensor per model input, by name, of the input's declared element type.</param>
    /// <returns>Every float model output, by name (outputs of other element types are not fetched).</returns>
    public IReadOnlyDictionary<string, OnnxFloatTensor> Run(IReadOnlyDictionary<string, OnnxTensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var names = new List<string>(InputNames.Count);
        var values = new List<OrtValue>(InputNames.Count);
        try
        {
            foreach (var name in InputNames)
            {
                if (!inputs.TryGetValue(name, out var tensor))
                {
                    throw new ArgumentException($"Input '{name}' of '{Source}' is missing (expected: {string.Join(", ", InputNames)}).", nameof(inputs));
                }

                CheckShape(name, tensor);
                if (tensor.ElementType != InputElementTypes[name])
                {
                    throw new ArgumentException($"Input '{name}' of '{Source}' holds {InputElementTypes[name]} values; got {tensor.ElementType}.", nameof(inputs));
                }

                names.Add(name);
                values.Add(tensor switch
                {
                    OnnxFloatTensor f => OrtValue.CreateTensorValueFromMemory(f.Data, [.. f.Shape]),
                    OnnxInt64Tensor l => OrtValue.CreateTensorValueFromMemory(l.Data, [.. l.Shape]),
                    _ => throw new ArgumentException($"Input '{name}' of '{Source}' has an unsupported tensor type {tensor.GetType().Name}.", nameof(inputs)),
                });
            }

            foreach (var name in inputs.Keys)
            {
                if (!InputShapes.ContainsKey(name))
                {
                    throw new ArgumentException($"'{Source}' has no input '{name}' (expected: {string.Join(", ", InputNames)}).", nameof(inputs));
                }
            }

            CheckBatch(inputs);

            using var runOptions = new RunOptions();
            using var results = _session.Run(runOptions, names, values, _floatOutputs);
            var outputs = new Dictionary<string, OnnxFloatTensor>(StringComparer.Ordinal);
            int i = 0;
            foreach (var result in results)
            {
                var shape = result.GetTensorTypeAndShape().Shape;
                outputs[_floatOutputs[i++]] = new OnnxFloatTensor(result.GetTensorDataAsSpan<float>().ToArray(), shape);
            }

            return outputs;
        }
        finally
        {
            foreach (var v in values)
            {
                v.Dispose();
            }
        }
    }

    /// <summary>Runs the model on a batch with float and int64 inputs given separately.</summary>
    /// <param name="inputs">The float inputs, by name.</param>
    /// <param name="int64Inputs">The int64 inputs, by name.</param>
    /// <returns>Every float model output, by name.</returns>
    public IReadOnlyDictionary<string, OnnxFloatTensor> Run(IReadOnlyDictionary<string, OnnxFloatTensor> inputs, IReadOnlyDictionary<string, OnnxInt64Tensor> int64Inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(int64Inputs);
        var all = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in inputs)
        {
            all[name] = tensor;
        }

        foreach (var (name, tensor) in int64Inputs)
        {
            if (!all.TryAdd(name, tensor))
            {
                throw new ArgumentException($"Input '{name}' of '{Source}' is given twice.", nameof(int64Inputs));
            }
        }

        return Run(all);
    }

    /// <summary>Names of the inputs whose element type is int64.</summary>
    public IReadOnlySet<string> Int64InputNames =>
        InputElementTypes.Where(kv => kv.Value == OnnxElementType.Int64).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>Runs the model on a batch given as name → (values, shape) pairs.</summary>
    /// <param name="inputs">Inputs.</param>
    /// <returns>Every model output, by name.</returns>
    public IReadOnlyDictionary<string, OnnxFloatTensor> Run(params (string Name, float[] Data, long[] Shape)[] inputs) =>
        Run(inputs.ToDictionary(x => x.Name, x => new OnnxFloatTensor(x.Data, x.Shape), StringComparer.Ordinal));

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _session.Dispose();
        }
    }

    private static string CheckPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"ONNX model file '{path}' does not exist.", path);
        }

        if (new FileInfo(path).Length == 0)
        {
            throw new InvalidDataException($"'{path}' is empty, not an ONNX model.");
        }

        return path;
    }

    private static OnnxElementType ElementTypeOf(NodeMetadata metadata)
    {
        if (!metadata.IsTensor)
        {
            return OnnxElementType.Other;
        }

        return metadata.ElementDataType switch
        {
            TensorElementType.Float => OnnxElementType.Float,
            TensorElementType.Int32 => OnnxElementType.Int32,
            TensorElementType.Int64 => OnnxElementType.Int64,
            TensorElementType.Float16 => OnnxElementType.Float16,
            TensorElementType.Double => OnnxElementType.Double,
            _ => OnnxElementType.Other,
        };
    }

    private static InferenceSession CreateSession(byte[]? model, string? path, string source, OnnxScoringOptions options, out OnnxExecutionProvider provider)
    {
        provider = options.ExecutionProvider;
        if (options.ExecutionProvider == OnnxExecutionProvider.Cuda)
        {
            var cudaOptions = BaseOptions(options);
            try
            {
                cudaOptions.AppendExecutionProvider_CUDA(options.GpuDeviceId);
                return Open(model, path, source, cudaOptions, cuda: true);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or OnnxRuntimeException or DllNotFoundException)
            {
                string why = CudaUnavailable(options.GpuDeviceId, e);
                if (!options.FallbackToCpu)
                {
                    throw new InvalidOperationException(why, e);
                }

                options.Log?.Invoke(why + " Falling back to the CPU.");
                provider = OnnxExecutionProvider.Cpu;
            }
            finally
            {
                cudaOptions.Dispose();
            }
        }

        using var cpuOptions = BaseOptions(options);
        return Open(model, path, source, cpuOptions, cuda: false);
    }

    /// <summary>Whether the application's native ONNX Runtime is a CUDA build (Microsoft.ML.OnnxRuntime.Gpu), GPU or not.</summary>
    internal static bool NativeRuntimeHasCuda() =>
        OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider", StringComparer.Ordinal);

    private static string CudaUnavailable(int deviceId, Exception e) => NativeRuntimeHasCuda()
        ? $"ONNX Runtime's CUDA build (Microsoft.ML.OnnxRuntime.Gpu) could not start its CUDA execution provider on GPU {deviceId} " +
          $"({e.GetType().Name}: {e.Message}). It needs an NVIDIA GPU with its driver, and the CUDA and cuDNN libraries of the " +
          "versions this ONNX Runtime release was built for on the library search path (docs/onnx.md lists them; ONNX Runtime's " +
          "own log names the library that failed to load)."
        : $"The application's ONNX Runtime is the CPU build (Microsoft.ML.OnnxRuntime), which has no CUDA execution provider " +
          $"({e.GetType().Name}: {e.Message}). CUDA scoring needs the application to reference Microsoft.ML.OnnxRuntime.Gpu " +
          "instead (this repository's samples and tests: build with -p:TexTokOnnxRuntimeGpu=true; see docs/onnx.md).";

    private static SessionOptions BaseOptions(OnnxScoringOptions options)
    {
        SessionOptions s;
        try
        {
            s = new SessionOptions();
        }
        catch (TypeInitializationException e) when (e.InnerException is DllNotFoundException)
        {
            throw new InvalidOperationException(
                "No native ONNX Runtime library was found. TexTok.ML references only Microsoft.ML.OnnxRuntime.Managed, as " +
                "ML.NET's OnnxTransformer does: the application must reference Microsoft.ML.OnnxRuntime (CPU) or " +
                "Microsoft.ML.OnnxRuntime.Gpu (CUDA).", e);
        }

        s.GraphOptimizationLevel = options.OptimizeGraph ? GraphOptimizationLevel.ORT_ENABLE_ALL : GraphOptimizationLevel.ORT_DISABLE_ALL;
        if (options.IntraOpNumThreads > 0)
        {
            s.IntraOpNumThreads = options.IntraOpNumThreads;
        }

        if (options.InterOpNumThreads > 0)
        {
            s.InterOpNumThreads = options.InterOpNumThreads;
            s.ExecutionMode = ExecutionMode.ORT_PARALLEL;
        }

        return s;
    }

    private static InferenceSession Open(byte[]? model, string? path, string source, SessionOptions options, bool cuda)
    {
        try
        {
            return model is not null ? new InferenceSession(model, options) : new InferenceSession(path!, options);
        }
        catch (OnnxRuntimeException e) when (!(cuda && IsProviderFailure(e)))
        {
            throw new InvalidDataException($"'{source}' is not a valid ONNX model (truncated, corrupt or another format): {e.Message}", e);
        }
    }

    private static bool IsProviderFailure(OnnxRuntimeException e) =>
        e.Message.Contains("CUDA", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("provider", StringComparison.OrdinalIgnoreCase);

    private void CheckBatch(IReadOnlyDictionary<string, OnnxTensor> inputs)
    {
        string? first = null;
        long batch = 0;
        foreach (var name in InputNames)
        {
            if (InputShapes[name].Count == 0 || InputShapes[name][0] >= 0)
            {
                continue;
            }

            long b = inputs[name].Shape[0];
            if (first is null)
            {
                (first, batch) = (name, b);
            }
            else if (b != batch)
            {
                throw new ArgumentException($"Inputs of '{Source}' disagree on the batch size: '{first}' has {batch}, '{name}' has {b}.", nameof(inputs));
            }
        }
    }

    private void CheckShape(string name, OnnxTensor tensor)
    {
        var expected = InputShapes[name];
        bool ok = expected.Count == tensor.Shape.Count;
        for (int d = 0; ok && d < expected.Count; d++)
        {
            ok = expected[d] < 0 || expected[d] == tensor.Shape[d];
        }

        if (!ok)
        {
            string want = string.Join(", ", expected.Select((x, d) => x >= 0 ? x.ToString(System.Globalization.CultureInfo.InvariantCulture) : d == 0 ? "batch" : "any"));
            throw new ArgumentException($"Input '{name}' of '{Source}' must be [{want}]; got [{string.Join(", ", tensor.Shape)}].", nameof(tensor));
        }
    }
}
