using Launcher.Core.Audit;
using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Posix.Accounts;
using Launcher.Posix.Keys;
using Launcher.Posix.Logging;
using Launcher.Posix.Privileged;

namespace Launcher.Posix;

/// <summary>
/// The site as this host runs it, composed in one place for the CLI and the PAM library: the
/// validated config (read under the trusted-file rules when privileged), the issuers' key sets
/// (jwks_file, kept while unchanged), the user database (NSS), the decision path over them and
/// the audit trail the config names.
/// </summary>
public sealed class SiteServices
{
    private SiteServices(SiteConfig config, string auditTag)
    {
        Config = config;
        Authorizer = new Authorizer(config, new JwksFileKeySource(ProcessIdentity.IsPrivileged), new PosixAccountDatabase(), Clock);
        Audit = AuditSinks.For(config.Audit, auditTag);
    }

    public SiteConfig Config { get; }
    public Authorizer Authorizer { get; }
    public AuditTrail Audit { get; }
    public TimeProvider Clock => TimeProvider.System;

    /// <summary>
    /// The site of the config at <paramref name="path"/>, or every config error (check-config and
    /// the CLI print them all; the PAM library logs the first). <paramref name="auditTag"/> is the
    /// syslog tag of the audit records (<see cref="AuditSinks.CliTag"/>, <see cref="AuditSinks.PamTag"/>).
    /// </summary>
    public static (SiteServices? Site, IReadOnlyList<ConfigError> Errors) Load(string path, string auditTag)
    {
        var (config, errors) = SiteConfigFile.Load(path, ProcessIdentity.IsPrivileged);
        return config is null ? (null, errors) : (new SiteServices(config, auditTag), []);
    }

    /// <summary>
    /// Null when the decision's audit record was written everywhere the config says; else the
    /// audit.unavailable refusal. <paramref name="durable"/>: synced to disk before returning
    /// (<see cref="AuditRecord.Durable"/>).
    /// </summary>
    public Refusal? Record(Decision decision, string command, IReadOnlyDictionary<string, string>? extra = null, bool durable = true) =>
        Audit.Write(AuditRecord.From(decision, command, ProcessIdentity.RealUid, Clock.GetUtcNow(), extra) with { Durable = durable });

    /// <summary>
    /// For what grants something (run, executor, PAM, token issue): the decision to act on, after
    /// recording it; an allow whose record could not be written comes back refused
    /// (<see cref="AuditTrail.RecordOrRefuse"/>).
    /// </summary>
    public Decision RecordOrRefuse(Decision decision, string command, IReadOnlyDictionary<string, string>? extra = null) =>
        Audit.RecordOrRefuse(decision, d => AuditRecord.From(d, command, ProcessIdentity.RealUid, Clock.GetUtcNow(), extra));
}
