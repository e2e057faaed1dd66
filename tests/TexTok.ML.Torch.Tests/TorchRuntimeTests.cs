using TexTok.ML.Build;
using TexTok.ML.Torch.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch.Tests;

[TestClass]
public sealed class TorchRuntimeTests
{
    [TestMethod]
    public void ForwardAndBackwardRunOnCpu()
    {
        TorchRuntime.EnsureAvailable();
        torch.manual_seed(1);
        using var scope = torch.NewDisposeScope();
        var linear = nn.Linear(4, 3);
        var x = torch.randn(5, 4);
        var loss = linear.forward(x).pow(2).mean();
        loss.backward();

        var weight = linear.weight!;
        var grad = weight.grad!;
        // d/dW mean((xW^T + b)^2) = 2/(N*out) * (xW^T + b)^T x, computed independently with plain matmuls.
        var expected = (x.matmul(weight.t()) + linear.bias!).t().matmul(x) * (2.0 / (5 * 3));
        Assert.AreEqual(0.0, (grad - expected).abs().max().item<float>(), 1e-5);
        Assert.IsTrue(grad.abs().sum().item<float>() > 0);
    }

    [TestMethod]
    public void CpuIsSelectedWithoutGpuRequest()
    {
        Assert.AreEqual(DeviceType.CPU, TorchRuntime.SelectDevice(null, fallbackToCpu: false).type);
    }

    [TestMethod]
    public void MissingGpuFallsBackOrFailsClearly()
    {
        if (torch.cuda.is_available())
        {
            Assert.Inconclusive("A CUDA device is present.");
        }

        Assert.AreEqual(DeviceType.CPU, TorchRuntime.SelectDevice(0, fallbackToCpu: true).type);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => TorchRuntime.SelectDevice(0, fallbackToCpu: false));
        StringAssert.Contains(error.Message, "FallbackToCpu");
    }

    [TestMethod]
    public void ShippedNativeShimIsPatchedWhereTheSystemNeedsIt()
    {
        string shim = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!OperatingSystem.IsLinux() || ElfVersionPatcher.SystemLibstdcxxDefinesMissingVersion())
        {
            Assert.Inconclusive("This system's libstdc++ needs no patch.");
        }

        byte[] image = File.ReadAllBytes(shim);
        Assert.AreEqual(ElfPatchOutcome.AlreadyPatched, ElfVersionPatcher.Patch(image, ElfVersionPatcher.CompatLibraryName));
        Assert.IsTrue(File.Exists(Path.Combine(Path.GetDirectoryName(shim)!, ElfVersionPatcher.CompatLibraryName)));
    }

    [TestMethod]
    public void AllocatorTuningTakesEffectOnGlibcAndIsIdempotent()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("The allocator tuning applies to Linux with glibc only.");
        }

        Assert.IsTrue(TorchRuntime.TuneNativeAllocator(), "mallopt rejected the settings or libc.so.6 was not found.");
        Assert.IsTrue(TorchRuntime.TuneNativeAllocator());
    }

    [TestMethod]
    public void ReleasedActivationsAreReusedWithoutPageFaultsOnceTuned()
    {
        if (!OperatingSystem.IsLinux() || !TorchRuntime.TuneNativeAllocator())
        {
            Assert.Inconclusive("The allocator tuning applies to Linux with glibc only.");
        }

        // As a training step does: 24 tensors of 1 MiB held (the activations), written, then all released. glibc's
        // default trims the freed top of the heap each round, so the next round faults its pages in again (about
        // 6 300 minor faults over these 20 rounds on the development machine); tuned, they are reused (about 60).
        static void Round()
        {
            var held = new List<Tensor>();
            for (int k = 0; k < 24; k++)
            {
                var t = torch.empty(1 << 18);
                t.fill_(1f);
                held.Add(t);
            }

            held.ForEach(t => t.Dispose());
        }

        for (int i = 0; i < 3; i++)
        {
            Round();
        }

        long before = MinorFaults();
        for (int i = 0; i < 20; i++)
        {
            Round();
        }

        long faults = MinorFaults() - before;
        Assert.IsTrue(faults < 1500, $"{faults} minor page faults in 20 rounds.");
    }

    /// <summary>This process's minor page faults so far (field 10 of /proc/self/stat).</summary>
    private static long MinorFaults()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture);
    }
}
