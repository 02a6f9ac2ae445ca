using System.Text.Json;

namespace Launcher.Core.Issuing;

/// <summary>Everything a site token will say, decided before any key is touched.</summary>
public sealed record SiteTokenGrant
{
    public required string Issuer { get; init; }
    /// <summary>The Unix user name the job runs as (the mapped, uid-checked account).</summary>
    public required string Subject { get; init; }
    public required string Audience { get; init; }
    public required long IssuedAt { get; init; }
    public required long Expires { get; init; }
    public required string Jti { get; init; }
    /// <summary>Job claims copied from the CI token, in configured order; missing ones are absent.</summary>
    public required IReadOnlyList<KeyValuePair<string, JsonElement>> JobClaims { get; init; }

    public string Sign(SiteKey key) => CompactJwt.Sign(key, w =>
    {
        w.WriteString("iss", Issuer);
        w.WriteString("sub", Subject);
        w.WriteString("aud", Audience);
        w.WriteNumber("iat", IssuedAt);
        w.WriteNumber("nbf", IssuedAt);
        w.WriteNumber("exp", Expires);
        w.WriteString("jti", Jti);
        foreach (var (name, value) in JobClaims)
        {
            w.WritePropertyName(name);
            value.WriteTo(w);
        }
    });
}
