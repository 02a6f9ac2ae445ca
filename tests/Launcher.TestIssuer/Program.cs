using System.Text.Json;
using Launcher.TestIssuer;

// test-issuer: keys, JWKS and GitLab-shaped tokens for the demo, tests and benchmarks.
//   test-issuer keygen --dir DIR [--alg RS256|ES256] [--kid KID]   writes DIR/key.pem, DIR/kid, DIR/jwks.json
//   test-issuer mint --dir DIR --iss URL --aud AUD --user NAME [--lifetime SECONDS] [--set claim=value ...]
var opts = new Dictionary<string, List<string>>();
for (int i = 1; i + 1 < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal)) { Console.Error.WriteLine($"test-issuer: unexpected '{args[i]}'"); return 2; }
    if (!opts.TryGetValue(args[i][2..], out var list)) opts[args[i][2..]] = list = [];
    list.Add(args[i + 1]);
}
string Opt(string name, string? fallback = null) =>
    opts.TryGetValue(name, out var v) ? v[0] : fallback ?? throw new ArgumentException($"--{name} is required");

switch (args.FirstOrDefault())
{
    case "keygen":
    {
        string dir = Opt("dir");
        Directory.CreateDirectory(dir);
        string kid = Opt("kid", $"test-{Guid.NewGuid():N}"[..17]);
        var key = Opt("alg", "RS256") == "ES256" ? IssuerKey.CreateEc(kid) : IssuerKey.CreateRsa(kid);
        File.WriteAllText(Path.Combine(dir, "key.pem"), key.ExportPrivatePem());
        File.WriteAllText(Path.Combine(dir, "kid"), kid);
        File.WriteAllText(Path.Combine(dir, "jwks.json"), IssuerKey.Jwks(key));
        return 0;
    }
    case "mint":
    {
        string dir = Opt("dir");
        var key = IssuerKey.FromPem(File.ReadAllText(Path.Combine(dir, "kid")).Trim(), File.ReadAllText(Path.Combine(dir, "key.pem")));
        var claims = GitLabClaims.For(Opt("iss"), Opt("aud"), Opt("user"), DateTimeOffset.UtcNow,
            TimeSpan.FromSeconds(long.Parse(Opt("lifetime", "3600"), System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var set in opts.GetValueOrDefault("set") ?? [])
        {
            int eq = set.IndexOf('=');
            string name = set[..eq], value = set[(eq + 1)..];
            // A value that parses as JSON (number, boolean, object) is taken as JSON; otherwise as a string.
            try { claims[name] = JsonDocument.Parse(value).RootElement.Clone(); }
            catch (JsonException) { claims[name] = value; }
        }
        Console.Out.Write(key.Sign(claims));
        return 0;
    }
    default:
        Console.Error.WriteLine("usage: test-issuer keygen --dir DIR [--alg RS256|ES256] | mint --dir DIR --iss URL --aud AUD --user NAME [--set claim=value]");
        return 2;
}
