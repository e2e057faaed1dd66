using System.Globalization;
using TexTok.ML.Onnx;

namespace TexTok.ML.Data.Metrics;

/// <summary>
/// Runs an image network stored as ONNX — typically the Inception-v3 used for FID, exported by the user — over images
/// and returns its feature vectors and, optionally, class probabilities, ready for <c>FrechetDistance</c>,
/// <see cref="PrecisionRecall"/> and <see cref="InceptionScore"/> beside it.
/// </summary>
/// <remarks>
/// <para>
/// Each image is converted to floats in [0, 1] (byte k becomes k / 255), resized to the network's input size with
/// bilinear interpolation (half-pixel centres, edge clamping, no antialiasing: PyTorch's
/// <c>F.interpolate(mode="bilinear", align_corners=False)</c>), normalised per channel as
/// <see cref="OnnxImageFeatureExtractorOptions.Normalization"/> says, and laid out as NCHW float.
/// </para>
/// <para>
/// The model must have a float input of shape [N, 3, H, W]; N, H and W may be dynamic. With a dynamic N the images are
/// sent <see cref="OnnxImageFeatureExtractorOptions.BatchSize"/> at a time; with a fixed N (e.g. 1) exactly N at a
/// time. The library never downloads a network: the model file is the caller's (see docs/generation.md).
/// </para>
/// <para><see cref="Extract(IEnumerable{RgbImage})"/> may be called from several threads at once.</para>
/// </remarks>
public sealed class OnnxImageFeatureExtractor : IDisposable
{
    private const int Channels = 3;

    private readonly OnnxScoringSession _session;
    private readonly ClassOutputKind _classOutput;
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>Loads the model file at <paramref name="modelPath"/>.</summary>
    /// <param name="modelPath">An ONNX image network, e.g. Inception-v3.</param>
    /// <param name="options">Options; the defaults read the model's only input and output.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not ONNX, or its input is not a float [N, 3, H, W] tensor.</exception>
    /// <exception cref="ArgumentException">An input or output name is unknown or needed, or the input size contradicts the model.</exception>
    public OnnxImageFeatureExtractor(string modelPath, OnnxImageFeatureExtractorOptions? options = null)
        : this(Validated(options), o => new OnnxScoringSession(modelPath, SessionOptions(o)))
    {
    }

    /// <summary>Loads a model from its bytes.</summary>
    /// <param name="model">ONNX model bytes.</param>
    /// <param name="options">Options; the defaults read the model's only input and output.</param>
    /// <param name="sourceName">Name used in error messages.</param>
    /// <exception cref="InvalidDataException">The bytes are not ONNX, or the input is not a float [N, 3, H, W] tensor.</exception>
    /// <exception cref="ArgumentException">An input or output name is unknown or needed, or the input size contradicts the model.</exception>
    public OnnxImageFeatureExtractor(byte[] model, OnnxImageFeatureExtractorOptions? options = null, string sourceName = "ONNX model bytes")
        : this(Validated(options), o => new OnnxScoringSession(model, SessionOptions(o), sourceName))
    {
    }

