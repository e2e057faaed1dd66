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

    public static bool TryParse(string[] args, out TextToImageOptions options, out string error)
    {
        options = new TextToImageOptions(false, "texttoimage-out", [], null, 16, 2, false);
        error = string.Empty;
        var captions = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            int value;
            switch (args[i])
            {
                case "--quick":
                    options = options with { Quick = true };
                    break;
                case "-h" or "--help":
                    options = options with { Help = true };
                    break;
                case "--caption":
                    if (!SampleArguments.TryReadText(args, ref i, out string caption, out error))
                    {
                        return false;
                    }

                    captions.Add(caption);
                    break;
                case "--out":
                    if (!SampleArguments.TryReadText(args, ref i, out string output, out error))
                    {
                        return false;
                    }

                    options = options with { OutputDirectory = output };
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

        options = options with { Captions = captions };
        return true;
    }
}
