using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Launcher.Core.Config;
using Launcher.Core.Tokens;
using Launcher.TestIssuer;

// bench-validate [SECONDS] [OUT_DIR]: validations/second through TokenVerifier for RS256 and ES256,
// beside raw verification of the very same signature (RSA/ECDsa.VerifyData, which is OpenSSL
// underneath on Linux). With OUT_DIR, also writes the RS256 public key, signing input and
// signature there so run.sh can time 'openssl' on the same bytes.
double seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2;
string? outDir = args.Length > 1 ? args[1] : null;

const string Iss = "https://gitlab.example.org", Aud = "https://hpc.example.org";
var rsa = IssuerKey.CreateRsa("bench-rsa");
var ec = IssuerKey.CreateEc("bench-ec");
var (config, errors) = ConfigLoader.Parse("bench.yaml", $$"""
    issuers:
      - name: gitlab
        issuer: {{Iss}}
        audiences: [{{Aud}}]
        jwks_file: /var/lib/ci-launcher/jwks/gitlab.json
        algorithms: [RS256, ES256]
    policy:
      rules:
        - name: hpc
          issuer: gitlab
          match: { project_path: "hpc/**" }
          action: allow
          run_as: "{user_login}"
    """);
if (config is null) throw new InvalidOperationException(string.Join("\n", errors));
var keys = new FixedKeys(KeySet.Parse(Encoding.UTF8.GetBytes(IssuerKey.Jwks(rsa, ec)), "bench").Value);
var verifier = new TokenVerifier(config, keys, TimeProvider.System);

Console.WriteLine($"in-process, {seconds:0.#}s per measurement, {Environment.ProcessorCount} CPU(s), .NET {Environment.Version}");
foreach (var key in new[] { rsa, ec })
{
    string token = key.Sign(GitLabClaims.For(Iss, Aud, "alice", DateTimeOffset.UtcNow));
    if (verifier.Verify(token) is { Ok: false } refused) throw new InvalidOperationException(refused.Refusal.ToString());

    var parts = token.Split('.');
    byte[] input = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
    byte[] signature = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
    var jwk = key.PublicJwk();
    Func<bool> raw;
    if (key.Algorithm == "RS256")
    {
        var pub = RSA.Create(new RSAParameters { Modulus = B(jwk["n"]), Exponent = B(jwk["e"]) });
        raw = () => pub.VerifyData(input, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            File.WriteAllText(Path.Combine(outDir, "rs256.pub.pem"), pub.ExportSubjectPublicKeyInfoPem());
            File.WriteAllBytes(Path.Combine(outDir, "rs256.input"), input);
            File.WriteAllBytes(Path.Combine(outDir, "rs256.sig"), signature);
        }
    }
    else
    {
        var pub = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = B(jwk["x"]), Y = B(jwk["y"]) } });
        raw = () => pub.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
    if (!raw()) throw new InvalidOperationException("raw verification failed");

    var full = Rate(() => verifier.Verify(token).Ok, seconds);
    var bare = Rate(raw, seconds);
    Console.WriteLine($"{key.Algorithm}: TokenVerifier {full.PerCpuSecond,9:N0}/CPU-s ({full.PerSecond,7:N0}/s wall)   raw VerifyData {bare.PerCpuSecond,9:N0}/CPU-s ({bare.PerSecond,7:N0}/s wall)   raw/verifier {bare.PerCpuSecond / full.PerCpuSecond:0.00}x");
    Console.WriteLine($"RESULT {key.Algorithm} verifier={full.PerCpuSecond:0} raw={bare.PerCpuSecond:0}");

    // Where a token's time goes beyond the primitive: each step alone, CPU microseconds per token.
    var envelope = TokenEnvelope.Open(token).Value;
    var signingKey = keys.GetKeys(config.Issuers[0]).Value.Find(envelope.KeyId!)!;
    byte[] sigBytes = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
    double Us(Func<bool> op) => 1e6 / Rate(op, seconds / 4).PerCpuSecond;
    double open = Us(() => TokenEnvelope.Open(token).Ok);
    double claims = Us(() => RegisteredClaims.Read(envelope.Claims).Ok);
    double provider = Us(() => signingKey.Key.Verify(envelope.Algorithm, input, sigBytes));
    double primitive = Us(raw), whole = Us(() => verifier.Verify(token).Ok);
    Console.WriteLine($"{key.Algorithm} per token, CPU us: whole {whole:0.0} = envelope (3 base64url + JSON parses) {open:0.0} + registered claims {claims:0.0}"
        + $" + signature through PublicKey (libcrypto directly) {provider:0.0} (raw .NET VerifyData {primitive:0.0}) + the rest {whole - open - claims - provider:0.0}");
}
return 0;

static byte[] B(object value) => System.Buffers.Text.Base64Url.DecodeFromChars((string)value);

// Warm up (tiering, caches), then count completed operations for the given time; a failed one aborts.
// The warm-up lasts as long as the measurement: tiered JIT (with PGO) replaces tier-0 code only after
// a delay that restarts whenever new methods run, and a measurement that starts earlier charged the
// slow code to whichever operation ran first (TokenVerifier: 1.8x the primitive, against 1.2x warm).
// Rates per second of this process's CPU time as well as of wall time: the machine is shared, and
// 'openssl speed' also divides by its process's CPU time, so CPU-time rates are the comparable ones.
// (Process, not thread: the tree declares no P/Invoke outside src/Launcher.Posix/Interop, and the
// loop is single-threaded once warmed up; GC work it causes is part of its cost.)
static (double PerSecond, double PerCpuSecond) Rate(Func<bool> op, double seconds)
{
    double warm = CpuSeconds();
    for (int i = 0; i < 200 || CpuSeconds() - warm < seconds; i++) if (!op()) throw new InvalidOperationException("operation failed");
    long n = 0;
    double cpu0 = CpuSeconds();
    var sw = Stopwatch.StartNew();
    while (CpuSeconds() - cpu0 < seconds)
    {
        for (int i = 0; i < 50; i++) if (!op()) throw new InvalidOperationException("operation failed");
        n += 50;
    }
    return (n / sw.Elapsed.TotalSeconds, n / (CpuSeconds() - cpu0));
}

static double CpuSeconds() => Environment.CpuUsage.TotalTime.TotalSeconds;

/// <summary>One parsed key set for every issuer: the cached-JWKS steady state of a long-lived process.</summary>
sealed class FixedKeys(KeySet keys) : IKeySource
{
    public Launcher.Core.Authorization.Outcome<KeySet> GetKeys(IssuerSettings issuer) => Launcher.Core.Authorization.Outcome.Of(keys);
}
