using System.Text;
using TexTok.ML.Onnx;

namespace OnnxExport;

/// <summary>Writes usage.md: each exported file's inputs and outputs as ONNX Runtime reports them, and its notes.</summary>
internal sealed class UsageDocument
{
    private readonly StringBuilder _text = new();

    public UsageDocument(string title, IEnumerable<string> introduction)
    {
        _text.AppendLine($"# {title}").AppendLine();
        foreach (var line in introduction)
        {
            _text.AppendLine(line);
        }

        _text.AppendLine();
    }

    /// <summary>A section for one file: what it does, its input and output table, then notes.</summary>
    public void AddModel(string file, string purpose, OnnxScoringSession session, IEnumerable<string> notes)
    {
        _text.AppendLine($"## {file}").AppendLine().AppendLine(purpose).AppendLine();
        _text.AppendLine("| | name | shape | dtype |").AppendLine("|---|---|---|---|");
        foreach (var name in session.InputNames)
        {
            _text.AppendLine($"| input | `{name}` | {Shape(session.InputShapes[name])} | {DType(session.InputElementTypes[name])} |");
        }

        foreach (var name in session.OutputNames)
        {
            _text.AppendLine($"| output | `{name}` | {Shape(session.OutputShapes[name])} | {DType(session.OutputElementTypes[name])} |");
        }

        _text.AppendLine();
        foreach (var note in notes)
        {
            _text.AppendLine($"- {note}");
        }

        _text.AppendLine();
    }

    public void AddSection(string heading, IEnumerable<string> lines)
    {
        _text.AppendLine($"## {heading}").AppendLine();
        foreach (var line in lines)
        {
            _text.AppendLine(line);
        }

        _text.AppendLine();
    }

    public void Save(string path) => File.WriteAllText(path, _text.ToString());

    // ONNX Runtime reports a symbolic dimension as -1; in these exports only the batch dimension is symbolic.
    private static string Shape(IReadOnlyList<int> dims) =>
        dims.Count == 0 ? "scalar" : "[" + string.Join(", ", dims.Select((d, i) => d >= 0 ? d.ToString() : i == 0 ? "batch" : "?")) + "]";

    private static string DType(OnnxElementType type) => type switch
    {
        OnnxElementType.Float => "float32",
        OnnxElementType.Int64 => "int64",
        OnnxElementType.Int32 => "int32",
        OnnxElementType.Float16 => "float16",
        OnnxElementType.Double => "float64",
        _ => "other",
    };
}
