namespace TexTok.ML.Data;

/// <summary>Settings of the <see cref="CaptionedShapes"/> dataset; each value is checked when it is set.</summary>
public sealed class CaptionedShapesOptions
{
    /// <summary>The smallest allowed <see cref="ImageSize"/>.</summary>
    public const int MinImageSize = 32;

    /// <summary>The largest allowed <see cref="ImageSize"/>.</summary>
    public const int MaxImageSize = 256;

    private readonly int _imageSize = 64;
    private readonly int _maxShapes = 3;
    private readonly double _wordProbability = 0.3;

    /// <summary>The side length in pixels of the square images, from 32 to 256; 64 by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 32..256.</exception>
    public int ImageSize
    {
        get => _imageSize;
        init
        {
            if (value is < MinImageSize or > MaxImageSize)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(ImageSize), value, $"{nameof(ImageSize)} must be between {MinImageSize} and {MaxImageSize} pixels.");
            }

            _imageSize = value;
        }
    }

    /// <summary>The seed of the scene streams; any value is allowed, 0 by default.</summary>
    public int Seed { get; init; }

    /// <summary>The most shapes in one image, from 1 to 3; 3 by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 1..3.</exception>
    public int MaxShapes
    {
        get => _maxShapes;
        init
        {
            if (value is < 1 or > 3)
            {
                throw new ArgumentOutOfRangeException(nameof(MaxShapes), value, $"{nameof(MaxShapes)} must be 1, 2 or 3.");
            }

            _maxShapes = value;
        }
    }

    /// <summary>The probability that an image carries a word, from 0 to 1; 0.3 by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [0, 1] or is NaN.</exception>
    public double WordProbability
    {
        get => _wordProbability;
        init
        {
            if (!(value is >= 0.0 and <= 1.0))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(WordProbability), value, $"{nameof(WordProbability)} must be between 0 and 1.");
            }

            _wordProbability = value;
        }
    }
}
