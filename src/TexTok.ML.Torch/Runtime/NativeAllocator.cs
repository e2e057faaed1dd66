using System.Runtime.InteropServices;

namespace TexTok.ML.Torch.Runtime;

/// <summary>
/// Settings of glibc's malloc, which libtorch allocates every CPU tensor from. By default glibc hands blocks above a
/// moving threshold straight to the kernel (mmap) and returns freed memory at the top of the heap after each free, so
/// a training step that allocates and frees the same few megabytes of activations pays fresh page faults every time.
/// Where page faults are dear (virtual machines above all) that is a large share of a small network's step; two
/// trainers in one process also contend for the process's memory map. Keeping blocks up to 32 MiB on the heap and
/// trimming only above 64 MiB of free memory lets freed tensors be reused without faults.
/// </summary>
internal static class NativeAllocator
{
    /// <summary>mallopt's M_TRIM_THRESHOLD.</summary>
    private const int TrimThresholdParameter = -1;

    /// <summary>mallopt's M_MMAP_THRESHOLD.</summary>
    private const int MmapThresholdParameter = -3;

    /// <summary>The largest mmap threshold glibc accepts on 64-bit systems (half its 64 MiB heap size).</summary>
    internal const int MmapThresholdBytes = 32 << 20;

    /// <summary>Free memory at the top of the heap beyond which glibc gives it back to the kernel.</summary>
    internal const int TrimThresholdBytes = 64 << 20;

    private static readonly Lazy<bool> Applied = new(Apply, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Applies the settings once per process; true where they are in effect (Linux with glibc).</summary>
    public static bool Tune() => Applied.Value;

    private static bool Apply()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return false;
        }

        try
        {
            // glibc's mallopt returns 1 on success and 0 when it rejects a value; musl has no gnu_get_libc_version.
            _ = GnuLibcVersion();
            return MallOpt(MmapThresholdParameter, MmapThresholdBytes) == 1 && MallOpt(TrimThresholdParameter, TrimThresholdBytes) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc.so.6", EntryPoint = "mallopt", ExactSpelling = true)]
    private static extern int MallOpt(int parameter, int value);

    [DllImport("libc.so.6", EntryPoint = "gnu_get_libc_version", ExactSpelling = true)]
    private static extern IntPtr GnuLibcVersion();
}
