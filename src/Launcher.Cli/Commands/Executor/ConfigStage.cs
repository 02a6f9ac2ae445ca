using System.Text.Json;

namespace Launcher.Cli.Commands.Executor;

/// <summary>
/// <c>config_exec</c>: authorize the job and tell the runner where it builds. The JSON on
/// stdout is all the runner reads; everything else goes to stderr (the job log).
/// </summary>
public static class ConfigStage
{
    public static int Run(StageContext ctx)
    {
        if (!ctx.Authorize(out int exit)) return exit;
        ctx.Announce();
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("builds_dir", ctx.BuildsDir);
            w.WriteString("cache_dir", ctx.CacheDir);
            // builds_dir is per user (and runner), not per job: two concurrent jobs of one project
            // would share <builds_dir>/<namespace>/<project>. "Shared" makes GitLab Runner add
            // <runner short token>/<concurrency id>/, so every running job has its own checkout.
            w.WriteBoolean("builds_dir_is_shared", true);
            w.WriteString("hostname", ctx.Settings.Hostname ?? Environment.MachineName);
            w.WriteStartObject("driver");
            w.WriteString("name", "ci-launcher");
            w.WriteString("version", CommandLine.Version);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        stdout.Write("\n"u8);
        return 0;
    }
}
