using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TexTok.ML.Benchmarks;

/// <summary>
/// A suite's results: <c>suite</c>, <c>rows</c> (one flat object per measured configuration) and suite-level figures,
/// written as <c>report.json</c> with a Markdown table beside it.
/// </summary>
internal sealed class BenchmarkReport
{
    private readonly List<Dictionary<string, object>> _rows = new();
    private readonly Dictionary<string, object> _figures = new(StringComparer.Ordinal);

    public BenchmarkReport(string suite, bool quick, string command)
    {
        Suite = suite;
        _figures["quick"] = quick;
        _figures["command"] = command;
        _figures["machine"] = $"{RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, .NET {Environment.Version}";
        _figures["created_utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ");
    }

    public string Suite { get; }

    public IReadOnlyList<Dictionary<string, object>> Rows => _rows;

    public void AddRow(Dictionary<string, object> row) => _rows.Add(row);

    public void Set(string key, object value) => _figures[key] = value;

    public string Write(string directory)
    {
        var root = new JsonObject { ["suite"] = Suite };
        foreach (var (key, value) in _figures)
        {
            root[key] = JsonSerializer.SerializeToNode(value);
        }

        var rows = new JsonArray();
        foreach (var row in _rows)
        {
            var node = new JsonObject();
            foreach (var (key, value) in row)
            {
                node[key] = JsonSerializer.SerializeToNode(value);
            }

            rows.Add(node);
        }

        root["rows"] = rows;
        string path = Path.Combine(directory, "report.json");
        string temp = path + ".tmp";
        File.WriteAllText(temp, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, path, overwrite: true);
        return path;
    }

    /// <summary>A Markdown table of the rows over <paramref name="columns"/> (key, header, format).</summary>
    public string MarkdownTable(IReadOnlyList<(string Key, string Header, string Format)> columns)
    {
        var lines = new List<string>
        {
            "| " + string.Join(" | ", columns.Select(c => c.Header)) + " |",
            "|" + string.Concat(columns.Select(_ => "---|")),
        };
        foreach (var row in _rows)
        {
            lines.Add("| " + string.Join(" | ", columns.Select(c => row.TryGetValue(c.Key, out var v) ? Format(v, c.Format) : "")) + " |");
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string Format(object value, string format) => value switch
    {
        double d => d.ToString(format, System.Globalization.CultureInfo.InvariantCulture),
        float f => f.ToString(format, System.Globalization.CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
