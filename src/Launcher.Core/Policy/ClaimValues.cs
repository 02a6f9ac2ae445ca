using System.Text.Json;

namespace Launcher.Core.Policy;

/// <summary>How a claim reads for matching and templates: strings as themselves, numbers and booleans by their JSON text.</summary>
public static class ClaimValues
{
    /// <summary>The scalar text of a claim, or null when it is missing or not a scalar (object, array, null).</summary>
    public static string? Scalar(JsonElement claims, string name)
    {
        if (claims.ValueKind != JsonValueKind.Object || !claims.TryGetProperty(name, out var value)) return null;
        return ScalarText(value);
    }

    /// <summary>Every candidate text for matching: the scalar itself, or each scalar element of an array.</summary>
    public static IEnumerable<string> Candidates(JsonElement claims, string name)
    {
        if (claims.ValueKind != JsonValueKind.Object || !claims.TryGetProperty(name, out var value)) yield break;
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var element in value.EnumerateArray())
                if (ScalarText(element) is { } text) yield return text;
            yield break;
        }
        if (ScalarText(value) is { } scalar) yield return scalar;
    }

    public static bool Has(JsonElement claims, string name) =>
        claims.ValueKind == JsonValueKind.Object && claims.TryGetProperty(name, out _);

    private static string? ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };
}
