using System.Buffers.Binary;
using System.Text;
using CsCheck;

namespace TexTok.ML.Testing;

/// <summary>
/// Seeded mutation of valid files for the readers' fuzz tests, and the contract every mutated input must meet: the
/// reader succeeds, or throws one of its documented exception types with a message that names the file.
/// </summary>
/// <remarks>
/// Inputs come from CsCheck generators driven by one fixed PCG stream per reader, so a run is the same sequence of
/// inputs every time. <c>TEXTOK_FUZZ_SCALE</c> (a positive integer, default 1) multiplies every reader's input count
/// for a longer run; the first inputs of a longer run are those of the CI run.
/// </remarks>
internal static class ReaderFuzz
{
    /// <summary>The environment variable that multiplies every reader's input count.</summary>
    public const string ScaleVariable = "TEXTOK_FUZZ_SCALE";

    /// <summary>Integers that readers misuse as lengths, counts, offsets and sizes.</summary>
    private static readonly long[] Interesting =
    [
        0, 1, -1, 7, 8, 255, 256, 65535, 65536, int.MaxValue, int.MinValue, (long)int.MaxValue + 1, uint.MaxValue,
        1L << 40, 100_000_000_000, long.MaxValue, long.MinValue,
    ];

    /// <summary>The multiplier read from <see cref="ScaleVariable"/>.</summary>
    public static int Scale =>
        int.TryParse(Environment.GetEnvironmentVariable(ScaleVariable), out int scale) && scale > 0 ? scale : 1;

    /// <summary>The number of inputs a reader gets: its CI count times <see cref="Scale"/>.</summary>
    /// <param name="ciCount">The count CI runs.</param>
    public static int Iterations(int ciCount) => ciCount * Scale;

    /// <summary>A generator of byte-level mutations: bit flips, interesting integers, truncation, insertion, deletion and duplication, one to three at a time.</summary>
    public static Gen<Mutation> Mutations { get; } = BuildMutations();

    /// <summary>A generator of values for a JSON field: huge, negative, fractional and wrongly typed.</summary>
    public static Gen<string> JsonValues { get; } = Gen.OneOf<string>(
        "0", "-1", "1", "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "100000000000", "1e300", "1.5", "\"NaN\"", "\"\"", "\"x\"", "null", "true", "[]", "{}",
        "[-1]", "[0]", "[1,2]", "[2147483647,2147483647]", "[100000000000,0]", "[9223372036854775807,9223372036854775807]",
        "[1000000,1000000,1000000]", "[[1]]", "\"F64\"", "\"I8\"", "\"BF16\"", "\"F16\"", "\"F32\"");

    /// <summary>
    /// Runs <paramref name="iterations"/> inputs from <paramref name="gen"/> (one fixed PCG stream) through
    /// <paramref name="check"/>, which applies the contract; returns how many inputs were tried, succeeded and were
    /// refused. The first failing input stops the run with its index and description.
    /// </summary>
    /// <param name="gen">The input generator.</param>
    /// <param name="iterations">How many inputs.</param>
    /// <param name="seed">The PCG seed of this reader's stream.</param>
    /// <param name="check">Reads one input; returns true when the reader accepted it, false when it refused it as documented.</param>
    /// <param name="describe">Describes an input for the failure message.</param>
    public static Tally Run<T>(Gen<T> gen, int iterations, ulong seed, Func<T, bool> check, Func<T, string> describe)
    {
        var pcg = new PCG(1, seed);
        var tally = new Tally();
        for (int i = 0; i < iterations; i++)
        {
            T input = gen.Generate(pcg, null, out _);
            bool accepted;
            try
            {
                accepted = check(input);
            }
            catch (Exception e)
            {
                throw new AssertFailedException($"Fuzz input {i} (seed {seed}): {describe(input)}\n{e.GetType().Name}: {e.Message}", e);
            }

            tally = accepted ? tally with { Tried = tally.Tried + 1, Accepted = tally.Accepted + 1 }
                             : tally with { Tried = tally.Tried + 1, Refused = tally.Refused + 1 };
        }

        return tally;
    }

