namespace Launcher.Core.Config;

/// <summary>JWS algorithms an issuer may be allowed. Asymmetric only: an HMAC key is a shared secret the issuer could not keep.</summary>
public static class Algorithms
{
    public static readonly IReadOnlySet<string> Asymmetric = new HashSet<string>(StringComparer.Ordinal)
    {
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
    };
}
