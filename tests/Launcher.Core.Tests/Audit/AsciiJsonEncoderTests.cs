using System.Text;
using System.Text.Json;
using Launcher.Core.Audit;

namespace Launcher.Core.Tests.Audit;

/// <summary>AsciiJsonEncoder: every string it writes is one line of printable ASCII that reads back as the same text.</summary>
public class AsciiJsonEncoderTests
{
    private static string Write(string value, bool asUtf8)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = AsciiJsonEncoder.Instance }))
        {
            w.WriteStartObject();
            if (asUtf8) w.WriteString("v"u8, Encoding.UTF8.GetBytes(value));
            else w.WriteString("v", value);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Theory]
    [InlineData("plain text/with+signs<&>'quotes'", "plain text/with+signs<&>'quotes'")]
    [InlineData("a\"b\\c", "a\\\"b\\\\c")]
    [InlineData("line\nbreak\r\ttab\b\f", "line\\nbreak\\r\\ttab\\b\\f")]
    [InlineData("\u0000\u001b[31m\u007f", "\\u0000\\u001B[31m\\u007F")]
    [InlineData("caf\u00e9 \u2028\u2029 \u202eevil", "caf\\u00E9 \\u2028\\u2029 \\u202Eevil")]
    [InlineData("\U0001F600", "\\uD83D\\uDE00")]
    public void Escapes_exactly_what_is_not_printable_ASCII(string value, string expected)
    {
        Assert.Equal($"{{\"v\":\"{expected}\"}}", Write(value, asUtf8: false));
        Assert.Equal($"{{\"v\":\"{expected}\"}}", Write(value, asUtf8: true));
    }

    [Fact]
    public void Every_character_comes_back_and_the_output_is_printable_ASCII()
    {
        var random = new Random(2028);
        for (int round = 0; round < 300; round++)
        {
            var text = new StringBuilder();
            for (int i = 0; i < 40; i++)
            {
                int scalar = random.Next(4) switch
                {
                    0 => random.Next(0x80),
                    1 => random.Next(0x80, 0xD800),
                    2 => random.Next(0xE000, 0x10000),
                    _ => random.Next(0x10000, 0x110000),
                };
                text.Append(char.ConvertFromUtf32(scalar));
            }
            string value = text.ToString();
            foreach (bool asUtf8 in new[] { false, true })
            {
                string json = Write(value, asUtf8);
                Assert.True(json.All(c => c is >= ' ' and < '\u007f'), $"round {round}: not printable ASCII: {json}");
                Assert.Equal(value, JsonDocument.Parse(json).RootElement.GetProperty("v").GetString());
            }
        }
    }
}
