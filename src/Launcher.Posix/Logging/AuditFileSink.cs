using System.Runtime.InteropServices;
using System.Text;
using Launcher.Core.Audit;
using Launcher.Posix.Interop;

namespace Launcher.Posix.Logging;

/// <summary>
/// JSON lines appended to audit.file. O_APPEND so records of concurrent ci-launcher processes
/// never overwrite or interleave (one write(2) per line); created 0600 because the records
/// name users and projects; O_NOFOLLOW so a symlink planted at the path is refused rather than
/// followed; fsync per record so an allowed job's record is on disk before the job starts.
/// </summary>
public sealed unsafe class AuditFileSink(string path) : IAuditSink
{
    public string Path => path;

    public void Write(AuditRecord record)
    {
        byte[] line = Encoding.UTF8.GetBytes(record.ToJson() + "\n");
        byte[] pathBytes = Encoding.UTF8.GetBytes(path + "\0");
        int fd;
        fixed (byte* p = pathBytes)
        {
            do fd = LibC.open(p, LibC.O_WRONLY | LibC.O_APPEND | LibC.O_CREAT | LibC.O_CLOEXEC
                | LibC.O_NOFOLLOW | LibC.O_NOCTTY, 0x180 /* 0600 */);
            while (fd < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR);
        }
        if (fd < 0) throw Failure("open");
        try
        {
            fixed (byte* b = line)
            {
                nint written;
                do written = LibC.write(fd, b, (nuint)line.Length);
                while (written < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR);
                if (written < 0) throw Failure("write");
                // A short write on a regular file means the disk is full: the line is torn, say so.
                if (written != line.Length) throw new IOException($"{path}: short write ({written} of {line.Length} bytes; disk full?)");
            }
            if (LibC.fsync(fd) != 0) throw Failure("fsync");
        }
        finally
        {
            LibC.close(fd);
        }
    }

    private IOException Failure(string call)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{path}: {call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}
