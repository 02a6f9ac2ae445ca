using Launcher.Core.Accounts;
using Launcher.Core.Audit;
using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Posix;
using Launcher.Posix.Accounts;
using Launcher.Posix.Keys;
using Launcher.Posix.Logging;
using Launcher.Posix.Privileged;

namespace Launcher.Pam;

/// <summary>
/// One loaded config with its decision path and audit trail: the same pieces the CLI's Site
/// composes (Authorizer, JwksFileKeySource, PosixAccountDatabase, AuditSinks),
/// kept alive across logins by <see cref="SiteCache"/>.
/// </summary>
public sealed class PamSite
{
    private PamSite(SiteConfig config, Authorizer authorizer, IAccountDatabase accounts, AuditTrail audit)
    {
        Config = config;
        Authorizer = authorizer;
        Accounts = accounts;
        Audit = audit;
    }

    public SiteConfig Config { get; }
    public Authorizer Authorizer { get; }
    public IAccountDatabase Accounts { get; }
    public AuditTrail Audit { get; }

    /// <summary>The site, or null with the first config error as <paramref name="failure"/>.</summary>
    public static PamSite? Load(string path, out PamOutcome? failure)
    {
        bool privileged = ProcessIdentity.IsPrivileged;
        var config = SiteConfigFile.Load(path, privileged, out var errors, out bool untrusted);
        if (config is null)
        {
            string reason = untrusted ? Reasons.ConfigUntrusted : Reasons.ConfigInvalid;
            string detail = errors.Count == 0 ? path : errors[0].ToString() + (errors.Count > 1 ? $" (and {errors.Count - 1} more; run 'ci-launcher check-config --config {path}')" : "");
            failure = new PamOutcome(PamResult.Unavailable, reason, detail);
            return null;
        }
        var accounts = new PosixAccountDatabase();
        var authorizer = new Authorizer(config, new JwksFileKeySource(privileged), accounts, TimeProvider.System);
        failure = null;
        return new PamSite(config, authorizer, accounts, AuditSinks.For(config.Audit, AuditSinks.PamTag));
    }
}
