using Spectre.Console;

namespace TexTok.ML.Samples;

/// <summary>Results on the console as Spectre.Console tables (drawn with box characters on a terminal and in a redirected file alike).</summary>
internal static class SampleConsole
{
    /// <summary>Writes a table headed <paramref name="title"/>; columns after the first hold figures and are right-aligned.</summary>
    public static void WriteTable(string title, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        var table = new Table { Title = new TableTitle(title), Border = TableBorder.Rounded };
        foreach (var (column, i) in columns.Select((c, i) => (c, i)))
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)) { Alignment = i == 0 ? Justify.Left : Justify.Right });
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => Markup.Escape(cell)).ToArray());
        }

        AnsiConsole.Write(table);
    }
}
