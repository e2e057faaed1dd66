using TorchSharp;
using static TorchSharp.torch;

namespace TexTok.ML.Torch;

/// <summary>
/// Tensor arithmetic that keeps every <see cref="Scalar"/> alive for the whole native call.
/// </summary>
/// <remarks>
/// TorchSharp turns numbers into <see cref="Scalar"/> objects (and adds an implicit <c>alpha = 1</c> Scalar to
/// every <c>Tensor + Tensor</c>). Those objects hold a native pointer and free it in a finalizer; once the pointer
/// has been read, nothing keeps the object alive, so a garbage collection started by another thread during the
/// native call can free the Scalar while libtorch is still reading it. The symptom is rare, sporadic NaN weights or a
/// "toFloat" error from libtorch under allocation pressure. Every number-to-tensor operation in this library goes
/// through these helpers, which create the Scalar in a <c>using</c> (alive until the call returns) or use a static one.
/// </remarks>
public static class TensorArithmetic
{
    // Static: rooted for the life of the process, never finalized.
    private static readonly Scalar One = 1.0.ToScalar();

    /// <summary><paramref name="a"/> + <paramref name="b"/>.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand (broadcast).</param>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary><paramref name="a"/> + <paramref name="b"/>.</summary>
    /// <param name="a">Tensor.</param>
    /// <param name="b">Number.</param>
    public static Tensor Plus(this Tensor a, double b)
    {
        using var s = b.ToScalar();
        return a.add(s, One);
    }

    /// <summary><paramref name="a"/> − <paramref name="b"/>.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand (broadcast).</param>
    public static Tensor Minus(this Tensor a, Tensor b) => a.sub(b);

    /// <summary><paramref name="a"/> − <paramref name="b"/>.</summary>
    /// <param name="a">Tensor.</param>
    /// <param name="b">Number.</param>
    public static Tensor Minus(this Tensor a, double b)
    {
        using var s = b.ToScalar();
        return a.sub(s);
    }

    /// <summary><paramref name="b"/> − <paramref name="a"/>.</summary>
    /// <param name="a">Tensor.</param>
    /// <param name="b">Number.</param>
    public static Tensor SubtractedFrom(this Tensor a, double b)
    {
        using var s = b.ToScalar();
        using var negated = a.neg();
        return negated.add(s, One);
    }

    /// <summary><paramref name="a"/> · <paramref name="b"/>.</summary>
    /// <param name="a">Tensor.</param>
    /// <param name="b">Number.</param>
    public static Tensor Times(this Tensor a, double b)
    {
        using var s = b.ToScalar();
        return a.mul(s);
    }

    /// <summary><paramref name="a"/> / <paramref name="b"/>.</summary>
    /// <param name="a">Tensor.</param>
    /// <param name="b">Number.</param>
    public static Tensor DividedBy(this Tensor a, double b)
    {
        using var s = b.ToScalar();
        return a.div(s);
    }

    /// <summary>Element-wise square, <paramref name="a"/> · <paramref name="a"/> (TorchSharp's own square goes through a Scalar).</summary>
    /// <param name="a">Tensor.</param>
    public static Tensor Squared(this Tensor a) => a.mul(a);

    /// <summary>Element-wise power.</summary>
    /// <param name="a">Tensor.</param>
    /// <param name="exponent">Exponent.</param>
    public static Tensor Power(this Tensor a, double exponent)
    {
        using var s = exponent.ToScalar();
        return a.pow(s);
    }

    /// <summary>Clamps to [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <param name="a">Tensor.</param>
    /// <param name="min">Lower bound.</param>
    /// <param name="max">Upper bound.</param>
    public static Tensor ClampTo(this Tensor a, double min, double max)
    {
        using var lo = min.ToScalar();
        using var hi = max.ToScalar();
        return a.clamp(lo, hi);
    }

