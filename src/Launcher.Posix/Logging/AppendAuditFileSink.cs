using System.Runtime.InteropServices;
using System.Text;
using Launcher.Core.Audit;
using Launcher.Posix.Interop;

namespace Launcher.Posix.Logging;

/// <summary>
/// Audit lines appended with O_APPEND and one write(2) per record, fsynced, file created 0600.
/// The kernel then places each record at the end of the file atomically, so concurrent writers
/// (threads of one PAM host, or many sshd processes logging in at once) never overwrite each
/// other. .NET's FileMode.Append opens without O_APPEND and writes at an offset it looked up
/// itself, which loses records when two writers race (found by the PAM stress test).
/// </summary>
public sealed unsafe class AppendAuditFileSink(string path) : IAuditSink
{
    public string Path => path;

    public void Write(AuditRecord record)
    {
        byte[] line = Encoding.UTF8.GetBytes(record.ToJson() + "\n");
        byte[] pathz = Encoding.UTF8.GetBytes(path + "\0");
        int fd;
        fixed (byte* p = pathz)
            fd = LibC.AppendOpen(p, LibC.O_WRONLY | LibC.O_APPEND | LibC.O_CREAT | LibC.O_CLOEXEC, 0b110_000_000);
        if (fd < 0) throw Failure("cannot open");
        try
        {
            fixed (byte* b = line)
            {
                nint written;
                while ((written = LibC.AppendWrite(fd, b, (nuint)line.Length)) < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR) { }
                if (written < 0) throw Failure("cannot write");
                // A short write would split the record; it only happens on a full disk, which is a failure anyway.
                if (written != line.Length) throw new IOException($"cannot write audit file {path}: short write ({written} of {line.Length} bytes); fix audit.file or its file system");
            }
            if (LibC.AppendFsync(fd) != 0) throw Failure("cannot fsync");
        }
        finally
        {
            LibC.AppendClose(fd);
        }
    }

    private IOException Failure(string what) =>
        new($"{what} audit file {path}: {Marshal.GetLastPInvokeErrorMessage()} (fix audit.file or its directory)");
}
