using System.Text;
using Launcher.Core.Authorization;
using Launcher.Core.Tokens;

namespace Launcher.Core.Tests;

/// <summary>TokenEnvelope.FromFileText: one trailing newline is tolerated, nothing else is trimmed, bounded before anything else.</summary>
public class TokenFileTests
{
    private const string Jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln";

    public static TheoryData<string, byte[], string?> Cases => new()
    {
        { "plain", Encoding.ASCII.GetBytes(Jwt), null },
        { "trailing newline", Encoding.ASCII.GetBytes(Jwt + "\n"), null },
        { "two trailing newlines", Encoding.ASCII.GetBytes(Jwt + "\n\n"), Reasons.TokenMalformed },
        { "trailing space", Encoding.ASCII.GetBytes(Jwt + " "), Reasons.TokenMalformed },
        { "trailing CRLF", Encoding.ASCII.GetBytes(Jwt + "\r\n"), Reasons.TokenMalformed },
        { "leading space", Encoding.ASCII.GetBytes(" " + Jwt), Reasons.TokenMalformed },
        { "NUL inside", Encoding.ASCII.GetBytes(Jwt[..10] + "\0" + Jwt[10..]), Reasons.TokenMalformed },
        { "UTF-8 letter", Encoding.UTF8.GetBytes(Jwt + "é"), Reasons.TokenMalformed },
        { "empty", [], Reasons.TokenMissing },
        { "newline only", "\n"u8.ToArray(), Reasons.TokenMissing },
        { "8192 bytes and a newline", Encoding.ASCII.GetBytes(new string('a', 8192) + "\n"), null },
        { "8193 bytes", Encoding.ASCII.GetBytes(new string('a', 8193)), Reasons.TokenTooLarge },
        { "8194 bytes", Encoding.ASCII.GetBytes(new string('a', 8194)), Reasons.TokenTooLarge },
        { "100 KiB", new byte[100 * 1024], Reasons.TokenTooLarge },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reads(string name, byte[] bytes, string? reason)
    {
        var token = TokenEnvelope.FromFileText(bytes);
        string? got = token.Ok ? null : token.Refusal.Reason;
        Assert.True(reason == got, $"{name}: expected {reason ?? "ok"}, got {token}");
    }
}
