using System.Diagnostics;

namespace Launcher.Testing;

public sealed record ProcResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// The tests' one way to run a program to completion: output captured, stdin written then closed,
/// killed with its children after the timeout. <see cref="Run(string, IEnumerable{string}, IDictionary{string, string}?, string?, TimeSpan?)"/>
/// gives it an explicit, minimal environment (never the test host's DOTNET_* variables).
/// </summary>
public static class Proc
{
    public const string SearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static ProcResult Run(string file, IEnumerable<string> args, IDictionary<string, string>? env = null,
        string? stdin = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        psi.Environment["PATH"] = SearchPath;
        psi.Environment["LANG"] = "C.UTF-8";
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        return Run(psi, stdin, timeout);
    }

    /// <summary>Runs <paramref name="psi"/> as it is set up (environment, arguments), output and input redirected.</summary>
    public static ProcResult Run(ProcessStartInfo psi, string? stdin = null, TimeSpan? timeout = null)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = true;
        psi.UseShellExecute = false;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null) p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program exited (or closed stdin) without reading it, e.g. refusing before the token: EPIPE is no failure of the test.
        }
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} did not finish");
        }
        p.WaitForExit();
        return new ProcResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a program that must succeed; its stdout.</summary>
    public static string Must(string file, params string[] args)
    {
        var r = Run(file, args);
        if (r.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({r.ExitCode}): {r.Stderr.Trim()}");
        return r.Stdout;
    }
}
