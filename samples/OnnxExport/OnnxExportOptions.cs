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

    private static readonly SampleOptionTable<OnnxExportOptions> Table =
        SampleOptionTable<OnnxExportOptions>.Common(o => o with { Quick = true }, o => o with { Help = true })
        .Text("--model", (o, v) => o with { ModelPath = v })
        .Text("--out", (o, v) => o with { OutputDirectory = v })
        .Int("--steps", 1, 100_000, (o, v) => o with { Steps = v })
        .Int("--tokens", 1, 256, (o, v) => o with { Tokens = v })
        .Int("--threads", 1, 64, (o, v) => o with { Threads = v });

    public static bool TryParse(string[] args, out OnnxExportOptions options, out string error) =>
        Table.TryParse(args, new OnnxExportOptions(false, null, "onnxexport-out", null, 16, 2, false), out options, out error);
}
