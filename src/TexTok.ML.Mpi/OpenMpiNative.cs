using System.Reflection;
using System.Runtime.InteropServices;

namespace TexTok.ML.Mpi;

/// <summary>
/// The few Open MPI calls the library needs. Open MPI's handles are the addresses of objects libmpi exports
/// (<c>ompi_mpi_comm_world</c>, …), read once with <see cref="NativeLibrary.GetExport"/>; the registry's only .NET
/// binding, MPI.NET, is built for Microsoft MPI's integer handles and cannot drive Open MPI (docs/scale-out.md).
/// </summary>
internal static class OpenMpiNative
{
    private const string Library = "textok-openmpi";

    /// <summary>Environment variable naming the Open MPI library file to load instead of the defaults.</summary>
    public const string LibraryVariable = "TEXTOK_MPI_LIBRARY";

    private static readonly string[] DefaultNames = ["libmpi.so.40", "libmpi.so", "libmpi.40.dylib", "libmpi.dylib"];
    private static readonly Lazy<(IntPtr Comm, IntPtr Float, IntPtr Sum)> Handles = new(ReadHandles);
    private static IntPtr _library;

    static OpenMpiNative() => NativeLibrary.SetDllImportResolver(typeof(OpenMpiNative).Assembly, Resolve);

    /// <summary>MPI_COMM_WORLD.</summary>
    public static IntPtr CommWorld => Handles.Value.Comm;

    /// <summary>MPI_FLOAT.</summary>
    public static IntPtr Float => Handles.Value.Float;

    /// <summary>MPI_SUM.</summary>
    public static IntPtr Sum => Handles.Value.Sum;

    /// <summary>MPI_IN_PLACE as Open MPI defines it.</summary>
    public static readonly IntPtr InPlace = 1;

    [DllImport(Library, EntryPoint = "MPI_Init")]
    public static extern int Init(IntPtr argc, IntPtr argv);

    [DllImport(Library, EntryPoint = "MPI_Initialized")]
    public static extern int Initialized(out int flag);

    [DllImport(Library, EntryPoint = "MPI_Finalized")]
    public static extern int Finalized(out int flag);

    [DllImport(Library, EntryPoint = "MPI_Finalize")]
    public static extern int Finalize();

    [DllImport(Library, EntryPoint = "MPI_Comm_rank")]
    public static extern int CommRank(IntPtr comm, out int rank);

    [DllImport(Library, EntryPoint = "MPI_Comm_size")]
    public static extern int CommSize(IntPtr comm, out int size);

    [DllImport(Library, EntryPoint = "MPI_Allreduce")]
    public static extern int AllReduce(IntPtr sendBuffer, float[] receiveBuffer, int count, IntPtr datatype, IntPtr op, IntPtr comm);

    [DllImport(Library, EntryPoint = "MPI_Barrier")]
    public static extern int Barrier(IntPtr comm);

    /// <summary>Loads libmpi, or throws <see cref="DllNotFoundException"/> saying what to install.</summary>
    public static IntPtr Load()
    {
        if (_library != IntPtr.Zero)
        {
            return _library;
        }

        string? chosen = Environment.GetEnvironmentVariable(LibraryVariable);
        foreach (string name in string.IsNullOrEmpty(chosen) ? DefaultNames : [chosen])
        {
            if (NativeLibrary.TryLoad(name, out _library))
            {
                return _library;
            }
        }

        throw new DllNotFoundException(
            $"Open MPI's library was not found ({(string.IsNullOrEmpty(chosen) ? string.Join(", ", DefaultNames) : chosen)}). Install Open MPI 4 or later " +
            $"(Debian: apt-get install openmpi-bin libopenmpi-dev) or set {LibraryVariable} to the path of its libmpi.");
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == Library ? Load() : IntPtr.Zero;

    private static (IntPtr, IntPtr, IntPtr) ReadHandles()
    {
        IntPtr library = Load();
        IntPtr Export(string symbol) => NativeLibrary.TryGetExport(library, symbol, out IntPtr address)
            ? address
            : throw new NotSupportedException(
                $"The MPI library loaded has no '{symbol}': it is not Open MPI (MPICH and Microsoft MPI use other handles). " +
                $"Install Open MPI or point {LibraryVariable} at its libmpi.");
        return (Export("ompi_mpi_comm_world"), Export("ompi_mpi_float"), Export("ompi_mpi_op_sum"));
    }
}
