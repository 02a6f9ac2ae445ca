using System.Globalization;
using System.Text.Json;
using Launcher.Core.Authorization;

namespace Launcher.Core.Batch;

/// <summary>
/// Everything the stage's monitor (<c>ci-launcher executor batch-monitor PLAN</c>, running as the
/// mapped user) does, decided beforehand by the privileged side: the complete submit command,
/// the complete environment of the batch commands, where the output and the result go and how
/// long to wait. The monitor reads nothing else: not the config, not the runner's environment.
/// </summary>
public sealed record BatchPlan
{
    /// <summary>A plan is small; anything larger was not written by ci-launcher.</summary>
    public const int MaxBytes = 1 << 20;

    public required string System { get; init; }
    public required string BinDir { get; init; }
    public required IReadOnlyList<string> SubmitArguments { get; init; }
    /// <summary>The whole environment of sbatch, scontrol and scancel (and so of the job's exported variables).</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
    public required string JobName { get; init; }
    public required string User { get; init; }
    public required string OutputFile { get; init; }
    public required string ResultFile { get; init; }
    public required TimeSpan PollInterval { get; init; }
    public required TimeSpan OutputInterval { get; init; }
    public TimeSpan? StartTimeout { get; init; }
    /// <summary>How long a cancel may take before the supervisor's SIGKILL: launch.kill_timeout less a margin.</summary>
    public required TimeSpan CancelGrace { get; init; }

    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("system", System);
            w.WriteString("bin_dir", BinDir);
            w.WriteStartArray("submit_arguments");
            foreach (var a in SubmitArguments) w.WriteStringValue(a);
            w.WriteEndArray();
            w.WriteStartObject("environment");
            foreach (var (k, v) in Environment) w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteString("job_name", JobName);
            w.WriteString("user", User);
            w.WriteString("output_file", OutputFile);
            w.WriteString("result_file", ResultFile);
            w.WriteNumber("poll_interval_ms", (long)PollInterval.TotalMilliseconds);
            w.WriteNumber("output_interval_ms", (long)OutputInterval.TotalMilliseconds);
            w.WriteNumber("start_timeout_ms", StartTimeout is { } t ? (long)t.TotalMilliseconds : 0);
            w.WriteNumber("cancel_grace_ms", (long)CancelGrace.TotalMilliseconds);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    public static Outcome<BatchPlan> Parse(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
            var r = doc.RootElement;
            var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in r.GetProperty("environment").EnumerateObject()) env[p.Name] = p.Value.GetString()!;
            long start = r.GetProperty("start_timeout_ms").GetInt64();
            return Outcome.Of(new BatchPlan
            {
                System = r.GetProperty("system").GetString()!,
                BinDir = r.GetProperty("bin_dir").GetString()!,
                SubmitArguments = r.GetProperty("submit_arguments").EnumerateArray().Select(a => a.GetString()!).ToList(),
                Environment = env,
                JobName = r.GetProperty("job_name").GetString()!,
                User = r.GetProperty("user").GetString()!,
                OutputFile = r.GetProperty("output_file").GetString()!,
                ResultFile = r.GetProperty("result_file").GetString()!,
                PollInterval = TimeSpan.FromMilliseconds(r.GetProperty("poll_interval_ms").GetInt64()),
                OutputInterval = TimeSpan.FromMilliseconds(r.GetProperty("output_interval_ms").GetInt64()),
                StartTimeout = start > 0 ? TimeSpan.FromMilliseconds(start) : null,
                CancelGrace = TimeSpan.FromMilliseconds(r.GetProperty("cancel_grace_ms").GetInt64()),
            });
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return Refusal.Unlabelled($"is not a batch plan written by ci-launcher ({e.Message})");
        }
    }
}

/// <summary>How the stage's batch job ended, as the monitor reports it to the privileged side.</summary>
public enum BatchOutcome
{
    /// <summary>The script ran to its end; <see cref="BatchResult.ExitStatus"/> is its status.</summary>
    Finished,
    /// <summary>The site's trouble (submission failed, never started, TIMEOUT/NODE_FAIL/..., lost): a system failure.</summary>
    SystemFailure,
    /// <summary>The runner cancelled the stage; the job was cancelled too.</summary>
    Cancelled,
}

/// <summary>The monitor's last word, in the result file the privileged side created for it.</summary>
public sealed record BatchResult
{
    /// <summary>The result file is created empty by root and written once by the monitor; it stays tiny.</summary>
    public const int MaxBytes = 16 << 10;

    public required BatchOutcome Outcome { get; init; }
    public int ExitStatus { get; init; }
    /// <summary>For a system failure: the reason code (batch.*), and the one line printed.</summary>
    public string Reason { get; init; } = "";
    public string Detail { get; init; } = "";
    public string JobId { get; init; } = "";
    public string State { get; init; } = "";
    public string Partition { get; init; } = "";
    public string Account { get; init; } = "";
    public string Nodes { get; init; } = "";
    public string Elapsed { get; init; } = "";

    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("outcome", Outcome switch { BatchOutcome.Finished => "finished", BatchOutcome.Cancelled => "cancelled", _ => "system_failure" });
            w.WriteNumber("exit_status", ExitStatus);
            w.WriteString("reason", Reason);
            w.WriteString("detail", Detail);
            w.WriteString("job_id", JobId);
            w.WriteString("state", State);
            w.WriteString("partition", Partition);
            w.WriteString("account", Account);
            w.WriteString("nodes", Nodes);
            w.WriteString("elapsed", Elapsed);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    public static Outcome<BatchResult> Parse(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 4 });
            var r = doc.RootElement;
            string S(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? Printable(v.GetString()!) : "";
            var outcome = r.GetProperty("outcome").GetString() switch
            {
                "finished" => BatchOutcome.Finished,
                "cancelled" => BatchOutcome.Cancelled,
                "system_failure" => BatchOutcome.SystemFailure,
                var other => throw new FormatException($"unknown outcome '{other}'"),
            };
            int status = r.GetProperty("exit_status").GetInt32();
            if (status is < 0 or > 255) throw new FormatException($"exit status {status.ToString(CultureInfo.InvariantCulture)} out of range");
            string reason = S("reason");
            // The monitor runs as the job's user: its reason can only be one of the batch system failures.
            if (outcome == BatchOutcome.SystemFailure && !reason.StartsWith("batch.", StringComparison.Ordinal))
                throw new FormatException($"system failure with reason '{reason}'");
            return Authorization.Outcome.Of(new BatchResult
            {
                Outcome = outcome,
                ExitStatus = status,
                Reason = reason,
                Detail = S("detail"),
                JobId = S("job_id"),
                State = S("state"),
                Partition = S("partition"),
                Account = S("account"),
                Nodes = S("nodes"),
                Elapsed = S("elapsed"),
            });
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return Refusal.Unlabelled($"is not a batch result ({e.Message})");
        }
    }

    private static string Printable(string s)
    {
        s = new string(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return s.Length > 600 ? s[..600] : s;
    }
}
