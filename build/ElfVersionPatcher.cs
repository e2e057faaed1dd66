// Makes TorchSharp's native shim (libLibTorchSharp.so) load on systems whose libstdc++ predates GLIBCXX_3.4.32.
// The shim needs exactly one symbol of that version, std::ios_base_library_init(); a tiny compatibility library
// (glibcxx_compat_shim.cpp) provides it. This file patches a copy of the shim's ELF image so that:
//   1. the GLIBCXX_3.4.32 version requirement becomes weak (a missing weak version is not fatal to the loader),
//   2. the symbols bound to that version are bound to no version, so the compatibility library can satisfy them,
//   3. the compatibility library is a DT_NEEDED dependency, found through the shim's own $ORIGIN run path.
// Nothing is inserted or moved: the dependency takes a spare DT_NULL slot of the dynamic section and its name takes
// the tail of the run path string, which is cut down to its "$ORIGIN" entry (the other entries are paths of the
// machine that built TorchSharp). Every precondition is checked, and the file is left alone when one fails.
// The same source is compiled by the MSBuild task below and, with TEXTOK_ELF_PATCHER_NO_MSBUILD defined, by tests.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace TexTok.ML.Build
{
    /// <summary>Outcome of <see cref="ElfVersionPatcher.Patch"/>.</summary>
    public enum ElfPatchOutcome
    {
        /// <summary>The image required the missing version and was patched in place.</summary>
        Patched,
        /// <summary>The image had been patched before; nothing changed.</summary>
        AlreadyPatched,
        /// <summary>The image does not require the version; nothing changed.</summary>
        NotNeeded,
    }

    /// <summary>Patches a 64-bit little-endian ELF shared object so that one symbol version becomes optional.</summary>
    public static class ElfVersionPatcher
    {
        /// <summary>The version that Debian 12's libstdc++ lacks.</summary>
        public const string MissingVersion = "GLIBCXX_3.4.32";

        /// <summary>File name of the compatibility library that sits next to each patched file.</summary>
        public const string CompatLibraryName = "libtextok_glibcxx_compat.so";

        /// <summary>The only symbol of that version the compatibility library provides.</summary>
        public const string ProvidedSymbol = "_ZSt21ios_base_library_initv";

        private const uint ShtDynamic = 6;
        private const uint ShtDynsym = 11;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtGnuVersym = 0x6fffffff;
        private const long DtNull = 0;
        private const long DtNeeded = 1;
        private const long DtSoname = 14;
        private const long DtRpath = 15;
        private const long DtRunpath = 29;
        private const ushort VerFlagWeak = 0x2;
        private const ushort VersymGlobal = 1;

        /// <summary>
        /// Patches <paramref name="image"/> in memory so that it loads without <see cref="MissingVersion"/> once
        /// <paramref name="compatLibraryName"/> sits next to it.
        /// </summary>
        /// <exception cref="InvalidDataException">The image is not an ELF file this patcher understands, or one of
        /// the preconditions (a spare dynamic slot, an $ORIGIN run path with room for the name) does not hold.</exception>
        public static ElfPatchOutcome Patch(byte[] image, string compatLibraryName)
        {
            var elf = new ElfImage(image);
            if (elf.FindNeeded(compatLibraryName) >= 0)
            {
                return ElfPatchOutcome.AlreadyPatched;
            }

            var aux = elf.FindVersionAux(MissingVersion);
            if (aux < 0)
            {
                return ElfPatchOutcome.NotNeeded;
            }

            int versionIndex = elf.U16(aux + 6);
            var unbound = elf.SymbolsWithVersion(versionIndex);
            foreach (var (_, name, defined) in unbound)
            {
                if (defined || name != ProvidedSymbol)
                {
                    throw new InvalidDataException(
                        $"Symbol '{name}' needs {MissingVersion}, which the compatibility library does not provide.");
                }
            }

            int nullSlot = elf.FindSpareDynamicSlot();
            long nameOffset = elf.CarveNameFromRunPath(compatLibraryName);

            elf.W16(aux + 4, (ushort)(elf.U16(aux + 4) | VerFlagWeak));
            foreach (var (symbolIndex, _, _) in unbound)
            {
                elf.SetVersym(symbolIndex, VersymGlobal);
            }

            elf.SetDynamic(nullSlot, DtNeeded, nameOffset);
            return ElfPatchOutcome.Patched;
        }

        /// <summary>Whether <paramref name="libstdcxx"/> (a libstdc++ image) already defines <see cref="MissingVersion"/>.</summary>
        public static bool DefinesMissingVersion(byte[] libstdcxx)
        {
            var needle = Encoding.ASCII.GetBytes(MissingVersion + "\0");
            for (int i = 0; i + needle.Length <= libstdcxx.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && libstdcxx[i + j] == needle[j])
                {
                    j++;
                }

                if (j == needle.Length)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Whether the system's libstdc++ (looked up in the usual library folders) defines <see cref="MissingVersion"/>.</summary>
        public static bool SystemLibstdcxxDefinesMissingVersion()
        {
            string[] candidates =
            {
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
            };
            foreach (var path in candidates)
            {
                if (File.Exists(path))
                {
                    return DefinesMissingVersion(File.ReadAllBytes(path));
                }
            }

            return false;
        }

        private sealed class ElfImage
        {
            private readonly byte[] _b;
            private readonly long _dynsymOffset;
            private readonly long _dynsymCount;
            private readonly long _dynstrOffset;
            private readonly long _dynstrSize;
            private readonly long _versymOffset;
            private readonly long _verneedOffset;
            private readonly long _dynamicOffset;
            private readonly long _dynamicCount;

            public ElfImage(byte[] bytes)
            {
                _b = bytes;
                if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
                {
                    throw new InvalidDataException("Not an ELF file.");
                }

                if (bytes[4] != 2 || bytes[5] != 1)
                {
                    throw new InvalidDataException("Only 64-bit little-endian ELF files are supported.");
                }

                long shoff = (long)U64(0x28);
                int shentsize = U16(0x3A);
                int shnum = U16(0x3C);
                long dynsym = -1, versym = -1, verneed = -1, dynamic = -1;
                for (int i = 0; i < shnum; i++)
                {
                    long h = shoff + (long)i * shentsize;
                    switch (U32(h + 4))
                    {
                        case ShtDynsym: dynsym = h; break;
                        case ShtGnuVersym: versym = h; break;
                        case ShtGnuVerneed: verneed = h; break;
                        case ShtDynamic: dynamic = h; break;
                    }
                }

                if (dynsym < 0 || dynamic < 0)
                {
                    throw new InvalidDataException("The ELF file has no dynamic symbol table.");
                }

                _dynsymOffset = (long)U64(dynsym + 24);
                _dynsymCount = (long)U64(dynsym + 32) / 24;
                long strHeader = shoff + (long)U32(dynsym + 40) * shentsize;
                _dynstrOffset = (long)U64(strHeader + 24);
                _dynstrSize = (long)U64(strHeader + 32);
                _versymOffset = versym < 0 ? -1 : (long)U64(versym + 24);
                _verneedOffset = verneed < 0 ? -1 : (long)U64(verneed + 24);
                _dynamicOffset = (long)U64(dynamic + 24);
                _dynamicCount = (long)U64(dynamic + 32) / 16;
            }

            public ushort U16(long at) => BitConverter.ToUInt16(_b, checked((int)at));

            public uint U32(long at) => BitConverter.ToUInt32(_b, checked((int)at));

            public ulong U64(long at) => BitConverter.ToUInt64(_b, checked((int)at));

            public void W16(long at, ushort v) => BitConverter.GetBytes(v).CopyTo(_b, at);

            public void SetVersym(long symbol, ushort v) => W16(_versymOffset + symbol * 2, v);

            public void SetDynamic(int slot, long tag, long value)
            {
                long at = _dynamicOffset + slot * 16L;
                BitConverter.GetBytes(tag).CopyTo(_b, at);
                BitConverter.GetBytes(value).CopyTo(_b, at + 8);
            }

            public string Str(long offset)
            {
                long start = _dynstrOffset + offset;
                long end = start;
                while (_b[end] != 0)
                {
                    end++;
                }

                return Encoding.ASCII.GetString(_b, (int)start, (int)(end - start));
            }

            public IEnumerable<(long Tag, long Value, int Slot)> Dynamic()
            {
                for (int i = 0; i < _dynamicCount; i++)
                {
                    long at = _dynamicOffset + i * 16L;
                    long tag = (long)U64(at);
                    yield return (tag, (long)U64(at + 8), i);
                    if (tag == DtNull)
                    {
                        yield break;
                    }
                }
            }

            public int FindNeeded(string name)
            {
                foreach (var (tag, value, slot) in Dynamic())
                {
                    if (tag == DtNeeded && Str(value) == name)
                    {
                        return slot;
                    }
                }

                return -1;
            }

            public long FindVersionAux(string version)
            {
                if (_verneedOffset < 0)
                {
                    return -1;
                }

                long need = _verneedOffset;
                while (true)
                {
                    long aux = need + U32(need + 8);
                    for (int i = 0; i < U16(need + 2); i++)
                    {
                        if (Str(U32(aux + 8)) == version)
                        {
                            return aux;
                        }

                        aux += U32(aux + 12);
                    }

                    uint next = U32(need + 12);
                    if (next == 0)
                    {
                        return -1;
                    }

                    need += next;
                }
            }

            public List<(long Index, string Name, bool Defined)> SymbolsWithVersion(int versionIndex)
            {
                var found = new List<(long, string, bool)>();
                for (long i = 1; i < _dynsymCount; i++)
                {
                    if ((U16(_versymOffset + i * 2) & 0x7fff) == versionIndex)
                    {
                        long sym = _dynsymOffset + i * 24;
                        found.Add((i, Str(U32(sym)), U16(sym + 6) != 0));
                    }
                }

                return found;
            }

            public int FindSpareDynamicSlot()
            {
                foreach (var (tag, _, slot) in Dynamic())
                {
                    if (tag == DtNull)
                    {
                        if (slot + 1 >= _dynamicCount)
                        {
                            throw new InvalidDataException("The dynamic section has no spare slot for a new dependency.");
                        }

                        return slot;
                    }
                }

                throw new InvalidDataException("The dynamic section is not terminated.");
            }

            public long CarveNameFromRunPath(string name)
            {
                long pathOffset = -1;
                foreach (var (tag, value, _) in Dynamic())
                {
                    if (tag == DtRunpath || tag == DtRpath)
                    {
                        pathOffset = value;
                    }
                }

                string path = pathOffset < 0 ? string.Empty : Str(pathOffset);
                string first = path.Split(':')[0];
                if (!first.StartsWith("$ORIGIN", StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"The run path '{path}' does not start with $ORIGIN.");
                }

                long freeStart = pathOffset + first.Length + 1;
                long freeEnd = pathOffset + path.Length;
                if (freeEnd - freeStart < name.Length)
                {
                    throw new InvalidDataException($"The run path '{path}' leaves no room for '{name}'.");
                }

                foreach (var reference in StringReferences())
                {
                    if (reference >= freeStart && reference <= freeEnd)
                    {
                        throw new InvalidDataException("Another entry shares the tail of the run path string.");
                    }
                }

                long at = _dynstrOffset + pathOffset;
                _b[at + first.Length] = 0;
                Encoding.ASCII.GetBytes(name).CopyTo(_b, _dynstrOffset + freeStart);
                for (long i = freeStart + name.Length; i <= freeEnd; i++)
                {
                    _b[_dynstrOffset + i] = 0;
                }

                if (freeEnd >= _dynstrSize)
                {
                    throw new InvalidDataException("The run path string runs past the string table.");
                }

                return freeStart;
            }

            private IEnumerable<long> StringReferences()
            {
                for (long i = 0; i < _dynsymCount; i++)
                {
                    yield return U32(_dynsymOffset + i * 24);
                }

                foreach (var (tag, value, _) in Dynamic())
                {
                    if (tag == DtNeeded || tag == DtSoname)
                    {
                        yield return value;
                    }
                }

                if (_verneedOffset < 0)
                {
                    yield break;
                }

                long need = _verneedOffset;
                while (true)
                {
                    yield return U32(need + 4);
                    long aux = need + U32(need + 8);
                    for (int i = 0; i < U16(need + 2); i++)
                    {
                        yield return U32(aux + 8);
                        aux += U32(aux + 12);
                    }

                    uint next = U32(need + 12);
                    if (next == 0)
                    {
                        yield break;
                    }

                    need += next;
                }
            }
        }
    }

#if !TEXTOK_ELF_PATCHER_NO_MSBUILD
    /// <summary>
    /// MSBuild task: where the system libstdc++ lacks <see cref="ElfVersionPatcher.MissingVersion"/>, compiles the
    /// compatibility library once and patches the given copies of libLibTorchSharp.so (never the package cache's).
    /// </summary>
    public sealed class PatchTorchSharpNative : Microsoft.Build.Utilities.Task
    {
        /// <summary>Copies of libLibTorchSharp.so in build or publish output.</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <summary>C++ source of the compatibility library.</summary>
        [Microsoft.Build.Framework.Required]
        public string ShimSource { get; set; } = string.Empty;

        /// <summary>Folder where the compiled library is cached between builds.</summary>
        [Microsoft.Build.Framework.Required]
        public string IntermediateDirectory { get; set; } = string.Empty;

        /// <summary>"auto" patches only where needed; "true" always; anything else never.</summary>
        public string Mode { get; set; } = "auto";

        /// <summary>The C++ compiler to use.</summary>
        public string Compiler { get; set; } = "c++";

        /// <inheritdoc/>
        public override bool Execute()
        {
            if (Files.Length == 0 || !(Mode == "auto" || Mode == "true"))
            {
                return true;
            }

            if (Mode == "auto" && ElfVersionPatcher.SystemLibstdcxxDefinesMissingVersion())
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                    "TexTok.ML: the system libstdc++ defines " + ElfVersionPatcher.MissingVersion + "; TorchSharp needs no patch.");
                return true;
            }

            string? library = CompileLibrary();
            if (library == null)
            {
                return true;
            }

            foreach (var item in Files)
            {
                string target = item.ItemSpec;
                byte[] image = File.ReadAllBytes(target);
                ElfPatchOutcome outcome;
                try
                {
                    outcome = ElfVersionPatcher.Patch(image, ElfVersionPatcher.CompatLibraryName);
                }
                catch (InvalidDataException e)
                {
                    Log.LogWarning("TexTok.ML: cannot patch " + target + " for an older libstdc++: " + e.Message);
                    continue;
                }

                string folder = Path.GetDirectoryName(target)!;
                File.Copy(library, Path.Combine(folder, ElfVersionPatcher.CompatLibraryName), overwrite: true);
                if (outcome == ElfPatchOutcome.Patched)
                {
                    string temp = target + ".textok-tmp";
                    File.WriteAllBytes(temp, image);
                    File.Replace(temp, target, null);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                        "TexTok.ML: patched " + target + " to load with this system's libstdc++.");
                }
            }

            return true;
        }

        private string? CompileLibrary()
        {
            Directory.CreateDirectory(IntermediateDirectory);
            string output = Path.Combine(IntermediateDirectory, ElfVersionPatcher.CompatLibraryName);
            if (File.Exists(output) && File.GetLastWriteTimeUtc(output) >= File.GetLastWriteTimeUtc(ShimSource))
            {
                return output;
            }

            var start = new System.Diagnostics.ProcessStartInfo(Compiler)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            start.Arguments = "-shared -fPIC -O2 -o \"" + output + ".tmp\" \"" + ShimSource + "\"";

            try
            {
                using var process = System.Diagnostics.Process.Start(start)!;
                string errors = process.StandardError.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0)
                {
                    Log.LogWarning("TexTok.ML: compiling the libstdc++ compatibility library failed: " + errors);
                    return null;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                Log.LogWarning("TexTok.ML: TorchSharp needs " + ElfVersionPatcher.MissingVersion +
                    ", which this system's libstdc++ lacks, and no C++ compiler ('" + Compiler +
                    "') was found to build the compatibility library. Install one (e.g. 'apt-get install g++') and rebuild.");
                return null;
            }

            if (File.Exists(output))
            {
                File.Replace(output + ".tmp", output, null);
            }
            else
            {
                File.Move(output + ".tmp", output);
            }

            return output;
        }
    }
#endif
}
