using Launcher.Core.Policy;

namespace Launcher.Core.Config;

public static partial class ConfigLoader
{
    private sealed partial class Validator
    {
        /// <summary>The <c>accounts:</c> section needs no conversion: it is its own settings once checked.</summary>
        private AccountsConfig? ValidateAccounts(AccountsConfig a)
        {
            int before = Errors.Count;
            if (a.MinUid < 1 || a.MinUid > uint.MaxValue)
                Error("accounts.min_uid", $"{a.MinUid} is out of range; uid 0 is never allowed, so min_uid is at least 1 (default 1000)");
            if (a.MinGid < 0 || a.MinGid > uint.MaxValue)
                Error("accounts.min_gid", $"{a.MinGid} is out of range");
            // Names are compared byte for byte with the mapped user and its groups; one that could
            // never be a name is a typo that would leave a deny entry without effect.
            foreach (var (list, names) in new[] { ("allow_users", a.AllowUsers), ("deny_users", a.DenyUsers) })
                foreach (var (n, idx) in names.Select((n, idx) => (n, idx)))
                    if (PosixUserName.Check(n) is { } invalid)
                        Error($"accounts.{list}[{idx}]", $"'{n}' {invalid.Detail}; list user names exactly as in /etc/passwd");
            // Group names are looser (directory services allow "domain users"), but never empty or with ':'.
            foreach (var (list, names) in new[] { ("allow_groups", a.AllowGroups), ("deny_groups", a.DenyGroups) })
                foreach (var (n, idx) in names.Select((n, idx) => (n, idx)))
                    if (n.Length == 0 || n.Contains(':') || n.Any(char.IsControl))
                        Error($"accounts.{list}[{idx}]", $"'{n}' is not a group name; list group names exactly as in /etc/group");
            foreach (var (shell, idx) in a.AllowedShells.Select((s, idx) => (s, idx)))
                if (!shell.StartsWith('/'))
                    Error($"accounts.allowed_shells[{idx}]", $"'{shell}' must be an absolute path");
            return Errors.Count > before ? null : a;
        }

        /// <summary>The <c>audit:</c> section: where records go; the sinks are built by Launcher.Posix.</summary>
        private AuditConfig? ValidateAudit(AuditConfig audit)
        {
            if (audit.File.Length > 0 && !audit.File.StartsWith('/'))
            {
                Error("audit.file", $"'{audit.File}' must be an absolute path");
                return null;
            }
            return audit;
        }
    }
}
