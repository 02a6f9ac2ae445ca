using System.Text;
using Launcher.Cli.Launch;
using Launcher.Core.Authorization;
using Launcher.Core.Launch;
using Launcher.Core.Tokens;
using Launcher.Posix.Launch;
using Launcher.Posix.Privileged;

namespace Launcher.Cli.Commands;

/// <summary>
/// <c>ci-launcher run --config FILE [--token-file FILE|-] -- SCRIPT [ARGS]</c>: decide, audit,
/// create the user's directories, drop to the mapped account, exec the script with the launch
/// shell, and supervise it. Exits with the job's status; when no job ran, with one stderr line
/// (reason code and fix), an audit record, and the refusal's code (<see cref="ExitCodeContract.ForRun"/>).
/// </summary>
public static class RunCommand
{
    public static int Run(IReadOnlyList<string> argv)
    {
        var args = CliArgs.Parse(argv, new HashSet<string> { "config", "token-file" }, new HashSet<string>());
        if (args.Positional.Count > 0) throw new UsageException($"unexpected argument '{args.Positional[0]}'; the script goes after '--'");
        if (args.Rest.Count == 0 || args.Rest[0].Length == 0) throw new UsageException("no script given: ci-launcher run --config FILE -- SCRIPT [ARGS]");

        var codes = ExitCodeContract.ForRun(Environment.GetEnvironmentVariable);
        var site = Site.Load(args.Get("config"), "run");
        if (site is null) return codes.SystemFailure;
        var launch = site.Config.Launch;
        // Relative to the caller's directory: the child resolves it after chdir to the job's.
        string script = Path.GetFullPath(args.Rest[0]);
        var extra = new Dictionary<string, string>
        {
            ["script"] = script,
            ["downscope"] = launch.Downscope.ToString().ToLowerInvariant(),
        };

        if (CallerGate.CheckCaller(launch) is { } callerRefusal)
            return new LaunchSequence(site, Decision.Refused(callerRefusal), "run", extra, codes).Refuse(callerRefusal);

        var token = ReadToken(site, args.Get("token-file"));
        var decision = token.Ok ? site.Authorizer.Authorize(token.Value) : Decision.Refused(token.Refusal);
        var sequence = new LaunchSequence(site, decision, "run", extra, codes);
        if (!decision.Allowed) return sequence.Refuse(decision.Refusal!);

        var tokenVariables = site.Config.Issuers.Select(i => i.TokenVariable).Distinct().ToList();
        var plan = LaunchPlan.Prepare(launch, decision, script, args.Rest.Skip(1).ToList(), CallerEnvironment(), tokenVariables,
            launch.PassToken ? token.Value : null, JobLimits.ForJob);
        var launched = sequence.Launch(plan);
        return launched.Ok ? codes.ForJob(launched.Value.ExitStatus) : sequence.Fail(launched.Refusal);
    }

    /// <summary>--token-file FILE|-, else the first issuer token variable set in the environment.</summary>
    private static Outcome<string> ReadToken(Site site, string? tokenFile)
    {
        if (tokenFile is not null) return TokenInput.Read(tokenFile);
        foreach (var issuer in site.Config.Issuers)
        {
            if (Environment.GetEnvironmentVariable(issuer.TokenVariable) is { Length: > 0 } value)
                return TokenEnvelope.FromFileText(Encoding.UTF8.GetBytes(value));
        }
        string names = string.Join(" or ", site.Config.Issuers.Select(i => i.TokenVariable).Distinct());
        return Refusal.Denied(Reasons.TokenMissing, $"no token: give --token-file FILE (or - for stdin), or set {names}");
    }

    private static IEnumerable<KeyValuePair<string, string>> CallerEnvironment()
    {
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            yield return new KeyValuePair<string, string>((string)e.Key, (string?)e.Value ?? "");
    }
}
