using System.Text;
using Launcher.Core.Issuing;
using Launcher.Posix.Files;
using Launcher.Posix.Interop;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Launcher.Posix.Keys;

/// <summary>
/// The site key directory (issuing.key_dir): one PKCS#8 PEM per key, named KID.pem, and the
/// key-state file keyring.json. Private keys are read only when root-owned and unreadable by
/// group and others, in a directory chain only root can write: a key anyone else could read
/// lets them mint tokens for every user. Every access goes through one descriptor of the
/// directory, reached by the trusted walk and judged private (0700) before use.
/// </summary>
public sealed unsafe class KeyDirectory(string path)
{

    public string Path => path;

    public string KeyFile(string kid) => System.IO.Path.Combine(path, kid + ".pem");

    public string RingFile => System.IO.Path.Combine(path, KeyRing.FileName);

    /// <summary>Creates the directory 0700 if missing; refuses one that is not root-owned or is open to group/others.</summary>
    public bool EnsureExists(out string? problem)
    {
        using var dir = TrustedFile.EnsureDirectory(path, FileModes.OwnerOnly, out problem);
        if (dir is null) { problem = $"key_dir {path}: {problem}"; return false; }
        return IsPrivate(dir, out problem);
    }

    /// <summary>The key ring; a directory without keyring.json has an empty ring.</summary>
    public KeyRing? LoadRing(out string? problem)
    {
        using var dir = OpenPrivate(out problem);
        if (dir is null) return null;
        using var file = TrustedFile.OpenFileIn(dir, RingFile, Secrecy.Private, out bool missing, out problem);
        if (file is null && missing && KeyFiles(dir) is { Count: > 0 } orphans)
        {
            // Key files without their ring: the ring was lost. Generating a new key would start a
            // new ring and orphan these (still published, perhaps still signing) keys.
            problem = $"the key ring {RingFile} is missing, but key_dir holds {string.Join(", ", orphans)}; restore {KeyRing.FileName} from a backup (do not run 'keys generate', which would start an empty ring)";
            return null;
        }
        if (file is null) return missing ? KeyRing.Empty : null;
        byte[]? bytes = TrustedFile.ReadAll(file, RingFile, 1 << 20, out problem);
        return bytes is null ? null : KeyRing.Parse(bytes, RingFile, out problem);
    }

    /// <summary>Replaces keyring.json atomically (write, fsync, rename), so a crash leaves the old or the new ring, never half of one.</summary>
    public void SaveRing(KeyRing ring)
    {
        using var dir = OpenPrivate(out string? problem) ?? throw new IOException(problem);
        if (AtomicFile.Replace(dir, path, KeyRing.FileName, ring.ToJson(), FileModes.OwnerReadWrite, rootOwned: true) is { } failed)
            throw new IOException(failed);
    }

    /// <summary>Writes a new private key 0600; refuses to overwrite (a kid names exactly one key).</summary>
    public void WritePrivateKey(SiteKey key)
    {
        using var dir = OpenPrivate(out string? problem) ?? throw new IOException(problem);
        string file = KeyFile(key.KeyId);
        byte[] name = CString.From(key.KeyId + ".pem");
        int fd;
        fixed (byte* n = name)
            fd = LibC.openat((int)dir.DangerousGetHandle(), n, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, FileModes.OwnerReadWrite.Native());
        if (fd < 0) throw new IOException($"cannot create {file}: {Errno.Message()}");
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        RandomAccess.Write(handle, Encoding.ASCII.GetBytes(key.ExportPrivatePem() + "\n"), 0);
        if (LibC.fsync(fd) != 0) throw new IOException($"cannot sync {file}: {Errno.Message()}");
    }

    public void DeletePrivateKey(string kid)
    {
        using var dir = OpenPrivate(out string? problem) ?? throw new IOException(problem);
        byte[] name = CString.From(kid + ".pem");
        fixed (byte* n = name)
            if (LibC.unlinkat((int)dir.DangerousGetHandle(), n, 0) != 0 && Errno.Last != LibC.ENOENT)
                throw new IOException($"cannot remove {KeyFile(kid)}: {Errno.Message()}");
    }

