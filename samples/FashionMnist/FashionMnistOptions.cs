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

    public static bool TryParse(string[] args, out FashionMnistOptions options, out string error)
    {
        options = new FashionMnistOptions(false, TexTok.ML.Data.FashionMnist.DefaultDirectory, "fashionmnist-out", null, 16, 2, false);
        error = string.Empty;
        for (int i = 0; i < args.Length; i++)
        {
            int value;
            string text;
            switch (args[i])
            {
                case "--quick":
                    options = options with { Quick = true };
                    break;
                case "-h" or "--help":
                    options = options with { Help = true };
                    break;
                case "--data":
                    if (!SampleArguments.TryReadText(args, ref i, out text, out error))
                    {
                        return false;
                    }

                    options = options with { DataDirectory = text };
                    break;
                case "--out":
                    if (!SampleArguments.TryReadText(args, ref i, out text, out error))
                    {
                        return false;
                    }

                    options = options with { OutputDirectory = text };
                    break;
                case "--steps":
                    if (!SampleArguments.TryReadInt(args, ref i, 1, 100_000, out value, out error))
                    {
                        return false;
                    }

                    options = options with { Steps = value };
                    break;
                case "--tokens":
                    if (!SampleArguments.TryReadInt(args, ref i, 1, 256, out value, out error))
                    {
                        return false;
                    }

                    options = options with { Tokens = value };
                    break;
                case "--threads":
                    if (!SampleArguments.TryReadInt(args, ref i, 1, 64, out value, out error))
                    {
                        return false;
                    }

                    options = options with { Threads = value };
                    break;
                default:
                    error = $"error: unknown option '{args[i]}'.";
                    return false;
            }
        }

        return true;
    }
}
