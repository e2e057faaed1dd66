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

    /// <summary>The most values one file may hold: the largest byte array, less room for the header.</summary>
    public const long MaxValues = 2_000_000_000;

    /// <summary>
    /// Reads a file of <paramref name="dimensions"/> dimensions and checks that its size matches its header. The
    /// header is read first; at most the number of values it announces (plus one byte, to detect a longer file) is
    /// decompressed, so a small file that inflates to gigabytes, or whose header claims more values than an array can
    /// hold, is refused without reading it all.
    /// </summary>
    /// <returns>The dimension sizes and the values, row-major.</returns>
    /// <exception cref="InvalidDataException">The file is not gzip, has the wrong magic number or the wrong length; the message names it.</exception>
    public static (int[] Sizes, byte[] Values) Read(string path, int dimensions)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            int headerLength = 4 + (4 * dimensions);
            var header = new byte[headerLength];
            int headerRead = gzip.ReadAtLeast(header, headerLength, throwOnEndOfStream: false);
            if (headerRead < headerLength)
            {
                throw Malformed(path, $"it holds {headerRead} bytes, fewer than its {headerLength}-byte header");
            }

            int magic = BinaryPrimitives.ReadInt32BigEndian(header);
            int expectedMagic = (UnsignedByteType << 8) | dimensions;
            if (magic != expectedMagic)
            {
                throw Malformed(path, $"its magic number is 0x{magic:X8}, expected 0x{expectedMagic:X8} (unsigned bytes, {dimensions} dimension(s))");
            }

            var sizes = new int[dimensions];
            long total = 1;
            for (int d = 0; d < dimensions; d++)
            {
                sizes[d] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 + (4 * d)));
                if (sizes[d] < 0)
                {
                    throw Malformed(path, $"dimension {d} has negative size {sizes[d]}");
                }

                // Saturates instead of overflowing: three sizes of 2^31 would otherwise wrap to a small product.
                total = total > MaxValues ? total : total * sizes[d];
            }

            if (total > MaxValues)
            {
                throw Malformed(path, $"its header announces {string.Join("x", sizes)} values, more than the {MaxValues} one file may hold");
            }

            // One byte more than announced is enough to tell a longer file from an exact one.
            using var values = new MemoryStream();
            CopyAtMost(gzip, values, total + 1);
            if (values.Length != total)
            {
                string follow = values.Length > total ? $"more than {total}" : values.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
                throw Malformed(path, $"its header announces {total} values ({string.Join("x", sizes)}) but {follow} follow");
            }

            return (sizes, values.ToArray());
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(MessageStart(path), StringComparison.Ordinal))
        {
            throw Malformed(path, $"it is not valid gzip data ({e.Message})", e);
        }
        catch (EndOfStreamException e)
        {
            throw Malformed(path, "its gzip data ends early", e);
        }
    }

    /// <summary>An error for a file whose content is unusable.</summary>
    public static InvalidDataException Malformed(string path, string reason, Exception? inner = null)
        => new($"{MessageStart(path)}: {reason}.", inner);

    private static string MessageStart(string path) => $"The IDX file '{path}' is malformed";

    private static void CopyAtMost(Stream source, Stream destination, long limit)
    {
        var buffer = new byte[81920];
        long left = limit;
        while (left > 0)
        {
            int read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0)
            {
                return;
            }

            destination.Write(buffer, 0, read);
            left -= read;
        }
    }
}
