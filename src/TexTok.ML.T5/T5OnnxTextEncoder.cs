using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TexTok.ML.Onnx;
using TexTok.ML.Text;

namespace TexTok.ML.T5;

/// <summary>
/// A T5 encoder exported to ONNX (by <see cref="T5OnnxExport"/> or by another tool) as an <see cref="ITextEncoder"/>:
/// captions are tokenized by <see cref="T5Tokenizer"/> and scored by ONNX Runtime; the embeddings follow the
/// conventions of <see cref="T5TextEncoder"/> (EOS row included, padding rows zero and masked, truncation reported).
/// </summary>
/// <remarks>
/// <para>
/// The model must have the inputs <c>input_ids</c> (int64) and <c>attention_mask</c> (int64 or float), both
/// [batch, sequence], and no others, and the float output <c>last_hidden_state</c> [batch, sequence, d_model]: the
/// names Hugging Face's ONNX exports of <c>T5EncoderModel</c> use. Dynamic batch and sequence dimensions are used as
/// they are; a fixed sequence length pads every batch to it (Nt may not exceed it), a fixed batch size is filled with
/// EOS-only rows. Weights stored as external data next to the file are found by ONNX Runtime.
/// </para>
/// <para>
/// The identity is <c>t5-onnx/&lt;name&gt;/Nt=&lt;Nt&gt;/Dt=&lt;d_model&gt;/w=&lt;fingerprint&gt;</c>; <see cref="FromFiles"/> takes the
/// name from the ONNX file's folder and the fingerprint from a SHA-256 over the ONNX file and <c>spiece.model</c>
/// (see <see cref="Fingerprint"/>). It differs from the identity of the <see cref="T5TextEncoder"/> an export came
/// from: the two runtimes agree to about 1e-5, not bit for bit, so models and caches keep them apart.
/// </para>
/// <para>Batches of up to <c>batchSize</c> captions run as one ONNX Runtime call; calls from several threads run concurrently.</para>
/// </remarks>
public sealed class T5OnnxTextEncoder : TextEncoderBase, IDisposable
{
    /// <summary>The first segment of every identity of this encoder.</summary>
    public const string Family = "t5-onnx";

    private readonly T5Tokenizer _tokenizer;
    private readonly OnnxScoringSession _session;
    private readonly int _maxTokens;
    private readonly int _batchSize;
    private readonly int? _fixedLength;
    private readonly int? _fixedRows;
    private readonly bool _floatMask;
    private readonly int _dModel;
    private readonly string _identity;

    /// <summary>Opens <paramref name="onnxPath"/> and checks its inputs and outputs.</summary>
    /// <param name="tokenizer">The tokenizer of the model's vocabulary.</param>
    /// <param name="onnxPath">The ONNX file.</param>
    /// <param name="name">The model name for the identity; no '/' or white space.</param>
    /// <param name="fingerprint">A short string that changes whenever the model or vocabulary changes.</param>
    /// <param name="maxTokens">Nt, 1 … 4096.</param>
    /// <param name="batchSize">Captions per ONNX Runtime call, at least 1 (the model's batch size when it is fixed).</param>
    /// <param name="options">ONNX Runtime options (threads, execution provider); CPU with automatic threading when null.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not ONNX, or lacks an input or output a T5 encoder has, or has other inputs or types; the message
    /// names the file and what it has.
    /// </exception>
    /// <exception cref="ArgumentException">The name or fingerprint is empty or holds '/' or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range, or Nt exceeds the model's fixed sequence length.</exception>
    public T5OnnxTextEncoder(T5Tokenizer tokenizer, string onnxPath, string name, string fingerprint, int maxTokens = 32, int batchSize = 16, OnnxScoringOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        CheckSegment(name, nameof(name));
        CheckSegment(fingerprint, nameof(fingerprint));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxTokens, 4096);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _tokenizer = tokenizer;
        _maxTokens = maxTokens;
        _session = new OnnxScoringSession(onnxPath, (options ?? new OnnxScoringOptions()) with { RequireTexTokMetadata = false });
        try
        {
            (_floatMask, _fixedRows, _fixedLength) = CheckInputs(_session);
            if (_fixedLength is int fixedLength && fixedLength < maxTokens)
            {
                throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, $"'{onnxPath}' takes sequences of exactly {fixedLength} tokens; Nt may not exceed that.");
            }

