using TexTok.ML.Core;

namespace TexTok.ML.Text.Tests;

[TestClass]
public sealed class PortableMathTests
{
    [TestMethod]
    public void Log_AgreesWithPlatform()
    {
        var random = new Random(1);
        for (int i = 0; i < 20000; i++)
        {
            double x = i == 0 ? Math.Pow(2, -53) : i == 1 ? 1.0 : random.NextDouble() * Math.Pow(10, random.Next(-15, 5));
            if (x == 0)
            {
                continue;
            }

            Assert.AreEqual(Math.Log(x), PortableMath.Log(x), 4e-16 * Math.Max(1, Math.Abs(Math.Log(x))), $"x = {x:R}");
        }
    }

    [TestMethod]
    public void Exp_AgreesWithPlatform()
    {
        for (double x = -12; x <= 1; x += 0.0137)
        {
            Assert.AreEqual(Math.Exp(x), PortableMath.Exp(x), 4e-16 * Math.Exp(x), $"x = {x:R}");
        }

        Assert.AreEqual(1.0, PortableMath.Exp(0));
    }

    [TestMethod]
    public void SinCos_AgreesWithPlatform()
    {
        var random = new Random(2);
        for (int i = 0; i < 20000; i++)
        {
            double x = (random.NextDouble() - 0.1) * (i % 2 == 0 ? 2 * Math.PI : 1024);
            (double sin, double cos) = PortableMath.SinCos(x);

            Assert.AreEqual(Math.Sin(x), sin, 1e-15, $"sin {x:R}");
            Assert.AreEqual(Math.Cos(x), cos, 1e-15, $"cos {x:R}");
        }
    }
}
