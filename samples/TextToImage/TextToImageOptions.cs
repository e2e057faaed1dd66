using TexTok.ML.Samples;

namespace TextToImage;

/// <summary>The TextToImage command line.</summary>
internal sealed record TextToImageOptions(bool Quick, string OutputDirectory, IReadOnlyList<string> Captions, int? Steps, int Tokens, int Threads, bool Help)
{
    public const string Usage =
        "usage: dotnet run -c Release --project samples/TextToImage [-- [--quick] [--caption TEXT]... [--out DIR] [--steps S] [--tokens N] [--threads T]]\n" +
        "  --quick         a short run (about a minute on 2 cores)\n" +
        "  --caption TEXT  a caption to generate images for; repeat for several (default: 4 held-out captions)\n" +
        "  --out DIR       output folder (default: ./texttoimage-out)\n" +
        "  --steps S       training steps of the tokenizer and of the DiT, 1 to 100000 (default: 300 quick, 2000 otherwise)\n" +
        "  --tokens N      image tokens per image, 1 to 256 (default: 16)\n" +
        "  --threads T     CPU threads for TorchSharp training, 1 to 64 (default: 2)";

    private static readonly SampleOptionTable<TextToImageOptions> Table =
        SampleOptionTable<TextToImageOptions>.Common(o => o with { Quick = true }, o => o with { Help = true })
        .Text("--caption", (o, v) => o with { Captions = [.. o.Captions, v] })
        .Text("--out", (o, v) => o with { OutputDirectory = v })
        .Int("--steps", 1, 100_000, (o, v) => o with { Steps = v })
        .Int("--tokens", 1, 256, (o, v) => o with { Tokens = v })
        .Int("--threads", 1, 64, (o, v) => o with { Threads = v });

    public static bool TryParse(string[] args, out TextToImageOptions options, out string error) =>
        Table.TryParse(args, new TextToImageOptions(false, "texttoimage-out", [], null, 16, 2, false), out options, out error);
}
