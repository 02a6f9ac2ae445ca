using System.Text;
using Launcher.Core.Audit;
using Launcher.Posix.Files;
using Launcher.Posix.Interop;
using Tmds.Linux;

namespace Launcher.Posix.Logging;

/// <summary>
/// JSON lines appended to audit.file: the one audit file writer, for the CLI and the PAM library.
/// <list type="bullet">
/// <item>O_APPEND and one write(2) per record: records of concurrent writers (processes, or
/// threads of one PAM host) never overwrite or interleave.</item>
/// <item>O_NOFOLLOW, and the opened file must be a regular file with one link: a symlink or hard
/// link planted at the path cannot aim root's appends at another file. O_NOCTTY and O_NONBLOCK:
/// a terminal or FIFO put there neither becomes our controlling tty nor hangs the open.</item>
/// <item>Created 0600 (records name users and projects); fsync per record, so an allowed job's
/// record is on disk before the job starts. A record marked not <see cref="AuditRecord.Durable"/>
/// (a job's end record) is left to the kernel's writeback.</item>
/// <item>A record is written whole or counts as not written (the caller refuses with
/// audit.unavailable), and never leaves a torn line that the next record would be glued onto:
/// see <see cref="Write"/>.</item>
/// </list>
/// Opened O_RDWR rather than O_WRONLY only so that repairing a torn record can read the one byte
/// before it; nothing else is ever read.
/// </summary>
public sealed unsafe class AuditFileSink(string path) : IAuditSink
{
    private static readonly int Flags = LibC.O_RDWR | LibC.O_APPEND | LibC.O_CREAT | LibC.O_NOFOLLOW | LibC.O_NOCTTY | LibC.O_CLOEXEC | LibC.O_NONBLOCK;
    private const UnixFileMode Mode = FileModes.OwnerReadWrite;

    /// <summary>What replaces a torn record when it is long enough to hold it: a valid JSON line that says what happened.</summary>
    public const string TornMarker = "{\"torn_record\":true}";

    public string Path => path;

