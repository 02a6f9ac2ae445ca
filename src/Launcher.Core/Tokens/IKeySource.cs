using Launcher.Core.Authorization;
using Launcher.Core.Config;

namespace Launcher.Core.Tokens;

/// <summary>Supplies an issuer's key set. The CLI reads the jwks_file once; the PAM library caches and reloads on change.</summary>
public interface IKeySource
{
    Outcome<KeySet> GetKeys(IssuerSettings issuer);
}