    private OnnxImageFeatureExtractor(OnnxImageFeatureExtractorOptions options, Func<OnnxImageFeatureExtractorOptions, OnnxScoringSession> open)
    {
        _session = open(options);
        try
        {
            InputName = ResolveInput(options.InputName);
            var shape = _session.InputShapes[InputName];
            InputHeight = SpatialSize(shape[2], "height", options.InputSize);
            InputWidth = SpatialSize(shape[3], "width", options.InputSize);
            IsBatchFixed = shape[0] > 0;
            BatchSize = IsBatchFixed ? shape[0] : options.BatchSize;
            FeatureOutputName = ResolveOutput(options.FeatureOutputName, nameof(options.FeatureOutputName));
            ClassOutputName = options.ClassOutputName is null ? null : ResolveOutput(options.ClassOutputName, nameof(options.ClassOutputName));
            _classOutput = options.ClassOutput;
            (_mean, _std) = options.Statistics();
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>The file name or description the model was loaded from.</summary>
    public string Source => _session.Source;

    /// <summary>The image input the extractor feeds.</summary>
    public string InputName { get; }

    /// <summary>The output read as features.</summary>
    public string FeatureOutputName { get; }

    /// <summary>The output read as class scores, or null.</summary>
    public string? ClassOutputName { get; }

    /// <summary>The height images are resized to.</summary>
    public int InputHeight { get; }

    /// <summary>The width images are resized to.</summary>
    public int InputWidth { get; }

    /// <summary>Images per ONNX Runtime call: the model's fixed batch dimension, or the option's batch size.</summary>
    public int BatchSize { get; }

    /// <summary>Whether the model declares a fixed batch dimension (then every call carries <see cref="BatchSize"/> images).</summary>
    public bool IsBatchFixed { get; }

    /// <summary>Computes the features (and probabilities) of 8-bit RGB images of any size.</summary>
    /// <param name="images">The images, read once, in order.</param>
    /// <returns>One entry per image.</returns>
    /// <exception cref="ArgumentException">An image is null.</exception>
    public ImageFeatures Extract(IEnumerable<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        return Run(images, (image, index, destination) =>
        {
            if (image is null)
            {
                throw new ArgumentException($"Image {index} is null.", nameof(images));
            }

            PreprocessInto(ImagePixels.ToChw(image), image.Width, image.Height, destination);
        });
    }

    /// <summary>
    /// Computes the features (and probabilities) of float images in CHW layout with values in [0, 1] (red, green and
    /// blue planes, as <see cref="ImagePixels.ToChw(RgbImage)"/> writes them), all of one size.
    /// </summary>
    /// <param name="images">The images, read once, in order; each holds 3 · <paramref name="height"/> · <paramref name="width"/> values.</param>
    /// <param name="width">The images' width.</param>
    /// <param name="height">The images' height.</param>
    /// <returns>One entry per image.</returns>
    /// <exception cref="ArgumentException">An image is null or has the wrong length.</exception>
    public ImageFeatures Extract(IEnumerable<float[]> images, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        int length = Channels * width * height;
        return Run(images, (image, index, destination) =>
        {
            if (image is null || image.Length != length)
            {
                string got = image is null ? "null" : $"{image.Length} values";
                throw new ArgumentException($"Image {index} must hold 3x{height}x{width} = {length} values; got {got}.", nameof(images));
            }

            PreprocessInto(image, width, height, destination);
        });
    }

    /// <summary>The network input for one image: CHW floats, resized and normalised.</summary>
    /// <param name="image">The image.</param>
    /// <returns>3 · <see cref="InputHeight"/> · <see cref="InputWidth"/> values.</returns>
    public float[] Preprocess(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var input = new float[Channels * InputHeight * InputWidth];
        PreprocessInto(ImagePixels.ToChw(image), image.Width, image.Height, input);
        return input;
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();

    private static OnnxImageFeatureExtractorOptions Validated(OnnxImageFeatureExtractorOptions? options)
    {
        options ??= new OnnxImageFeatureExtractorOptions();
        options.Validate();
        return options;
    }

    private static OnnxScoringOptions SessionOptions(OnnxImageFeatureExtractorOptions options) => new()
    {
        IntraOpNumThreads = options.IntraOpNumThreads,
        ExecutionProvider = options.ExecutionProvider,
        RequireTexTokMetadata = false,
    };

    private static string Dimension(int d) => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture);

    private static void Softmax(Span<float> values)
    {
        float max = float.NegativeInfinity;
        foreach (var v in values)
        {
            max = Math.Max(max, v);
        }

        double sum = 0;
        var exps = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            exps[i] = Math.Exp(values[i] - (double)max);
            sum += exps[i];
        }

        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(exps[i] / sum);
        }
    }

    private string ResolveInput(string? requested)
    {
        var names = _session.InputNames;
        string name;
        if (requested is null)
        {
            if (names.Count != 1)
            {
                throw new ArgumentException(
                    $"'{Source}' has {names.Count} inputs ({string.Join(", ", names)}); set InputName to the image input.", "options");
            }

            name = names[0];
        }
        else if (!names.Contains(requested))
        {
            throw new ArgumentException($"'{Source}' has no input '{requested}'; its inputs are: {string.Join(", ", names)}.", "options");
        }
        else
        {
            name = requested;
        }

        var shape = _session.InputShapes[name];
        var type = _session.InputElementTypes[name];
        if (type != OnnxElementType.Float || shape.Count != 4 || shape[1] is not (Channels or < 0) || shape[0] == 0)
        {
            throw new InvalidDataException(
                $"Input '{name}' of '{Source}' must be a float tensor [N, 3, H, W] (NCHW RGB images); " +
                $"got {type} [{string.Join(", ", shape.Select(Dimension))}].");
        }

        return name;
    }

