using Microsoft.ML.OnnxRuntime;

namespace TexTok.ML.Onnx;

/// <summary>
/// Scores a TexTok ONNX model with ONNX Runtime: batched float inputs in, named float outputs out.
/// </summary>
/// <remarks>
/// The model must carry the <see cref="FormatKey"/> metadata property written by the TexTok exporter; a file that is
/// not ONNX, is truncated, or is ONNX from elsewhere is rejected with <see cref="InvalidDataException"/> naming it.
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
    private int _disposed;

    /// <summary>Loads the model file at <paramref name="path"/>.</summary>
    /// <param name="path">An ONNX file written by the TexTok exporter.</param>
    /// <param name="options">Session options; CPU with automatic threading when null.</param>
    public OnnxScoringSession(string path, OnnxScoringOptions? options = null)
        : this(ReadModel(path), path, options)
    {
    }

    /// <summary>Loads a model from its bytes.</summary>
    /// <param name="model">ONNX model bytes written by the TexTok exporter.</param>
    /// <param name="options">Session options; CPU with automatic threading when null.</param>
    /// <param name="sourceName">Name used in error messages (e.g. the file or column the bytes came from).</param>
    public OnnxScoringSession(byte[] model, OnnxScoringOptions? options = null, string sourceName = "ONNX model bytes")
        : this(model ?? throw new ArgumentNullException(nameof(model)), sourceName, options)
    {
    }

    private OnnxScoringSession(byte[] model, string source, OnnxScoringOptions? options)
    {
        options ??= new OnnxScoringOptions();
        options.Validate();
        Source = source;
        if (model.Length == 0)
        {
            throw new InvalidDataException($"'{source}' is empty, not an ONNX model.");
        }

        _session = CreateSession(model, source, options, out var provider);
        try
        {
            ExecutionProvider = provider;
            Metadata = new Dictionary<string, string>(_session.ModelMetadata.CustomMetadataMap, StringComparer.Ordinal);
            if (!Metadata.TryGetValue(FormatKey, out var format) || !format.StartsWith("textok-onnx/", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"'{source}' is an ONNX model but not a TexTok export (metadata '{FormatKey}' is missing).");
            }

            if (format != Format)
            {
                throw new InvalidDataException($"'{source}' has TexTok export format '{format}'; this library reads '{Format}'.");
            }

            InputNames = [.. _session.InputMetadata.Keys];
            OutputNames = [.. _session.OutputMetadata.Keys];
            Int64InputNames = _session.InputMetadata.Where(kv => kv.Value.ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64)
                .Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
            InputShapes = _session.InputMetadata.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<int>)kv.Value.Dimensions.ToArray(), StringComparer.Ordinal);
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

    /// <summary>The inputs that take int64 values (class labels); every other input takes floats.</summary>
    public IReadOnlySet<string> Int64InputNames { get; }

    /// <summary>Declared input shapes; -1 marks a dynamic dimension (the batch).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<int>> InputShapes { get; }

    /// <summary>Runs the model on a batch.</summary>
    /// <param name="inputs">One tensor per model input, by name.</param>
    /// <returns>Every model output, by name.</returns>
    public IReadOnlyDictionary<string, OnnxFloatTensor> Run(IReadOnlyDictionary<string, OnnxFloatTensor> inputs) =>
        Run(inputs, new Dictionary<string, OnnxInt64Tensor>(StringComparer.Ordinal));

    /// <summary>Runs a model that also has int64 inputs (class labels) on a batch.</summary>
    /// <param name="inputs">One tensor per float model input, by name.</param>
    /// <param name="int64Inputs">One tensor per int64 model input, by name (see <see cref="Int64InputNames"/>).</param>
    /// <returns>Every model output, by name.</returns>
    public IReadOnlyDictionary<string, OnnxFloatTensor> Run(IReadOnlyDictionary<string, OnnxFloatTensor> inputs, IReadOnlyDictionary<string, OnnxInt64Tensor> int64Inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(int64Inputs);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var names = new List<string>(InputNames.Count);
        var values = new List<OrtValue>(InputNames.Count);
        var shapes = new Dictionary<string, IReadOnlyList<long>>(StringComparer.Ordinal);
        try
        {
            foreach (var name in InputNames)
            {
                bool isInt64 = Int64InputNames.Contains(name);
                if (isInt64 ? inputs.ContainsKey(name) : int64Inputs.ContainsKey(name))
                {
                    throw new ArgumentException(
                        $"Input '{name}' of '{Source}' is {(isInt64 ? "int64" : "float")}; it was given as {(isInt64 ? "float" : "int64")}.", nameof(inputs));
                }

                OrtValue value;
                if (isInt64 && int64Inputs.TryGetValue(name, out var labels))
                {
                    CheckShape(name, labels.Shape);
                    shapes[name] = labels.Shape;
                    value = OrtValue.CreateTensorValueFromMemory(labels.Data, [.. labels.Shape]);
                }
                else if (!isInt64 && inputs.TryGetValue(name, out var tensor))
                {
                    CheckShape(name, tensor.Shape);
                    shapes[name] = tensor.Shape;
                    value = OrtValue.CreateTensorValueFromMemory(tensor.Data, [.. tensor.Shape]);
                }
                else
                {
                    throw new ArgumentException($"Input '{name}' of '{Source}' is missing (expected: {string.Join(", ", InputNames)}).", nameof(inputs));
                }

                names.Add(name);
                values.Add(value);
            }

            foreach (var name in inputs.Keys.Concat(int64Inputs.Keys))
            {
                if (!InputShapes.ContainsKey(name))
                {
                    throw new ArgumentException($"'{Source}' has no input '{name}' (expected: {string.Join(", ", InputNames)}).", nameof(inputs));
                }
            }

            CheckBatch(shapes);

            using var runOptions = new RunOptions();
            using var results = _session.Run(runOptions, names, values, OutputNames);
            var outputs = new Dictionary<string, OnnxFloatTensor>(StringComparer.Ordinal);
            int i = 0;
            foreach (var result in results)
            {
                var shape = result.GetTensorTypeAndShape().Shape;
                outputs[OutputNames[i++]] = new OnnxFloatTensor(result.GetTensorDataAsSpan<float>().ToArray(), shape);
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

    private static byte[] ReadModel(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"ONNX model file '{path}' does not exist.", path);
        }

        return File.ReadAllBytes(path);
    }

    private static InferenceSession CreateSession(byte[] model, string source, OnnxScoringOptions options, out OnnxExecutionProvider provider)
    {
        provider = options.ExecutionProvider;
        if (options.ExecutionProvider == OnnxExecutionProvider.Cuda)
        {
            var cudaOptions = BaseOptions(options);
            try
            {
                cudaOptions.AppendExecutionProvider_CUDA(options.GpuDeviceId);
                return Open(model, source, cudaOptions, cuda: true);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or OnnxRuntimeException or DllNotFoundException)
            {
                string why = $"The CUDA execution provider is not available ({e.GetType().Name}: {e.Message}). " +
                             "CUDA scoring needs the Microsoft.ML.OnnxRuntime.Gpu package instead of Microsoft.ML.OnnxRuntime " +
                             "(build with -p:TexTokOnnxRuntimeGpu=true, see docs/onnx.md) and a CUDA-capable GPU with its libraries.";
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
        return Open(model, source, cpuOptions, cuda: false);
    }

    private static SessionOptions BaseOptions(OnnxScoringOptions options)
    {
        var s = new SessionOptions
        {
            GraphOptimizationLevel = options.OptimizeGraph ? GraphOptimizationLevel.ORT_ENABLE_ALL : GraphOptimizationLevel.ORT_DISABLE_ALL,
        };
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

    private static InferenceSession Open(byte[] model, string source, SessionOptions options, bool cuda)
    {
        try
        {
            return new InferenceSession(model, options);
        }
        catch (OnnxRuntimeException e) when (!(cuda && IsProviderFailure(e)))
        {
            throw new InvalidDataException($"'{source}' is not a valid ONNX model (truncated, corrupt or another format): {e.Message}", e);
        }
    }

    private static bool IsProviderFailure(OnnxRuntimeException e) =>
        e.Message.Contains("CUDA", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("provider", StringComparison.OrdinalIgnoreCase);

    private void CheckBatch(IReadOnlyDictionary<string, IReadOnlyList<long>> shapes)
    {
        string? first = null;
        long batch = 0;
        foreach (var name in InputNames)
        {
            if (InputShapes[name].Count == 0 || InputShapes[name][0] >= 0)
            {
                continue;
            }

            long b = shapes[name][0];
            if (first is null)
            {
                (first, batch) = (name, b);
            }
            else if (b != batch)
            {
                throw new ArgumentException($"Inputs of '{Source}' disagree on the batch size: '{first}' has {batch}, '{name}' has {b}.", "inputs");
            }
        }
    }

    private void CheckShape(string name, IReadOnlyList<long> shape)
    {
        var expected = InputShapes[name];
        bool ok = expected.Count == shape.Count;
        for (int d = 0; ok && d < expected.Count; d++)
        {
            ok = expected[d] < 0 || expected[d] == shape[d];
        }

        if (!ok)
        {
            string want = string.Join(", ", expected.Select(x => x < 0 ? "batch" : x.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            throw new ArgumentException($"Input '{name}' of '{Source}' must be [{want}]; got [{string.Join(", ", shape)}].", "inputs");
        }
    }
}
