using Launcher.Core.Authorization;
using Launcher.Posix.Interop;
using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Launcher.Posix.Files;

/// <summary>Who besides root may read a trusted file.</summary>
public enum Secrecy
{
    /// <summary>Config, key sets, CA bundles: anyone may read, only root may write.</summary>
    Public,
    /// <summary>Private signing keys and the key ring: root alone.</summary>
    Private,
}

/// <summary>
/// sshd StrictModes for what a privileged ci-launcher reads or writes on its own behalf (the
/// config, issuer key sets, site keys, the audit and state directories, launch.shell and
/// executor.prepare_hook), judged on descriptors, never on paths. The path is walked from
/// <c>/</c> one component at a time with <c>openat(O_NOFOLLOW)</c>, each directory is judged by
/// <c>fstat</c> of the descriptor just opened, and the file is read from the very descriptor that
/// was judged. A check of a path followed by a second open of that path would let anyone who can
/// rename something along it (a symlink swapped in between) hand root a file of their choosing.
/// <para>
/// Every component must be owned by root and not writable by group or others, with one
/// exception: a root-owned sticky directory (/tmp) may be passed through, because others cannot
/// rename or remove the root-owned entry below it. A file directly in such a directory is refused
/// (the sticky bit guards names, not hard links). A symbolic link is followed only when root owns
/// it and it sits in a directory only root can write (so root alone chose it: /bin -> usr/bin);
/// the walk restarts from <c>/</c> on its target, judging every component again.
/// </para>
/// </summary>
public static unsafe class TrustedFile
{

    /// <summary>A regular file that passed the walk, open for reading.</summary>
    public static Outcome<SafeFileHandle> OpenFile(string path, Secrecy secrecy) =>
        Opened(Walk(path, WalkTarget.File, secrecy, createMode: null, out bool untrusted, out string? problem), untrusted, problem);

    /// <summary>A directory that passed the walk (root-owned, writable by root alone), open for *at calls and fsync.</summary>
    public static Outcome<SafeFileHandle> OpenDirectory(string path) =>
        Opened(Walk(path, WalkTarget.Directory, Secrecy.Public, createMode: null, out bool untrusted, out string? problem), untrusted, problem);

    /// <summary>
    /// As <see cref="OpenDirectory"/>, creating missing components root-owned with <paramref name="mode"/>
    /// (never through a link; an existing component gets the same judgement as in a plain walk).
    /// </summary>
    public static Outcome<SafeFileHandle> EnsureDirectory(string path, UnixFileMode mode) =>
        Opened(Walk(path, WalkTarget.Directory, Secrecy.Public, mode, out bool untrusted, out string? problem), untrusted, problem);

    /// <summary>
    /// An entry of a directory that already passed the walk (its descriptor <paramref name="dir"/>),
    /// opened without following a link and judged like the last component of a walk. A null
    /// value: it does not exist ("not found" is its own answer, not a refusal).
    /// </summary>
    public static Outcome<SafeFileHandle?> OpenFileIn(SafeFileHandle dir, string path, Secrecy secrecy)
    {
        int dirfd = (int)dir.DangerousGetHandle();
        string name = System.IO.Path.GetFileName(path);
        int fd = OpenAt(dirfd, name, FileFlags);
        if (fd < 0)
        {
            int errno = Errno.Last;
            if (errno == LibC.ENOENT) return Outcome.Of<SafeFileHandle?>(null);
            string problem = OpenFailure(errno, dirfd, name, path, last: true, WalkTarget.File, out bool untrusted);
            return Refused(untrusted, problem);
        }
        bool shared = false;
        if (!Judge(fd, path, isLast: true, WalkTarget.File, secrecy, parentShared: false, ref shared, out bool refusedUntrusted, out string? judged))
        {
            LibC.close(fd);
            return Refused(refusedUntrusted, judged!);
        }
        return Outcome.Of<SafeFileHandle?>(new SafeFileHandle(fd, ownsHandle: true));
    }

    /// <summary>
    /// Null when <paramref name="path"/> is a trusted regular file. For executables root hands to a
    /// job (launch.shell, executor.prepare_hook): they are later opened by path, which is safe only
    /// because every directory on the path is root's alone, and that is exactly what this checks.
    /// </summary>
    public static Refusal? Check(string path)
    {
        var file = OpenFile(path, Secrecy.Public);
        if (!file.Ok) return file.Refusal;
        file.Value.Dispose();
        return null;
    }