    private int SpatialSize(int declared, string what, int? requested)
    {
        if (declared > 0)
        {
            if (requested is int size && size != declared)
            {
                throw new ArgumentException(
                    $"InputSize is {size} but input '{InputName}' of '{Source}' has a fixed {what} of {declared}.", "options");
            }

            return declared;
        }

        return requested ?? OnnxImageFeatureExtractorOptions.DefaultInputSize;
    }

    private string ResolveOutput(string? requested, string option)
    {
        var names = _session.OutputNames;
        string name;
        if (requested is null)
        {
            if (names.Count != 1)
            {
                throw new ArgumentException(
                    $"'{Source}' has {names.Count} outputs ({string.Join(", ", names)}); set {option} to the one to read.", "options");
            }

            name = names[0];
        }
        else if (!names.Contains(requested))
        {
            throw new ArgumentException(
                $"{option} '{requested}' is not an output of '{Source}'; its outputs are: {string.Join(", ", names)}.", "options");
        }
        else
        {
            name = requested;
        }

        if (_session.OutputElementTypes[name] != OnnxElementType.Float)
        {
            throw new InvalidDataException($"Output '{name}' of '{Source}' holds {_session.OutputElementTypes[name]} values; the extractor reads float outputs.");
        }

        return name;
    }

    private void PreprocessInto(float[] chw, int width, int height, Span<float> destination)
    {
        BilinearResize.Resize(chw, Channels, height, width, destination, InputHeight, InputWidth);
        int plane = InputHeight * InputWidth;
        for (int c = 0; c < Channels; c++)
        {
            var values = destination.Slice(c * plane, plane);
            float mean = _mean[c], std = _std[c];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (values[i] - mean) / std;
            }
        }
    }

    private ImageFeatures Run<T>(IEnumerable<T> images, ImageWriter<T> write)
    {
        int sampleLength = Channels * InputHeight * InputWidth;
        var buffer = new float[BatchSize * sampleLength];
        var features = new List<float[]>();
        var probabilities = ClassOutputName is null ? null : new List<float[]>();
        int filled = 0, index = 0;
        foreach (var image in images)
        {
            write(image, index++, buffer.AsSpan(filled * sampleLength, sampleLength));
            if (++filled == BatchSize)
            {
                RunBatch(buffer, filled, features, probabilities);
                filled = 0;
            }
        }

        if (filled > 0)
        {
            RunBatch(buffer, filled, features, probabilities);
        }

        return new ImageFeatures(features, probabilities);
    }

    private void RunBatch(float[] buffer, int count, List<float[]> features, List<float[]>? probabilities)
    {
        int sampleLength = Channels * InputHeight * InputWidth;
        int rows = count;
        if (IsBatchFixed)
        {
            buffer.AsSpan(count * sampleLength).Clear();
            rows = BatchSize;
        }

        var input = new OnnxFloatTensor(rows == BatchSize ? buffer : buffer[..(rows * sampleLength)], rows, Channels, InputHeight, InputWidth);
        var outputs = _session.Run(new Dictionary<string, OnnxFloatTensor>(StringComparer.Ordinal) { [InputName] = input });
        features.AddRange(Rows(outputs[FeatureOutputName], FeatureOutputName, rows, count));
        if (probabilities is not null)
        {
            foreach (var row in Rows(outputs[ClassOutputName!], ClassOutputName!, rows, count))
            {
                if (_classOutput == ClassOutputKind.Logits)
                {
                    Softmax(row);
                }

                probabilities.Add(row);
            }
        }
    }

    private IEnumerable<float[]> Rows(OnnxFloatTensor output, string name, int rows, int count)
    {
        if (output.Shape.Count == 0 || output.Shape[0] != rows)
        {
            throw new InvalidDataException(
                $"Output '{name}' of '{Source}' has shape [{string.Join(", ", output.Shape)}] for a batch of {rows}; its first dimension must be the batch.");
        }

        int width = output.Data.Length / rows;
        for (int i = 0; i < count; i++)
        {
            yield return output.Data.AsSpan(i * width, width).ToArray();
        }
    }

    private delegate void ImageWriter<in T>(T image, int index, Span<float> destination);
}
