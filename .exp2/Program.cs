using Microsoft.ML.Transforms.Image;
using Microsoft.ML;
using Microsoft.ML.Data;
using TexTok.ML;
using TexTok.ML.Data;
using TexTok.ML.Torch.Tokenizer;
using static TorchSharp.torch;

string mode = args[0];
if (mode == "refl")
{
    foreach (var m in typeof(ModelOperationsCatalog).GetMethods().Where(m => m.Name == "CreatePredictionEngine"))
        Console.WriteLine(m);
    foreach (var p in typeof(PredictionEngineOptions).GetFields()) Console.WriteLine($"{p.Name} = {p.GetValue(new PredictionEngineOptions())}");
    return;
}
var ml = new MLContext(seed: 1);
manual_seed(3);
var config = new TexTokConfig { ImageSize = 16, PatchSize = 4, Width = 16, Depth = 1, Heads = 2, NumTokens = 4, TokenDim = 4, TextTokens = 32, TextDim = 64, UseText = mode.Contains("text") };
using var pair = new TexTokTrainedModel(new TexTokModel(config));
var shared = Rows();
List<ImageRow> Rows() => CaptionedShapes.Enumerate(DataSplit.Test, 12, new CaptionedShapesOptions { ImageSize = 32 }).Select(s => new ImageRow { Image = ImagePixels.ToMLImage(s.Image), Caption = s.Caption }).ToList();
IDataView Data() => args.Length > 1 && args[1] == "own" ? ml.Data.LoadFromEnumerable(Rows()) : args.Length > 1 && args[1] == "shared" ? ml.Data.LoadFromEnumerable(shared) : CaptionedShapes.Load(ml, DataSplit.Test, 12, new CaptionedShapesOptions { ImageSize = 32 });
int threads = args.Length > 2 ? int.Parse(args[2]) : 4;
var data = Data();
IEstimator<ITransformer> est = mode switch
{
    "embed" => ml.Transforms.CaptionEmbed(),
    "resize" => ml.Transforms.ResizeImages("R", 16, 16, "Image").Append(ml.Transforms.ExtractPixels("P", "R")),
    "tokenize" => ml.Transforms.TexTokenize(pair),
    "tokenize-text" => ml.Transforms.CaptionEmbed().Append(ml.Transforms.TexTokenize(pair)),
    "full" => ml.Transforms.TexTokenize(pair).Append(ml.Transforms.Detokenize(pair)),
    "full-text" or "full-text-loaded" => ml.Transforms.CaptionEmbed().Append(ml.Transforms.TexTokenize(pair)).Append(ml.Transforms.Detokenize(pair)),
    _ => throw new ArgumentException(mode),
};
var model = est.Fit(data);
if (mode.EndsWith("loaded"))
{
    ml.Model.Save(model, data.Schema, "/tmp/exp2.zip");
    model = new MLContext(seed: 1).Model.LoadTexTokPipeline("/tmp/exp2.zip", out _);
}
string col = mode switch { "embed" => "TextEmbedding", "resize" => "P", _ when mode.StartsWith("full") => "ReconstructionPixels", _ => "Tokens" };
bool engines = args.Length > 3 && args[3] == "engine";
Parallel.For(0, threads, t =>
{
    if (engines)
    {
        using var engine = ml.Model.CreatePredictionEngine<ImageRow, Out>(model);
        foreach (var r in Rows()) engine.Predict(r);
        return;
    }

    for (int round = 0; round < 5; round++)
    {
        var view = model.Transform(Data());
        var c = view.Schema[col];
        using var cursor = view.GetRowCursor([c]);
        var g = cursor.GetGetter<VBuffer<float>>(c);
        VBuffer<float> v = default;
        while (cursor.MoveNext()) g(ref v);
    }
});
Console.WriteLine($"{mode}: ok");

public sealed class ImageRow
{
    [ImageType(32, 32)]
    public MLImage Image { get; set; } = null!;

    public string Caption { get; set; } = string.Empty;
}

public sealed class Out
{
    public float[] ReconstructionPixels { get; set; } = [];
}
