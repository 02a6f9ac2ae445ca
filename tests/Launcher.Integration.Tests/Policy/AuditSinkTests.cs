using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Launcher.Core.Audit;
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
        Assert.False(trail.TryWrite(Record(), out string? error));
        Assert.Contains(path, error);
        Assert.Equal("", File.ReadAllText(target));
    }

    [Fact]
    public void A_missing_directory_makes_the_trail_report_failure()
    {
        string path = Path.Combine(_dir, "no-such-dir", "audit.log");
        var trail = new AuditTrail([new AuditFileSink(path)]);
        Assert.False(trail.TryWrite(Record(), out string? error));
        Assert.Contains("no-such-dir/audit.log: open failed", error);
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
        Assert.True(new AuditTrail([new SyslogSink(socketPath: socketPath)]).TryWrite(Record(), out _));
        Assert.False(new AuditTrail([new SyslogSink(socketPath: socketPath, required: true)]).TryWrite(Record(), out string? error));
        Assert.Contains(socketPath, error);
    }
}
