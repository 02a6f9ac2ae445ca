using System.Text;
using System.Text.Json;
using Launcher.Core.Authorization;
using Launcher.Core.Policy;

namespace Launcher.Core.Audit;

/// <summary>One audit line. Carries the token's jti and SHA-256, never the token.</summary>
public sealed record AuditRecord
{
    public required DateTimeOffset Time { get; init; }
    public required string Command { get; init; }
    public required string Decision { get; init; }
    public required string Reason { get; init; }
    public required uint CallerUid { get; init; }
    public string? Detail { get; init; }
    public string? Issuer { get; init; }
    public string? Sub { get; init; }
    public string? Jti { get; init; }
    public string? TokenSha256 { get; init; }
    public string? ProjectPath { get; init; }
    public string? ProjectId { get; init; }
    public string? JobId { get; init; }
    public string? PipelineSource { get; init; }
    public string? Ref { get; init; }
    public string? User { get; init; }
    public uint? Uid { get; init; }
    public string? Rule { get; init; }
    /// <summary>Command-specific extras (e.g. PAM service and rhost, issued audience).</summary>
    public IReadOnlyDictionary<string, string>? Extra { get; init; }

    /// <summary>
    /// Whether the writer makes the record durable (fsync) before it returns. Every record that
    /// lets something happen is; only the end record of a job that already ran is not (see
    /// <c>LaunchSequence</c>). Not part of the line.
    /// </summary>
    public bool Durable { get; init; } = true;

    public static AuditRecord From(Decision d, string command, uint callerUid, DateTimeOffset time,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        var claims = d.Token?.Claims;
        string? Claim(string name) => claims is { } c ? ClaimValues.Scalar(c, name) : null;
        return new AuditRecord
        {
            Time = time,
            Command = command,
            Decision = d.Refusal switch { null => "allow", { Kind: RefusalKind.Denied } => "deny", _ => "error" },
            Reason = d.Reason,
            Detail = d.Allowed ? null : d.Detail,
            CallerUid = callerUid,
            Issuer = d.Token?.Issuer.Name,
            Sub = Claim("sub"),
            Jti = Claim("jti"),
            TokenSha256 = d.TokenSha256,
            ProjectPath = Claim("project_path") ?? Claim("repository"),
            ProjectId = Claim("project_id") ?? Claim("repository_id"),
            JobId = Claim("job_id") ?? Claim("run_id"),
            PipelineSource = Claim("pipeline_source") ?? Claim("event_name"),
            Ref = Claim("ref"),
            User = d.Account?.Name ?? d.MappedUser,
            Uid = d.Account?.Uid,
            Rule = d.Rule,
            Extra = extra,
        };
    }

    /// <summary>One JSON object, no newline inside (control characters are escaped by the writer).</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = AsciiJsonEncoder.Instance }))
        {
            w.WriteStartObject();
            w.WriteString("time", Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("command", Command);
            w.WriteString("decision", Decision);
            w.WriteString("reason", Reason);
            Opt(w, "detail", Detail);
            w.WriteNumber("caller_uid", CallerUid);
            Opt(w, "issuer", Issuer);
            Opt(w, "sub", Sub);
            Opt(w, "jti", Jti);
            Opt(w, "token_sha256", TokenSha256);
            Opt(w, "project_path", ProjectPath);
            Opt(w, "project_id", ProjectId);
            Opt(w, "job_id", JobId);
            Opt(w, "pipeline_source", PipelineSource);
            Opt(w, "ref", Ref);
            Opt(w, "user", User);
            if (Uid is { } uid) w.WriteNumber("uid", uid);
            Opt(w, "rule", Rule);
            if (Extra is not null)
                foreach (var (k, v) in Extra) w.WriteString(k, v);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Opt(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }
}
