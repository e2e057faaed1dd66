using TexTok.ML.Torch.Training;

namespace TexTok.ML.Mpi;

/// <summary>
/// The processes of an <c>mpirun</c> job as a data-parallel group: set it as
/// <see cref="TexTokTrainingOptions.DataParallel"/> in every rank, and the ranks train one model together, gradients
/// averaged by Open MPI's all-reduce. Create it once per process (MPI is initialised once) and dispose it at the end.
/// </summary>
/// <example>
/// <code>
/// using var group = OpenMpiGroup.Initialize();          // the program is started by: mpirun -np 4 dotnet app.dll
/// var options = new TexTokTrainingOptions { BatchSize = 64, DataParallel = group };
/// using var trainer = new TexTokTrainer(config, options);
/// trainer.Train(data);                                   // each rank reads its 16 rows of every batch of 64
/// if (group.Rank == 0) trainer.SaveModel("textok.safetensors");
/// </code>
/// </example>
public sealed class OpenMpiGroup : IDataParallelGroup, IDisposable
{
    private static readonly object Gate = new();
    private static bool _initialized;
    private bool _disposed;

    private OpenMpiGroup(int rank, int size)
    {
        Rank = rank;
        Size = size;
    }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <summary>
    /// Whether this process was started by Open MPI's <c>mpirun</c> (its environment names the job's size). A program
    /// run on its own can then train without a group instead of starting a one-process MPI job.
    /// </summary>
    public static bool LaunchedByMpirun => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null;

    /// <summary>Initialises MPI and returns this process's place in <c>MPI_COMM_WORLD</c>.</summary>
    /// <exception cref="DllNotFoundException">Open MPI is not installed; the message says what to install.</exception>
    /// <exception cref="InvalidOperationException">MPI was initialised before in this process.</exception>
    public static OpenMpiGroup Initialize()
    {
        lock (Gate)
        {
            if (_initialized)
            {
                throw new InvalidOperationException("MPI is initialised once per process: create one OpenMpiGroup and share it.");
            }

            Check(OpenMpiNative.Initialized(out int already), "MPI_Initialized");
            if (already == 0)
            {
                Check(OpenMpiNative.Init(IntPtr.Zero, IntPtr.Zero), "MPI_Init");
            }

            _initialized = true;
            Check(OpenMpiNative.CommRank(OpenMpiNative.CommWorld, out int rank), "MPI_Comm_rank");
            Check(OpenMpiNative.CommSize(OpenMpiNative.CommWorld, out int size), "MPI_Comm_size");
            return new OpenMpiGroup(rank, size);
        }
    }

    /// <inheritdoc/>
    public void AverageInPlace(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Check(OpenMpiNative.AllReduce(OpenMpiNative.InPlace, values, values.Length, OpenMpiNative.Float, OpenMpiNative.Sum, OpenMpiNative.CommWorld),
              "MPI_Allreduce");
        float scale = 1f / Size;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] *= scale;
        }
    }

    /// <summary>Returns when every rank has called it.</summary>
    public void Barrier()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Check(OpenMpiNative.Barrier(OpenMpiNative.CommWorld), "MPI_Barrier");
    }

    /// <summary>Finalises MPI (collective: every rank disposes its group). MPI cannot be initialised again afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Check(OpenMpiNative.Finalized(out int finalized), "MPI_Finalized");
        if (finalized == 0)
        {
            Check(OpenMpiNative.Finalize(), "MPI_Finalize");
        }
    }

    private static void Check(int code, string call)
    {
        if (code != 0)
        {
            throw new InvalidOperationException($"{call} failed with MPI error code {code}.");
        }
    }
}
