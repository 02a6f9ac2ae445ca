using System.Text;
using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Tokens;

namespace Launcher.Core.Tests.Support;

/// <summary>JWKS documents by issuer name, parsed like the real jwks_file source parses them.</summary>
public sealed class MemoryKeySource : IKeySource
{
    private readonly Dictionary<string, string> _jwks = new(StringComparer.Ordinal);

    public MemoryKeySource Set(string issuerName, string jwksJson)
    {
        _jwks[issuerName] = jwksJson;
        return this;
    }

    public Outcome<KeySet> GetKeys(IssuerSettings issuer)
    {
        if (!_jwks.TryGetValue(issuer.Name, out var json))
            return Refusal.SiteError(Reasons.JwksUnavailable, $"no JWKS for '{issuer.Name}' (fixture)");
        return KeySet.Parse(Encoding.UTF8.GetBytes(json), issuer.JwksFile);
    }
}
