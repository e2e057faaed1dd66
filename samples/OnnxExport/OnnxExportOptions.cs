using TexTok.ML.Samples;

namespace OnnxExport;

/// <summary>The OnnxExport command line.</summary>
internal sealed record OnnxExportOptions(bool Quick, string? ModelPath, string OutputDirectory, int? Steps, int Tokens, int Threads, bool Help)
{
    public const string Usage =
        "usage: dotnet run -c Release --project samples/OnnxExport [-- [--quick] [--model FILE] [--out DIR] [--steps S] [--tokens N] [--threads T]]\n" +
        "  --quick         a short run (under a minute on 2 cores)\n" +
        "  --model FILE    export this TexTok model (textok.safetensors, as samples/ImageFolder writes it) instead of training one\n" +
        "  --out DIR       output folder (default: ./onnxexport-out)\n" +
        "  --steps S       training steps of the tokenizer and of the DiT, 1 to 100000 (default: 200 quick, 1000 otherwise)\n" +
        "  --tokens N      image tokens per image of a trained tokenizer, 1 to 256 (default: 16; a --model keeps its own)\n" +
        "  --threads T     CPU threads for TorchSharp and ONNX Runtime, 1 to 64 (default: 2)";

    public static bool TryParse(string[] args, out OnnxExportOptions options, out string error)
    {
        options = new OnnxExportOptions(false, null, "onnxexport-out", null, 16, 2, false);
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
                case "--model":
                    if (!SampleArguments.TryReadText(args, ref i, out text, out error))
                    {
                        return false;
                    }

                    options = options with { ModelPath = text };
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
