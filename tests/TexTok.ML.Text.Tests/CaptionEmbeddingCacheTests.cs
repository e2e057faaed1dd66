namespace TexTok.ML.Text.Tests;

[TestClass]
public sealed class CaptionEmbeddingCacheTests
{
    [TestMethod]
    public void MissesAreComputedInBatchesThenHit()
    {
        string dir = NewTempDirectory();
        try
        {
            var cache = new CaptionEmbeddingCache(dir);
            var encoder = new CountingEncoder();
            string[] captions = ["a red circle", "a blue square", "a red circle", "green", "blue", "left"];
            var first = cache.GetOrCompute(captions, encoder, batchSize: 2);
            Assert.AreEqual(5, encoder.Encoded); // the repeated caption is encoded once
            CollectionAssert.AreEqual(new[] { 2, 2, 1 }, encoder.BatchSizes);
            Assert.AreEqual(0, cache.Hits);
            Assert.AreEqual(6, cache.Misses);
            Assert.AreNotSame(first[0].Values, first[2].Values);
            Assert.AreEqual(5, Directory.GetFiles(dir, "*.emb", SearchOption.AllDirectories).Length);

            var second = new CaptionEmbeddingCache(dir).GetOrCompute(captions, encoder);
            Assert.AreEqual(5, encoder.Encoded);
            for (int i = 0; i < captions.Length; i++)
            {
                CollectionAssert.AreEqual(first[i].Values, second[i].Values);
                CollectionAssert.AreEqual(first[i].Mask, second[i].Mask);
                Assert.AreEqual(first[i].OriginalTokenCount, second[i].OriginalTokenCount);
            }

            // Another identity does not see these entries.
            var other = new CountingEncoder("other");
            new CaptionEmbeddingCache(dir).GetOrCompute(["green"], other);
            Assert.AreEqual(1, other.Encoded);
            Assert.AreNotEqual(CaptionEmbeddingCache.Key("id", "green"), CaptionEmbeddingCache.Key("other", "green"));
            Assert.AreNotEqual(CaptionEmbeddingCache.Key("a", "bc"), CaptionEmbeddingCache.Key("ab", "c"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void InterruptedWritesLeaveOnlyCompleteEntries()
    {
        string dir = NewTempDirectory();
        try
        {
            var cache = new CaptionEmbeddingCache(dir);
            var encoder = new CountingEncoder();
            cache.GetOrCompute(["one", "two"], encoder);

            // A crash mid-write leaves a temporary file, never an entry; a torn entry (copied by other means) is a miss.
            string path = cache.PathOf(encoder.Identity, "two");
            File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(path)!, ".partial.emb.0123.tmp"), new byte[10]);
            byte[] bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..^7]);

            var again = cache.GetOrCompute(["one", "two"], encoder);
            Assert.AreEqual(3, encoder.Encoded); // only the torn entry was recomputed
            Assert.AreEqual(bytes.Length, new FileInfo(path).Length);
            Assert.AreEqual(3f, again[1].Values[0]); // "two".Length
            Assert.AreEqual(1, cache.RemoveTemporaryFiles());
            Assert.AreEqual(0, Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories).Length);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void ConcurrentReadersAndWritersSeeCompleteEntries()
    {
        string dir = NewTempDirectory();
        try
        {
            var cache = new CaptionEmbeddingCache(dir);
            var encoder = new CountingEncoder();
            string[] captions = Enumerable.Range(0, 20).Select(i => $"caption {i}").ToArray();
            Parallel.For(0, 4, _ =>
            {
                var embeddings = cache.GetOrCompute(captions, encoder, batchSize: 3);
                for (int i = 0; i < captions.Length; i++)
                {
                    Assert.AreEqual(captions[i].Length, embeddings[i].Values[0]);
                }
            });
            Assert.AreEqual(20, Directory.GetFiles(dir, "*.emb", SearchOption.AllDirectories).Length);
            Assert.AreEqual(0, Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories).Length);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A cheap deterministic encoder: row 0 holds the caption length, the mask the word count.</summary>
    private sealed class CountingEncoder(string identity = "counting/Nt=4/Dt=3") : TextEncoderBase
    {
        private int _encoded;

        public override string Identity => identity;

        public override int MaxTokens => 4;

        public override int EmbeddingDim => 3;

        public int Encoded => _encoded;

        public List<int> BatchSizes { get; } = [];

        protected override TextEmbedding EncodeCore(string caption)
        {
            Interlocked.Increment(ref _encoded);
            int tokens = Math.Min(4, caption.Split(' ').Length);
            var values = new float[12];
            for (int i = 0; i < tokens * 3; i++)
            {
                values[i] = caption.Length + i;
            }

            var mask = new float[4];
            mask.AsSpan(0, tokens).Fill(1);
            return new TextEmbedding(values, mask, tokens, caption.Split(' ').Length);
        }

        protected override IReadOnlyList<TextEmbedding> EncodeBatchCore(IReadOnlyList<string> captions)
        {
            lock (BatchSizes)
            {
                BatchSizes.Add(captions.Count);
            }

            return base.EncodeBatchCore(captions);
        }
    }

    private static string NewTempDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "caption-cache-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
