using System.IO.Compression;
using Microsoft.ML;
using TexTok.ML.Testing;

namespace TexTok.ML.Tests;

/// <summary>
/// Mutated pipeline zips loaded with <c>LoadTexTokPipeline</c>: the pipeline loads, or the call throws
/// <see cref="InvalidDataException"/> naming the file (docs/reliability.md). Saved pipelines are code-like and must
/// come from trusted sources (docs/security.md); this checks that damage is reported, not that hostile files are safe.
/// A pipeline that loads is also run on two rows, where any managed error is accepted (the mutation may have changed
/// a weight or a shape) but the process must survive.
/// </summary>
[TestClass]
public sealed class ReaderFuzzTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void PipelineZipsKeepTheirContractUnderByteMutations() =>
        Fuzz(ReaderFuzz.Iterations(40), seed: 61, (valid, mutation) => mutation.Apply(valid));

    // Mutations inside one stored entry (model keys, ONNX bytes, schema), rezipped, so they get past the zip's checksums.
    [TestMethod]
    public void PipelineZipsKeepTheirContractUnderEntryMutations() =>
        Fuzz(ReaderFuzz.Iterations(40), seed: 62, MutateOneEntry);

    private void Fuzz(int iterations, ulong seed, Func<byte[], ReaderFuzz.Mutation, byte[]> mutate)
    {
        using var pair = ComponentTestData.Model(useText: true);
        var ml = new MLContext(seed: 1);
        var data = ComponentTestData.Shapes(ml, 2);
        var fitted = ml.Transforms.CaptionEmbed().Append(ml.Transforms.TexTokenize(pair)).Append(ml.Transforms.Detokenize(pair)).Fit(data);
        string valid = Path.Combine(Path.GetTempPath(), $"textok-fuzz-{Guid.NewGuid():N}.zip");
        string path = Path.Combine(Path.GetTempPath(), $"textok-fuzz-{Guid.NewGuid():N}.zip");
        ml.Model.Save(fitted, data.Schema, valid);
        byte[] bytes = File.ReadAllBytes(valid);
        try
        {
            var tally = ReaderFuzz.Run(ReaderFuzz.Mutations, iterations, seed, mutation =>
            {
                File.WriteAllBytes(path, mutate(bytes, mutation));
                ITransformer? loaded = null;
                bool accepted = ReaderFuzz.Contract(() => loaded = new MLContext(seed: 1).Model.LoadTexTokPipeline(path, out _), path, typeof(InvalidDataException));
                if (loaded is not null)
                {
                    try
                    {
                        _ = ComponentTestData.Column(loaded.Transform(data), "ReconstructionPixels");
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // A loaded but damaged pipeline may fail to score; it must not bring the process down.
                    }
                    finally
                    {
                        (loaded as IDisposable)?.Dispose();
                    }
                }

                return accepted;
            }, m => m.ToString());
            TestContext.WriteLine($"pipeline zip: {tally}");
            Assert.IsGreaterThan(0, tally.Refused);
        }
        finally
        {
            File.Delete(valid);
            File.Delete(path);
        }
    }

    private static byte[] MutateOneEntry(byte[] zip, ReaderFuzz.Mutation mutation)
    {
        using var input = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        var entries = input.Entries.Where(e => e.Length > 0).ToList();
        // The entry is chosen from the mutation's text by a fixed hash (string.GetHashCode differs between processes).
        uint hash = mutation.ToString().Aggregate(2166136261u, (h, c) => unchecked((h ^ c) * 16777619u));
        var target = entries[(int)(hash % (uint)entries.Count)];
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries)
            {
                using var read = entry.Open();
                using var copy = new MemoryStream();
                read.CopyTo(copy);
                byte[] content = entry.FullName == target.FullName ? mutation.Apply(copy.ToArray()) : copy.ToArray();
                using var write = archive.CreateEntry(entry.FullName).Open();
                write.Write(content);
            }
        }

        return output.ToArray();
    }
}
