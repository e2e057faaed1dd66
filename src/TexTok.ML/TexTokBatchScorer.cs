using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json;
using TexTok.ML.Onnx;
using TexTok.ML.Torch.Tokenizer;

namespace TexTok.ML;

/// <summary>
/// Batched scoring of a TexTok pair outside the IDataView row-at-a-time path: many images per ONNX Runtime call.
/// Built from a trained model, or read back from a saved ML.NET pipeline zip (the ONNX models that TexTokenize and
/// Detokenize stored in it), so a loaded pipeline's networks can also be run in bulk. Pixels are byte-valued floats
/// in [0, 255], channel-major RGB (what ExtractPixels produces); thread-safe.
/// </summary>
public sealed class TexTokBatchScorer : IDisposable
{
    private readonly OnnxScoringSession? _encoder;
    private readonly OnnxScoringSession? _decoder;

    private TexTokBatchScorer(TexTokConfig config, OnnxScoringSession? encoder, OnnxScoringSession? decoder)
    {
        Config = config;
        _encoder = encoder;
        _decoder = decoder;
    }

    /// <summary>The network configuration.</summary>
    public TexTokConfig Config { get; }

    /// <summary>Whether <see cref="Encode"/> is available (the source held a tokenizer).</summary>
    public bool CanEncode => _encoder is not null;

    /// <summary>Whether <see cref="Decode"/> is available (the source held a detokenizer).</summary>
    public bool CanDecode => _decoder is not null;

    /// <summary>A scorer over both networks of a trained model.</summary>
    /// <param name="model">The model.</param>
    /// <param name="options">Threads and execution provider.</param>
    public static TexTokBatchScorer Create(TexTokTrainedModel model, OnnxScoringOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new TexTokBatchScorer(model.Config, model.CreateEncoderSession(options), model.CreateDecoderSession(options));
    }

    /// <summary>
    /// A scorer over the TexTok networks stored in a pipeline saved with <c>mlContext.Model.Save</c> (the first
    /// tokenizer and the first detokenizer found; either may be absent).
    /// </summary>
    /// <param name="zipPath">The saved pipeline.</param>
    /// <param name="options">Threads and execution provider.</param>
    public static TexTokBatchScorer FromPipelineZip(string zipPath, OnnxScoringOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(zipPath);
        OnnxScoringSession? encoder = null, decoder = null;
        try
        {
            using var zip = ZipFile.OpenRead(zipPath);
            foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith("/OnnxModel", StringComparison.Ordinal)))
            {
                var bytes = ReadStoredModel(entry, zipPath);
                var session = new OnnxScoringSession(bytes, options, $"{zipPath}:{entry.FullName}");
                bool ours = session.Metadata.TryGetValue(OnnxScoringSession.FormatKey, out var format) && format == OnnxScoringSession.Format
                            && session.Metadata.TryGetValue(TexTokOnnxExport.PixelRangeKey, out var range) && range == PipelineOnnxBoundary.BytePixelRange;
                if (ours && session.Network == "encoder" && encoder is null)
                {
                    encoder = session;
                }
                else if (ours && session.Network == "decoder" && decoder is null)
                {
                    decoder = session;
                }
                else
                {
                    session.Dispose();
                }
            }

