using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Launcher.Integration.Tests.Support;

/// <summary>One canned HTTP answer. <see cref="Chunked"/> omits Content-Length and ends the body by closing.</summary>
public sealed record LoopbackResponse(int Status, byte[] Body, string? Location = null, bool Chunked = false)
{
    public static LoopbackResponse Json(string json) => new(200, Encoding.UTF8.GetBytes(json));
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (a kernel-chosen port, so parallel test runs never
/// collide), plain or TLS with a test certificate. One request per connection. Records the
/// paths it was asked for, so tests can tell which URLs the client really fetched.
/// </summary>
public sealed class LoopbackServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly X509Certificate2? _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackServer(X509Certificate2? certificate = null)
    {
        _certificate = certificate;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoop);
    }

    public int Port { get; }

    public string BaseUrl => $"{(_certificate is null ? "http" : "https")}://127.0.0.1:{Port}";

    public Dictionary<string, LoopbackResponse> Routes { get; } = new(StringComparer.Ordinal);

    public List<string> Requested { get; } = [];

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            try
            {
                Stream stream = client.GetStream();
                if (_certificate is not null)
                {
                    var ssl = new SslStream(stream);
                    await ssl.AuthenticateAsServerAsync(_certificate);
                    stream = ssl;
                }
                string path = await ReadRequestPath(stream);
                // A client that refused the certificate after a TLS 1.3 handshake sends no request at all.
                if (path.Length == 0) return;
                lock (Requested) Requested.Add(path);
                var response = Routes.GetValueOrDefault(path) ?? new LoopbackResponse(404, Encoding.ASCII.GetBytes("not found"));
                var head = new StringBuilder($"HTTP/1.1 {response.Status} {(response.Status == 200 ? "OK" : "Status")}\r\n");
                head.Append("Content-Type: application/json\r\nConnection: close\r\n");
                if (!response.Chunked) head.Append($"Content-Length: {response.Body.Length}\r\n");
                if (response.Location is not null) head.Append($"Location: {response.Location}\r\n");
                head.Append("\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
                await stream.WriteAsync(response.Body);
                await stream.FlushAsync();
                stream.Dispose();
            }
            catch (Exception)
            {
                // A client that gives up mid-answer (refused certificate, size limit) is part of the tests.
            }
        }
    }

    private static async Task<string> ReadRequestPath(Stream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 16384)
        {
            if (await stream.ReadAsync(one) == 0) break;
            buffer.Add(one[0]);
            int n = buffer.Count;
            if (n >= 4 && buffer[n - 4] == '\r' && buffer[n - 3] == '\n' && buffer[n - 2] == '\r' && buffer[n - 1] == '\n') break;
        }
        string requestLine = Encoding.ASCII.GetString(buffer.ToArray()).Split("\r\n")[0];
        var parts = requestLine.Split(' ');
        return parts.Length >= 2 ? parts[1] : "";
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { }
        _stop.Dispose();
    }
}
