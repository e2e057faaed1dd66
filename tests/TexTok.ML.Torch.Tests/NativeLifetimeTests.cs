using TexTok.ML.Torch.Modules;
using TexTok.ML.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tests;

/// <summary>The workarounds for TorchSharp's Scalar lifetimes and libtorch's CPU convolution backward.</summary>
[TestClass]
public sealed class NativeLifetimeTests
{
    [TestMethod]
    public void UnfoldConvolutionMatchesConv2d()
    {
        manual_seed(4);
        foreach (var (inC, outC, k, stride, pad) in new[] { (3, 3, 3, 1, 1), (4, 6, 1, 1, 0), (3, 5, 4, 4, 0), (2, 3, 3, 2, 1) })
        {
            using var scope = NewDisposeScope();
            using var layer = new UnfoldConv2d(inC, outC, k, stride, pad);
            var x = randn(2, inC, 12, 12);
            var expected = nn.functional.conv2d(x, layer.Weight, layer.Bias, strides: new long[] { stride, stride },
                padding: new long[] { pad, pad });
            var actual = layer.forward(x);
            CollectionAssert.AreEqual(expected.shape, actual.shape);
            double diff = actual.Minus(expected).abs().max().item<float>();
            Assert.IsTrue(diff < 1e-5, $"k={k} stride={stride} pad={pad}: max difference {diff}");
        }
    }

    [TestMethod]
    public void ArithmeticHelpersComputeWhatTheyName()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { -2, 0.5f, 3 });
        var b = tensor(new float[] { 1, 2, -1 });
        CollectionAssert.AreEqual(new float[] { -1, 2.5f, 2 }, a.Plus(b).data<float>().ToArray());
        CollectionAssert.AreEqual(new float[] { -1.5f, 1, 3.5f }, a.Plus(0.5).data<float>().ToArray());
        CollectionAssert.AreEqual(new float[] { -3, -0.5f, 2 }, a.Minus(1).data<float>().ToArray());
        CollectionAssert.AreEqual(new float[] { 3, 0.5f, -2 }, a.SubtractedFrom(1).data<float>().ToArray());
        CollectionAssert.AreEqual(new float[] { -4, 1, 6 }, a.Times(2).data<float>().ToArray());
        CollectionAssert.AreEqual(new float[] { -1, 0.25f, 1.5f }, a.DividedBy(2).data<float>().ToArray());
        CollectionAssert.AreEqual(new float[] { 4, 0.25f, 9 }, a.Squared().data<float>().ToArray());
        CollectionAssert.AreEqual(new float[] { -1, 0.5f, 1 }, a.ClampTo(-1, 1).data<float>().ToArray());
        CollectionAssert.AreEqual(new float[] { -0.4f, 0.5f, 3 }, a.LeakyRelu(0.2).data<float>().ToArray());
        CollectionAssert.AreEqual(new[] { false, false, true }, a.GreaterThan(1).data<bool>().ToArray());
        var c = a.clone();
        c.LerpInPlace(b, 0.5);
        CollectionAssert.AreEqual(new float[] { -0.5f, 1.25f, 1 }, c.data<float>().ToArray());
        c.AddProductInPlace(a, b, 2);
        CollectionAssert.AreEqual(new float[] { -4.5f, 3.25f, -5 }, c.data<float>().ToArray());
    }

    [TestMethod]
    public void TrainingSurvivesAllocationPressure()
    {
        // Another thread allocating continuously forces frequent garbage collections during native calls, which is
        // what exposed freed Scalars and the unstable convolution backward. Every run must stay finite.
        using var stop = new CancellationTokenSource();
        var allocator = new Thread(() =>
        {
            var keep = new List<byte[]>();
            while (!stop.IsCancellationRequested)
            {
                keep.Add(new byte[2048]);
                if (keep.Count > 1000)
                {
                    keep.Clear();
                }
            }
        }) { IsBackground = true };
        allocator.Start();
        try
        {
            for (int run = 0; run < 3; run++)
            {
                var config = TestData.TinyConfig();
                var data = TestData.Samples(config, 8, seed: 5);
                var options = new TexTokTrainingOptions
                {
                    BatchSize = 4, Steps = 30, WarmupSteps = 5, Seed = 20 + run, LogEvery = 1000,
                    DiscriminatorStartStep = 10, DiscriminatorChannels = 8,
                };
                using var trainer = new TexTokTrainer(config, options);
                var history = trainer.Train(data);
                Assert.IsTrue(history.All(h => double.IsFinite(h.TotalLoss)), $"run {run} produced a non-finite loss");
                foreach (var (name, p) in trainer.Model.named_parameters())
                {
                    Assert.IsTrue(isfinite(p).all().item<bool>(), $"run {run}: parameter {name} is not finite");
                }
            }
        }
        finally
        {
            stop.Cancel();
            allocator.Join();
        }
    }
}