    /// <summary>
    /// Appends one record. A caller can make the write come up short: a set-id or PAM host
    /// process inherits its RLIMIT_FSIZE, and a full disk does the same. Three defences, in order:
    /// (1) the room the file size limit leaves is checked first, and a record that does not fit
    /// is not written at all; (2) the write runs with SIGXFSZ blocked in this thread and a
    /// SIGXFSZ it raises is taken back, so hitting the limit (another writer filled the room in
    /// between) fails the write instead of killing the process (sshd, su, or the launcher
    /// mid-decision); (3) when bytes were written but not all of them, the torn bytes are
    /// overwritten in place (no growth, so no limit or free space is needed) to end in a newline:
    /// with <see cref="TornMarker"/> when it fits, else as trailing blanks of the line before.
    /// Every line of the file stays one valid JSON value. The repair needs F_SETFL and pwrite,
    /// which an append-only (chattr +a) file refuses: there a torn line is reported, not fixed
    /// (the room check leaves only races with another writer to cause one). Deliberately not
    /// done: looking at the file's last byte before appending to start on a fresh line, which
    /// races with writers whose append is in flight (the size can be read mid-copy) and inserts
    /// empty lines. (1) and (2) throw before writing, (3) after: the record was not written whole.
    /// </summary>
    public void Write(AuditRecord record)
    {
        byte[] line = Encoding.UTF8.GetBytes(record.ToJson() + "\n");
        int fd = Open();
        try
        {
            long size = CheckFile(fd);
            CheckRoom(size, line.Length);
            long written = AppendOnce(fd, line, out int errno);
            if (written == line.Length)
            {
                if (record.Durable) Sync(fd);
                return;
            }
            if (written < 0) throw Failure("write", errno, "nothing was written");
            if (written == 0) throw new IOException($"{path}: write wrote nothing (file size limit or full disk)");
            string repair = Terminate(fd, written);
            throw new IOException($"{path}: short write ({written} of {line.Length} bytes: file size limit or full disk); {repair}");
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>
    /// Root (the set-id launcher, sshd's PAM stack) reaches the file through its directory, opened
    /// by the trusted walk: a directory anyone else could change would let them swap the log
    /// between check and append. An unprivileged process (validate by a user) opens it plainly,
    /// with its own rights.
    /// </summary>
    private int Open()
    {
        bool root = LibC.geteuid() == 0;
        byte[] name = CString.From(root ? System.IO.Path.GetFileName(path) : path);
        Microsoft.Win32.SafeHandles.SafeFileHandle? judged = null;
        if (root)
        {
            var opened = Files.TrustedFile.OpenDirectory(System.IO.Path.GetDirectoryName(path) ?? "/");
            if (!opened.Ok) throw new IOException($"{path}: audit.file directory: {opened.Refusal.Detail}");
            judged = opened.Value;
        }
        using var judgedDir = judged;
        int at = judged is null ? LibC.AT_FDCWD : (int)judged.DangerousGetHandle();
        int fd;
        fixed (byte* p = name)
        {
            do fd = LibC.openat(at, p, Flags, Mode.Native());
            while (fd < 0 && Errno.Last == LibC.EINTR);
        }
        if (fd < 0) throw Failure("open", Errno.Last);
        return fd;
    }

    /// <summary>The opened file must be a plain file that exists once; returns its size.</summary>
    private long CheckFile(int fd)
    {
        if (FileSystem.FStat(fd) is not { Ok: true, Value: var st })
            throw Failure("fstat", Errno.Last);
        if (!st.IsRegular)
            throw new IOException($"{path}: not a regular file; point audit.file at a plain file");
        if (st.Links != 1)
            throw new IOException($"{path}: has {st.Links} hard links; the audit writer appends only to a file that exists once");
        return (long)st.Size;
    }

    /// <summary>The whole record must fit under this process's RLIMIT_FSIZE, or it is not written at all.</summary>
    private void CheckRoom(long size, int recordBytes)
    {
        Glibc.Rlimit limit;
        if (Glibc.getrlimit(Glibc.RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != Glibc.RLIM_INFINITY
            && (ulong)size + (ulong)recordBytes > limit.rlim_cur)
            // No sizes in the message: the file may be one the caller cannot read.
            throw new IOException($"{path}: the file size limit of this process (RLIMIT_FSIZE, ulimit -f) leaves no room for the record; nothing was written");
    }

    /// <summary>One write(2) of the whole record with SIGXFSZ blocked in this thread; a SIGXFSZ it raised is consumed.</summary>
    private static long AppendOnce(int fd, byte[] line, out int errno)
    {
        sigset_t xfsz, old, pending;
        LibC.sigemptyset(&xfsz);
        LibC.sigaddset(&xfsz, LibC.SIGXFSZ);
        int rc = LibC.pthread_sigmask(LibC.SIG_BLOCK, &xfsz, &old);
        if (rc != 0)
        {
            errno = rc;
            return -1;
        }
        // One already pending (and blocked by the host) is not ours to take.
        bool pendingBefore = LibC.sigpending(&pending) == 0 && LibC.sigismember(&pending, LibC.SIGXFSZ) == 1;
        try
        {
            long written;
            fixed (byte* b = line)
            {
                do written = LibC.write(fd, b, line.Length);
                while (written < 0 && Errno.Last == LibC.EINTR);
            }
            errno = written < 0 ? Errno.Last : 0;
            return written;
        }
        finally
        {
            if (!pendingBefore && LibC.sigpending(&pending) == 0 && LibC.sigismember(&pending, LibC.SIGXFSZ) == 1)
            {
                var now = new timespec();
                LibC.sigtimedwait(&xfsz, null, &now);
            }
            LibC.pthread_sigmask(LibC.SIG_SETMASK, &old, null);
        }
    }

    /// <summary>
    /// Turns the torn bytes just appended into the end of a valid line, in place. With O_APPEND
    /// the file offset is now right after the <paramref name="written"/> bytes, so they are
    /// [end - written, end): the bytes before them are final (the kernel serialises appends),
    /// and whatever other writers appended since lies after and is untouched. Returns what was
    /// done, for the error message.
    /// </summary>
    private string Terminate(int fd, long written)
    {
        long end = LibC.lseek(fd, 0, LibC.SEEK_CUR);
        long start = end - written;
        if (end < 0 || start < 0) return $"the torn record could not be located ({Errno.Message()}); check the end of the file";
        // pwrite on an O_APPEND descriptor appends on Linux; clear it (fails on a chattr +a file).
        int flags = LibC.fcntl(fd, LibC.F_GETFL, 0);
        if (flags < 0 || LibC.fcntl(fd, LibC.F_SETFL, flags & ~LibC.O_APPEND) != 0)
            return $"the torn record at offset {start} could not be blanked ({Errno.Message()}); fix that line by hand";

        byte[] patch;
        long at = start;
        if (written >= TornMarker.Length + 1)
            patch = Encoding.ASCII.GetBytes(TornMarker.PadRight((int)written - 1) + "\n");
        else if (start > 0 && ByteAt(fd, start - 1) == '\n')
        {
            // Too short for the marker: the previous record's newline and the torn bytes become
            // trailing blanks of that record, then a newline. JSON allows trailing whitespace.
            patch = Encoding.ASCII.GetBytes(new string(' ', (int)written) + "\n");
            at = start - 1;
        }
        else
            patch = Encoding.ASCII.GetBytes(new string(' ', (int)written - 1) + "\n");

        long done;
        fixed (byte* b = patch)
        {
            do done = LibC.pwrite(fd, b, patch.Length, at);
            while (done < 0 && Errno.Last == LibC.EINTR);
        }
        if (done != patch.Length)
            return $"the torn record at offset {start} could not be blanked ({(done < 0 ? Errno.Message() : "short write")}); fix that line by hand";
        LibC.fsync(fd);
        return "the torn bytes were blanked, the file holds only whole lines";
    }

    private static int ByteAt(int fd, long offset)
    {
        byte b;
        return LibC.pread(fd, &b, 1, offset) == 1 ? b : -1;
    }

    private void Sync(int fd)
    {
        int rc;
        do rc = LibC.fsync(fd);
        while (rc != 0 && Errno.Last == LibC.EINTR);
        if (rc != 0) throw Failure("fsync", Errno.Last);
    }

    private IOException Failure(string call, int errno, string? more = null) =>
        new($"{path}: {call} failed: {Errno.Message(errno)} (errno {errno}){(more is null ? "" : "; " + more)}");
}
