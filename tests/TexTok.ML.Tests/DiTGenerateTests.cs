using Microsoft.ML;
using TexTok.ML.Torch;
using TexTok.ML.Torch.Generation;
using static TorchSharp.torch;

namespace TexTok.ML.Tests;

[TestClass]
public sealed class DiTGenerateTests
{
    public TestContext TestContext { get; set; } = null!;

    private static DiTModel RandomModel(DiTConfig config, int seed)
    {
        manual_seed(seed);
        var model = new DiTModel(config) { Normalization = new LatentNormalization(0.25, 1.6) };
        model.eval();
        using var noGrad = no_grad();
        foreach (var parameter in model.parameters())
        {
            parameter.normal_(0, 0.1);
        }

        return model;
    }

    private static DiTSamplerOptions Sampler => new()
    {
        Method = DiTSamplerMethod.Heun, Steps = 4, GuidanceScale = 2.5, GuidanceIntervalLow = 0.2, GuidanceIntervalHigh = 0.9, TimeShift = 2,
    };

    public sealed class LabelRow
    {
        public int Label { get; set; }

        public int Seed { get; set; }
    }

    [TestMethod]
    public void ClassConditionalSamplesMatchTheOnnxSamplerAndSurviveSaveAndLoad()
    {
        var config = DiTConfig.FromPreset(DiTPreset.Tiny, numTokens: 8, tokenDim: 4, numClasses: 5) with { FrequencyDim = 32 };
        using var model = RandomModel(config, seed: 4);
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 6).Select(i => new LabelRow { Label = (2 * i) % 5, Seed = 100 + (7 * i) }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var generator = ml.Transforms.DiTGenerate(new DiTGenerateOptions { Model = model, Sampler = Sampler }).Fit(data);
        var tokens = ComponentTestData.Column(generator.Transform(data), "Tokens");

        using var reference = new DiTOnnxSampler(DiTOnnxExport.ExportSampler(model, Sampler));
        double error = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            var expected = reference.SampleClasses([rows[i].Label], rows[i].Seed)[0];
            Assert.HasCount(config.TokenLength, tokens[i]);
            error = Math.Max(error, expected.Zip(tokens[i]).Max(p => Math.Abs(p.First - p.Second)));
        }

        TestContext.WriteLine($"max |pipeline - DiTOnnxSampler|: {error:E2}");
        Assert.IsTrue(error < 1e-5, $"error {error}");
        Assert.IsFalse(tokens[0].SequenceEqual(tokens[1]), "different seeds and labels give different tokens");

        string zip = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}-dit.zip");
        ml.Model.Save(generator, data.Schema, zip);
        var loaded = new MLContext().Model.LoadTexTokPipeline(zip, out _);
        CollectionAssert.AreEqual(tokens.SelectMany(x => x).ToArray(), ComponentTestData.Column(loaded.Transform(data), "Tokens").SelectMany(x => x).ToArray());
    }

    // The noise contract was bumped when the noise moved from System.Random to the project's own generator: a pipeline
    // saved with the old contract must fail on load saying so, not with ML.NET's missing-extension error.
    [TestMethod]
    public void APipelineSavedWithTheRetiredNoiseContractFailsSayingWhatToDo()
    {
        var config = DiTConfig.FromPreset(DiTPreset.Tiny, numTokens: 8, tokenDim: 4, numClasses: 5) with { FrequencyDim = 32 };
        using var model = RandomModel(config, seed: 4);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new List<LabelRow> { new() { Label = 1, Seed = 3 } });
        var generator = ml.Transforms.DiTGenerate(new DiTGenerateOptions { Model = model, Sampler = Sampler }).Fit(data);
        string zip = Path.Combine(TestContext.TestRunDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}-dit-v1.zip");
        ml.Model.Save(generator, data.Schema, zip);

        // Rewrite the stored contract name to the retired one (same length), as an earlier version saved it.
        int rewritten = 0;
        using (var archive = System.IO.Compression.ZipFile.Open(zip, System.IO.Compression.ZipArchiveMode.Update))
        {
            foreach (var entry in archive.Entries.ToList())
            {
                byte[] bytes;
                using (var read = entry.Open())
                using (var copy = new MemoryStream())
                {
                    read.CopyTo(copy);
                    bytes = copy.ToArray();
                }

                // ML.NET's model files hold their strings as UTF-16.
                byte[] current = System.Text.Encoding.Unicode.GetBytes(DiTNoiseMapping.ContractName);
                int at = bytes.AsSpan().IndexOf(current);
                if (at < 0)
                {
                    continue;
                }

                System.Text.Encoding.Unicode.GetBytes(DiTNoiseMappingV1.ContractName).CopyTo(bytes, at);
                rewritten++;
                using var write = entry.Open();
                write.SetLength(0);
                write.Write(bytes);
            }
        }

        Assert.AreEqual(1, rewritten);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext().Model.LoadTexTokPipeline(zip, out _));
        StringAssert.Contains(error.Message, zip);
        StringAssert.Contains(error.Message, DiTNoiseMappingV1.ContractName);
        StringAssert.Contains(error.Message, "save the pipeline anew");
    }

    public sealed class CaptionRow
    {
        public string Caption { get; set; } = string.Empty;

        public long Seed { get; set; }
    }

    [TestMethod]
    public void TextConditionalSamplesFollowCaptionEmbed()
    {
        var config = DiTConfig.FromPreset(DiTPreset.Tiny, numTokens: 8, tokenDim: 4, numClasses: 0,
            textTokens: CaptionEmbedMapping.DefaultTokens, textDim: CaptionEmbedMapping.DefaultDim) with { FrequencyDim = 32 };
        using var model = RandomModel(config, seed: 6);
        var ml = new MLContext(seed: 1);
        var rows = new[] { new CaptionRow { Caption = "a large red circle at the top left", Seed = 3 }, new CaptionRow { Caption = "a small blue star in the centre", Seed = 4 } };
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.CaptionEmbed().Append(ml.Transforms.DiTGenerate(new DiTGenerateOptions { Model = model, Sampler = Sampler })).Fit(data);
        var tokens = ComponentTestData.Column(pipeline.Transform(data), "Tokens");

        using var reference = new DiTOnnxSampler(DiTOnnxExport.ExportSampler(model, Sampler));
        var encoder = CaptionEmbedMapping.TextEncoder;
        for (int i = 0; i < rows.Length; i++)
        {
            var e = encoder.Encode(rows[i].Caption);
            var expected = reference.SampleText([e.Values], [e.Mask], (int)rows[i].Seed)[0];
            double error = expected.Zip(tokens[i]).Max(p => Math.Abs(p.First - p.Second));
            Assert.IsTrue(error < 1e-5, $"row {i}: error {error}");
        }
    }

    [TestMethod]
    public void MissingSeedOrWrongLabelTypeFailsNamingTheColumn()
    {
        var config = DiTConfig.FromPreset(DiTPreset.Tiny, numTokens: 8, tokenDim: 4, numClasses: 5) with { FrequencyDim = 32 };
        using var model = RandomModel(config, seed: 4);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new { Label = 1 } });
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.DiTGenerate(model).Fit(data));
        StringAssert.Contains(error.Message, "DiTGenerate: input column 'Seed' not found");
        var text = ml.Data.LoadFromEnumerable(new[] { new CaptionRow { Caption = "x", Seed = 1 } });
        var wrong = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.DiTGenerate(model, labelColumnName: "Caption").Fit(text));
        StringAssert.Contains(wrong.Message, "input column 'Caption': expected a number, got String");
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.DiTGenerate(new DiTGenerateOptions { TokensColumnName = " " }));
    }
}