    /// <summary>
    /// The contents of a file of at most <paramref name="maxBytes"/>. When <paramref name="mustBeTrusted"/>
    /// (a privileged process) the walk's rules apply; otherwise the file is read with this process's own
    /// rights, which are the caller's.
    /// </summary>
    public static Outcome<byte[]> Read(string path, bool mustBeTrusted, long maxBytes, Secrecy secrecy = Secrecy.Public)
    {
        var opened = mustBeTrusted ? OpenFile(path, secrecy) : OpenPlain(path);
        if (!opened.Ok)
            return opened.Refusal.Reason == Reasons.ConfigUntrusted ? opened.Refusal.In($"refusing to read {path}") : opened.Refusal;
        using var handle = opened.Value;
        return ReadAll(handle, path, maxBytes);
    }

    /// <summary>Reads an open regular file to its end, refusing one larger than <paramref name="maxBytes"/>.</summary>
    public static Outcome<byte[]> ReadAll(SafeFileHandle handle, string path, long maxBytes)
    {
        var stat = FileSystem.FStat((int)handle.DangerousGetHandle());
        if (!stat.Ok) return stat.Refusal.In($"cannot examine {path}");
        var st = stat.Value;
        if (!st.IsRegular) return Refusal.Unlabelled(st.IsDirectory ? $"{path} is a directory, not a file" : $"{path} is not a regular file");
        if ((long)st.Size > maxBytes) return Refusal.Unlabelled($"{path} is {st.Size} bytes, more than the {maxBytes} allowed");
        var buffer = new byte[(int)st.Size + 1];
        int total = 0;
        try
        {
            int n;
            while (total < buffer.Length && (n = RandomAccess.Read(handle, buffer.AsSpan(total), total)) > 0) total += n;
        }
        catch (IOException e)
        {
            return Refusal.Unlabelled($"cannot read {path}: {e.Message}");
        }
        // Grown since fstat: a file root trusts is replaced by rename, never appended to while it is read.
        if (total > (int)st.Size) return Refusal.Unlabelled($"{path} changed while it was read");
        return Outcome.Of(buffer.AsSpan(0, total).ToArray());
    }

    /// <summary>Opens with this process's own rights, no trust rules: for an unprivileged process, whose rights are its caller's.</summary>
    private static Outcome<SafeFileHandle> OpenPlain(string path)
    {
        int fd = OpenAt(LibC.AT_FDCWD, path, LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NOCTTY | LibC.O_NONBLOCK);
        if (fd >= 0) return Outcome.Of(new SafeFileHandle(fd, ownsHandle: true));
        int errno = Errno.Last;
        return Refusal.Unlabelled(errno == LibC.ENOENT ? $"{path} does not exist" : $"cannot read {path}: {Errno.Message(errno)}");
    }

    private static Outcome<SafeFileHandle> Opened(int fd, bool untrusted, string? problem) =>
        fd >= 0 ? Outcome.Of(new SafeFileHandle(fd, ownsHandle: true)) : Refused(untrusted, problem!);

    /// <summary>
    /// A file, link or directory on the path that others could change is labelled config.untrusted,
    /// the configuration's reason; callers reading any other file relabel it with their own. Every
    /// other problem (missing, unreadable) is unlabelled.
    /// </summary>
    private static Refusal Refused(bool untrusted, string problem) =>
        untrusted ? Refusal.SiteError(Reasons.ConfigUntrusted, problem) : Refusal.Unlabelled(problem);

    private enum WalkTarget { File, Directory }

    /// <summary>The kernel's limit on links in one lookup; a loop of root's own links ends here too.</summary>
    private const int MaxLinks = 40;

    /// <summary>The walk itself: the descriptor of the judged last component, or -1 with the problem.</summary>
    private static int Walk(string path, WalkTarget target, Secrecy secrecy, UnixFileMode? createMode, out bool untrusted, out string? problem)
    {
        untrusted = false;
        if (!path.StartsWith('/') || path.Contains('\0'))
        {
            problem = $"'{path}' is not an absolute path";
            return -1;
        }
        var names = path.Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (names.Any(n => n is "." or ".."))
        {
            untrusted = true;
            problem = $"'{path}' has a '.' or '..' component; write the plain absolute path";
            return -1;
        }
        for (int links = 0; ; links++)
        {
            int fd = WalkOnce(names, target, secrecy, createMode, out var link, out untrusted, out problem);
            if (link is null) return fd;
            if (links == MaxLinks)
            {
                untrusted = true;
                problem = $"more than {MaxLinks} symbolic links on the way to {path}";
                return -1;
            }
            names = link;
        }
    }