    /// <summary>Loads the private key of <paramref name="kid"/> after the ownership and mode checks; the error names the file, its mode and the fix.</summary>
    public SiteKey? LoadPrivateKey(string kid, out string? problem)
    {
        if (!KeyRing.IsKidText(kid)) { problem = $"'{kid}' is not a key id"; return null; }
        using var dir = OpenPrivate(out problem);
        if (dir is null) return null;
        string file = KeyFile(kid);
        using var handle = TrustedFile.OpenFileIn(dir, file, Secrecy.Private, out bool missing, out problem);
        if (handle is null)
        {
            problem = missing
                ? $"private key {file}: No such file or directory (the key ring lists kid '{kid}'; restore the file or retire the key)"
                : $"private key {problem}";
            return null;
        }
        byte[]? bytes = TrustedFile.ReadAll(handle, file, 64 * 1024, out problem);
        if (bytes is null) return null;
        var key = SiteKey.FromPem(Encoding.ASCII.GetString(bytes), out string? pemProblem);
        if (key is null) { problem = $"private key {file} {pemProblem}"; return null; }
        if (key.KeyId != kid)
        {
            // The file name is the thumbprint of the key inside; a swapped file would sign under the wrong kid.
            problem = $"private key {file} holds the key with kid '{key.KeyId}', not '{kid}'";
            key.Dispose();
            return null;
        }
        return key;
    }

    /// <summary>
    /// Serializes key management: an exclusive lock on key_dir/.lock, held until disposed. Two
    /// concurrent rotations would otherwise each rewrite keyring.json from a stale copy.
    /// </summary>
    public IDisposable? Lock(out string? problem)
    {
        using var dir = OpenPrivate(out problem);
        if (dir is null) return null;
        byte[] name = CString.From(".lock");
        int fd;
        fixed (byte* n = name)
            fd = LibC.openat((int)dir.DangerousGetHandle(), n, LibC.O_RDONLY | LibC.O_CREAT | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, FileModes.OwnerReadWrite.Native());
        if (fd < 0) { problem = $"cannot open {path}/.lock: {Errno.Message()}"; return null; }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Glibc.flock(fd, Glibc.LOCK_EX | Glibc.LOCK_NB) != 0)
        {
            handle.Dispose();
            problem = $"cannot lock {path}/.lock ({Errno.Message()}); is another 'ci-launcher keys' command running?";
            return null;
        }
        problem = null;
        return handle;
    }

    /// <summary>The KID.pem names in the judged directory.</summary>
    private static List<string> KeyFiles(SafeFileHandle dir) =>
        Directory.EnumerateFiles($"/proc/self/fd/{(int)dir.DangerousGetHandle()}", "*.pem").Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    private SafeFileHandle? OpenPrivate(out string? problem)
    {
        var dir = TrustedFile.OpenDirectory(path, out problem);
        if (dir is null)
        {
            problem = problem!.EndsWith("does not exist", StringComparison.Ordinal)
                ? $"key_dir {path}: No such file or directory (run 'ci-launcher keys generate' as root)"
                : $"key_dir {path}: {problem}";
            return null;
        }
        if (IsPrivate(dir, out problem)) return dir;
        dir.Dispose();
        return null;
    }

    private bool IsPrivate(SafeFileHandle dir, out string? problem)
    {
        var st = FileSystem.FStat((int)dir.DangerousGetHandle(), out string? error);
        problem = st switch
        {
            null => $"key_dir {path}: {error}",
            { } s when (s.Permissions & FileModes.GroupOrOtherAny) != 0 => $"key_dir {path} has mode {s.ModeOctal}, open to group or others (chmod 0700 {path})",
            _ => null,
        };
        return problem is null;
    }
}