    /// <summary>Leaky ReLU with slope <paramref name="negativeSlope"/> for negative inputs.</summary>
    /// <param name="a">Tensor.</param>
    /// <param name="negativeSlope">Slope below zero.</param>
    public static Tensor LeakyRelu(this Tensor a, double negativeSlope)
    {
        using var s = negativeSlope.ToScalar();
        return a.leaky_relu(s);
    }

    /// <summary>Boolean mask of elements greater than <paramref name="b"/>.</summary>
    /// <param name="a">Tensor.</param>
    /// <param name="b">Threshold.</param>
    public static Tensor GreaterThan(this Tensor a, double b)
    {
        using var s = b.ToScalar();
        return a.gt(s);
    }

    /// <summary>Fills <paramref name="a"/> with <paramref name="value"/> in place and returns it.</summary>
    /// <param name="a">Tensor.</param>
    /// <param name="value">Value.</param>
    public static Tensor FillWith(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.fill_(s);
    }

    /// <summary>In place: <paramref name="a"/> ← <paramref name="a"/> + <paramref name="weight"/> · (<paramref name="end"/> − <paramref name="a"/>).</summary>
    /// <param name="a">Tensor updated in place.</param>
    /// <param name="end">Target.</param>
    /// <param name="weight">Interpolation weight.</param>
    public static Tensor LerpInPlace(this Tensor a, Tensor end, double weight)
    {
        // TorchSharp's lerp_ takes the weight as a tensor; an implicit double→Tensor conversion would leave an
        // unrooted temporary, so the weight tensor is created and disposed here.
        using var w = torch.tensor(weight, dtype: a.dtype, device: a.device);
        return a.lerp_(end, w);
    }

    /// <summary>In place: <paramref name="a"/> ← <paramref name="a"/> · <paramref name="factor"/>.</summary>
    /// <param name="a">Tensor updated in place.</param>
    /// <param name="factor">Factor.</param>
    public static Tensor ScaleInPlace(this Tensor a, double factor)
    {
        using var s = factor.ToScalar();
        return a.mul_(s);
    }

    /// <summary>In place: <paramref name="a"/> ← <paramref name="a"/> + <paramref name="alpha"/> · <paramref name="b"/>.</summary>
    /// <param name="a">Tensor updated in place.</param>
    /// <param name="b">Addend.</param>
    /// <param name="alpha">Scale of the addend.</param>
    public static Tensor AddInPlace(this Tensor a, Tensor b, double alpha)
    {
        using var s = alpha.ToScalar();
        return a.add_(b, s);
    }

    /// <summary>In place: <paramref name="a"/> ← <paramref name="a"/> + <paramref name="value"/>.</summary>
    /// <param name="a">Tensor updated in place.</param>
    /// <param name="value">Number to add.</param>
    public static Tensor AddInPlace(this Tensor a, double value)
    {
        using var s = value.ToScalar();
        return a.add_(s, One);
    }

    /// <summary>In place: <paramref name="a"/> ← <paramref name="a"/> + <paramref name="value"/> · <paramref name="t1"/> · <paramref name="t2"/>.</summary>
    /// <param name="a">Tensor updated in place.</param>
    /// <param name="t1">First factor.</param>
    /// <param name="t2">Second factor.</param>
    /// <param name="value">Scale.</param>
    public static Tensor AddProductInPlace(this Tensor a, Tensor t1, Tensor t2, double value)
    {
        using var s = value.ToScalar();
        return a.addcmul_(t1, t2, s);
    }

    /// <summary>In place: <paramref name="a"/> ← <paramref name="a"/> + <paramref name="value"/> · <paramref name="t1"/> / <paramref name="t2"/>.</summary>
    /// <param name="a">Tensor updated in place.</param>
    /// <param name="t1">Numerator.</param>
    /// <param name="t2">Denominator.</param>
    /// <param name="value">Scale.</param>
    public static Tensor AddQuotientInPlace(this Tensor a, Tensor t1, Tensor t2, double value)
    {
        using var s = value.ToScalar();
        return a.addcdiv_(t1, t2, s);
    }
}
