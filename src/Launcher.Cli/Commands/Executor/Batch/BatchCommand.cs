using System.ComponentModel;
using System.Diagnostics;

namespace Launcher.Cli.Commands.Executor.Batch;

/// <summary>How one batch command ended: not started (<see cref="StartError"/>), or its exit code and output.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr, string? StartError = null)
{
    public bool Started => StartError is null;
    public bool Ok => Started && ExitCode == 0;
}

/// <summary>
/// Runs one batch-system command (sbatch, scontrol, scancel) from the plan: by absolute path in
/// executor.batch.bin_dir, argument vector as given (no shell), the plan's environment and
/// nothing else. Used only by the monitor, which already runs as the job's user.
/// </summary>
public static class BatchCommand
{
    public static CommandResult Run(string binDir, string command, IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        string path = Path.Combine(binDir, command);
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new Win32Exception("not started");
        }
        catch (Win32Exception e)
        {
            return new CommandResult(-1, "", "", $"cannot run {path}: {e.Message}");
        }
        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                try { process.Kill(); }
                catch (InvalidOperationException) { }
                process.WaitForExit();
                return new CommandResult(-1, stdout.Result, stderr.Result + $"\n{command} did not answer within {timeout.TotalSeconds:0}s");
            }
            process.WaitForExit();
            return new CommandResult(process.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
