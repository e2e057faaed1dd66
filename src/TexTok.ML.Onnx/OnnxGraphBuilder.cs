using TexTok.ML.Core;

namespace TexTok.ML.Onnx;

/// <summary>
/// Builds an ONNX model (opset 17, IR version 8) node by node and writes it as protobuf bytes.
/// </summary>
/// <remarks>
/// Every value has a unique name: initializers and node outputs get a numeric suffix when a requested name is
/// taken. Inputs and outputs are float unless an <see cref="OnnxElementType"/> is given (float or int64) and take
/// their shapes as dimension lists in which <see cref="Batch"/> and <see cref="Sequence"/> stand for dynamic
/// dimensions, named <see cref="BatchDimensionName"/> and <see cref="SequenceDimensionName"/> in the model. Node inputs
/// are checked to name a value that exists already, so a graph that builds is topologically sorted.
/// </remarks>
public sealed class OnnxGraphBuilder
{
    /// <summary>Placeholder for the dynamic batch dimension in input and output shapes.</summary>
    public const long Batch = -1;

    /// <summary>The symbolic name of the batch dimension in the written model.</summary>
    public const string BatchDimensionName = "batch";

    /// <summary>Placeholder for a dynamic sequence-length dimension in input and output shapes.</summary>
    public const long Sequence = -2;

    /// <summary>The symbolic name of the sequence dimension in the written model.</summary>
    public const string SequenceDimensionName = "sequence";

    /// <summary>The default-domain opset version the model imports.</summary>
    public const int OpsetVersion = 17;

