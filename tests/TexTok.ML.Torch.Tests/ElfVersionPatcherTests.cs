using TexTok.ML.Build;

namespace TexTok.ML.Torch.Tests;

[TestClass]
public sealed class ElfVersionPatcherTests
{
    private static string PackageShim()
    {
        string home = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                      ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(home, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(path))
        {
            Assert.Inconclusive($"Unpatched package copy not found at {path}.");
        }

        return path;
    }

    [TestMethod]
    public void PatchMakesTheVersionWeakAddsTheDependencyAndIsIdempotent()
    {
        byte[] original = File.ReadAllBytes(PackageShim());
        byte[] image = (byte[])original.Clone();

        Assert.AreEqual(ElfPatchOutcome.Patched, ElfVersionPatcher.Patch(image, ElfVersionPatcher.CompatLibraryName));
        Assert.AreEqual(original.Length, image.Length);
        int changed = original.Zip(image).Count(p => p.First != p.Second);
        Assert.IsTrue(changed > 0 && changed < 200, $"{changed} bytes changed");

        byte[] again = (byte[])image.Clone();
        Assert.AreEqual(ElfPatchOutcome.AlreadyPatched, ElfVersionPatcher.Patch(again, ElfVersionPatcher.CompatLibraryName));
        CollectionAssert.AreEqual(image, again);
    }

    [TestMethod]
    public void ANameThatDoesNotFitInTheRunPathIsRefusedWithoutChanges()
    {
        byte[] original = File.ReadAllBytes(PackageShim());
        byte[] image = (byte[])original.Clone();
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionPatcher.Patch(image, new string('x', 400) + ".so"));
        StringAssert.Contains(error.Message, "no room");
        CollectionAssert.AreEqual(original, image);
    }

    [TestMethod]
    public void NonElfInputIsRejected()
    {
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionPatcher.Patch(new byte[100], "x.so"));
        StringAssert.Contains(error.Message, "ELF");
    }

    [TestMethod]
    public void VersionDetectionFindsTheExactVersionString()
    {
        var text = System.Text.Encoding.ASCII.GetBytes("GLIBCXX_3.4.30\0GLIBCXX_3.4.31\0");
        Assert.IsFalse(ElfVersionPatcher.DefinesMissingVersion(text));
        Assert.IsTrue(ElfVersionPatcher.DefinesMissingVersion(System.Text.Encoding.ASCII.GetBytes("xxGLIBCXX_3.4.32\0")));
    }
}
