using TexTok.ML.Data;
using TexTok.ML.Torch.Checkpoints;
using TorchSharp;

namespace TexTok.ML.Orleans;

/// <summary>
/// One shard of a generate job: each row's index in the job, class label, tokens and, when the pipeline decodes, pixels
/// (CHW in [0, 255], as Detokenize writes them). Stored as safetensors (<c>ids</c> [rows], <c>labels</c> [rows],
/// <c>tokens</c> [rows, N·d], <c>pixels</c> [rows, 3, H, W]; metadata <c>format</c> = <see cref="Format"/>), written to a
/// temporary name and renamed, so the file is whole or absent.
/// </summary>
public sealed record GeneratedShard(long[] Ids, long[] Labels, float[][] Tokens, float[][]? Pixels, int ImageSize)
{
    /// <summary>The format tag written into each shard file.</summary>
    public const string Format = "textok-generated-shard/1";

    /// <summary>The file name of shard <paramref name="index"/>.</summary>
    /// <param name="index">Shard index.</param>
    public static string FileName(int index) => $"generated-{index:D5}.safetensors";

    /// <summary>Row <paramref name="row"/>'s image; throws when the pipeline wrote no pixels.</summary>
    /// <param name="row">Row within this shard (or within <see cref="LoadAll"/>'s result).</param>
    public RgbImage Image(int row)
    {
        var pixels = Pixels ?? throw new InvalidOperationException("This job's pipeline wrote no pixels (it ends with DiTGenerate, not Detokenize).");
        return ImagePixels.FromChwPixelValues(pixels[row], ImageSize, ImageSize);
    }

    /// <summary>Writes the shard to <paramref name="path"/> atomically.</summary>
    /// <param name="path">Target file.</param>
    public void Save(string path)
    {
        int rows = Ids.Length;
        if (rows == 0 || Labels.Length != rows || Tokens.Length != rows || Tokens.Any(t => t.Length != Tokens[0].Length)
            || (Pixels is not null && (Pixels.Length != rows || Pixels.Any(p => p.Length != 3 * ImageSize * ImageSize))))
        {
            throw new ArgumentException("A generated shard needs at least one row, one label, token vector (of one length) and, if any, 3·H·W pixels per id.");
        }

        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, torch.Tensor>
        {
            ["ids"] = torch.tensor(Ids, new long[] { rows }),
            ["labels"] = torch.tensor(Labels, new long[] { rows }),
            ["tokens"] = torch.tensor(Tokens.SelectMany(t => t).ToArray(), new long[] { rows, Tokens[0].Length }),
        };
        if (Pixels is not null)
        {
            tensors["pixels"] = torch.tensor(Pixels.SelectMany(p => p).ToArray(), new long[] { rows, 3, ImageSize, ImageSize });
        }

        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["format"] = Format });
    }

    /// <summary>Reads a shard file.</summary>
    /// <param name="path">A file written by <see cref="Save"/>.</param>
    /// <exception cref="InvalidDataException">The file is not a generated shard.</exception>
    public static GeneratedShard Load(string path)
    {
        using var contents = SafeTensors.Load(path);
        var t = contents.Tensors;
        if (!contents.Metadata.TryGetValue("format", out var format) || format != Format
            || !t.TryGetValue("ids", out var ids) || !t.TryGetValue("labels", out var labels) || !t.TryGetValue("tokens", out var tokens)
            || ids.dim() != 1 || labels.shape[0] != ids.shape[0] || tokens.dim() != 2 || tokens.shape[0] != ids.shape[0]
            || (t.TryGetValue("pixels", out var check) && (check.dim() != 4 || check.shape[0] != ids.shape[0] || check.shape[1] != 3)))
        {
            throw new InvalidDataException($"'{path}' is not a TexTok generated shard (expected format '{Format}' with 'ids', 'labels', 'tokens' and optional 'pixels').");
        }

        int rows = (int)ids.shape[0];
        float[][] Rows(torch.Tensor tensor)
        {
            var flat = tensor.to_type(torch.ScalarType.Float32).data<float>().ToArray();
            int length = flat.Length / rows;
            return Enumerable.Range(0, rows).Select(r => flat.AsSpan(r * length, length).ToArray()).ToArray();
        }

        var pixels = t.TryGetValue("pixels", out var p) ? Rows(p) : null;
        return new GeneratedShard(ids.to_type(torch.ScalarType.Int64).data<long>().ToArray(), labels.to_type(torch.ScalarType.Int64).data<long>().ToArray(),
            Rows(tokens), pixels, p is null ? 0 : (int)p.shape[2]);
    }

    /// <summary>Every shard file of <paramref name="directory"/>, joined and ordered by row index.</summary>
    /// <param name="directory">A generate job's output folder.</param>
    /// <exception cref="InvalidDataException">A row index appears in two shards, or shards disagree on pixels.</exception>
    public static GeneratedShard LoadAll(string directory)
    {
        var shards = Directory.GetFiles(directory, "generated-*.safetensors").Order(StringComparer.Ordinal).Select(Load).ToList();
        if (shards.Select(s => (s.Pixels is null, s.ImageSize)).Distinct().Count() > 1)
        {
            throw new InvalidDataException($"The shards in '{directory}' disagree on whether they hold pixels, or on the image size.");
        }

        var rows = new SortedDictionary<long, (long Label, float[] Tokens, float[]? Pixels)>();
        foreach (var shard in shards)
        {
            for (int i = 0; i < shard.Ids.Length; i++)
            {
                if (!rows.TryAdd(shard.Ids[i], (shard.Labels[i], shard.Tokens[i], shard.Pixels?[i])))
                {
                    throw new InvalidDataException($"Row {shard.Ids[i]} appears twice in '{directory}'.");
                }
            }
        }

        bool pixels = shards.Count > 0 && shards[0].Pixels is not null;
        return new GeneratedShard(rows.Keys.ToArray(), rows.Values.Select(r => r.Label).ToArray(), rows.Values.Select(r => r.Tokens).ToArray(),
            pixels ? rows.Values.Select(r => r.Pixels!).ToArray() : null, shards.Count > 0 ? shards[0].ImageSize : 0);
    }
}