            var source = encoder ?? decoder
                ?? throw new InvalidDataException($"'{zipPath}' holds no TexTok network (no ONNX model written by TexTokenize or Detokenize).");
            var config = TexTokConfig.FromJson(source.Metadata[OnnxScoringSession.ConfigKey]);
            return new TexTokBatchScorer(config, encoder, decoder);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException && e is not FileNotFoundException)
        {
            encoder?.Dispose();
            decoder?.Dispose();
            throw e is InvalidDataException ? e : new InvalidDataException($"'{zipPath}' is not a readable ML.NET pipeline zip: {e.Message}", e);
        }
        catch
        {
            encoder?.Dispose();
            decoder?.Dispose();
            throw;
        }
    }

    /// <summary>Images → tokens for a batch.</summary>
    /// <param name="pixels">count · 3 · H · W byte-valued floats (channel-major RGB per image).</param>
    /// <param name="text">count · Nt · Dt caption embeddings (null for a no-text model).</param>
    /// <param name="mask">count · Nt caption masks (null for a no-text model).</param>
    /// <param name="count">Number of images.</param>
    /// <returns>count · N · d tokens.</returns>
    public float[] Encode(float[] pixels, float[]? text, float[]? mask, int count)
    {
        var encoder = _encoder ?? throw new InvalidOperationException("This scorer has no tokenizer (the pipeline it was read from did not contain TexTokenize).");
        var c = Config;
        CheckLength(pixels, count * 3 * c.ImageSize * c.ImageSize, nameof(pixels), "3 · H · W pixels");
        var inputs = new Dictionary<string, OnnxFloatTensor>(StringComparer.Ordinal)
        {
            [TexTokColumns.EncoderImage] = new(pixels, count, 3, c.ImageSize, c.ImageSize),
        };
        AddText(inputs, text, mask, count);
        return encoder.Run(inputs)[TexTokColumns.EncoderTokens].Data;
    }

    /// <summary>Tokens → images for a batch.</summary>
    /// <param name="tokens">count · N · d tokens; must be finite.</param>
    /// <param name="text">count · Nt · Dt caption embeddings (null for a no-text model).</param>
    /// <param name="mask">count · Nt caption masks (null for a no-text model).</param>
    /// <param name="count">Number of images.</param>
    /// <returns>count · 3 · H · W pixels in [0, 255].</returns>
    public float[] Decode(float[] tokens, float[]? text, float[]? mask, int count)
    {
        var decoder = _decoder ?? throw new InvalidOperationException("This scorer has no detokenizer (the pipeline it was read from did not contain Detokenize).");
        var c = Config;
        int length = c.NumTokens * c.TokenDim;
        CheckLength(tokens, count * length, nameof(tokens), "N · d tokens");
        for (int i = 0; i < tokens.Length; i++)
        {
            if (!float.IsFinite(tokens[i]))
            {
                throw new ArgumentException($"Token vector {i / length} holds {tokens[i]} at position {i % length}; tokens must be finite.", nameof(tokens));
            }
        }

        var gate = new float[count];
        Array.Fill(gate, 1f);
        var inputs = new Dictionary<string, OnnxFloatTensor>(StringComparer.Ordinal)
        {
            [TexTokColumns.DecoderTokens] = new(tokens, count, c.NumTokens, c.TokenDim),
            [TexTokColumns.DecoderGate] = new(gate, count, 1),
        };
        AddText(inputs, text, mask, count);
        return decoder.Run(inputs)[TexTokColumns.DecoderPixels].Data;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _encoder?.Dispose();
        _decoder?.Dispose();
    }

    private void AddText(Dictionary<string, OnnxFloatTensor> inputs, float[]? text, float[]? mask, int count)
    {
        var c = Config;
        if (!c.UseText)
        {
            return;
        }

        if (text is null || mask is null)
        {
            throw new ArgumentException("This TexTok model is text-conditioned: pass caption embeddings and masks.", nameof(text));
        }

        CheckLength(text, count * c.TextTokens * c.TextDim, nameof(text), "Nt · Dt embedding values");
        CheckLength(mask, count * c.TextTokens, nameof(mask), "Nt mask values");
        inputs[TexTokColumns.NetworkText] = new(text, count, c.TextTokens, c.TextDim);
        inputs[TexTokColumns.NetworkMask] = new(mask, count, c.TextTokens);
    }

    private static void CheckLength(float[] values, int expected, string name, string unit)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Length != expected)
        {
            throw new ArgumentException($"'{name}' has {values.Length} values; expected {expected} ({unit} per image).", name);
        }
    }

    private static byte[] ReadStoredModel(ZipArchiveEntry entry, string zipPath)
    {
        // ML.NET stores the model as a 4-byte little-endian length followed by the ONNX bytes.
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var all = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (all.Length < 4 || BinaryPrimitives.ReadInt32LittleEndian(all) != all.Length - 4)
        {
            throw new InvalidDataException($"'{zipPath}': entry '{entry.FullName}' is not an ONNX model stored by ML.NET.");
        }

        return all[4..].ToArray();
    }
}
