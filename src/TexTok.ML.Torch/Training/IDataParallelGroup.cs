namespace TexTok.ML.Torch.Training;

/// <summary>
/// The processes that train one model together by data parallelism: each computes the gradients of its share of every
/// global batch, and the group averages them, so every process takes the same step. An implementation wraps an
/// existing collective engine (<c>TexTok.ML.Mpi</c>'s <c>OpenMpiGroup</c> wraps Open MPI).
/// </summary>
public interface IDataParallelGroup
{
    /// <summary>This process's index in the group, 0 to <see cref="Size"/> − 1.</summary>
    int Rank { get; }

    /// <summary>Number of processes in the group.</summary>
    int Size { get; }

    /// <summary>
    /// Replaces each element of <paramref name="values"/> by its mean over the group: element i becomes the mean of
    /// element i of every process's buffer. A collective call: every process calls it with a buffer of the same length,
    /// in the same order, and it returns when all have.
    /// </summary>
    /// <param name="values">This process's values; on return, the group's means.</param>
    void AverageInPlace(float[] values);
}
