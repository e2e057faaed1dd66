using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TexTok.ML.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.T5;

/// <summary>
/// A frozen T5 encoder as an <see cref="ITextEncoder"/>: a caption is tokenized by <see cref="T5Tokenizer"/> (EOS
/// appended, at most Nt tokens), run through <see cref="T5Encoder"/>, and its <c>last_hidden_state</c> rows become
/// the embedding (Dt = d_model), padding rows zero.
/// </summary>
/// <remarks>
/// <para>
/// The identity is <c>t5/&lt;model directory name&gt;/Nt=&lt;Nt&gt;/Dt=&lt;d_model&gt;/w=&lt;fingerprint&gt;</c>, where the fingerprint
/// is the first 16 hex digits of a SHA-256 over <c>config.json</c>, <c>spiece.model</c>, and the size and header of every
/// safetensors file (tensor names, dtypes, shapes and offsets; not the tensor data, which would take minutes to hash
/// for T5-XXL). Two snapshots with the same name but other files therefore get different identities.
/// </para>
/// <para>
/// Batches run under <c>no_grad</c>, padded to the longest caption of the batch (padding never changes the valid
/// rows). Calls are serialized on one lock; libtorch parallelizes each call over the CPU cores itself.
/// </para>
/// </remarks>
public sealed class T5TextEncoder : TextEncoderBase, IDisposable
{
    /// <summary>The first segment of every identity of this encoder.</summary>
    public const string Family = "t5";

    /// <summary>The SentencePiece model file name of a Hugging Face T5 snapshot.</summary>
    public const string SentencePieceFileName = "spiece.model";

    private readonly object _gate = new();
    private readonly T5Tokenizer _tokenizer;
    private readonly T5Encoder _model;
    private readonly int _maxTokens;
    private readonly int _batchSize;
    private readonly string _identity;
    private bool _disposed;

