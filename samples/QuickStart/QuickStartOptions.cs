using TexTok.ML.Samples;

namespace QuickStart;

/// <summary>The QuickStart command line.</summary>
internal sealed record QuickStartOptions(bool Quick, string OutputDirectory, int Tokens, bool Help)
{
    public const string Usage =
        "usage: dotnet run -c Release --project samples/QuickStart [-- [--quick] [--out DIR] [--tokens N]]\n" +
        "  --quick       a short run (about 2 minutes on 2 cores)\n" +
        "  --out DIR     output folder (default: ./quickstart-out)\n" +
        "  --tokens N    image tokens per image, 1 to 256 (default: 16)";

    private static readonly SampleOptionTable<QuickStartOptions> Table =
        SampleOptionTable<QuickStartOptions>.Common(o => o with { Quick = true }, o => o with { Help = true })
        .Text("--out", (o, v) => o with { OutputDirectory = v })
        .Int("--tokens", 1, 256, (o, v) => o with { Tokens = v });

    public static bool TryParse(string[] args, out QuickStartOptions options, out string error) =>
        Table.TryParse(args, new QuickStartOptions(false, "quickstart-out", 16, false), out options, out error);
}
