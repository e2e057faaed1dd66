// Loads a saved ML.NET pipeline in a process of its own and scores CaptionedShapes rows with it: the check that a
// saved TexTok pipeline needs nothing but the zip and the TexTok.ML assembly. Its code names no TexTok component.
// Usage: PipelineLoader ZIP ROWS IMAGE_SIZE OUT.bin COLUMN [COLUMN...]
// Writes, for each column in order, every row's float vector (little-endian float32).
using Microsoft.ML;
using Microsoft.ML.Data;
using TexTok.ML.Data;

if (args.Length < 5)
{
    Console.Error.WriteLine("usage: PipelineLoader ZIP ROWS IMAGE_SIZE OUT.bin COLUMN [COLUMN...]");
    return 2;
}

var ml = new MLContext(seed: 1);
var model = ml.Model.Load(args[0], out _);
var data = CaptionedShapes.Load(ml, DataSplit.Test, int.Parse(args[1]), new CaptionedShapesOptions { ImageSize = int.Parse(args[2]) });
var scored = model.Transform(data);
using var output = new BinaryWriter(File.Create(args[3]));
foreach (var name in args.Skip(4))
{
    var column = scored.Schema[name];
    using var cursor = scored.GetRowCursor([column]);
    var getter = cursor.GetGetter<VBuffer<float>>(column);
    VBuffer<float> value = default;
    while (cursor.MoveNext())
    {
        getter(ref value);
        foreach (float v in value.DenseValues())
        {
            output.Write(v);
        }
    }
}

Console.WriteLine($"scored {args[1]} rows; loaded chain: {model.GetType().Name}");
return 0;
