using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Launcher.TestIssuer;

/// <summary>A throwaway issuer key (RSA 2048 or EC P-256) that can publish its JWKS and sign tokens.</summary>
public sealed class IssuerKey
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ec;

    private IssuerKey(string kid, RSA? rsa, ECDsa? ec)
    {
        KeyId = kid;
        _rsa = rsa;
        _ec = ec;
    }

    public string KeyId { get; }
    public string Algorithm => _rsa is not null ? "RS256" : "ES256";

    public static IssuerKey CreateRsa(string kid, int bits = 2048) => new(kid, RSA.Create(bits), null);

    public static IssuerKey CreateEc(string kid) => new(kid, null, ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public static IssuerKey FromPem(string kid, string pem)
    {
        if (TryEc(pem) is { } ec)
            return new IssuerKey(kid, null, ec);
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return new IssuerKey(kid, rsa, null);
    }

    private static ECDsa? TryEc(string pem)
    {
        try
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return ec;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    public string ExportPrivatePem() => _rsa is not null ? _rsa.ExportPkcs8PrivateKeyPem() : _ec!.ExportPkcs8PrivateKeyPem();

    /// <summary>The public JWK as a JSON object (extra members may be added by the caller).</summary>
    public Dictionary<string, object> PublicJwk()
    {
        if (_rsa is not null)
        {
            var p = _rsa.ExportParameters(false);
            return new() { ["kty"] = "RSA", ["kid"] = KeyId, ["use"] = "sig", ["alg"] = "RS256", ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) };
        }
        var q = _ec!.ExportParameters(false);
        return new() { ["kty"] = "EC", ["kid"] = KeyId, ["use"] = "sig", ["alg"] = "ES256", ["crv"] = "P-256", ["x"] = B64(q.Q.X!), ["y"] = B64(q.Q.Y!) };
    }

    public static string Jwks(params IssuerKey[] keys) => JwksOf(keys.Select(k => k.PublicJwk()));

    public static string JwksOf(IEnumerable<Dictionary<string, object>> jwks)
    {
        var sb = new StringBuilder("{\"keys\":[");
        bool first = true;
        foreach (var jwk in jwks)
        {
            if (!first) sb.Append(',');
            first = false;
            sb.Append(Json(jwk));
        }
        return sb.Append("]}").ToString();
    }

    /// <summary>Signs header.payload with this key; <paramref name="header"/> defaults to alg + kid + typ.</summary>
    public string Sign(IReadOnlyDictionary<string, object?> claims, IReadOnlyDictionary<string, object?>? header = null)
    {
        header ??= new Dictionary<string, object?> { ["alg"] = Algorithm, ["kid"] = KeyId, ["typ"] = "JWT" };
        string signingInput = B64(Encoding.UTF8.GetBytes(Json(header))) + "." + B64(Encoding.UTF8.GetBytes(Json(claims)));
        return signingInput + "." + B64(SignBytes(Encoding.ASCII.GetBytes(signingInput)));
    }

    public byte[] SignBytes(byte[] data) => _rsa is not null
        ? _rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
        : _ec!.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>The public key as SubjectPublicKeyInfo PEM: what an HS/RS confusion attacker uses as the HMAC secret.</summary>
    public string PublicKeyPem() => _rsa is not null ? _rsa.ExportSubjectPublicKeyInfoPem() : _ec!.ExportSubjectPublicKeyInfoPem();

    /// <summary>An ECDSA signature in DER (X9.62) form, which JWS forbids (RFC 7518 3.4 wants raw R||S).</summary>
    public byte[] SignBytesDer(byte[] data) =>
        _ec?.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence) ?? throw new InvalidOperationException("not an EC key");

    public static string B64(byte[] data) => Base64Url.EncodeToString(data);

    /// <summary>Minimal JSON writer for the value shapes tokens use (strings, numbers, booleans, arrays, objects, null).</summary>
    public static string Json(object? value)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
            Write(w, value);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case int i: w.WriteNumberValue(i); break;
            case long l: w.WriteNumberValue(l); break;
            case double d: w.WriteNumberValue(d); break;
            case JsonElement e: e.WriteTo(w); break;
            case IEnumerable<KeyValuePair<string, object?>> map:
                w.WriteStartObject();
                foreach (var (k, v) in map) { w.WritePropertyName(k); Write(w, v); }
                w.WriteEndObject();
                break;
            case System.Collections.IEnumerable list:
                w.WriteStartArray();
                foreach (var item in list) Write(w, item);
                w.WriteEndArray();
                break;
            default: throw new ArgumentException($"cannot write {value.GetType()} as JSON");
        }
    }
}
