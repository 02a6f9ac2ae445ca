using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Launcher.Core.Audit;
using Launcher.Integration.Tests.Support;
using Launcher.Posix.Logging;

namespace Launcher.Integration.Tests.Policy;

/// <summary>The real audit sinks: the file (mode, append, one line per record, concurrent writers) and syslog.</summary>
public sealed class AuditSinkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clpol-audit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static AuditRecord Record(string decision = "deny", string projectPath = "hpc/solver", int n = 0) => new()
    {
        Time = new DateTimeOffset(2026, 11, 28, 2, 0, 0, TimeSpan.Zero),
        Command = "validate",
        Decision = decision,
        Reason = decision == "allow" ? "ok" : "policy.no_match",
        CallerUid = 1000,
        Issuer = "gitlab",
        Jti = $"jti-{n}",
        TokenSha256 = new string('a', 64),
        ProjectPath = projectPath,
    };

    [Fact]
    public void File_is_created_0600_and_appended_one_line_per_record()
    {
        string path = Path.Combine(_dir, "audit.log");
        File.WriteAllText(path, "");
        File.Delete(path);
        var sink = new AuditFileSink(path);
        sink.Write(Record("allow", n: 1));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        sink.Write(Record("deny", "x\ny", n: 2));
        new AuditFileSink(path).Write(Record(n: 3));

        string text = File.ReadAllText(path);
        Assert.EndsWith("\n", text);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal(["jti-1", "jti-2", "jti-3"], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("jti").GetString()));
        Assert.Equal("x\ny", JsonDocument.Parse(lines[1]).RootElement.GetProperty("project_path").GetString());
    }

    [Fact]
    public void Existing_content_is_kept_and_the_mode_of_an_existing_file_is_not_widened()
    {
        string path = Path.Combine(_dir, "audit.log");
        File.WriteAllText(path, "{\"earlier\":true}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        new AuditFileSink(path).Write(Record());
        var lines = File.ReadAllLines(path);
        Assert.Equal("{\"earlier\":true}", lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Concurrent_writers_never_overwrite_each_other()
    {
        // FileStream's Append mode would lose lines here (it writes at a remembered offset);
        // O_APPEND makes every write land at the end of the file.
        string path = Path.Combine(_dir, "audit.log");
        const int Writers = 4, PerWriter = 150;
        Parallel.For(0, Writers, new ParallelOptions { MaxDegreeOfParallelism = Writers }, w =>
        {
            var sink = new AuditFileSink(path);
            for (int i = 0; i < PerWriter; i++) sink.Write(Record(n: w * 1000 + i));
        });
        var lines = File.ReadAllLines(path);
        Assert.Equal(Writers * PerWriter, lines.Length);
        var jtis = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("jti").GetString()).ToHashSet();
        Assert.Equal(Writers * PerWriter, jtis.Count);
    }

    [Fact]
    public void A_symlink_at_the_audit_path_is_refused()
    {
        string target = Path.Combine(_dir, "elsewhere");
        File.WriteAllText(target, "");
        string path = Path.Combine(_dir, "audit.log");
        File.CreateSymbolicLink(path, target);
        var trail = new AuditTrail([new AuditFileSink(path)]);
        string? error = trail.Write(Record())?.Detail;
        Assert.NotNull(error);
        Assert.Contains(path, error);
        Assert.Equal("", File.ReadAllText(target));
    }

    [Fact]
    public void A_fifo_or_a_second_hard_link_at_the_audit_path_is_refused()
    {
        string fifo = Path.Combine(_dir, "fifo.log");
        Assert.Equal(0, Proc.Run("mkfifo", [fifo]).ExitCode);
        // O_NONBLOCK: no reader must not hang the writer; the opened FIFO is then refused.
        string? error = new AuditTrail([new AuditFileSink(fifo)]).Write(Record())?.Detail;
        Assert.NotNull(error);
        Assert.Contains("not a regular file", error);

        string target = Path.Combine(_dir, "elsewhere");
        File.WriteAllText(target, "");
        string link = Path.Combine(_dir, "audit.log");
        Assert.Equal(0, Proc.Run("ln", [target, link]).ExitCode);
        error = new AuditTrail([new AuditFileSink(link)]).Write(Record())?.Detail;
        Assert.NotNull(error);
        Assert.Contains("2 hard links", error);
        Assert.Equal("", File.ReadAllText(target));
    }

    [Fact]
    public void No_destination_at_all_is_an_audit_failure()
    {
        string? error = new AuditTrail([]).Write(Record())?.Detail;
        Assert.NotNull(error);
        Assert.Contains("no audit destination is configured", error);
        var allowed = Launcher.Core.Authorization.Decision.Allow("");
        var refused = new AuditTrail([]).RecordOrRefuse(allowed, _ => Record("allow"));
        Assert.Equal("audit.unavailable", refused.Reason);
        Assert.False(refused.Allowed);
    }

    [RootFact]
    public void A_write_cut_short_by_a_full_disk_is_blanked_and_the_next_record_starts_clean()
    {
        // A 16 KiB tmpfs: fill it, then append a record longer than what is left of the audit
        // file's last page. The write comes up short (ENOSPC after the page is full).
        string mount = Path.Combine(_dir, "small");
        Directory.CreateDirectory(mount);
        var m = Proc.Run("mount", ["-t", "tmpfs", "-o", "size=16k,mode=0700", "tmpfs", mount]);
        Assert.True(m.ExitCode == 0, m.Stderr);
        try
        {
            string path = Path.Combine(mount, "audit.log");
            var sink = new AuditFileSink(path);
            sink.Write(Record(n: 1));
            string filler = Path.Combine(mount, "filler");
            using (var f = new FileStream(filler, FileMode.CreateNew))
            {
                var page = new byte[4096];
                try { while (true) { f.Write(page); f.Flush(); } }
                catch (IOException) { }
            }
            long before = new FileInfo(path).Length;

            var trail = new AuditTrail([sink]);
            string? error = trail.Write(Record(projectPath: new string('p', 6000), n: 2))?.Detail;
        Assert.NotNull(error);
            Assert.Contains("short write", error);
            Assert.Contains("the torn bytes were blanked", error);
            Assert.Equal(4096, new FileInfo(path).Length);
            Assert.True(4096 - before >= AuditFileSink.TornMarker.Length + 1, "the torn part should hold the marker");

            File.Delete(filler);
            error = trail.Write(Record(n: 3))?.Detail;
        Assert.True(error is null, error);
            var lines = File.ReadAllLines(path);
            Assert.Equal(3, lines.Length);
            Assert.Equal("jti-1", JsonDocument.Parse(lines[0]).RootElement.GetProperty("jti").GetString());
            Assert.Equal(AuditFileSink.TornMarker, lines[1].TrimEnd(' '));
            JsonDocument.Parse(lines[1]).Dispose();
            Assert.Equal("jti-3", JsonDocument.Parse(lines[2]).RootElement.GetProperty("jti").GetString());
        }
        finally
        {
            Proc.Run("umount", [mount]);
        }
    }

    [Fact]
    public void A_missing_directory_makes_the_trail_report_failure()
    {
        string path = Path.Combine(_dir, "no-such-dir", "audit.log");
        var trail = new AuditTrail([new AuditFileSink(path)]);
        string? error = trail.Write(Record())?.Detail;
        Assert.NotNull(error);
        // Root reaches the file through its directory (the trusted walk); anyone else opens it plainly.
        Assert.Contains(RootFactAttribute.IsRoot() ? "no-such-dir does not exist" : "no-such-dir/audit.log: open failed", error);
    }

    [Fact]
    public void Syslog_receives_one_authpriv_datagram_per_record()
    {
        string socketPath = Path.Combine(_dir, "log.sock");
        using var server = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(socketPath));
        server.ReceiveTimeout = 5000;

        var sink = new SyslogSink("ci-launcher-test", socketPath);
        sink.Write(Record("allow", n: 1));
        sink.Write(Record("deny", "a\nb", n: 2));

        var buffer = new byte[8192];
        string first = Encoding.UTF8.GetString(buffer, 0, server.Receive(buffer));
        string second = Encoding.UTF8.GetString(buffer, 0, server.Receive(buffer));
        // LOG_AUTHPRIV (10 << 3 = 80) | LOG_INFO (6) for allow, | LOG_NOTICE (5) for deny.
        Assert.StartsWith($"<86>ci-launcher-test[{Environment.ProcessId}]: {{", first);
        Assert.StartsWith($"<85>ci-launcher-test[{Environment.ProcessId}]: {{", second);
        Assert.DoesNotContain('\n', second);
        var json = JsonDocument.Parse(second[(second.IndexOf(": ", StringComparison.Ordinal) + 2)..]).RootElement;
        Assert.Equal("jti-2", json.GetProperty("jti").GetString());
        Assert.Equal("a\nb", json.GetProperty("project_path").GetString());
    }

    [Fact]
    public void Missing_syslog_socket_is_an_audit_failure_only_when_syslog_is_the_only_sink()
    {
        string socketPath = Path.Combine(_dir, "no-daemon.sock");
        Assert.Null(new AuditTrail([new SyslogSink(socketPath: socketPath)]).Write(Record()));
        string? error = new AuditTrail([new SyslogSink(socketPath: socketPath, required: true)]).Write(Record())?.Detail;
        Assert.NotNull(error);
        Assert.Contains(socketPath, error);
    }
}
