namespace Launcher.Core.Authorization;

/// <summary>Whose problem a refusal is: it decides exit codes, PAM results and whether the runner retries.</summary>
public enum RefusalKind
{
    /// <summary>The token, the policy, the account or the job said no: the job's (or the caller's) to fix.</summary>
    Denied,
    /// <summary>The site could not decide or act (config, keys, NSS, audit, launch setup): the site's to fix.</summary>
    SiteError,
}

/// <summary>
/// Why something was refused: a stable reason code from <see cref="Reasons"/>, a detail naming the
/// value seen and the key or file to fix, and whose problem it is. The one refusal shape of the
/// code base: tokens, policy, accounts, job binding, directories, launch, the executor and PAM.
/// </summary>
/// <remarks>
/// The error convention (docs/ARCHITECTURE.md, "Refusals and outcomes"): an operation that yields
/// a value returns <see cref="Outcome{T}"/>; a check that yields nothing returns
/// <c>Refusal?</c>, null when it holds. Expected failures are never exceptions. A low-level
/// helper that knows what went wrong but not what it means (a file walk, NSS, a name's syntax, a
/// template's expansion) returns <see cref="Unlabelled"/>; the layer that knows what the failure
/// means labels it with <see cref="AsDenied"/> or <see cref="AsSiteError"/>. An unlabelled refusal
/// that escapes anyway shows as <see cref="Reasons.InternalError"/>, never as success.
/// </remarks>
public sealed record Refusal(string Reason, string Detail, RefusalKind Kind)
{
    public static Refusal Denied(string reason, string detail) => new(reason, detail, RefusalKind.Denied);

    public static Refusal SiteError(string reason, string detail) => new(reason, detail, RefusalKind.SiteError);

    /// <summary>What went wrong, from a helper that cannot say what it means; its caller labels it.</summary>
    public static Refusal Unlabelled(string detail) => new(Reasons.InternalError, detail, RefusalKind.SiteError);

    public bool IsSiteError => Kind == RefusalKind.SiteError;

    /// <summary>The job's (or caller's) problem, with the reason code of the layer that knows it.</summary>
    public Refusal AsDenied(string reason) => this with { Reason = reason, Kind = RefusalKind.Denied };

    /// <summary>The site's problem, with the reason code of the layer that knows it.</summary>
    public Refusal AsSiteError(string reason) => this with { Reason = reason, Kind = RefusalKind.SiteError };

    /// <summary>The same refusal with where it happened in front: <c>launch.create_dirs: ...</c>.</summary>
    public Refusal In(string where) => this with { Detail = $"{where}: {Detail}" };

    /// <summary><c>reason: detail</c>, the form of the stderr line, the PAM log and syslog.</summary>
    public override string ToString() => Detail.Length == 0 ? Reason : $"{Reason}: {Detail}";
}
