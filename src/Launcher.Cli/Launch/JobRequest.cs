using Launcher.Core.Authorization;
using Launcher.Core.Launch;
using Launcher.Posix.Launch;

namespace Launcher.Cli.Launch;

/// <summary>
/// An allowed decision turned into a <see cref="JobSpec"/> by the launch settings: the
/// working directory, the create_dirs paths and the job environment, each expanded for the
/// account. Shared by <c>run</c> and the executor's run stage.
/// </summary>
public sealed class JobRequest
{
    public required JobSpec Spec { get; init; }
    public required IReadOnlyList<string> Directories { get; init; }

    /// <summary>The spec, or null with a refusal (reason code and the fix) when a template does not expand.</summary>
    public static JobRequest? Prepare(LaunchSettings launch, Decision decision, string script, IReadOnlyList<string> arguments,
        IEnumerable<KeyValuePair<string, string>> callerEnvironment, IReadOnlyCollection<string> tokenVariables, string? token,
        bool changeIdentity, out Decision? refusal)
    {
        var account = decision.Account ?? throw new ArgumentException("only an allowed decision can be launched", nameof(decision));
        refusal = null;
        string? workdir = launch.Workdir.Expand(account, out string? problem);
        if (workdir is null)
        {
            refusal = decision.Deny(Reasons.LaunchWorkdir, $"launch.workdir: {problem}", DecisionKind.SiteError);
            return null;
        }
        var directories = new List<string>();
        foreach (var template in launch.CreateDirs)
        {
            string? dir = template.Expand(account, out problem);
            if (dir is null)
            {
                refusal = decision.Deny(Reasons.LaunchDirectory, $"launch.create_dirs: {problem}", DecisionKind.SiteError);
                return null;
            }
            directories.Add(dir);
        }
        KeyValuePair<string, string>? passToken = token is not null && decision.Token is { } verified
            ? new KeyValuePair<string, string>(verified.Issuer.TokenVariable, token)
            : null;
        return new JobRequest
        {
            Directories = directories,
            Spec = new JobSpec
            {
                Account = account,
                Script = script,
                Arguments = arguments,
                Environment = JobEnvironment.Build(launch, account, callerEnvironment, tokenVariables, passToken),
                WorkingDirectory = workdir,
                Shell = launch.Shell,
                Umask = launch.Umask,
                NoNewPrivs = launch.NoNewPrivs,
                ChangeIdentity = changeIdentity,
                KillTimeout = launch.KillTimeout,
                Containment = launch.Containment,
                Limits = JobLimits.ForJob,
            },
        };
    }
}
