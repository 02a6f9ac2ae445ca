using System.Text;
using Launcher.Core.Issuing;
using Launcher.Posix.Files;

namespace Launcher.Posix.Keys;

/// <summary>
/// The site key directory (issuing.key_dir): one PKCS#8 PEM per key, named KID.pem, and the
/// key-state file keyring.json. Private keys are read only when root-owned and unreadable by
/// group and others, in a directory chain only root can write: a key anyone else could read
/// lets them mint tokens for every user.
/// </summary>
public sealed class KeyDirectory(string path)
{
    public string Path => path;

    public string KeyFile(string kid) => System.IO.Path.Combine(path, kid + ".pem");

    public string RingFile => System.IO.Path.Combine(path, KeyRing.FileName);

    /// <summary>Creates the directory 0700 if missing; refuses one that is not root-owned or is open to group/others.</summary>
    public bool EnsureExists(out string? problem)
    {
        if (!Directory.Exists(path))
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return DirectoryIsPrivate(out problem);
    }

    private bool DirectoryIsPrivate(out string? problem)
    {
        var st = FileSystem.LStat(path, out string? error);
        problem = st switch
        {
            null => $"key_dir {path}: {error} (run 'ci-launcher keys generate' as root)",
            { IsDirectory: false } => $"key_dir {path} is not a directory",
            { Uid: not 0 } s => $"key_dir {path} is owned by uid {s.Uid}, not root (chown root {path})",
            { } s when (s.Permissions & 0x3F) != 0 => $"key_dir {path} has mode {s.ModeOctal}, open to group or others (chmod 0700 {path})",
            // The directories above are checked by TrustedFile.Read on every key and ring read.
            _ => null,
        };
        return problem is null;
    }

    /// <summary>The key ring; a directory without keyring.json has an empty ring.</summary>
    public KeyRing? LoadRing(out string? problem)
    {
        if (!DirectoryIsPrivate(out problem)) return null;
        if (!File.Exists(RingFile)) return KeyRing.Empty;
        byte[]? bytes = TrustedFile.Read(RingFile, mustBeTrusted: true, 1 << 20, out problem);
        return bytes is null ? null : KeyRing.Parse(bytes, RingFile, out problem);
    }

    /// <summary>Replaces keyring.json atomically (write, fsync, rename), so a crash leaves the old or the new ring, never half of one.</summary>
    public void SaveRing(KeyRing ring) => AtomicFile.Write(RingFile, ring.ToJson(), (UnixFileMode)0b110_000_000);

    /// <summary>Writes a new private key 0600; refuses to overwrite (a kid names exactly one key).</summary>
    public void WritePrivateKey(SiteKey key)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using var stream = new FileStream(KeyFile(key.KeyId), options);
        stream.Write(Encoding.ASCII.GetBytes(key.ExportPrivatePem() + "\n"));
        stream.Flush(flushToDisk: true);
    }

    public void DeletePrivateKey(string kid) => File.Delete(KeyFile(kid));

    /// <summary>Loads the private key of <paramref name="kid"/> after the ownership and mode checks; the error names the file, its mode and the fix.</summary>
    public SiteKey? LoadPrivateKey(string kid, out string? problem)
    {
        if (!KeyRing.IsKidText(kid)) { problem = $"'{kid}' is not a key id"; return null; }
        if (!DirectoryIsPrivate(out problem)) return null;
        string file = KeyFile(kid);
        var st = FileSystem.LStat(file, out string? error);
        problem = st switch
        {
            null => $"private key {file}: {error} (the key ring lists kid '{kid}'; restore the file or retire the key)",
            { IsRegular: false } => $"private key {file} is not a regular file (symlinks are not followed)",
            { Uid: not 0 } s => $"private key {file} is owned by uid {s.Uid}, not root (chown root {file})",
            { } s when (s.Permissions & 0x3F) != 0 => $"private key {file} has mode {s.ModeOctal}, readable or writable by group or others (chmod 0600 {file}, and replace the key: it may have been copied)",
            _ => null,
        };
        if (problem is not null) return null;
        byte[]? bytes = TrustedFile.Read(file, mustBeTrusted: true, 64 * 1024, out problem);
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
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            problem = null;
            return new FileStream(System.IO.Path.Combine(path, ".lock"), options);
        }
        catch (IOException e)
        {
            problem = $"cannot lock {path}/.lock ({e.Message}); is another 'ci-launcher keys' command running?";
            return null;
        }
    }
}