    /// <summary>
    /// One pass from <c>/</c>. Returns the judged descriptor, or -1 with the problem, or -1 with
    /// <paramref name="relinked"/>: the components to walk instead, after a root-owned link.
    /// </summary>
    private static int WalkOnce(List<string> names, WalkTarget target, Secrecy secrecy, UnixFileMode? createMode,
        out List<string>? relinked, out bool untrusted, out string? problem)
    {
        relinked = null;
        int rootFlags = names.Count == 0 && target == WalkTarget.Directory ? DirectoryFlags : PassFlags;
        int fd = OpenAt(LibC.AT_FDCWD, "/", rootFlags);
        if (fd < 0)
        {
            untrusted = false;
            problem = $"cannot open /: {Errno.Message()}";
            return -1;
        }
        string at = "/";
        bool shared = false;
        if (!Judge(fd, at, isLast: names.Count == 0, target, secrecy, parentShared: false, ref shared, out untrusted, out problem))
            return Close(fd);

        for (int i = 0; i < names.Count; i++)
        {
            bool last = i == names.Count - 1;
            string parent = at;
            at = at == "/" ? "/" + names[i] : at + "/" + names[i];
            int flags = !last ? PassFlags : target == WalkTarget.Directory ? DirectoryFlags : FileFlags;
            int next = OpenAt(fd, names[i], flags);
            int errno = next < 0 ? Errno.Last : 0;
            if (next < 0 && (errno == LibC.ELOOP || errno == LibC.ENOTDIR) && FileSystem.LStatAt(fd, names[i]) is { Ok: true, Value: { IsSymlink: true } link })
            {
                // In a directory that passed the walk only root can create a root-owned entry; in a
                // sticky one anybody may plant a link of their own, which is never followed.
                untrusted = true;
                if (link.Uid != 0)
                {
                    problem = $"{at} is a symbolic link owned by uid {link.Uid}, not root; only root's links are followed in a trusted path";
                    return Close(fd);
                }
                // Where protected_hardlinks is off, anyone can hard-link a root-owned link into a
                // directory they may write to (/tmp): owned by root, yet chosen by them.
                if (shared)
                {
                    problem = $"{at} is a symbolic link directly in a directory others can write to; links there are never followed, even root's (write the real path)";
                    return Close(fd);
                }
                string? destination = ReadLink(fd, names[i]);
                if (destination is null)
                {
                    problem = $"cannot read the symbolic link {at}: {Errno.Message()}";
                    return Close(fd);
                }
                // The directories walked so far are real (links were replaced), so '..' in the
                // target is their lexical parent.
                var rebuilt = destination.StartsWith('/') ? [] : names.Take(i).ToList();
                rebuilt.AddRange(destination.Split('/', StringSplitOptions.RemoveEmptyEntries));
                rebuilt.AddRange(names.Skip(i + 1));
                relinked = Lexical(rebuilt);
                problem = null;
                untrusted = false;
                return Close(fd);
            }
            if (next < 0 && errno == LibC.ENOENT && createMode is { } mode)
            {
                // Created by root in a directory only root can write (judged above), so nobody can have raced us to it.
                if (Mkdir(fd, names[i], mode) != 0 && Errno.Last != LibC.EEXIST)
                {
                    problem = $"cannot create {at}: {Errno.Message()}";
                    return Close(fd);
                }
                next = OpenAt(fd, names[i], flags);
                if (next >= 0 && LibC.fchmod(next, mode.Native()) != 0)
                {
                    problem = $"cannot set the mode of {at}: {Errno.Message()}";
                    LibC.close(next);
                    return Close(fd);
                }
                errno = next < 0 ? Errno.Last : 0;
            }
            if (next < 0)
            {
                problem = OpenFailure(errno, fd, names[i], at, last, target, out untrusted);
                if (errno == LibC.ENOENT && !last) problem = $"{Join(names)} does not exist";
                return Close(fd);
            }
            LibC.close(fd);
            fd = next;
            bool parentShared = shared;
            if (!Judge(fd, at, last, target, secrecy, parentShared, ref shared, out untrusted, out problem))
            {
                if (parentShared && problem is not null && !last) problem += $" (below {parent}, which others can write to)";
                return Close(fd);
            }
        }
        problem = null;
        return fd;
    }

    private static string Join(List<string> names) => "/" + string.Join('/', names);

    /// <summary>'.' dropped, '..' taken back (never above '/').</summary>
    private static List<string> Lexical(IEnumerable<string> names)
    {
        var result = new List<string>();
        foreach (var n in names)
        {
            if (n == ".") continue;
            if (n == "..") { if (result.Count > 0) result.RemoveAt(result.Count - 1); continue; }
            result.Add(n);
        }
        return result;
    }

