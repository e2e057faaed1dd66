namespace TexTok.ML.T5;

/// <summary>
/// T5's bidirectional relative-position buckets: the bucket of key position j seen from query position i.
/// </summary>
/// <remarks>
/// Half of the buckets serve keys after the query (j &gt; i) and half the rest. Within a half, distances below
/// max_exact = buckets / 4 get a bucket each; larger distances are spaced logarithmically up to the maximum distance,
/// and everything beyond shares the last bucket. The logarithm is evaluated in single precision as Hugging Face's
/// float32 implementation does, so checkpoints see exactly the buckets they were trained with.
/// </remarks>
public static class T5RelativePosition
{
    /// <summary>The bucket of relative position <paramref name="relativePosition"/> = key − query.</summary>
    /// <param name="relativePosition">Key position minus query position.</param>
    /// <param name="numBuckets">Total number of buckets (both directions), a multiple of 4.</param>
    /// <param name="maxDistance">Distance from which on all positions share the last bucket of their direction.</param>
    /// <returns>A bucket in [0, <paramref name="numBuckets"/>).</returns>
    public static int Bucket(int relativePosition, int numBuckets, int maxDistance)
    {
        int half = numBuckets / 2;
        int bucket = relativePosition > 0 ? half : 0;
        int distance = Math.Abs(relativePosition);
        int maxExact = half / 2;
        if (distance < maxExact)
        {
            return bucket + distance;
        }

        float logRatio = MathF.Log((float)distance / maxExact);
        float scale = (float)Math.Log((double)maxDistance / maxExact);
        int large = maxExact + (int)(logRatio / scale * (half - maxExact));
        return bucket + Math.Min(large, half - 1);
    }

    /// <summary>The bucket of every (query, key) pair of a sequence, row-major [query, key].</summary>
    /// <param name="length">Sequence length.</param>
    /// <param name="numBuckets">Total number of buckets.</param>
    /// <param name="maxDistance">Maximum distance.</param>
    /// <returns>length × length bucket indices.</returns>
    public static long[] Buckets(int length, int numBuckets, int maxDistance)
    {
        var buckets = new long[length * length];
        for (int i = 0; i < length; i++)
        {
            for (int j = 0; j < length; j++)
            {
                buckets[i * length + j] = Bucket(j - i, numBuckets, maxDistance);
            }
        }

        return buckets;
    }
}
