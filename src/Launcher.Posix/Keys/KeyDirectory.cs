using System.Text;
using Launcher.Core.Authorization;
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
    public Refusal? EnsureExists()
    {
        var opened = TrustedFile.EnsureDirectory(path, FileModes.OwnerOnly);
        if (!opened.Ok) return opened.Refusal.In($"key_dir {path}");
        using var dir = opened.Value;
        return CheckPrivate(dir);
    }

    /// <summary>The key ring; a directory without keyring.json has an empty ring. Refusals are unlabelled (the command knows what they mean).</summary>
    public Outcome<KeyRing> LoadRing()
    {
        var opened = OpenPrivate();
        if (!opened.Ok) return opened.Refusal;
        using var dir = opened.Value;
        var ringFile = TrustedFile.OpenFileIn(dir, RingFile, Secrecy.Private);
        if (!ringFile.Ok) return ringFile.Refusal;
        using var file = ringFile.Value;
        if (file is null)
        {
            // Key files without their ring: the ring was lost. Generating a new key would start a
            // new ring and orphan these (still published, perhaps still signing) keys.
            if (KeyFiles(dir) is { Count: > 0 } orphans)
                return Refusal.Unlabelled($"the key ring {RingFile} is missing, but key_dir holds {string.Join(", ", orphans)}; restore {KeyRing.FileName} from a backup (do not run 'keys generate', which would start an empty ring)");
            return Outcome.Of(KeyRing.Empty);
        }
        var bytes = TrustedFile.ReadAll(file, RingFile, 1 << 20);
        return bytes.Ok ? KeyRing.Parse(bytes.Value, RingFile) : bytes.Refusal;
    }

    /// <summary>Replaces keyring.json atomically (write, fsync, rename), so a crash leaves the old or the new ring, never half of one.</summary>
    public void SaveRing(KeyRing ring)
    {
        using var dir = Private();
        if (AtomicFile.Replace(dir, path, KeyRing.FileName, ring.ToJson(), FileModes.OwnerReadWrite, rootOwned: true) is { } failed)
            throw new IOException(failed.Detail);
    }

    /// <summary>Writes a new private key 0600; refuses to overwrite (a kid names exactly one key).</summary>
    public void WritePrivateKey(SiteKey key)
    {
        using var dir = Private();
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
        using var dir = Private();
        byte[] name = CString.From(kid + ".pem");
        fixed (byte* n = name)
            if (LibC.unlinkat((int)dir.DangerousGetHandle(), n, 0) != 0 && Errno.Last != LibC.ENOENT)
                throw new IOException($"cannot remove {KeyFile(kid)}: {Errno.Message()}");
    }

    /// <summary>Loads the private key of <paramref name="kid"/> after the ownership and mode checks; the error names the file, its mode and the fix.</summary>
    public Outcome<SiteKey> LoadPrivateKey(string kid)
    {
        if (!KeyRing.IsKidText(kid)) return Refusal.Unlabelled($"'{kid}' is not a key id");
        var opened = OpenPrivate();
        if (!opened.Ok) return opened.Refusal;
        using var dir = opened.Value;
        string file = KeyFile(kid);
        var keyFile = TrustedFile.OpenFileIn(dir, file, Secrecy.Private);
        if (!keyFile.Ok) return keyFile.Refusal with { Detail = $"private key {keyFile.Refusal.Detail}" };
        using var handle = keyFile.Value;
        if (handle is null)
            return Refusal.Unlabelled($"private key {file}: No such file or directory (the key ring lists kid '{kid}'; restore the file or retire the key)");
        var bytes = TrustedFile.ReadAll(handle, file, 64 * 1024);
        if (!bytes.Ok) return bytes.Refusal;
        var parsed = SiteKey.FromPem(Encoding.ASCII.GetString(bytes.Value));
        if (!parsed.Ok) return Refusal.Unlabelled($"private key {file} {parsed.Refusal.Detail}");
        var key = parsed.Value;
        if (key.KeyId != kid)
        {
            // The file name is the thumbprint of the key inside; a swapped file would sign under the wrong kid.
            key.Dispose();
            return Refusal.Unlabelled($"private key {file} holds the key with kid '{key.KeyId}', not '{kid}'");
        }
        return Outcome.Of(key);
    }

    /// <summary>
    /// Serializes key management: an exclusive lock on key_dir/.lock, held until disposed. Two
    /// concurrent rotations would otherwise each rewrite keyring.json from a stale copy.
    /// </summary>
    public Outcome<IDisposable> Lock()
    {
        var opened = OpenPrivate();
        if (!opened.Ok) return opened.Refusal;
        using var dir = opened.Value;
        byte[] name = CString.From(".lock");
        int fd;
        fixed (byte* n = name)
            fd = LibC.openat((int)dir.DangerousGetHandle(), n, LibC.O_RDONLY | LibC.O_CREAT | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, FileModes.OwnerReadWrite.Native());
        if (fd < 0) return Refusal.Unlabelled($"cannot open {path}/.lock: {Errno.Message()}");
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Glibc.flock(fd, Glibc.LOCK_EX | Glibc.LOCK_NB) != 0)
        {
            string why = Errno.Message();
            handle.Dispose();
            return Refusal.Unlabelled($"cannot lock {path}/.lock ({why}); is another 'ci-launcher keys' command running?");
        }
        return Outcome.Of<IDisposable>(handle);
    }

    /// <summary>The KID.pem names in the judged directory.</summary>
    private static List<string> KeyFiles(SafeFileHandle dir) =>
        Directory.EnumerateFiles($"/proc/self/fd/{(int)dir.DangerousGetHandle()}", "*.pem").Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    private Outcome<SafeFileHandle> OpenPrivate()
    {
        var dir = TrustedFile.OpenDirectory(path);
        if (!dir.Ok)
            return dir.Refusal.Detail.EndsWith("does not exist", StringComparison.Ordinal)
                ? Refusal.Unlabelled($"key_dir {path}: No such file or directory (run 'ci-launcher keys generate' as root)")
                : dir.Refusal.In($"key_dir {path}");
        if (CheckPrivate(dir.Value) is not { } open) return dir;
        dir.Value.Dispose();
        return open;
    }

    /// <summary>For the commands that treat a key directory they just used as an invariant: its descriptor, or an exception.</summary>
    private SafeFileHandle Private()
    {
        var dir = OpenPrivate();
        return dir.Ok ? dir.Value : throw new IOException(dir.Refusal.Detail);
    }

    private Refusal? CheckPrivate(SafeFileHandle dir)
    {
        var st = FileSystem.FStat((int)dir.DangerousGetHandle());
        if (!st.Ok) return st.Refusal.In($"key_dir {path}");
        if ((st.Value.Permissions & FileModes.GroupOrOtherAny) != 0)
            return Refusal.Unlabelled($"key_dir {path} has mode {st.Value.ModeOctal}, open to group or others (chmod 0700 {path})");
        return null;
    }
}
