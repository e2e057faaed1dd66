using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json;

namespace TexTok.ML.Samples;

/// <summary>A picture on a report page: a PNG in the output folder and the caption shown under it.</summary>
internal sealed record ReportImage(string File, string Caption);

/// <summary>
/// What a sample leaves in its output folder besides models and pictures: <c>report.json</c> (settings, figures,
/// timings, for programs) and <c>report.html</c> (for people): the pictures, enlarged without smoothing and captioned,
/// then every figure of report.json in tables. The page is one file: images are embedded as data URIs and it loads
/// nothing else, so it can be mailed or archived as is.
/// </summary>
internal static class SampleReport
{
    /// <summary>The figures file.</summary>
    public const string JsonFile = "report.json";

    /// <summary>The page.</summary>
    public const string PageFile = "report.html";

    // Small pictures are enlarged by a whole factor up to about this width, so that pixels stay square and sharp.
    private const int TargetWidth = 720, MaxScale = 8;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes <paramref name="value"/> as indented JSON.</summary>
    public static void WriteJson(string path, object value) => File.WriteAllText(path, JsonSerializer.Serialize(value, Indented));

    /// <summary>
    /// Writes <paramref name="figures"/> to report.json in <paramref name="directory"/>, then report.html with
    /// <paramref name="title"/>, <paramref name="summary"/>, <paramref name="images"/> (PNG files in the folder) and the
    /// figures as report.json holds them. Returns the page's path.
    /// </summary>
    public static string Write(string directory, string title, string summary, object figures, IEnumerable<ReportImage> images)
    {
        string json = JsonSerializer.Serialize(figures, Indented);
        File.WriteAllText(Path.Combine(directory, JsonFile), json);
        using var document = JsonDocument.Parse(json);
        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>{{Encode(title)}}</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 75rem; padding: 0 1rem; color: #222; }
            figure { display: inline-block; vertical-align: top; max-width: 100%; margin: 0 1.5rem 1.5rem 0; }
            img { image-rendering: pixelated; border: 1px solid #ddd; max-width: 100%; height: auto; }
            figcaption { color: #555; margin-top: 0.4rem; }
            table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
            th, td { border: 1px solid #ddd; padding: 0.2rem 0.6rem; text-align: left; vertical-align: top; }
            th { background: #f4f4f4; font-weight: 600; }
            code { font-size: 0.9em; }
            </style>
            </head>
            <body>
            <h1>{{Encode(title)}}</h1>
            <p>{{Encode(summary)}}</p>

            """);
        foreach (var image in images)
        {
            byte[] png = File.ReadAllBytes(Path.Combine(directory, image.File));
            var (width, height) = PngSize(png, image.File);
            int scale = Math.Clamp(TargetWidth / width, 1, MaxScale);
            html.AppendLine($"""<figure style="width: {width * scale}px"><img src="data:image/png;base64,{Convert.ToBase64String(png)}" width="{width * scale}" height="{height * scale}" alt="{Encode(image.Caption)}">""")
                .AppendLine($"<figcaption>{Encode(image.Caption)} <code>{Encode(image.File)}</code></figcaption></figure>");
        }

        AppendObject(html, $"Figures ({JsonFile})", document.RootElement, level: 2);
        html.AppendLine("</body>").AppendLine("</html>");
        string path = Path.Combine(directory, PageFile);
        File.WriteAllText(path, html.ToString());
        return path;
    }

    // An object as a heading and a table of its plain values; its objects and lists of objects follow as sections.
    private static void AppendObject(StringBuilder html, string heading, JsonElement element, int level)
    {
        html.AppendLine($"<h{level}>{Encode(heading)}</h{level}>");
        var properties = element.EnumerateObject().ToList();
        var plain = properties.Where(p => !IsSection(p.Value)).ToList();
        if (plain.Count > 0)
        {
            html.AppendLine("<table>");
            foreach (var property in plain)
            {
                html.AppendLine($"<tr><th><code>{Encode(property.Name)}</code></th><td>{Encode(Text(property.Value))}</td></tr>");
            }

            html.AppendLine("</table>");
        }

        foreach (var property in properties.Where(p => IsSection(p.Value)))
        {
            if (property.Value.ValueKind == JsonValueKind.Object)
            {
                AppendObject(html, property.Name, property.Value, Math.Min(level + 1, 6));
            }
            else
            {
                AppendRows(html, property.Name, property.Value, Math.Min(level + 1, 6));
            }
        }
    }

    // A list of objects as one table: a column per key, in the order the keys first appear.
    private static void AppendRows(StringBuilder html, string heading, JsonElement array, int level)
    {
        var rows = array.EnumerateArray().ToList();
        var columns = rows.SelectMany(r => r.EnumerateObject().Select(p => p.Name)).Distinct().ToList();
        html.AppendLine($"<h{level}>{Encode(heading)}</h{level}>").AppendLine("<table>")
            .AppendLine($"<tr>{string.Concat(columns.Select(c => $"<th><code>{Encode(c)}</code></th>"))}</tr>");
        foreach (var row in rows)
        {
            html.AppendLine($"<tr>{string.Concat(columns.Select(c => $"<td>{Encode(row.TryGetProperty(c, out var v) ? Text(v) : string.Empty)}</td>"))}</tr>");
        }

        html.AppendLine("</table>");
    }

    private static bool IsSection(JsonElement value) =>
        value.ValueKind == JsonValueKind.Object ||
        (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0 && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Object));

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Array => string.Join(value.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.String) ? "; " : ", ", value.EnumerateArray().Select(Text)),
        _ => value.GetRawText(),
    };

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    // Width and height from a PNG's header chunk, which follows the 8-byte signature and the chunk's length and type.
    private static (int Width, int Height) PngSize(byte[] png, string file)
    {
        ReadOnlySpan<byte> signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if (png.Length < 24 || !png.AsSpan(0, 8).SequenceEqual(signature) || Encoding.ASCII.GetString(png, 12, 4) != "IHDR")
        {
            throw new InvalidDataException($"The report picture '{file}' is not a PNG file.");
        }

        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }
}