    private static string? ReadLink(int dirfd, string name)
    {
        byte[] p = CString.From(name);
        byte[] buffer = new byte[4096];
        long n;
        fixed (byte* pp = p)
        fixed (byte* b = buffer)
            n = LibC.readlinkat(dirfd, pp, b, buffer.Length);
        if (n < 0 || n >= buffer.Length) return null;
        return System.Text.Encoding.UTF8.GetString(buffer, 0, (int)n);
    }

    /// <summary>Intermediate directories: a handle for *at calls only. O_PATH needs no read permission and opens no device.</summary>
    private static readonly int PassFlags = LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC;
    private static readonly int DirectoryFlags = LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC;
    /// <summary>O_NONBLOCK: a FIFO planted at the name must not hang root; it is refused as not regular after fstat.</summary>
    private static readonly int FileFlags = LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NOCTTY | LibC.O_NONBLOCK | LibC.O_CLOEXEC;

    /// <summary>Judges the descriptor just opened for <paramref name="at"/>; <paramref name="shared"/> becomes whether it is a sticky directory others may write to.</summary>
    private static bool Judge(int fd, string at, bool isLast, WalkTarget target, Secrecy secrecy, bool parentShared, ref bool shared,
        out bool untrusted, out string? problem)
    {
        untrusted = true;
        var st = FileSystem.FStat(fd);
        if (!st.Ok)
        {
            untrusted = false;
            problem = $"cannot examine {at}: {st.Refusal.Detail}";
            return false;
        }
        var s = st.Value;
        string what = s.IsDirectory ? "directory " + at : at;
        bool wantFile = isLast && target == WalkTarget.File;
        if (wantFile && s.IsDirectory) { untrusted = false; problem = $"{at} is a directory, not a file"; return false; }
        if (wantFile && !s.IsRegular) { problem = $"{at} is not a regular file"; return false; }
        if (!wantFile && !s.IsDirectory) { problem = $"{at} is not a directory"; return false; }
        if (s.Uid != 0) { problem = $"{what} is owned by uid {s.Uid}, not root (chown root {at})"; return false; }
        if (wantFile && parentShared)
        {
            problem = $"{at} is directly in a directory others can write to; move it into a root-owned directory (a sticky bit protects names, not hard links)";
            return false;
        }
        if ((s.Permissions & FileModes.GroupOrOtherWrite) != 0)
        {
            bool passThrough = s.IsDirectory && !isLast && (s.Permissions & UnixFileMode.StickyBit) != 0;
            if (!passThrough)
            {
                problem = $"{what} has mode {s.ModeOctal}, writable by group or others (chmod go-w {at})";
                return false;
            }
        }
        if (wantFile && secrecy == Secrecy.Private && (s.Permissions & FileModes.GroupOrOtherAny) != 0)
        {
            problem = $"{at} has mode {s.ModeOctal}, readable or writable by group or others (chmod 0600 {at}, and replace it: it may have been copied)";
            return false;
        }
        shared = s.IsDirectory && (s.Permissions & FileModes.GroupOrOtherWrite) != 0;
        untrusted = false;
        problem = null;
        return true;
    }

    private static string OpenFailure(int errno, int dirfd, string name, string at, bool last, WalkTarget target, out bool untrusted)
    {
        untrusted = true;
        // O_NOFOLLOW fails with ELOOP on a final symlink; with O_DIRECTORY an intermediate one gives ENOTDIR.
        if ((errno == LibC.ELOOP || errno == LibC.ENOTDIR) && FileSystem.LStatAt(dirfd, name) is { Ok: true, Value.IsSymlink: true })
            return $"{at} is a symbolic link; links are never followed in a trusted path (write the real path)";
        if (errno == LibC.ENOTDIR) return $"{at} is not a directory";
        untrusted = false;
        if (errno == LibC.ENOENT) return $"{at} does not exist";
        if (errno == LibC.ENXIO || (last && target == WalkTarget.File && errno == LibC.EISDIR))
        {
            untrusted = true;
            return $"{at} is not a regular file";
        }
        return $"cannot open {at}: {Errno.Message(errno)}";
    }

    private static int OpenAt(int dirfd, string name, int flags)
    {
        byte[] p = CString.From(name);
        int fd;
        fixed (byte* pp = p)
        {
            do fd = LibC.openat(dirfd, pp, flags, default);
            while (fd < 0 && Errno.Last == LibC.EINTR);
        }
        return fd;
    }

    private static int Mkdir(int dirfd, string name, UnixFileMode mode)
    {
        byte[] p = CString.From(name);
        fixed (byte* pp = p)
            return LibC.mkdirat(dirfd, pp, mode.Native());
    }

    private static int Close(int fd)
    {
        LibC.close(fd);
        return -1;
    }
}
