using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using TexTok.ML.Data;
using TexTok.ML.Torch.Tokenizer;
using TexTok.ML.Torch.Training;

namespace TexTok.ML.Tests;

[TestClass]
public sealed class TexTokComponentTests
{
    public TestContext TestContext { get; set; } = null!;

    private string TempPath(string suffix) => Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}-{suffix}");

    private static IEstimator<ITransformer> Pipeline(MLContext ml, TexTokTrainedModel model) =>
        ml.Transforms.CaptionEmbed()
            .Append(ml.Transforms.TexTokenize(model))
            .Append(ml.Transforms.Detokenize(model));

    [TestMethod]
    public void PipelineMatchesTheTorchSharpModelAndSurvivesSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        using var model = ComponentTestData.Model();
        var data = ComponentTestData.Shapes(ml, 5);
        var fitted = Pipeline(ml, model).Fit(data);
        var scored = fitted.Transform(data);
        var tokens = ComponentTestData.Column(scored, "Tokens");
        var pixels = ComponentTestData.Column(scored, "ReconstructionPixels");
        Assert.AreEqual(5, tokens.Length);
        Assert.AreEqual(model.TokenLength, tokens[0].Length);
        Assert.AreEqual(model.PixelLength, pixels[0].Length);

        // The same rows through the TorchSharp model: ML.NET's 32 -> 16 px resize is the pipeline's, so feed the
        // resized pixels the pipeline extracted (rebuilt here with the same built-in steps).
        var reference = ml.Transforms.ResizeImages("Small", 16, 16, "Image", Microsoft.ML.Transforms.Image.ImageResizingEstimator.ResizingKind.IsoCrop)
            .Append(ml.Transforms.ExtractPixels("Pixels", "Small"))
            .Append(ml.Transforms.CaptionEmbed())
            .Fit(data).Transform(data);
        var images = ComponentTestData.Column(reference, "Pixels").SelectMany(p => p.Select(v => (v / 127.5f) - 1f)).ToArray();
        var texts = ComponentTestData.Column(reference, "TextEmbedding").SelectMany(x => x).ToArray();
        var masks = ComponentTestData.Column(reference, "TextMask").SelectMany(x => x).ToArray();
        var expectedTokens = TexTokInference.Encode(model.Model, images, texts, masks, 5);
        var expectedImages = TexTokInference.Reconstruct(model.Model, images, texts, masks, 5);
        double tokenError = 0, pixelError = 0;
        for (int r = 0; r < 5; r++)
        {
            for (int i = 0; i < model.TokenLength; i++)
            {
                tokenError = Math.Max(tokenError, Math.Abs(tokens[r][i] - expectedTokens[(r * model.TokenLength) + i]));
            }

            for (int i = 0; i < model.PixelLength; i++)
            {
                float expected = Math.Clamp((expectedImages[(r * model.PixelLength) + i] + 1f) * 127.5f, 0f, 255f);
                pixelError = Math.Max(pixelError, Math.Abs(pixels[r][i] - expected));
            }
        }

        TestContext.WriteLine($"max |pipeline - TorchSharp|: tokens {tokenError:E2}, pixels {pixelError:E2} (of 255)");
        Assert.IsTrue(tokenError < 1e-4, $"token error {tokenError}");
        Assert.IsTrue(pixelError < 1e-2, $"pixel error {pixelError}");

        string path = TempPath("pipeline.zip");
        ml.Model.Save(fitted, data.Schema, path);
        var loaded = new MLContext(seed: 2).Model.Load(path, out var schema);
        Assert.IsNotNull(schema.GetColumnOrNull("Caption"), "the saved input schema");
        var rescored = loaded.Transform(data);
        CollectionAssert.AreEqual(tokens.SelectMany(x => x).ToArray(), ComponentTestData.Column(rescored, "Tokens").SelectMany(x => x).ToArray());
        CollectionAssert.AreEqual(pixels.SelectMany(x => x).ToArray(), ComponentTestData.Column(rescored, "ReconstructionPixels").SelectMany(x => x).ToArray());
        var image = rescored.GetColumn<MLImage>("Reconstruction").First();
        Assert.AreEqual(16, image.Width);
        Assert.AreEqual(16, image.Height);
    }

    [TestMethod]
    public void SavedPipelineReproducesOutputsInAFreshProcess()
    {
        var ml = new MLContext(seed: 1);
        using var model = ComponentTestData.Model();
        var data = ComponentTestData.Shapes(ml, 4);
        var fitted = Pipeline(ml, model).Fit(data);
        var scored = fitted.Transform(data);
        var expected = ComponentTestData.Column(scored, "Tokens").SelectMany(x => x)
            .Concat(ComponentTestData.Column(scored, "ReconstructionPixels").SelectMany(x => x)).ToArray();
        string zip = TempPath("fresh.zip"), output = TempPath("fresh.bin");
        ml.Model.Save(fitted, data.Schema, zip);

        string loader = LoaderPath();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { loader, zip, "4", ComponentTestData.ImageSize.ToString(), output, "Tokens", "ReconstructionPixels" })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd(), stderr = process.StandardError.ReadToEnd();
        Assert.IsTrue(process.WaitForExit(120_000), "the loader process did not finish");
        TestContext.WriteLine(stdout + stderr);
        Assert.AreEqual(0, process.ExitCode, stderr);
        var bytes = File.ReadAllBytes(output);
        var actual = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, actual, 0, bytes.Length);
        CollectionAssert.AreEqual(expected, actual, "outputs of the fresh process");
    }

    [TestMethod]
    public void BatchScorerReadFromASavedPipelineMatchesThePipeline()
    {
        var ml = new MLContext(seed: 1);
        using var model = ComponentTestData.Model();
        var data = ComponentTestData.Shapes(ml, 6);
        var fitted = Pipeline(ml, model).Fit(data);
        string zip = TempPath("batch.zip");
        ml.Model.Save(fitted, data.Schema, zip);
        var prepared = ml.Transforms.ResizeImages("Small", 16, 16, "Image")
            .Append(ml.Transforms.ExtractPixels("Pixels", "Small"))
            .Fit(data).Transform(data);
        prepared = fitted.Transform(prepared);
        float[] Flat(string column) => ComponentTestData.Column(prepared, column).SelectMany(x => x).ToArray();
        float[] pixels = Flat("Pixels"), text = Flat("TextEmbedding"), mask = Flat("TextMask");

        using var scorer = TexTokBatchScorer.FromPipelineZip(zip);
        Assert.IsTrue(scorer.CanEncode && scorer.CanDecode);
        Assert.AreEqual(model.Config, scorer.Config);
        var tokens = scorer.Encode(pixels, text, mask, 6);
        var images = scorer.Decode(tokens, text, mask, 6);
        double tokenError = Flat("Tokens").Zip(tokens).Max(p => Math.Abs(p.First - p.Second));
        double pixelError = Flat("ReconstructionPixels").Zip(images).Max(p => Math.Abs(p.First - p.Second));
        TestContext.WriteLine($"max |batched - pipeline|: tokens {tokenError:E2}, pixels {pixelError:E2}");
        Assert.IsTrue(tokenError < 1e-5 && pixelError < 1e-3, $"tokens {tokenError}, pixels {pixelError}");

        tokens[3] = float.PositiveInfinity;
        var error = Assert.ThrowsExactly<ArgumentException>(() => scorer.Decode(tokens, text, mask, 6));
        StringAssert.Contains(error.Message, "Token vector 0 holds");
        StringAssert.Contains(error.Message, "at position 3");
        Assert.ThrowsExactly<ArgumentException>(() => scorer.Encode(pixels, text, mask, 5));
    }

    private static string LoaderPath()
    {
        string here = AppContext.BaseDirectory; // tests/TexTok.ML.Tests/bin/<Configuration>/<tfm>/
        var tfm = new DirectoryInfo(here.TrimEnd(Path.DirectorySeparatorChar));
        string configuration = tfm.Parent!.Name;
        string path = Path.GetFullPath(Path.Combine(tfm.Parent!.Parent!.Parent!.Parent!.FullName, "TexTok.ML.PipelineLoader", "bin", configuration, tfm.Name, "TexTok.ML.PipelineLoader.dll"));
        Assert.IsTrue(File.Exists(path), $"loader not built at {path}");
        return path;
    }

    [TestMethod]
    public void PredictionEngineAndConcurrentScoringMatchSequentialScoring()
    {
        var ml = new MLContext(seed: 1);
        using var model = ComponentTestData.Model();
        var data = ComponentTestData.Shapes(ml, 12);
        var fitted = Pipeline(ml, model).Fit(data);
        var sequential = ComponentTestData.Column(fitted.Transform(data), "Tokens");

        // Several threads, each with its own prediction engine over the same transformer.
        var rows = ml.Data.CreateEnumerable<ShapeRow>(data, reuseRowObject: false).ToList();
        var parallel = new float[rows.Count][];
        Parallel.For(0, 4, worker =>
        {
            var engine = ml.Model.CreatePredictionEngine<ShapeRow, TokenRow>(fitted);
            for (int i = worker; i < rows.Count; i += 4)
            {
                parallel[i] = engine.Predict(rows[i]).Tokens;
            }
        });
        for (int i = 0; i < rows.Count; i++)
        {
            CollectionAssert.AreEqual(sequential[i], parallel[i], $"row {i}");
        }

        // A cursor set: ML.NET's own parallel read-ahead.
        var scored = fitted.Transform(data);
        var column = scored.Schema["Tokens"];
        var cursors = scored.GetRowCursorSet([column], 3);
        var seen = new System.Collections.Concurrent.ConcurrentBag<float[]>();
        Parallel.ForEach(cursors, cursor =>
        {
            using (cursor)
            {
                var getter = cursor.GetGetter<VBuffer<float>>(column);
                VBuffer<float> v = default;
                while (cursor.MoveNext())
                {
                    getter(ref v);
                    seen.Add(v.DenseValues().ToArray());
                }
            }
        });
        Assert.AreEqual(rows.Count, seen.Count);
        foreach (var tokens in seen)
        {
            Assert.IsTrue(sequential.Any(s => s.SequenceEqual(tokens)), "a row scored on a cursor set differs from every sequential row");
        }
    }

    public sealed class ShapeRow
    {
        [Microsoft.ML.Transforms.Image.ImageType(ComponentTestData.ImageSize, ComponentTestData.ImageSize)]
        public MLImage? Image { get; set; }

        public string Caption { get; set; } = string.Empty;
    }

    public sealed class TokenRow
    {
        public float[] Tokens { get; set; } = [];
    }

    [TestMethod]
    public void FitTrainsThePairOnTheDataViewAndDetokenizeSharesIt()
    {
        var ml = new MLContext(seed: 1);
        var data = ComponentTestData.Shapes(ml, 24, DataSplit.Train);
        var tokenize = ml.Transforms.TexTokenize(new TexTokenizeOptions
        {
            Network = ComponentTestData.TinyConfig(),
            // A moderate rate: at 1e-2 this network sat on a knife edge and stalled on some CPUs.
            Training = new TexTokTrainingOptions { Steps = 300, BatchSize = 8, WarmupSteps = 10, LearningRate = 3e-3, PerceptualWeight = 0, Seed = 5, Threads = 1 },
            CacheDirectory = TestContext.TestRunDirectory,
        });
        var pipeline = ml.Transforms.CaptionEmbed().Append(tokenize).Append(ml.Transforms.Detokenize(tokenize));
        using var fitted = pipeline.Fit(data);
        var trained = (TexTokenizeTransformer)fitted.ElementAt(1);
        var history = trained.TrainingHistory;
        Assert.AreEqual(300, history.Count);
        double first = history.Take(5).Average(p => p.ReconstructionLoss), last = history.TakeLast(5).Average(p => p.ReconstructionLoss);
        TestContext.WriteLine($"reconstruction loss: first 5 steps {first:F4}, last 5 steps {last:F4}");
        Assert.IsTrue(last < 0.75 * first, $"training did not reduce the loss ({first} -> {last})");
        Assert.IsNotNull(trained.Model);
        Assert.AreEqual(32, trained.Model.Config.TextTokens, "text shape taken from the input columns");
        Assert.AreSame(trained.Model, fitted.LastTransformer.Model, "Detokenize decodes with the pair TexTokenize trained");
        var pixels = ComponentTestData.Column(fitted.Transform(data), "ReconstructionPixels");
        Assert.AreEqual(24, pixels.Length);
        Assert.IsTrue(pixels.All(p => p.All(v => v is >= 0 and <= 255)));
        Assert.AreEqual(0, Directory.GetFiles(TestContext.TestRunDirectory!, "textok-samples-*").Length, "the sample cache was not deleted");
    }

    [TestMethod]
    public void OutputSchemaIsKnownBeforeFit()
    {
        var ml = new MLContext(seed: 1);
        using var model = ComponentTestData.Model();
        var data = ComponentTestData.Shapes(ml, 2);
        var tokenize = ml.Transforms.TexTokenize(new TexTokenizeOptions { Network = ComponentTestData.TinyConfig() });
        var pipeline = ml.Transforms.CaptionEmbed().Append(tokenize).Append(ml.Transforms.Detokenize(tokenize));
        var shape = pipeline.GetOutputSchema(SchemaShapeOf(data.Schema));
        Assert.IsTrue(shape.Any(c => c.Name == "Tokens" && c.Kind == SchemaShape.Column.VectorKind.Vector));
        Assert.IsTrue(shape.Any(c => c.Name == "Reconstruction" && c.ItemType is Microsoft.ML.Transforms.Image.ImageDataViewType));
        Assert.IsTrue(shape.Any(c => c.Name == "ReconstructionPixels"));
    }

    internal static SchemaShape SchemaShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)!
            .Invoke(null, [schema])!;

    [TestMethod]
    public void SchemaErrorsNameTheColumnAndTheTypes()
    {
        var ml = new MLContext(seed: 1);
        using var model = ComponentTestData.Model();
        var data = ComponentTestData.Shapes(ml, 2);

        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.TexTokenize(model, imageColumnName: "Photo").Fit(data));
        StringAssert.Contains(missing.Message, "TexTokenize: input column 'Photo' not found");

        var wrongType = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.TexTokenize(model, imageColumnName: "Caption").Fit(data));
        StringAssert.Contains(wrongType.Message, "input column 'Caption': expected Image, got String");

        var embedded = ml.Transforms.CaptionEmbed().Fit(data).Transform(data);
        var wrongText = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            ml.Transforms.TexTokenize(model, textEmbeddingColumnName: "TextMask").Fit(embedded));
        StringAssert.Contains(wrongText.Message, "input column 'TextMask': expected Vector<Single, 2048>, got Vector<Single, 32>");

        var tokens = ml.Transforms.TexTokenize(model).Fit(embedded).Transform(embedded);
        var wrongTokens = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            ml.Transforms.Detokenize(model, tokensColumnName: "TextMask").Fit(tokens));
        StringAssert.Contains(wrongTokens.Message, "Detokenize: schema mismatch for input column 'TextMask': expected Vector<Single, 16>, got Vector<Single, 32>");

        var untrained = ml.Transforms.TexTokenize(new TexTokenizeOptions());
        var another = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.Detokenize(untrained).Fit(tokens));
        StringAssert.Contains(another.Message, "was written by another TexTokenize than the one this Detokenize was given");
        var plain = ml.Data.LoadFromEnumerable(ml.Data.CreateEnumerable<TokensWithText>(tokens, reuseRowObject: false).ToList(), SchemaFor(model));
        var unfitted = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.Detokenize(untrained).Fit(plain));
        StringAssert.Contains(unfitted.Message, "Detokenize: the token column 'Tokens' was not written by a fitted TexTokenize");
    }

    [TestMethod]
    public void NonFiniteTokensFailInsteadOfMakingAnImage()
    {
        var ml = new MLContext(seed: 1);
        using var model = ComponentTestData.Model();
        var data = ComponentTestData.Shapes(ml, 3);
        var scored = ml.Transforms.CaptionEmbed().Append(ml.Transforms.TexTokenize(model)).Fit(data).Transform(data);
        var rows = ml.Data.CreateEnumerable<TokensWithText>(scored, reuseRowObject: false).ToList();
        rows[1].Tokens[5] = float.NaN;
        var bad = ml.Data.LoadFromEnumerable(rows, SchemaFor(model));
        var detokenized = ml.Transforms.Detokenize(model).Fit(bad).Transform(bad);
        // ML.NET's parallel cursors wrap the row's exception; the root cause is ours.
        var error = Assert.Throws<Exception>(() => ComponentTestData.Column(detokenized, "ReconstructionPixels"));
        var root = error is InvalidDataException ? error : error.InnerException;
        Assert.IsInstanceOfType<InvalidDataException>(root);
        StringAssert.Contains(root.Message, "Detokenize: the token vector holds NaN at position 5");
    }

    [TestMethod]
    public void UndecodableImageFilesFailTheRowNamingTheFile()
    {
        var ml = new MLContext(seed: 1);
        using var model = ComponentTestData.Model(useText: false);
        string folder = Directory.CreateDirectory(TempPath("images")).FullName;
        ImagePixels.SavePng(CaptionedShapes.Render(null, DataSplit.Test, 0).Image, Path.Combine(folder, "good.png"));
        File.WriteAllBytes(Path.Combine(folder, "broken.png"), [1, 2, 3, 4, 5]);
        string captions = Path.Combine(folder, "captions.tsv");
        File.WriteAllLines(captions, ["good.png\ta shape", "broken.png\tanother shape"]);

        // ML.NET's LoadImages fails such a row without naming the file; CaptionedImageFolder names file and line.
        var rows = CaptionedImageFolder.Load(ml, captions);
        var scored = ml.Transforms.TexTokenize(model).Fit(rows).Transform(rows);
        var error = Assert.Throws<Exception>(() => ComponentTestData.Column(scored, "Tokens"));
        var messages = string.Join(" | ", Chain(error).Select(e => e.Message));
        TestContext.WriteLine(messages);
        StringAssert.Contains(messages, "captions.tsv, line 2: the image");
        StringAssert.Contains(messages, "broken.png' cannot be decoded");
    }

    [TestMethod]
    public void AZipFromAnotherVersionFailsNamingTheContract()
    {
        var ml = new MLContext(seed: 1);
        using var model = ComponentTestData.Model();
        var data = ComponentTestData.Shapes(ml, 2);
        string zip = TempPath("version.zip");
        ml.Model.Save(Pipeline(ml, model).Fit(data), data.Schema, zip);

        // Pretend a later library changed the token check: its contract name in the zip is one this build lacks.
        using (var archive = System.IO.Compression.ZipFile.Open(zip, System.IO.Compression.ZipArchiveMode.Update))
        {
            // ML.NET's model files store their strings as UTF-16.
            var old = System.Text.Encoding.Unicode.GetBytes(TokenCheckMapping.ContractName);
            var renamed = System.Text.Encoding.Unicode.GetBytes(TokenCheckMapping.ContractName.Replace(".v1", ".v9", StringComparison.Ordinal));
            int patched = 0;
            foreach (var entry in archive.Entries.Where(e => e.Name == "Model.key").ToList())
            {
                byte[] bytes;
                using (var stream = entry.Open())
                using (var copy = new MemoryStream())
                {
                    stream.CopyTo(copy);
                    bytes = copy.ToArray();
                }

                int at = bytes.AsSpan().IndexOf(old);
                if (at < 0)
                {
                    continue;
                }

                renamed.CopyTo(bytes, at);
                using var write = entry.Open();
                write.SetLength(0);
                write.Write(bytes);
                patched++;
            }

            Assert.AreEqual(1, patched, "one saved token check");
        }

        // Plain Model.Load buries the cause under several "Error during class instantiation" layers.
        var error = Assert.Throws<Exception>(() => new MLContext().Model.Load(zip, out _));
        StringAssert.Contains(string.Join(" | ", Chain(error).Select(e => e.Message)), "TexTok.Detokenize.TokenCheck.v9");

        var clear = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext().Model.LoadTexTokPipeline(zip, out _));
        TestContext.WriteLine(clear.Message);
        StringAssert.Contains(clear.Message, $"'{zip}' needs the component 'TexTok.Detokenize.TokenCheck.v9', which TexTok.ML");
        Assert.ThrowsExactly<FileNotFoundException>(() => new MLContext().Model.LoadTexTokPipeline(zip + ".missing", out _));
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            yield return x;
        }
    }

    private static SchemaDefinition SchemaFor(TexTokTrainedModel model)
    {
        var schema = SchemaDefinition.Create(typeof(TokensWithText));
        schema["Tokens"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, model.TokenLength);
        schema["TextEmbedding"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, model.Config.TextTokens * model.Config.TextDim);
        schema["TextMask"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, model.Config.TextTokens);
        return schema;
    }

    public sealed class TokensWithText
    {
        public float[] Tokens { get; set; } = [];

        public float[] TextEmbedding { get; set; } = [];

        public float[] TextMask { get; set; } = [];
    }
}
