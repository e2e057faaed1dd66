using System.Runtime.InteropServices;
using TexTok.ML.Build;
using TorchSharp;

namespace TexTok.ML.Torch.Runtime;

/// <summary>
/// Loads TorchSharp once and picks the device, turning TorchSharp's generic native-load failure into a message that
/// says what is missing and how to fix it.
/// </summary>
public static class TorchRuntime
{
    private const string NativeShim = "libLibTorchSharp.so";
    private static readonly Lazy<Exception?> LoadError = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Held while code reseeds torch's global generator and draws from it, so trainers running on several threads of
    /// one process each get the numbers their own seed gives (TorchSharp 0.107 has one global CPU generator).
    /// </summary>
    internal static readonly object GlobalGeneratorLock = new();

    /// <summary>
    /// Builds a module whose initial weights are replaced at once (a copy to load a state into) without disturbing
    /// the global generator: under <see cref="GlobalGeneratorLock"/>, with the generator's state put back afterwards.
    /// Building one unlocked while a trainer on another thread was between reseeding and drawing changed that
    /// trainer's numbers.
    /// </summary>
    /// <param name="build">Creates the module.</param>
    internal static T BuildWithoutDrawing<T>(Func<T> build)
    {
        lock (GlobalGeneratorLock)
        {
            using var state = torch.random.get_rng_state();
            try
            {
                return build();
            }
            finally
            {
                torch.random.set_rng_state(state);
            }
        }
    }

    /// <summary>Throws <see cref="TorchUnavailableException"/> unless a torch operation runs in this process.</summary>
    public static void EnsureAvailable()
    {
        if (LoadError.Value is { } error)
        {
            throw new TorchUnavailableException(Explain(), error);
        }
    }

    /// <summary>
    /// Tunes the C allocator libtorch takes CPU tensors from for training, once per process, and says whether the
    /// tuning is in effect: on Linux with glibc, freed tensor memory up to 32 MiB a block is kept for reuse (the heap is
    /// trimmed only above 64 MiB free) instead of going back to the kernel at once, which spares a training step most
    /// of its page faults. On a 2-vCPU virtual machine it made a Tiny tokenizer's step 1.9 times as fast alone and 1.5
    /// times with two trainers side by side. The setting is process-wide and cannot be undone; the process keeps up to its peak
    /// native memory mapped. Trainers call this unless <c>TuneNativeAllocator</c> is false in their options; other
    /// systems and C libraries are left alone (false).
    /// </summary>
    public static bool TuneNativeAllocator() => NativeAllocator.Tune();

    /// <summary>
    /// What every trainer does first: checks that torch loads and that <paramref name="options"/> are valid, tunes the
    /// allocator when asked, sets libtorch's thread count when given, and returns the device to train on.
    /// </summary>
    /// <param name="options">The trainer's options.</param>
    internal static torch.Device PrepareTraining(Training.OptimizationOptions options)
    {
        EnsureAvailable();
        options.Validate();
        if (options.TuneNativeAllocator)
        {
            TuneNativeAllocator();
        }

        var device = SelectDevice(options.GpuDeviceId, options.FallbackToCpu);
        if (options.Threads is { } threads)
        {
            torch.set_num_threads(threads);
        }

        return device;
    }

    /// <summary>
    /// Chooses the device the way ML.NET does: CUDA device <paramref name="gpuDeviceId"/> when one is requested and
    /// TorchSharp sees CUDA; otherwise the CPU if <paramref name="fallbackToCpu"/> is set, else an error.
    /// </summary>
    /// <param name="gpuDeviceId">The CUDA device to use, or <see langword="null"/> for the CPU.</param>
    /// <param name="fallbackToCpu">Whether to use the CPU when the requested GPU is not available.</param>
    public static torch.Device SelectDevice(int? gpuDeviceId, bool fallbackToCpu)
    {
        EnsureAvailable();
        if (gpuDeviceId is not { } id)
        {
            return torch.CPU;
        }

        if (id < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(gpuDeviceId), id, "GPU device id must be zero or positive.");
        }

        if (torch.cuda.is_available() && id < torch.cuda.device_count())
        {
            return new torch.Device(DeviceType.CUDA, id);
        }

        if (fallbackToCpu)
        {
            return torch.CPU;
        }

        throw new InvalidOperationException(
            $"GPU device {id} was requested but TorchSharp sees {(torch.cuda.is_available() ? torch.cuda.device_count() : 0)} " +
            "CUDA device(s). This build references the CPU package TorchSharp-cpu; reference a TorchSharp-cuda package " +
            "for GPU training, or set FallbackToCpu to train on the CPU.");
    }

    private static Exception? TryLoad()
    {
        try
        {
            using var probe = torch.ones(2);
            return probe.sum().item<float>() == 2f ? null : new InvalidOperationException("torch.ones(2).sum() != 2");
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException
                                      or EntryPointNotFoundException or BadImageFormatException)
        {
            return e;
        }
    }

    private static string Explain()
    {
        const string generic = "TorchSharp's native libraries could not be loaded. ";
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return generic + "Check that the TorchSharp-cpu package's native assets were copied next to the application.";
        }

        string? shim = FindNativeShim();
        if (shim == null)
        {
            return generic + $"No {NativeShim} was found under {AppContext.BaseDirectory}; make sure the application " +
                   "references TexTok.ML.Torch (which brings TorchSharp-cpu) and was built for linux-x64.";
        }

        if (ElfVersionPatcher.SystemLibstdcxxDefinesMissingVersion())
        {
            return generic + $"{shim} exists and the system libstdc++ is recent enough; see the inner exception.";
        }

        var outcome = ElfVersionPatcher.Patch(File.ReadAllBytes(shim), ElfVersionPatcher.CompatLibraryName);
        string compat = Path.Combine(Path.GetDirectoryName(shim)!, ElfVersionPatcher.CompatLibraryName);
        if (outcome == ElfPatchOutcome.Patched)
        {
            return generic + $"{shim} needs {ElfVersionPatcher.MissingVersion}, which this system's libstdc++ lacks, " +
                   "and this copy was not patched at build time. The TexTok.ML build patches it automatically when a C++ " +
                   "compiler is available: install one (e.g. 'apt-get install g++') and rebuild, or install a libstdc++ " +
                   "from GCC 13 or newer.";
        }

        if (!File.Exists(compat))
        {
            return generic + $"{shim} was patched but {compat} is missing; rebuild the application.";
        }

        return generic + $"{shim} was patched and {compat} is present; see the inner exception.";
    }

    private static string? FindNativeShim()
    {
        foreach (var candidate in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", NativeShim),
                     Path.Combine(AppContext.BaseDirectory, NativeShim),
                 })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
