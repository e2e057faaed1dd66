using TexTok.ML.Data.Metrics;

namespace TexTok.ML.Data;

/// <summary>
/// Samples turned into the arrays a tokenizer trains on: each image as CHW floats in [−1, 1] and, when a caption
/// embedder is given, each caption's text embedding and mask.
/// </summary>
public sealed class ImageSampleArrays
{
    private ImageSampleArrays(List<ImageSample> samples, List<float[]> images, List<float[]>? texts, List<float[]>? masks)
    {
        Samples = samples;
        Images = images;
        Texts = texts;
        Masks = masks;
    }

    /// <summary>The source samples, in order.</summary>
    public IReadOnlyList<ImageSample> Samples { get; }

    /// <summary>Images, CHW in [−1, 1].</summary>
    public IReadOnlyList<float[]> Images { get; }

    /// <summary>Caption embeddings (Nt·Dt each), or null when no embedder was given.</summary>
    public IReadOnlyList<float[]>? Texts { get; }

    /// <summary>Caption masks (Nt each), or null when no embedder was given.</summary>
    public IReadOnlyList<float[]>? Masks { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Samples.Count;

    /// <summary>Converts <paramref name="samples"/>, embedding each caption with <paramref name="embedCaption"/> when given.</summary>
    /// <param name="samples">Samples with images of equal size.</param>
    /// <param name="embedCaption">Caption → (embedding values, mask), or null to skip captions.</param>
    public static ImageSampleArrays Create(IEnumerable<ImageSample> samples, Func<string, (float[] Values, float[] Mask)>? embedCaption)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var list = new List<ImageSample>();
        var images = new List<float[]>();
        var texts = embedCaption is null ? null : new List<float[]>();
        var masks = embedCaption is null ? null : new List<float[]>();
        foreach (var sample in samples)
        {
            if (list.Count > 0 && (sample.Image.Width != list[0].Image.Width || sample.Image.Height != list[0].Image.Height))
            {
                throw new ArgumentException(
                    $"Sample {list.Count} is {sample.Image.Width}x{sample.Image.Height}; the first was {list[0].Image.Width}x{list[0].Image.Height}.", nameof(samples));
            }

            var chw = ImagePixels.ToChw(sample.Image);
            for (int i = 0; i < chw.Length; i++)
            {
                chw[i] = (chw[i] * 2) - 1;
            }

            list.Add(sample);
            images.Add(chw);
            if (embedCaption is not null)
            {
                var (values, mask) = embedCaption(sample.Caption);
                texts!.Add(values);
                masks!.Add(mask);
            }
        }

        return new ImageSampleArrays(list, images, texts, masks);
    }

    /// <summary>All images concatenated (count·3·H·W, in [−1, 1]).</summary>
    public float[] ConcatenatedImages() => Images.SelectMany(x => x).ToArray();

    /// <summary>All caption embeddings concatenated, or null.</summary>
    public float[]? ConcatenatedTexts() => Texts?.SelectMany(x => x).ToArray();

    /// <summary>All caption masks concatenated, or null.</summary>
    public float[]? ConcatenatedMasks() => Masks?.SelectMany(x => x).ToArray();

    /// <summary>
    /// Held-out quality of <paramref name="reconstructions"/> (concatenated CHW in [−1, 1], as the images): mean PSNR
    /// and SSIM over the set, on the [0, 1] scale.
    /// </summary>
    /// <param name="reconstructions">Reconstructed images.</param>
    public (double Psnr, double Ssim) Score(float[] reconstructions)
    {
        ArgumentNullException.ThrowIfNull(reconstructions);
        var reference = ConcatenatedImages();
        var reconstructed = new float[reconstructions.Length];
        for (int i = 0; i < reference.Length; i++)
        {
            reference[i] = (reference[i] + 1) / 2;
        }

        for (int i = 0; i < reconstructed.Length; i++)
        {
            reconstructed[i] = (reconstructions[i] + 1) / 2;
        }

        int h = Samples[0].Image.Height, w = Samples[0].Image.Width;
        return (ImageMetrics.MeanPsnr(reference, reconstructed, Count, 3, h, w), ImageMetrics.MeanSsim(reference, reconstructed, Count, 3, h, w));
    }

    /// <summary>Image <paramref name="index"/> of <paramref name="images"/> (concatenated CHW in [−1, 1]) as an RGB image.</summary>
    /// <param name="images">Concatenated images of this set's size.</param>
    /// <param name="index">Which image.</param>
    public RgbImage ToImage(float[] images, int index)
    {
        ArgumentNullException.ThrowIfNull(images);
        int h = Samples[0].Image.Height, w = Samples[0].Image.Width, length = 3 * h * w;
        return ImagePixels.FromChwSigned(images.AsSpan(index * length, length), w, h);
    }
}
