using System.Security.Cryptography;
using System.Text;
using Launcher.TestIssuer;

namespace Launcher.Core.Tests.Support;

/// <summary>Hand-built compact tokens for the hostile cases IssuerKey.Sign cannot express (raw JSON, HMAC, DER signatures).</summary>
public static class Jws
{
    public static string B64(string text) => IssuerKey.B64(Encoding.UTF8.GetBytes(text));

    public static string Header(IssuerKey key) => $"{{\"alg\":\"{key.Algorithm}\",\"kid\":\"{key.KeyId}\",\"typ\":\"JWT\"}}";

    /// <summary>header and payload exactly as given (duplicate members, arrays, odd types), signed by <paramref name="key"/>.</summary>
    public static string Raw(string headerJson, string payloadJson, IssuerKey key)
    {
        string input = B64(headerJson) + "." + B64(payloadJson);
        return input + "." + IssuerKey.B64(key.SignBytes(Encoding.ASCII.GetBytes(input)));
    }

    /// <summary>header and payload as raw bytes (invalid UTF-8), signed by <paramref name="key"/>.</summary>
    public static string RawBytes(byte[] headerJson, byte[] payloadJson, IssuerKey key)
    {
        string input = IssuerKey.B64(headerJson) + "." + IssuerKey.B64(payloadJson);
        return input + "." + IssuerKey.B64(key.SignBytes(Encoding.ASCII.GetBytes(input)));
    }

    /// <summary>The HS/RS confusion attack: HMAC-SHA256 keyed with the bytes of the victim's public key.</summary>
    public static string Hmac(string headerJson, string payloadJson, byte[] secret)
    {
        string input = B64(headerJson) + "." + B64(payloadJson);
        return input + "." + IssuerKey.B64(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));
    }

    public static string[] Parts(string token) => token.Split('.');

    public static string Join(params string[] parts) => string.Join('.', parts);
}
