using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Launcher.Testing;

/// <summary>
/// A private sshd on 127.0.0.1 and a random free port, with its own host key and config in a
/// trusted directory. OpenSSH names its PAM service after its program name (no PAMServiceName
/// option in Debian's 9.2p1), so sshd runs through a symlink named after the PAM service.
/// Killed on dispose.
/// </summary>
public sealed class Sshd : IDisposable
{
    private readonly Process _process;
    private readonly TrustedDir _dir = new();

    public Sshd(string pamService)
    {
        Port = FreePort();
        string hostKey = Path.Combine(_dir.Path, "host_ed25519");
        var keygen = Proc.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
        if (keygen.ExitCode != 0) throw new InvalidOperationException("ssh-keygen: " + keygen.Stderr);
        string config = _dir.Write("sshd_config", $"""
            ListenAddress 127.0.0.1
            Port {Port}
            HostKey {hostKey}
            PidFile {Path.Combine(_dir.Path, "sshd.pid")}
            UsePAM yes
            KbdInteractiveAuthentication yes
            PasswordAuthentication yes
            PubkeyAuthentication no
            PermitRootLogin no
            AuthorizedKeysFile none
            MaxAuthTries 2
            LogLevel VERBOSE

            """);
        Directory.CreateDirectory("/run/sshd"); // privilege separation directory
        string program = Path.Combine(_dir.Path, pamService);
        File.CreateSymbolicLink(program, "/usr/sbin/sshd");
        var psi = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-D", "-e", "-f", config }) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        psi.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        _process = Process.Start(psi)!;
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (Log) Log.Add(e.Data); };
        _process.BeginErrorReadLine();
        WaitForListener();
    }

    public int Port { get; }
    public List<string> Log { get; } = [];

    /// <summary>sshpass + ssh running 'id -un'; method is keyboard-interactive or password.</summary>
    public ProcResult Login(string user, string token, string method)
    {
        string[] prompt = method == "keyboard-interactive" ? ["-P", "Token:"] : [];
        return Proc.Run("sshpass", [.. prompt, "-e", "ssh", "-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", $"PreferredAuthentications={method}", "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1",
            "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", "-p", Port.ToString(), $"{user}@127.0.0.1", "id", "-un"],
            new Dictionary<string, string> { ["SSHPASS"] = token }, timeout: TimeSpan.FromSeconds(60));
    }

    private static int FreePort()
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            int port = Random.Shared.Next(20000, 30000);
            try
            {
                var l = new TcpListener(IPAddress.Loopback, port);
                l.Start();
                l.Stop();
                return port;
            }
            catch (SocketException) { }
        }
        throw new InvalidOperationException("no free port in 20000-29999");
    }

    private void WaitForListener()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                string why = $"sshd exited {_process.ExitCode}: {string.Join("\n", Log)}";
                Dispose();
                throw new InvalidOperationException(why);
            }
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) { Thread.Sleep(100); }
        }
        Dispose();
        throw new TimeoutException("sshd did not listen within 20 s");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        _dir.Dispose();
    }
}