    /// <summary>The ONNX IR version the model declares.</summary>
    public const int IrVersion = 8;

    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<ProtoWriter> _initializers = [];
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _outputNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);
    private readonly Dictionary<object, string> _shared = [];

    /// <summary>Creates an empty graph.</summary>
    /// <param name="graphName">The graph's name.</param>
    /// <param name="producerName">The producer recorded in the model.</param>
    /// <param name="producerVersion">The producer version recorded in the model.</param>
    public OnnxGraphBuilder(string graphName = "graph", string producerName = "TexTok.ML", string producerVersion = "")
    {
        GraphName = graphName;
        ProducerName = producerName;
        ProducerVersion = producerVersion;
    }

    /// <summary>The graph's name.</summary>
    public string GraphName { get; }

    /// <summary>The producer recorded in the model.</summary>
    public string ProducerName { get; }

    /// <summary>The producer version recorded in the model.</summary>
    public string ProducerVersion { get; }

    /// <summary>Number of nodes added so far.</summary>
    public int NodeCount => _nodes.Count;

    /// <summary>The model's metadata properties.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _metadata;

    /// <summary>Adds a float graph input.</summary>
    /// <param name="name">Input name; must be unused.</param>
    /// <param name="shape">Dimensions, <see cref="Batch"/> or <see cref="Sequence"/> for a dynamic dimension.</param>
    /// <returns>The input's value name.</returns>
    public string AddInput(string name, params long[] shape) => AddInput(name, OnnxElementType.Float, shape);

    /// <summary>Adds a graph input of the given element type.</summary>
    /// <param name="name">Input name; must be unused.</param>
    /// <param name="elementType"><see cref="OnnxElementType.Float"/> or <see cref="OnnxElementType.Int64"/>.</param>
    /// <param name="shape">Dimensions, <see cref="Batch"/> or <see cref="Sequence"/> for a dynamic dimension.</param>
    /// <returns>The input's value name.</returns>
    public string AddInput(string name, OnnxElementType elementType, params long[] shape)
    {
        var info = ValueInfo(name, elementType, shape);
        if (!_values.Add(name))
        {
            throw new ArgumentException($"The value name '{name}' is already used.", nameof(name));
        }

        _inputs.Add(info);
        return name;
    }

    /// <summary>Adds an int64 graph input (class labels, indices).</summary>
    /// <param name="name">Input name; must be unused.</param>
    /// <param name="shape">Dimensions, <see cref="Batch"/> for the dynamic batch dimension.</param>
    /// <returns>The input's value name.</returns>
    public string AddInt64Input(string name, params long[] shape) => AddInput(name, OnnxElementType.Int64, shape);

    /// <summary>
    /// Returns the value registered under <paramref name="key"/>, creating it with <paramref name="add"/> the first
    /// time. A graph that evaluates the same layer several times (an unrolled sampler) stores its weights once this way.
    /// </summary>
    /// <param name="key">Identifies the value (compared with <see cref="object.Equals(object)"/>), e.g. a layer and a role.</param>
    /// <param name="add">Adds the value to the graph and returns its name.</param>
    /// <returns>The value's name.</returns>
    public string Shared(object key, Func<string> add)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(add);
        if (!_shared.TryGetValue(key, out var name))
        {
            name = add();
            _shared.Add(key, name);
        }

        return name;
    }

    /// <summary>Declares <paramref name="value"/> as the float graph output <paramref name="name"/>.</summary>
    /// <param name="value">An existing value.</param>
    /// <param name="name">Output name (an Identity node renames the value when it differs).</param>
    /// <param name="shape">Dimensions, <see cref="Batch"/> or <see cref="Sequence"/> for a dynamic dimension.</param>
    public void AddOutput(string value, string name, params long[] shape) => AddOutput(value, name, OnnxElementType.Float, shape);

    /// <summary>Declares <paramref name="value"/> as the graph output <paramref name="name"/> of the given element type.</summary>
    /// <param name="value">An existing value.</param>
    /// <param name="name">Output name (an Identity node renames the value when it differs).</param>
    /// <param name="elementType"><see cref="OnnxElementType.Float"/> or <see cref="OnnxElementType.Int64"/>.</param>
    /// <param name="shape">Dimensions, <see cref="Batch"/> or <see cref="Sequence"/> for a dynamic dimension.</param>
    public void AddOutput(string value, string name, OnnxElementType elementType, params long[] shape)
    {
        RequireValue(value);
        var info = ValueInfo(name, elementType, shape);
        if (!_outputNames.Add(name))
        {
            throw new ArgumentException($"The output '{name}' is already declared.", nameof(name));
        }

        if (value != name)
        {
            if (_values.Contains(name))
            {
                throw new ArgumentException($"The value name '{name}' is already used.", nameof(name));
            }

            _values.Add(name);
            _nodes.Add(EncodeNode(UniqueNodeName(name + ".identity"), "Identity", [value], [name], []));
        }

        _outputs.Add(info);
    }

    /// <summary>Adds a float initializer (a constant tensor).</summary>
    /// <param name="name">Requested name; a suffix is added when it is taken.</param>
    /// <param name="data">Values in row-major order.</param>
    /// <param name="dims">Dimensions (empty for a scalar).</param>
    /// <returns>The initializer's value name.</returns>
    public string AddInitializer(string name, ReadOnlySpan<float> data, params long[] dims)
    {
        CheckCount(name, data.Length, dims);
        string unique = UniqueValueName(name);
        _initializers.Add(OnnxTensorEncoding.Float(unique, data, dims));
        return unique;
    }

    /// <summary>Adds an int64 initializer (shapes, indices, axes).</summary>
    /// <param name="name">Requested name; a suffix is added when it is taken.</param>
    /// <param name="data">Values in row-major order.</param>
    /// <param name="dims">Dimensions (empty for a scalar).</param>
    /// <returns>The initializer's value name.</returns>
    public string AddInt64Initializer(string name, ReadOnlySpan<long> data, params long[] dims)
    {
        CheckCount(name, data.Length, dims);
        string unique = UniqueValueName(name);
        _initializers.Add(OnnxTensorEncoding.Int64(unique, data, dims));
        return unique;
    }

    /// <summary>Adds a float scalar initializer.</summary>
    /// <param name="name">Requested name.</param>
    /// <param name="value">The value.</param>
    /// <returns>The initializer's value name.</returns>
    public string AddScalar(string name, float value) => AddInitializer(name, [value]);

    /// <summary>Adds a 1-D int64 initializer.</summary>
    /// <param name="name">Requested name.</param>
    /// <param name="values">The values.</param>
    /// <returns>The initializer's value name.</returns>
    public string AddInt64Vector(string name, params long[] values) => AddInt64Initializer(name, values, values.Length);

    /// <summary>Adds a node with one output.</summary>
    /// <param name="opType">Operator (default ONNX domain).</param>
    /// <param name="name">Requested node name; also the output's requested value name.</param>
    /// <param name="inputs">Input value names (an empty string for an omitted optional input).</param>
    /// <param name="attributes">Attributes.</param>
    /// <returns>The output's value name.</returns>
    public string AddNode(string opType, string name, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        AddNode(opType, name, inputs, 1, attributes)[0];

    /// <summary>Adds a node.</summary>
    /// <param name="opType">Operator (default ONNX domain).</param>
    /// <param name="name">Requested node name; outputs are named after it.</param>
    /// <param name="inputs">Input value names (an empty string for an omitted optional input).</param>
    /// <param name="outputCount">Number of outputs.</param>
    /// <param name="attributes">Attributes.</param>
    /// <returns>The outputs' value names.</returns>
    public IReadOnlyList<string> AddNode(string opType, string name, IReadOnlyList<string> inputs, int outputCount, params OnnxAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputCount, 1);
        foreach (var input in inputs)
        {
            if (input.Length > 0)
            {
                RequireValue(input);
            }
        }

        string nodeName = UniqueNodeName(name);
        var outputs = new string[outputCount];
        for (int i = 0; i < outputCount; i++)
        {
            outputs[i] = UniqueValueName(outputCount == 1 ? nodeName : $"{nodeName}.{i}");
        }

        _nodes.Add(EncodeNode(nodeName, opType, inputs, outputs, attributes));
        return outputs;
    }

    /// <summary>Sets a metadata property (<c>metadata_props</c>).</summary>
    /// <param name="key">Key.</param>
    /// <param name="value">Value.</param>
    public void SetMetadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _metadata[key] = value;
    }

    /// <summary>Encodes the model.</summary>
    /// <returns>The ONNX model bytes.</returns>
    public byte[] ToBytes()
    {
        if (_outputs.Count == 0)
        {
            throw new InvalidOperationException("The graph has no outputs.");
        }

        var graph = new ProtoWriter();
        foreach (var node in _nodes)
        {
            graph.WriteMessage(OnnxFields.GraphNode, node);
        }

        graph.WriteString(OnnxFields.GraphName, GraphName);
        foreach (var initializer in _initializers)
        {
            graph.WriteMessage(OnnxFields.GraphInitializer, initializer);
        }

        foreach (var input in _inputs)
        {
            graph.WriteMessage(OnnxFields.GraphInput, input);
        }

        foreach (var output in _outputs)
        {
            graph.WriteMessage(OnnxFields.GraphOutput, output);
        }

        var model = new ProtoWriter();
        model.WriteInt64(OnnxFields.ModelIrVersion, IrVersion);
        model.WriteString(OnnxFields.ModelProducerName, ProducerName);
        if (ProducerVersion.Length > 0)
        {
            model.WriteString(OnnxFields.ModelProducerVersion, ProducerVersion);
        }

        model.WriteMessage(OnnxFields.ModelGraph, graph);
        var opset = new ProtoWriter();
        opset.WriteString(OnnxFields.OpsetDomain, string.Empty);
        opset.WriteInt64(OnnxFields.OpsetVersion, OpsetVersion);
        model.WriteMessage(OnnxFields.ModelOpsetImport, opset);
        foreach (var (key, value) in _metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var entry = new ProtoWriter();
            entry.WriteString(OnnxFields.EntryKey, key);
            entry.WriteString(OnnxFields.EntryValue, value);
            model.WriteMessage(OnnxFields.ModelMetadataProps, entry);
        }

        return model.ToArray();
    }

    /// <summary>Writes the model to <paramref name="path"/> atomically (a temporary file in the same folder, then a rename).</summary>
    /// <param name="path">Target file.</param>
    public void Save(string path) => AtomicFile.WriteAllBytes(path, ToBytes());

    private static ProtoWriter EncodeNode(string name, string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, IReadOnlyList<OnnxAttribute> attributes)
    {
        var w = new ProtoWriter();
        foreach (var input in inputs)
        {
            w.WriteString(OnnxFields.NodeInput, input);
        }

        foreach (var output in outputs)
        {
            w.WriteString(OnnxFields.NodeOutput, output);
        }

        w.WriteString(OnnxFields.NodeName, name);
        w.WriteString(OnnxFields.NodeOpType, opType);
        foreach (var attribute in attributes)
        {
            w.WriteMessage(OnnxFields.NodeAttribute, attribute.Encode());
        }

        return w;
    }

    private static ProtoWriter ValueInfo(string name, OnnxElementType elementType, IReadOnlyList<long> shape)
    {
        if (elementType is not (OnnxElementType.Float or OnnxElementType.Int64))
        {
            throw new ArgumentOutOfRangeException(nameof(elementType), elementType, $"Graph input or output '{name}' must be Float or Int64.");
        }

        var dims = new ProtoWriter();
        foreach (var d in shape)
        {
            var dim = new ProtoWriter();
            if (d == Batch)
            {
                dim.WriteString(OnnxFields.DimParam, BatchDimensionName);
            }
            else if (d == Sequence)
            {
                dim.WriteString(OnnxFields.DimParam, SequenceDimensionName);
            }
            else if (d >= 0)
            {
                dim.WriteInt64(OnnxFields.DimValue, d);
            }
            else
            {
                throw new ArgumentOutOfRangeException(nameof(shape), d, $"Dimension of '{name}' must be non-negative, Batch or Sequence.");
            }

            dims.WriteMessage(OnnxFields.ShapeDim, dim);
        }

        var tensorType = new ProtoWriter();
        tensorType.WriteInt64(OnnxFields.TensorTypeElemType, (int)elementType);
        tensorType.WriteMessage(OnnxFields.TensorTypeShape, dims);
        var type = new ProtoWriter();
        type.WriteMessage(OnnxFields.TypeTensorType, tensorType);
        var info = new ProtoWriter();
        info.WriteString(OnnxFields.ValueInfoName, name);
        info.WriteMessage(OnnxFields.ValueInfoType, type);
        return info;
    }

    private static void CheckCount(string name, int count, IReadOnlyList<long> dims)
    {
        long expected = 1;
        foreach (var d in dims)
        {
            if (d < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(dims), d, $"Initializer '{name}' has a negative dimension.");
            }

            expected *= d;
        }

        if (expected != count)
        {
            throw new ArgumentException($"Initializer '{name}' has {count} values but its dimensions [{string.Join(", ", dims)}] hold {expected}.", nameof(dims));
        }
    }

    private void RequireValue(string value)
    {
        if (!_values.Contains(value))
        {
            throw new InvalidOperationException($"The value '{value}' is not defined in the graph (yet).");
        }
    }

    private string UniqueValueName(string requested)
    {
        string name = requested;
        for (int i = 1; !_values.Add(name); i++)
        {
            name = $"{requested}_{i}";
        }

        return name;
    }

    private string UniqueNodeName(string requested)
    {
        string name = requested;
        for (int i = 1; !_nodeNames.Add(name); i++)
        {
            name = $"{requested}_{i}";
        }

        return name;
    }
}