    /// <summary>
    /// Runs <paramref name="read"/> and applies the contract: success, or an exception whose type is one of
    /// <paramref name="documented"/> (exactly, not a subclass) and whose message contains <paramref name="fileName"/>.
    /// Anything else is rethrown as a failed assertion.
    /// </summary>
    /// <param name="read">The reader call.</param>
    /// <param name="fileName">The name the message must contain.</param>
    /// <param name="documented">The reader's documented exception types.</param>
    /// <returns>True when the reader succeeded, false when it refused the input as documented.</returns>
    public static bool Contract(Action read, string fileName, params Type[] documented)
    {
        try
        {
            read();
            return true;
        }
        catch (Exception e) when (documented.Contains(e.GetType()))
        {
            if (!e.Message.Contains(fileName, StringComparison.Ordinal))
            {
                throw new AssertFailedException($"{e.GetType().Name} does not name '{fileName}': {e.Message}", e);
            }

            return false;
        }
        catch (Exception e) when (e is not AssertFailedException)
        {
            throw new AssertFailedException($"Undocumented {e.GetType().FullName}: {e.Message}\n{e.StackTrace}", e);
        }
    }

    /// <summary>
    /// Asserts that <paramref name="read"/> allocates at most <paramref name="bound"/> managed bytes on this thread
    /// (what a reader that sizes buffers from a header, before checking it against the file, exceeds at once).
    /// </summary>
    /// <param name="read">The reader call, contract included.</param>
    /// <param name="bound">The allowance in bytes.</param>
    /// <param name="what">The input, for the message.</param>
    public static T WithinAllocation<T>(Func<T> read, long bound, string what)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        T result = read();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > bound)
        {
            throw new AssertFailedException($"Reading {what} allocated {allocated} bytes, more than the bound of {bound}.");
        }

        return result;
    }

    /// <summary>Replaces the first occurrence of <paramref name="find"/> in <paramref name="data"/> (as UTF-8) and returns the result.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="find">The text to find.</param>
    /// <param name="replace">Its replacement.</param>
    public static byte[] ReplaceUtf8(byte[] data, string find, string replace)
    {
        byte[] f = Encoding.UTF8.GetBytes(find);
        int at = data.AsSpan().IndexOf(f);
        if (at < 0)
        {
            return data;
        }

        return [.. data.AsSpan(0, at), .. Encoding.UTF8.GetBytes(replace), .. data.AsSpan(at + f.Length)];
    }

    private static Gen<Mutation> BuildMutations()
    {
        var one = Gen.Frequency(
            (4, Gen.Select(Gen.Double[0, 1], Gen.Int[0, 7], (at, bit) => new Step(StepKind.FlipBit, at, bit, 0))),
            (2, Gen.Select(Gen.Double[0, 1], Gen.Byte, (at, b) => new Step(StepKind.SetByte, at, b, 0))),
            (3, Gen.Select(Gen.Double[0, 1], Gen.Int[0, Interesting.Length - 1], Gen.Int[0, 3],
                           (at, v, width) => new Step(StepKind.SetInteger, at, v, width))),
            (2, Gen.Double[0, 1].Select(at => new Step(StepKind.Truncate, at, 0, 0))),
            (1, Gen.Select(Gen.Double[0, 1], Gen.Int[1, 64], Gen.Int[0, 255], (at, n, b) => new Step(StepKind.Insert, at, n, b))),
            (1, Gen.Select(Gen.Double[0, 1], Gen.Int[1, 64], (at, n) => new Step(StepKind.Delete, at, n, 0))),
            (1, Gen.Select(Gen.Double[0, 1], Gen.Int[1, 256], (at, n) => new Step(StepKind.Duplicate, at, n, 0))));
        return one.Array[1, 3].Select(steps => new Mutation(steps));
    }

    /// <summary>What a fuzz run saw.</summary>
    /// <param name="Tried">Inputs read.</param>
    /// <param name="Accepted">Inputs the reader accepted.</param>
    /// <param name="Refused">Inputs the reader refused with a documented exception naming the file.</param>
    public sealed record Tally(int Tried = 0, int Accepted = 0, int Refused = 0)
    {
        /// <inheritdoc/>
        public override string ToString() => $"{Tried} inputs: {Accepted} accepted, {Refused} refused as documented";
    }

    /// <summary>The kinds of byte-level change.</summary>
    public enum StepKind
    {
        /// <summary>Flip one bit.</summary>
        FlipBit,

        /// <summary>Overwrite one byte.</summary>
        SetByte,

        /// <summary>Overwrite 1, 2, 4 or 8 bytes with an interesting integer, little- or big-endian.</summary>
        SetInteger,

        /// <summary>Cut the file short.</summary>
        Truncate,

        /// <summary>Insert a run of one byte value.</summary>
        Insert,

        /// <summary>Delete a run of bytes.</summary>
        Delete,

        /// <summary>Repeat a run of bytes in place.</summary>
        Duplicate,
    }

    /// <summary>One change at a relative position (0 the start, 1 the end) with two parameters.</summary>
    /// <param name="Kind">The change.</param>
    /// <param name="At">Relative position.</param>
    /// <param name="A">First parameter (bit, byte, interesting-value index or run length).</param>
    /// <param name="B">Second parameter (integer width code or inserted byte).</param>
    public readonly record struct Step(StepKind Kind, double At, int A, int B)
    {
        /// <summary>Applies the change to <paramref name="data"/>.</summary>
        /// <param name="data">The bytes.</param>
        public byte[] Apply(byte[] data)
        {
            int at = (int)Math.Min(data.Length, Math.Floor(At * (data.Length + 1)));
            switch (Kind)
            {
                case StepKind.FlipBit when data.Length > 0:
                {
                    byte[] copy = [.. data];
                    copy[Math.Min(at, data.Length - 1)] ^= (byte)(1 << A);
                    return copy;
                }

                case StepKind.SetByte when data.Length > 0:
                {
                    byte[] copy = [.. data];
                    copy[Math.Min(at, data.Length - 1)] = (byte)A;
                    return copy;
                }

                case StepKind.SetInteger:
                {
                    int width = 1 << B; // 1, 2, 4 or 8 bytes
                    if (data.Length < width)
                    {
                        return data;
                    }

                    byte[] copy = [.. data];
                    int start = Math.Min(at, data.Length - width);
                    long value = Interesting[A];
                    Span<byte> target = copy.AsSpan(start, width);
                    bool bigEndian = (A & 1) == 1;
                    switch (width)
                    {
                        case 1: target[0] = (byte)value; break;
                        case 2: if (bigEndian) { BinaryPrimitives.WriteInt16BigEndian(target, (short)value); } else { BinaryPrimitives.WriteInt16LittleEndian(target, (short)value); } break;
                        case 4: if (bigEndian) { BinaryPrimitives.WriteInt32BigEndian(target, (int)value); } else { BinaryPrimitives.WriteInt32LittleEndian(target, (int)value); } break;
                        default: if (bigEndian) { BinaryPrimitives.WriteInt64BigEndian(target, value); } else { BinaryPrimitives.WriteInt64LittleEndian(target, value); } break;
                    }

                    return copy;
                }

                case StepKind.Truncate:
                    return data[..at];
                case StepKind.Insert:
                    return [.. data.AsSpan(0, at), .. Enumerable.Repeat((byte)B, A), .. data.AsSpan(at)];
                case StepKind.Delete:
                    return [.. data.AsSpan(0, at), .. data.AsSpan(Math.Min(data.Length, at + A))];
                case StepKind.Duplicate:
                {
                    int end = Math.Min(data.Length, at + A);
                    return [.. data.AsSpan(0, end), .. data.AsSpan(at, end - at), .. data.AsSpan(end)];
                }

                default:
                    return data;
            }
        }

        /// <inheritdoc/>
        public override string ToString() => $"{Kind}@{At:F4}({A},{B})";
    }

    /// <summary>A sequence of byte-level changes.</summary>
    /// <param name="Steps">The changes, applied in order.</param>
    public sealed record Mutation(Step[] Steps)
    {
        /// <summary>Applies every step to a copy of <paramref name="data"/>.</summary>
        /// <param name="data">The valid file's bytes.</param>
        public byte[] Apply(byte[] data) => Steps.Aggregate(data, (d, s) => s.Apply(d));

        /// <inheritdoc/>
        public override string ToString() => string.Join(" ", Steps);
    }
}
