namespace TexTok.ML.Onnx;

/// <summary>A node attribute (ONNX <c>AttributeProto</c>): an integer, float, string, list or one-value tensor.</summary>
public sealed class OnnxAttribute
{
    private OnnxAttribute(string name, AttributeKind kind)
    {
        Name = name;
        Kind = kind;
    }

    private enum AttributeKind
    {
        Float = 1,
        Int = 2,
        String = 3,
        Tensor = 4,
        Floats = 6,
        Ints = 7,
    }

    /// <summary>The attribute name.</summary>
    public string Name { get; }

    private AttributeKind Kind { get; }

    private long IntValue { get; init; }

    private float FloatValue { get; init; }

    private string StringValue { get; init; } = string.Empty;

    private long[] IntsValue { get; init; } = [];

    private float[] FloatsValue { get; init; } = [];

    /// <summary>An integer attribute.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="value">Value.</param>
    public static OnnxAttribute Int(string name, long value) => new(name, AttributeKind.Int) { IntValue = value };

    /// <summary>A float attribute.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="value">Value.</param>
    public static OnnxAttribute Float(string name, float value) => new(name, AttributeKind.Float) { FloatValue = value };

    /// <summary>A string attribute.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="value">Value.</param>
    public static OnnxAttribute String(string name, string value) => new(name, AttributeKind.String) { StringValue = value };

    /// <summary>A list-of-integers attribute.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="values">Values.</param>
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, AttributeKind.Ints) { IntsValue = values };

    /// <summary>A list-of-floats attribute.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="values">Values.</param>
    public static OnnxAttribute Floats(string name, params float[] values) => new(name, AttributeKind.Floats) { FloatsValue = values };

    /// <summary>A one-element float tensor attribute (e.g. <c>ConstantOfShape</c>'s <c>value</c>).</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="value">The single value.</param>
    public static OnnxAttribute FloatTensor(string name, float value) => new(name, AttributeKind.Tensor) { FloatValue = value };

    internal ProtoWriter Encode()
    {
        var w = new ProtoWriter();
        w.WriteString(OnnxFields.AttributeName, Name);
        w.WriteInt64(OnnxFields.AttributeType, (long)Kind);
        switch (Kind)
        {
            case AttributeKind.Int:
                w.WriteInt64(OnnxFields.AttributeI, IntValue);
                break;
            case AttributeKind.Float:
                w.WriteFloat(OnnxFields.AttributeF, FloatValue);
                break;
            case AttributeKind.String:
                w.WriteString(OnnxFields.AttributeS, StringValue);
                break;
            case AttributeKind.Ints:
                w.WritePackedInt64(OnnxFields.AttributeInts, IntsValue);
                break;
            case AttributeKind.Floats:
                w.WritePackedFloat(OnnxFields.AttributeFloats, FloatsValue);
                break;
            case AttributeKind.Tensor:
                w.WriteMessage(OnnxFields.AttributeT, OnnxTensorEncoding.Float(string.Empty, [FloatValue], [1]));
                break;
            default:
                throw new InvalidOperationException($"Unsupported attribute kind {Kind}.");
        }

        return w;
    }
}
