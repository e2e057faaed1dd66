using TexTok.ML.Samples;

namespace FashionMnistSample;

/// <summary>The FashionMnist command line.</summary>
internal sealed record FashionMnistOptions(bool Quick, string DataDirectory, string OutputDirectory, int? Steps, int Tokens, int Threads, bool Help)
{
    public const string Usage =
        "usage: dotnet run -c Release --project samples/FashionMnist [-- [--quick] [--data DIR] [--out DIR] [--steps S] [--tokens N] [--threads T]]\n" +
        "  --quick       a short run (about a minute on 2 cores)\n" +
        "  --data DIR    folder with the Fashion-MNIST .idx.gz files (default: /usr/share/datasets/fashion-mnist,\n" +
        "                installed by 'apt-get install dataset-fashion-mnist')\n" +
        "  --out DIR     output folder (default: ./fashionmnist-out)\n" +
        "  --steps S     training steps of the tokenizer and of the DiT, 1 to 100000 (default: 300 quick, 2000 otherwise)\n" +
        "  --tokens N    image tokens per image, 1 to 256 (default: 16)\n" +
        "  --threads T   CPU threads for TorchSharp training, 1 to 64 (default: 2)";

    private static readonly SampleOptionTable<FashionMnistOptions> Table =
        SampleOptionTable<FashionMnistOptions>.Common(o => o with { Quick = true }, o => o with { Help = true })
        .Text("--data", (o, v) => o with { DataDirectory = v })
        .Text("--out", (o, v) => o with { OutputDirectory = v })
        .Int("--steps", 1, 100_000, (o, v) => o with { Steps = v })
        .Int("--tokens", 1, 256, (o, v) => o with { Tokens = v })
        .Int("--threads", 1, 64, (o, v) => o with { Threads = v });

    public static bool TryParse(string[] args, out FashionMnistOptions options, out string error) =>
        Table.TryParse(args, new FashionMnistOptions(false, TexTok.ML.Data.FashionMnist.DefaultDirectory, "fashionmnist-out", null, 16, 2, false), out options, out error);
}
