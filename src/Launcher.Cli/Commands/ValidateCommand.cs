using System.Text;
using System.Text.Json;
using Launcher.Core.Authorization;
using Launcher.Cli.Commands.Executor.Batch;
using Launcher.Core.Policy;

namespace Launcher.Cli.Commands;

/// <summary>
/// <c>validate</c> and <c>explain</c>: the full decision (token, policy, account) without any
/// privilege change. validate answers in one line or JSON; explain prints every step.
/// </summary>
public static class ValidateCommand
{
    private static readonly string[] ReportedClaims =
    [
        "sub", "jti", "user_login", "project_id", "project_path", "namespace_id", "namespace_path",
        "job_project_path", "pipeline_source", "ref", "ref_type", "ref_protected", "environment",
        "job_id", "runner_id", "repository", "repository_id", "repository_owner", "actor",
    ];

    public static int Run(IReadOnlyList<string> argv, bool explain)
    {
        var args = CliArgs.Parse(argv, explain ? new HashSet<string> { "config", "token-file", "scheduler-parameters" } : new HashSet<string> { "config", "token-file" },
            explain ? new HashSet<string>() : new HashSet<string> { "json" });
        if (args.Positional.Count > 0) throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        string tokenFile = args.Require("token-file");
        // explain prints every rule of the policy: through the wrapper that is more than a caller may read.
        if (explain && Site.RefuseUnlessRoot("explain")) return ExitCodes.UsageOrConfig;

        var site = Site.Load(args.Get("config"), explain ? "explain" : "validate");
        if (site is null) return ExitCodes.UsageOrConfig;

        var trace = explain ? new ConsoleTrace() : null;
        trace?.Line($"config: {site.Config.Path} ({site.Config.Issuers.Count} issuer(s), {site.Config.Rules.Count} rule(s))");
        var token = TokenInput.Read(tokenFile);
        Decision decision;
        if (!token.Ok)
        {
            decision = Decision.Refused(token.Refusal);
            trace?.Line($"refused: {token.Refusal}");
        }
        else
        {
            decision = site.Authorizer.Authorize(token.Value, trace);
            if (explain) decision = BatchExplain.Check(site, decision, args.Get("scheduler-parameters"), trace!);
        }
        // validate grants nothing, so an unwritable audit file (an unprivileged caller) does not change the answer.
        site.Record(decision, explain ? "explain" : "validate");

        if (explain)
        {
            Console.Out.WriteLine(decision.Allowed
                ? $"decision: ALLOW by rule '{decision.Rule}' as user '{decision.Account!.Name}' (uid {decision.Account.Uid})"
                : $"decision: {(decision.Refusal!.IsSiteError ? "ERROR" : "DENY")} ({decision.Reason}): {decision.Detail}");
        }
        else if (args.Has("json"))
        {
            Console.Out.WriteLine(ToJson(decision));
        }
        else if (decision.Allowed)
        {
            Console.Out.WriteLine($"allowed: issuer '{decision.Token!.Issuer.Name}', rule '{decision.Rule}', user '{decision.Account!.Name}' (uid {decision.Account.Uid})");
        }
        else
        {
            Console.Error.WriteLine($"ci-launcher: {decision.Reason}: {decision.Detail}");
        }
        return decision.Refusal switch
        {
            null => ExitCodes.Allowed,
            { Kind: RefusalKind.Denied } => ExitCodes.Denied,
            _ => ExitCodes.UsageOrConfig,
        };
    }

    public static string ToJson(Decision d)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = Launcher.Core.Audit.AsciiJsonEncoder.Instance }))
        {
            w.WriteStartObject();
            w.WriteBoolean("allowed", d.Allowed);
            w.WriteString("reason", d.Reason);
            w.WriteString("detail", d.Detail);
            if (d.Token is { } t) w.WriteString("issuer", t.Issuer.Name); else w.WriteNull("issuer");
            if (d.Rule is { } rule) w.WriteString("rule", rule); else w.WriteNull("rule");
            if (d.TokenSha256 is { } sha) w.WriteString("token_sha256", sha);
            if (d.MappedUser is { } mapped) w.WriteString("mapped_user", mapped); else w.WriteNull("mapped_user");
            // The account is reported whenever it was resolved, also on an account refusal (shell,
            // group, lock...), so the sysadmin sees which uid and groups the decision was about.
            if (d.Account is { } a)
            {
                w.WriteStartObject("account");
                w.WriteString("user", a.Name);
                w.WriteNumber("uid", a.Uid);
                w.WriteNumber("gid", a.Gid);
                w.WriteStartArray("groups");
                foreach (var g in a.Groups) w.WriteStringValue(g.Display);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("account");
            }
            if (d.Token is { } token)
            {
                w.WriteStartObject("claims");
                foreach (var name in ReportedClaims)
                    if (ClaimValues.Scalar(token.Claims, name) is { } value) w.WriteString(name, value);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private sealed class ConsoleTrace : ITrace
    {
        public void Line(string text) => Console.Out.WriteLine("  " + text);
    }
}
