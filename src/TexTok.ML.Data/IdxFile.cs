using System.Buffers.Binary;
using System.IO.Compression;

namespace TexTok.ML.Data;

/// <summary>
/// Reads gzip-compressed IDX files of unsigned bytes (the MNIST family's format): a big-endian header of magic
/// number and dimension sizes followed by the raw values.
/// </summary>
internal static class IdxFile
{
    private const int UnsignedByteType = 0x08;

    /// <summary>Reads a file of <paramref name="dimensions"/> dimensions and checks that its size matches its header.</summary>
    /// <returns>The dimension sizes and the values, row-major.</returns>
    /// <exception cref="InvalidDataException">The file is not gzip, has the wrong magic number or the wrong length.</exception>
    public static (int[] Sizes, byte[] Values) Read(string path, int dimensions)
    {
        byte[] content = Decompress(path);
        int headerLength = 4 + (4 * dimensions);
        if (content.Length < headerLength)
        {
            throw Malformed(path, $"it holds {content.Length} bytes, fewer than its {headerLength}-byte header");
        }

        int magic = BinaryPrimitives.ReadInt32BigEndian(content);
        int expectedMagic = (UnsignedByteType << 8) | dimensions;
        if (magic != expectedMagic)
        {
            throw Malformed(path, $"its magic number is 0x{magic:X8}, expected 0x{expectedMagic:X8} (unsigned bytes, {dimensions} dimension(s))");
        }

        var sizes = new int[dimensions];
        long total = 1;
        for (int d = 0; d < dimensions; d++)
        {
            sizes[d] = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(4 + (4 * d)));
            if (sizes[d] < 0)
            {
                throw Malformed(path, $"dimension {d} has negative size {sizes[d]}");
            }

            total *= sizes[d];
        }

        if (content.Length - headerLength != total)
        {
            throw Malformed(path, $"its header announces {total} values ({string.Join("x", sizes)}) but {content.Length - headerLength} follow");
        }

        return (sizes, content[headerLength..]);
    }

    /// <summary>An error for a file whose content is unusable.</summary>
    public static InvalidDataException Malformed(string path, string reason, Exception? inner = null)
        => new($"The IDX file '{path}' is malformed: {reason}.", inner);

    private static byte[] Decompress(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var buffer = new MemoryStream();
            gzip.CopyTo(buffer);
            return buffer.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw Malformed(path, $"it is not valid gzip data ({e.Message})", e);
        }
        catch (EndOfStreamException e)
        {
            throw Malformed(path, "its gzip data ends early", e);
        }
    }
}