    /// <summary>Creates the encoder from parts already loaded; it takes ownership of <paramref name="model"/>.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="model">The encoder with its weights loaded.</param>
    /// <param name="name">The model name for the identity, e.g. the snapshot directory's name; no '/' allowed.</param>
    /// <param name="fingerprint">A short string that changes whenever the weights, configuration or vocabulary change.</param>
    /// <param name="maxTokens">Nt, 1 … 4096.</param>
    /// <param name="batchSize">Captions per model call, at least 1.</param>
    /// <exception cref="ArgumentException">The name or fingerprint is empty or holds '/' or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range.</exception>
    public T5TextEncoder(T5Tokenizer tokenizer, T5Encoder model, string name, string fingerprint, int maxTokens = 32, int batchSize = 16)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(model);
        CheckSegment(name, nameof(name));
        CheckSegment(fingerprint, nameof(fingerprint));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxTokens, 4096);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _tokenizer = tokenizer;
        _model = model;
        _maxTokens = maxTokens;
        _batchSize = batchSize;
        _model.eval();
        _identity = string.Create(
            CultureInfo.InvariantCulture,
            $"{Family}/{name}/Nt={maxTokens}/Dt={model.Config.DModel}/w={fingerprint}");
    }

    /// <inheritdoc />
    /// <remarks>For example <c>t5/t5-v1_1-xl/Nt=32/Dt=2048/w=0123456789abcdef</c>.</remarks>
    public override string Identity => _identity;

    /// <inheritdoc />
    public override int MaxTokens => _maxTokens;

    /// <inheritdoc />
    public override int EmbeddingDim => _model.Config.DModel;

    /// <summary>The tokenizer.</summary>
    public T5Tokenizer Tokenizer => _tokenizer;

    /// <summary>The shape of the underlying encoder.</summary>
    public T5Config Config => _model.Config;

    /// <summary>
    /// Loads a local Hugging Face T5 snapshot: <c>config.json</c>, <c>spiece.model</c>, and <c>model.safetensors</c> or
    /// <c>model.safetensors.index.json</c> with its shards.
    /// </summary>
    /// <param name="modelDirectory">The snapshot directory; its name becomes part of the identity.</param>
    /// <param name="maxTokens">Nt.</param>
    /// <param name="batchSize">Captions per model call.</param>
    /// <param name="sentencePiecePath">
    /// The <c>spiece.model</c> file when it lives elsewhere (e.g. a diffusers snapshot's <c>tokenizer_2</c> folder next
    /// to <c>text_encoder_2</c>); null for <c>spiece.model</c> in <paramref name="modelDirectory"/>.
    /// </param>
    /// <returns>The encoder.</returns>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or a tensor is missing or mis-shaped; the message names it.</exception>
    public static T5TextEncoder FromDirectory(string modelDirectory, int maxTokens = 32, int batchSize = 16, string? sentencePiecePath = null)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        string full = Path.GetFullPath(modelDirectory).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        var tokenizer = T5Tokenizer.FromFile(sentencePiecePath ?? Path.Combine(full, SentencePieceFileName));
        string fingerprint = Fingerprint(full, sentencePiecePath);
        var model = T5WeightLoader.Load(full);
        string name = Path.GetFileName(full).Replace(' ', '_');
        return new T5TextEncoder(tokenizer, model, name, fingerprint, maxTokens, batchSize);
    }

    /// <summary>
    /// The fingerprint used in the identity of a snapshot: the first 16 hex digits of a SHA-256 over
    /// <c>config.json</c>, <c>spiece.model</c>, and the size and header of every weight file.
    /// </summary>
    /// <param name="modelDirectory">The snapshot directory.</param>
    /// <param name="sentencePiecePath">The <c>spiece.model</c> file, or null for the one in <paramref name="modelDirectory"/>.</param>
    /// <returns>16 lower-case hex digits.</returns>
    public static string Fingerprint(string modelDirectory, string? sentencePiecePath = null)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void AddFile(string label, byte[] bytes)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{label}:{bytes.LongLength}\n"));
            hash.AppendData(bytes);
        }

        AddFile(T5WeightLoader.ConfigFileName, File.ReadAllBytes(Path.Combine(modelDirectory, T5WeightLoader.ConfigFileName)));
        AddFile(SentencePieceFileName, File.ReadAllBytes(sentencePiecePath ?? Path.Combine(modelDirectory, SentencePieceFileName)));
        foreach (string file in T5WeightLoader.ResolveWeightFiles(modelDirectory))
        {
            using var stream = File.OpenRead(file);
            var lengthBytes = new byte[8];
            stream.ReadExactly(lengthBytes);
            long headerLength = Math.Clamp(BitConverter.ToInt64(lengthBytes), 0, Math.Max(0, stream.Length - 8));
            var header = new byte[headerLength];
            stream.ReadExactly(header);
            hash.AppendData(Encoding.UTF8.GetBytes($"{Path.GetFileName(file)}:{stream.Length}\n"));
            AddFile("header", header);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    /// <summary>
    /// Writes the encoder as an ONNX model (see <see cref="T5OnnxExport"/>) to <paramref name="path"/> atomically;
    /// <see cref="T5OnnxTextEncoder"/> scores it with this encoder's tokenizer and gives the same embeddings (to ~1e-5).
    /// </summary>
    /// <param name="path">Target ONNX file.</param>
    /// <exception cref="NotSupportedException">The weights do not fit in one ONNX file (over 2 GB).</exception>
    public void ExportOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            T5OnnxExport.Export(_model, path);
        }
    }

    /// <summary>The encoder as ONNX model bytes (see <see cref="T5OnnxExport"/>).</summary>
    /// <returns>The ONNX model.</returns>
    /// <exception cref="NotSupportedException">The weights do not fit in one ONNX file (over 2 GB).</exception>
    public byte[] ExportOnnx()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return T5OnnxExport.Export(_model);
        }
    }

    /// <summary>Releases the encoder's weights.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _disposed = true;
                _model.Dispose();
            }
        }
    }

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
            EncodeChunk(tokenized.AsSpan(start, count), results.AsSpan(start, count));
        }

        return results;
    }

    private static void CheckSegment(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Length == 0 || value.Any(c => c == '/' || char.IsWhiteSpace(c)))
        {
            throw new ArgumentException($"'{value}' must be non-empty without '/' or white space.", paramName);
        }
    }

    private void EncodeChunk(ReadOnlySpan<T5TokenizedCaption> chunk, Span<TextEmbedding> results)
    {
        var batch = T5Batch.Pad(chunk);
        float[] hidden;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var noGrad = torch.no_grad();
            using var scope = NewDisposeScope();
            var idTensor = torch.tensor(batch.Ids, new long[] { batch.Rows, batch.Length }, ScalarType.Int64);
            var maskTensor = torch.tensor(batch.Mask, new long[] { batch.Rows, batch.Length }, ScalarType.Int64);
            var output = _model.forward(idTensor, maskTensor).contiguous();
            hidden = output.data<float>().ToArray();
        }

        batch.ToEmbeddings(chunk, hidden, EmbeddingDim, _maxTokens, results);
    }
}
