using TexTok.ML.Torch.Checkpoints;
using TorchSharp;

namespace TexTok.ML.Orleans;

/// <summary>
/// One shard's output: the token vectors of its rows and each row's index in the source, stored as safetensors
/// (<c>tokens</c> float32 [rows, length], <c>ids</c> int64 [rows], metadata <c>format</c> = <see cref="Format"/>).
/// The file is written to a temporary name and renamed, so it is either whole or absent.
/// </summary>
public sealed record TokenShard(long[] Ids, float[][] Tokens)
{
    /// <summary>The format tag written into each shard file.</summary>
    public const string Format = "textok-token-shard/1";

    /// <summary>The file name of shard <paramref name="index"/>.</summary>
    /// <param name="index">Shard index.</param>
    public static string FileName(int index) => $"shard-{index:D5}.safetensors";

    /// <summary>Writes the shard to <paramref name="path"/> atomically.</summary>
    /// <param name="path">Target file.</param>
    public void Save(string path)
    {
        if (Ids.Length != Tokens.Length || Tokens.Length == 0 || Tokens.Any(t => t.Length != Tokens[0].Length))
        {
            throw new ArgumentException("A shard needs one id per token vector, at least one row, and vectors of one length.");
        }

        int length = Tokens[0].Length;
        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, torch.Tensor>
        {
            ["tokens"] = torch.tensor(Tokens.SelectMany(t => t).ToArray(), new long[] { Tokens.Length, length }),
            ["ids"] = torch.tensor(Ids, new long[] { Ids.Length }),
        };
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["format"] = Format });
    }

    /// <summary>Reads a shard file.</summary>
    /// <param name="path">A file written by <see cref="Save"/>.</param>
    /// <exception cref="InvalidDataException">The file is not a token shard.</exception>
    public static TokenShard Load(string path)
    {
        using var contents = SafeTensors.Load(path);
        if (!contents.Metadata.TryGetValue("format", out var format) || format != Format
            || !contents.Tensors.TryGetValue("tokens", out var tokens) || !contents.Tensors.TryGetValue("ids", out var ids)
            || tokens.dim() != 2 || ids.dim() != 1 || tokens.shape[0] != ids.shape[0])
        {
            throw new InvalidDataException($"'{path}' is not a TexTok token shard (expected format '{Format}' with 'tokens' [rows, length] and 'ids' [rows]).");
        }

        var flat = tokens.to_type(torch.ScalarType.Float32).data<float>().ToArray();
        int rows = (int)tokens.shape[0], length = (int)tokens.shape[1];
        var vectors = Enumerable.Range(0, rows).Select(r => flat.AsSpan(r * length, length).ToArray()).ToArray();
        return new TokenShard(ids.to_type(torch.ScalarType.Int64).data<long>().ToArray(), vectors);
    }

    /// <summary>
    /// Every shard file of <paramref name="directory"/>, joined and ordered by row index: the token vectors a DiT
    /// trainer takes (for example <c>TokenDataset.Unconditional(result.Tokens)</c>).
    /// </summary>
    /// <param name="directory">A job's output folder.</param>
    /// <exception cref="InvalidDataException">A row index appears in two shards.</exception>
    public static TokenShard LoadAll(string directory)
    {
        var rows = new SortedDictionary<long, float[]>();
        foreach (string file in Directory.GetFiles(directory, "shard-*.safetensors").Order(StringComparer.Ordinal))
        {
            var shard = Load(file);
            for (int i = 0; i < shard.Ids.Length; i++)
            {
                if (!rows.TryAdd(shard.Ids[i], shard.Tokens[i]))
                {
                    throw new InvalidDataException($"Row {shard.Ids[i]} appears twice in '{directory}' (again in '{Path.GetFileName(file)}').");
                }
            }
        }

        return new TokenShard(rows.Keys.ToArray(), rows.Values.ToArray());
    }
}
