using System.Text.Json;
using Launcher.Core.Config;

namespace Launcher.Core.Tokens;

/// <summary>A token whose signature, issuer, audience and lifetime all checked out.</summary>
public sealed class VerifiedToken
{
    public required IssuerSettings Issuer { get; init; }
    public required JsonElement Claims { get; init; }
    public required string Algorithm { get; init; }
    public required string KeyId { get; init; }
    public required DateTimeOffset Expires { get; init; }
    public string? Jti { get; init; }
    public string? Subject { get; init; }
}
