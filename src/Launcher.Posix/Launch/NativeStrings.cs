using System.Runtime.InteropServices;
using Launcher.Posix.Interop;

namespace Launcher.Posix.Launch;

/// <summary>NUL-terminated UTF-8 copies and pointer arrays for the C side, freed together.</summary>
internal sealed unsafe class NativeStrings : IDisposable
{
    private readonly List<nint> _blocks = [];

    public byte* Str(string s)
    {
        if (s.Contains('\0')) throw new ArgumentException("a string with a NUL byte cannot cross to C", nameof(s));
        byte[] z = CString.From(s);
        byte* p = (byte*)NativeMemory.Alloc((nuint)z.Length);
        _blocks.Add((nint)p);
        z.CopyTo(new Span<byte>(p, z.Length));
        return p;
    }

    /// <summary>A NULL-terminated array of strings (argv, envp).</summary>
    public byte** Array(IReadOnlyList<string> items)
    {
        byte** a = (byte**)NativeMemory.Alloc((nuint)(items.Count + 1), (nuint)sizeof(byte*));
        _blocks.Add((nint)a);
        for (int i = 0; i < items.Count; i++) a[i] = Str(items[i]);
        a[items.Count] = null;
        return a;
    }

    public uint* UInts(IReadOnlyList<uint> items)
    {
        uint* a = (uint*)NativeMemory.Alloc((nuint)Math.Max(items.Count, 1), sizeof(uint));
        _blocks.Add((nint)a);
        for (int i = 0; i < items.Count; i++) a[i] = items[i];
        return a;
    }

    /// <summary>struct cil_rlimit[] in RLIMIT_* order; RLIM_INFINITY is ulong.MaxValue on both sides.</summary>
    public Spawn.Rlimit* Limits(IReadOnlyList<Launcher.Core.Launch.ResourceLimit> items)
    {
        var a = (Spawn.Rlimit*)NativeMemory.Alloc((nuint)Math.Max(items.Count, 1), (nuint)sizeof(Spawn.Rlimit));
        _blocks.Add((nint)a);
        for (int i = 0; i < items.Count; i++) a[i] = new Spawn.Rlimit { soft = items[i].Soft, hard = items[i].Hard };
        return a;
    }

    public void Dispose()
    {
        foreach (var p in _blocks) NativeMemory.Free((void*)p);
        _blocks.Clear();
    }
}
