using System.Buffers;
using System.Text.Encodings.Web;

namespace Launcher.Core.Audit;

/// <summary>
/// The JSON string escaping of everything ci-launcher writes (audit records, validate's report,
/// site tokens): printable ASCII as is, apart from '"' and '\'; everything else escaped, control
/// characters by their short forms or \uXXXX, and every non-ASCII character as \uXXXX. So an audit
/// line is one line of ASCII whatever a token's claims hold: no raw newline, escape sequence,
/// U+2028 or bidirectional override (U+202E) that could make a terminal or log viewer show a
/// line other than the one written. Apostrophes, '&lt;', '&gt;', '&amp;' and '+' stay readable, which
/// the default encoder would escape (it is made for HTML).
/// Replaces UnsafeRelaxedJsonEscaping, whose first use builds a table of all of Unicode: 1 M
/// instructions of every launch (bench/launch/README.md, cut 18).
/// </summary>
public sealed class AsciiJsonEncoder : JavaScriptEncoder
{
    public static readonly AsciiJsonEncoder Instance = new();

    private static readonly byte[] Plain = Enumerable.Range(0, 0x80).Where(IsPlain).Select(c => (byte)c).ToArray();
    private static readonly SearchValues<char> PlainChars = SearchValues.Create(Plain.Select(b => (char)b).ToArray());
    private static readonly SearchValues<byte> PlainBytes = SearchValues.Create(Plain);

    private AsciiJsonEncoder() { }

    /// <summary>Written as is: printable ASCII other than '"' and '\'. The one rule; everything else is escaped.</summary>
    private static bool IsPlain(int scalar) => scalar is >= 0x20 and < 0x7f and not '"' and not '\\';

    /// <summary>"\uXXXX" for each UTF-16 code unit.</summary>
    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override bool WillEncode(int unicodeScalar) => !IsPlain(unicodeScalar);

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength) =>
        new ReadOnlySpan<char>(text, textLength).IndexOfAnyExcept(PlainChars);

    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text) =>
        utf8Text.IndexOfAnyExcept(PlainBytes);

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var output = new Span<char>(buffer, bufferLength);
        numberOfCharactersWritten = 0;
        char shortForm = unicodeScalar switch
        {
            '"' => '"',
            '\\' => '\\',
            '\n' => 'n',
            '\r' => 'r',
            '\t' => 't',
            '\b' => 'b',
            '\f' => 'f',
            _ => '\0',
        };
        if (shortForm != '\0')
        {
            if (output.Length < 2) return false;
            output[0] = '\\';
            output[1] = shortForm;
            numberOfCharactersWritten = 2;
            return true;
        }
        if (!WillEncode(unicodeScalar))
        {
            if (output.Length < 1) return false;
            output[0] = (char)unicodeScalar;
            numberOfCharactersWritten = 1;
            return true;
        }
        if (unicodeScalar < 0x10000)
            return Escape(unicodeScalar, output, ref numberOfCharactersWritten);
        // Outside the BMP: the surrogate pair, each half escaped (JSON has no longer escape).
        int v = unicodeScalar - 0x10000;
        return Escape(0xD800 + (v >> 10), output, ref numberOfCharactersWritten)
            && Escape(0xDC00 + (v & 0x3FF), output, ref numberOfCharactersWritten);
    }

    private static bool Escape(int unit, Span<char> output, ref int written)
    {
        if (output.Length - written < 6) return false;
        var at = output[written..];
        at[0] = '\\';
        at[1] = 'u';
        at[2] = Hex(unit >> 12);
        at[3] = Hex(unit >> 8);
        at[4] = Hex(unit >> 4);
        at[5] = Hex(unit);
        written += 6;
        return true;
    }

    private static char Hex(int nibble) => "0123456789ABCDEF"[nibble & 0xF];
}
