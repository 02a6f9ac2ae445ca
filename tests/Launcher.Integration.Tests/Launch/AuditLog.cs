using System.Text.Json;

namespace Launcher.Integration.Tests.Launch;

/// <summary>The JSON-lines audit file of a test site.</summary>
public static class AuditLog
{
    public static IReadOnlyList<JsonElement> Records(string path) =>
        File.Exists(path) ? File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList() : [];

    public static string Str(this JsonElement record, string name) =>
        record.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText() : "";
}
