using Microsoft.ML.Tokenizers;
using TexTok.ML.Text;

namespace TexTok.ML.T5;

/// <summary>
/// T5's tokenizer: the SentencePiece Unigram model of a T5 checkpoint (<c>spiece.model</c>), read by
/// Microsoft.ML.Tokenizers, with T5's conventions: no beginning-of-sentence token, EOS (id 1) appended, padding id 0.
/// </summary>
/// <remarks>
/// Truncation to Nt tokens keeps the first Nt − 1 SentencePiece ids and EOS as the last token, as Hugging Face's T5
/// tokenizer does; it is reported by <see cref="T5TokenizedCaption.Truncated"/> and by <see cref="CaptionTruncated"/>.
/// Instances are immutable apart from event subscriptions and safe to use from several threads.
/// </remarks>
public sealed class T5Tokenizer
{
    /// <summary>T5's padding id.</summary>
    public const int PadId = 0;

    /// <summary>T5's end-of-sequence id, the id of <c>&lt;/s&gt;</c>.</summary>
    public const int EosId = 1;

    private readonly SentencePieceTokenizer _tokenizer;
    private readonly int _pieceCount;

    /// <summary>Reads a SentencePiece model from a stream.</summary>
    /// <param name="modelProto">The serialized <c>ModelProto</c> (the content of <c>spiece.model</c>); read to its end, not disposed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="modelProto"/> is null.</exception>
    /// <exception cref="InvalidDataException">The stream is not a SentencePiece model with T5's special ids.</exception>
    public T5Tokenizer(Stream modelProto)
    {
        ArgumentNullException.ThrowIfNull(modelProto);
        var buffer = new MemoryStream();
        modelProto.CopyTo(buffer);
        byte[] prepared = SentencePieceModelProto.Prepare(buffer.ToArray(), out _pieceCount);
        try
        {
            _tokenizer = SentencePieceTokenizer.Create(new MemoryStream(prepared), addBeginningOfSentence: false, addEndOfSentence: false);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not InvalidDataException)
        {
            throw new InvalidDataException($"The stream is not a SentencePiece model ({e.Message}).", e);
        }

        if (_tokenizer.EndOfSentenceId != EosId)
        {
            throw new InvalidDataException(
                $"The SentencePiece model's end-of-sentence id is {_tokenizer.EndOfSentenceId}; T5 models use {EosId}.");
        }
    }

    /// <summary>
    /// Raised, on the tokenizing thread, each time <see cref="Tokenize"/> truncates a caption.
    /// </summary>
    public event EventHandler<CaptionTruncatedEventArgs>? CaptionTruncated;

    /// <summary>The number of pieces in the SentencePiece model (T5 checkpoints pad their embedding to more rows).</summary>
    public int VocabularySize => _pieceCount;

    /// <summary>The id of the unknown piece.</summary>
    public int UnknownId => _tokenizer.UnknownId;

    /// <summary>Reads a SentencePiece model file.</summary>
    /// <param name="path">The <c>spiece.model</c> file.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a SentencePiece model with T5's special ids; the message names it.</exception>
    public static T5Tokenizer FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"SentencePiece model '{path}' does not exist.", path);
        }

        using var stream = File.OpenRead(path);
        try
        {
            return new T5Tokenizer(stream);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}': {e.Message}", e);
        }
    }

    /// <summary>The SentencePiece ids of <paramref name="text"/>, without EOS and without truncation.</summary>
    /// <param name="text">Any text.</param>
    /// <returns>The ids.</returns>
    public IReadOnlyList<int> EncodeToIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false);
    }

    /// <summary>Tokenizes a caption the T5 way: SentencePiece ids then EOS, at most <paramref name="maxTokens"/> ids with EOS last.</summary>
    /// <param name="caption">The caption.</param>
    /// <param name="maxTokens">Nt, at least 1 (room for EOS).</param>
    /// <returns>The kept ids and the count before truncation.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is less than 1.</exception>
    public T5TokenizedCaption Tokenize(string caption, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(caption);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        IReadOnlyList<int> pieces = EncodeToIds(caption);
        int original = pieces.Count + 1;
        int kept = Math.Min(pieces.Count, maxTokens - 1);
        var ids = new int[kept + 1];
        for (int i = 0; i < kept; i++)
        {
            ids[i] = pieces[i];
        }

        ids[kept] = EosId;
        var result = new T5TokenizedCaption(ids, original);
        if (result.Truncated)
        {
            CaptionTruncated?.Invoke(this, new CaptionTruncatedEventArgs(caption, original, ids.Length));
        }

        return result;
    }

    /// <summary>Turns ids back into text, skipping padding and EOS; T5's ids past the SentencePiece vocabulary are skipped too.</summary>
    /// <param name="ids">Token ids.</param>
    /// <returns>The text.</returns>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        int size = VocabularySize;
        return _tokenizer.Decode(ids.Where(id => id != PadId && id != EosId && id >= 0 && id < size), considerSpecialTokens: false);
    }
}