            _batchSize = _fixedRows ?? batchSize;
            _dModel = CheckOutput(_session);
            if (_dModel <= 0)
            {
                _dModel = Probe();
            }
        }
        catch
        {
            _session.Dispose();
            throw;
        }

        _identity = string.Create(CultureInfo.InvariantCulture, $"{Family}/{name}/Nt={maxTokens}/Dt={_dModel}/w={fingerprint}");
    }

    /// <inheritdoc />
    /// <remarks>For example <c>t5-onnx/t5-v1_1-xl-onnx/Nt=32/Dt=2048/w=0123456789abcdef</c>.</remarks>
    public override string Identity => _identity;

    /// <inheritdoc />
    public override int MaxTokens => _maxTokens;

    /// <inheritdoc />
    public override int EmbeddingDim => _dModel;

    /// <summary>The tokenizer.</summary>
    public T5Tokenizer Tokenizer => _tokenizer;

    /// <summary>The execution provider ONNX Runtime runs the model on.</summary>
    public OnnxExecutionProvider ExecutionProvider => _session.ExecutionProvider;

    /// <summary>
    /// Opens an ONNX export of a T5 encoder with the <c>spiece.model</c> of its vocabulary; the identity's name is the
    /// ONNX file's folder name and its fingerprint is <see cref="Fingerprint"/>.
    /// </summary>
    /// <param name="onnxPath">The ONNX file (e.g. written by <see cref="T5TextEncoder.ExportOnnx(string)"/>).</param>
    /// <param name="sentencePiecePath">The <c>spiece.model</c> file.</param>
    /// <param name="maxTokens">Nt.</param>
    /// <param name="batchSize">Captions per ONNX Runtime call.</param>
    /// <param name="options">ONNX Runtime options; CPU with automatic threading when null.</param>
    /// <returns>The encoder.</returns>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or the model is not a T5 encoder; the message names the file.</exception>
    public static T5OnnxTextEncoder FromFiles(string onnxPath, string sentencePiecePath, int maxTokens = 32, int batchSize = 16, OnnxScoringOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        ArgumentException.ThrowIfNullOrEmpty(sentencePiecePath);
        string full = Path.GetFullPath(onnxPath);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"ONNX model file '{full}' does not exist.", full);
        }

        var tokenizer = T5Tokenizer.FromFile(sentencePiecePath);
        string folder = Path.GetFileName(Path.GetDirectoryName(full)) is { Length: > 0 } f ? f : Path.GetFileNameWithoutExtension(full);
        return new T5OnnxTextEncoder(tokenizer, full, folder.Replace(' ', '_'), Fingerprint(full, sentencePiecePath), maxTokens, batchSize, options);
    }

    /// <summary>
    /// The fingerprint used in the identity: the first 16 hex digits of a SHA-256 over the ONNX file and
    /// <c>spiece.model</c>. Weights stored as external data files are covered through the references (names,
    /// offsets, lengths) the ONNX file holds, not their contents.
    /// </summary>
    /// <param name="onnxPath">The ONNX file.</param>
    /// <param name="sentencePiecePath">The <c>spiece.model</c> file.</param>
    /// <returns>16 lower-case hex digits.</returns>
    public static string Fingerprint(string onnxPath, string sentencePiecePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(onnxPath);
        ArgumentException.ThrowIfNullOrEmpty(sentencePiecePath);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (var (label, file) in new[] { ("onnx", onnxPath), (T5TextEncoder.SentencePieceFileName, sentencePiecePath) })
        {
            using var stream = File.OpenRead(file);
            hash.AppendData(Encoding.UTF8.GetBytes($"{label}:{stream.Length}\n"));
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => _session.Dispose();

    /// <inheritdoc />
    protected override TextEmbedding EncodeCore(string caption) => EncodeBatchCore([caption])[0];

    /// <inheritdoc />
    protected override IReadOnlyList<TextEmbedding> EncodeBatchCore(IReadOnlyList<string> captions)
    {
        var tokenized = captions.Select(c => _tokenizer.Tokenize(c, _maxTokens)).ToArray();
        var results = new TextEmbedding[captions.Count];
        for (int start = 0; start < tokenized.Length; start += _batchSize)
        {
            int count = Math.Min(_batchSize, tokenized.Length - start);
            ReadOnlySpan<T5TokenizedCaption> chunk = tokenized.AsSpan(start, count);
            var batch = T5Batch.Pad(chunk, _fixedLength, _fixedRows);
            float[] hidden = Run(batch);
            batch.ToEmbeddings(chunk, hidden, _dModel, _maxTokens, results.AsSpan(start, count));
        }

        return results;
    }

    private static (bool FloatMask, int? FixedRows, int? FixedLength) CheckInputs(OnnxScoringSession session)
    {
        string inputs = string.Join(", ", session.InputNames.Select(n => $"{n} ({session.InputElementTypes[n]})"));
        foreach (string required in new[] { T5OnnxExport.InputIdsName, T5OnnxExport.AttentionMaskName })
        {
            if (!session.InputShapes.ContainsKey(required))
            {
                throw new InvalidDataException($"'{session.Source}' has no input '{required}'; a T5 encoder export has input_ids and attention_mask (this model has: {inputs}).");
            }

            if (session.InputShapes[required].Count != 2)
            {
                throw new InvalidDataException($"Input '{required}' of '{session.Source}' must be [batch, sequence]; it has {session.InputShapes[required].Count} dimensions.");
            }
        }

        var extra = session.InputNames.Where(n => n is not (T5OnnxExport.InputIdsName or T5OnnxExport.AttentionMaskName)).ToArray();
        if (extra.Length > 0)
        {
            throw new InvalidDataException($"'{session.Source}' has inputs a T5 encoder does not take ({string.Join(", ", extra)}); is it a decoder or an encoder–decoder export? It has: {inputs}.");
        }

        if (session.InputElementTypes[T5OnnxExport.InputIdsName] != OnnxElementType.Int64)
        {
            throw new InvalidDataException($"Input 'input_ids' of '{session.Source}' must be int64; it is {session.InputElementTypes[T5OnnxExport.InputIdsName]}.");
        }

        var maskType = session.InputElementTypes[T5OnnxExport.AttentionMaskName];
        if (maskType is not (OnnxElementType.Int64 or OnnxElementType.Float))
        {
            throw new InvalidDataException($"Input 'attention_mask' of '{session.Source}' must be int64 or float; it is {maskType}.");
        }

        var ids = session.InputShapes[T5OnnxExport.InputIdsName];
        int? rows = ids[0] > 0 ? ids[0] : null;
        int? length = ids[1] > 0 ? ids[1] : null;
        return (maskType == OnnxElementType.Float, rows, length);
    }

    /// <summary>The declared d_model of <c>last_hidden_state</c>, or 0 when the dimension is dynamic.</summary>
    private static int CheckOutput(OnnxScoringSession session)
    {
        if (!session.OutputElementTypes.TryGetValue(T5OnnxExport.LastHiddenStateName, out var type))
        {
            throw new InvalidDataException(
                $"'{session.Source}' has no output '{T5OnnxExport.LastHiddenStateName}' (it has: {string.Join(", ", session.OutputNames)}).");
        }

        if (type != OnnxElementType.Float)
        {
            throw new InvalidDataException($"Output '{T5OnnxExport.LastHiddenStateName}' of '{session.Source}' must be float; it is {type}.");
        }

        return session.OutputShapes[T5OnnxExport.LastHiddenStateName] is { Count: 3 } shape
            ? Math.Max(shape[2], 0)
            : throw new InvalidDataException($"Output '{T5OnnxExport.LastHiddenStateName}' of '{session.Source}' must be [batch, sequence, d_model].");
    }

    private static void CheckSegment(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Length == 0 || value.Any(c => c == '/' || char.IsWhiteSpace(c)))
        {
            throw new ArgumentException($"'{value}' must be non-empty without '/' or white space.", paramName);
        }
    }

    /// <summary>d_model of a model that leaves it dynamic: the width of the output for one EOS token.</summary>
    private int Probe()
    {
        var batch = T5Batch.Pad([new T5TokenizedCaption([T5Tokenizer.EosId], 1)], _fixedLength, _fixedRows);
        return Run(batch).Length / (batch.Rows * batch.Length);
    }

    private float[] Run(T5Batch batch)
    {
        long[] shape = [batch.Rows, batch.Length];
        OnnxTensor mask = _floatMask
            ? new OnnxFloatTensor(batch.Mask.Select(m => (float)m).ToArray(), shape)
            : new OnnxInt64Tensor(batch.Mask, shape);
        var outputs = _session.Run(new Dictionary<string, OnnxTensor>(StringComparer.Ordinal)
        {
            [T5OnnxExport.InputIdsName] = new OnnxInt64Tensor(batch.Ids, shape),
            [T5OnnxExport.AttentionMaskName] = mask,
        });
        var hidden = outputs[T5OnnxExport.LastHiddenStateName];
        if (hidden.Shape.Count != 3 || hidden.Shape[0] != batch.Rows || hidden.Shape[1] != batch.Length || (_dModel > 0 && hidden.Shape[2] != _dModel))
        {
            throw new InvalidDataException(
                $"'{_session.Source}' returned last_hidden_state [{string.Join(", ", hidden.Shape)}] for a batch of [{batch.Rows}, {batch.Length}] tokens.");
        }

        return hidden.Data;
    }
}
