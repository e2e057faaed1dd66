using System.Text.Json;

namespace TexTok.ML.Data;

/// <summary>
/// Parses a captions file into unvalidated-label lines: JSON Lines (<c>.jsonl</c>, <c>.json</c>) with
/// <c>path</c>, <c>caption</c> and optional <c>label</c> members, or tab-separated values (<c>.tsv</c>,
/// <c>.txt</c>) of path, caption and optional label with an optional header line whose first field is <c>path</c>.
/// </summary>
internal static class CaptionsFileParser
{
    /// <summary>A parsed line: the path as written, the trimmed caption and the label text if any.</summary>
    public readonly record struct Line(string Path, string Caption, string? Label, int Number);

    /// <summary>Parses every non-blank line, failing on the first malformed one.</summary>
    /// <exception cref="ArgumentException">The extension names no supported format.</exception>
    /// <exception cref="InvalidDataException">A line is malformed; the message names the file and the line number.</exception>
    public static List<Line> Parse(string captionsFile)
    {
        string extension = Path.GetExtension(captionsFile).ToLowerInvariant();
        Func<string, string, int, Line> parseLine = extension switch
        {
            ".jsonl" or ".json" => ParseJsonLine,
            ".tsv" or ".txt" => ParseTsvLine,
            _ => throw new ArgumentException(
                $"The captions file '{captionsFile}' has extension '{extension}'; use .jsonl or .json for JSON Lines, .tsv or .txt for tab-separated values.",
                nameof(captionsFile)),
        };

        var lines = new List<Line>();
        int number = 0;
        bool headerAllowed = extension is ".tsv" or ".txt";
        foreach (string text in File.ReadLines(captionsFile))
        {
            number++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            if (headerAllowed)
            {
                headerAllowed = false;
                if (text.Split('\t')[0].Trim().Equals("path", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
            }

            lines.Add(parseLine(captionsFile, text, number));
        }

        return lines;
    }

    /// <summary>How messages name a line: the captions file's path and the one-based line number.</summary>
    public static string Where(string captionsFile, int number) => $"{captionsFile}, line {number}";

    private static Line ParseJsonLine(string captionsFile, string text, int number)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw Malformed(captionsFile, number, $"invalid JSON ({e.Message})", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Malformed(captionsFile, number, $"expected a JSON object but found {root.ValueKind}");
            }

            string path = RequiredString(root, "path", captionsFile, number);
            string caption = RequiredString(root, "caption", captionsFile, number);
            string? label = null;
            if (root.TryGetProperty("label", out JsonElement labelElement))
            {
                label = labelElement.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.String => NullIfBlank(labelElement.GetString()),
                    JsonValueKind.Number when labelElement.TryGetInt64(out long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _ => throw Malformed(captionsFile, number, $"'label' must be a string or an integer, not {labelElement.GetRawText()}"),
                };
            }

            return new Line(path, caption, label, number);
        }
    }

    private static Line ParseTsvLine(string captionsFile, string text, int number)
    {
        string[] fields = text.Split('\t');
        if (fields.Length is < 2 or > 3)
        {
            throw Malformed(captionsFile, number, $"expected 2 or 3 tab-separated fields (path, caption, optional label) but found {fields.Length}");
        }

        string path = fields[0].Trim();
        if (path.Length == 0)
        {
            throw Malformed(captionsFile, number, "the image path is empty");
        }

        string caption = fields[1].Trim();
        if (caption.Length == 0)
        {
            throw Malformed(captionsFile, number, "the caption is empty");
        }

        return new Line(path, caption, fields.Length == 3 ? NullIfBlank(fields[2]) : null, number);
    }

    private static string RequiredString(JsonElement root, string name, string captionsFile, int number)
    {
        if (!root.TryGetProperty(name, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            throw Malformed(captionsFile, number, $"the '{name}' member is missing");
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            throw Malformed(captionsFile, number, $"'{name}' must be a string, not {element.GetRawText()}");
        }

        string value = element.GetString()!.Trim();
        if (value.Length == 0)
        {
            throw Malformed(captionsFile, number, $"'{name}' is empty");
        }

        return value;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static InvalidDataException Malformed(string captionsFile, int number, string problem, Exception? inner = null)
        => new($"{Where(captionsFile, number)}: {problem}.", inner);
}
