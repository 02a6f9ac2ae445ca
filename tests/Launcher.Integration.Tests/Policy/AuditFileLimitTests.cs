using System.Text.Json;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Policy;

/// <summary>
/// The audit file writer when a record cannot be written whole: the published binary run by a
/// helper process (prlimit) under a file size limit the caller chose. The process must survive
/// (no SIGXFSZ death, exit 153), say audit.unavailable, and leave a file whose every line is
/// valid JSON, so that the next normal record is not glued onto a torn one.
/// </summary>
public sealed class AuditFileLimitTests : IDisposable
{
    private const int SigxfszExit = 128 + 25;

    private readonly ConfigSite _site = new();
    private readonly string _token;

    public AuditFileLimitTests() => _token = _site.TokenFile("clfsz-nouser");

    public void Dispose() => _site.Dispose();

    /// <summary>native/room_check_fooled.c: the writer's room check passes, its write meets the real limit.</summary>
    private string RoomCheckFooled() => TestPrograms.PreloadLibrary(_site.Dir.Path, "Launcher.Integration.Tests/native/room_check_fooled.c");

    /// <summary>validate (a decision, so one audit record), optionally under RLIMIT_FSIZE; stderr and stdout are pipes, which the limit does not touch.</summary>
    private ProcResult Validate(long? fileSizeLimit = null, string? preload = null)
    {
        string[] command = [Dist.CiLauncher, "validate", "--config", _site.ConfigPath, "--token-file", _token];
        var env = preload is null ? null : new Dictionary<string, string> { ["LD_PRELOAD"] = preload };
        return fileSizeLimit is { } limit
            ? Proc.Run("prlimit", [$"--fsize={limit}", .. command], env)
            : Proc.Run(command[0], command[1..], env);
    }

    private long AuditSize => new FileInfo(_site.AuditPath).Length;

    /// <summary>Every line parses as JSON; returns the records (objects with a "command"), in order.</summary>
    private List<JsonElement> EveryLineIsJson()
    {
        var records = new List<JsonElement>();
        string text = File.ReadAllText(_site.AuditPath);
        Assert.EndsWith("\n", text);
        foreach (string line in text[..^1].Split('\n'))
        {
            var json = JsonDocument.Parse(line).RootElement.Clone();
            if (json.TryGetProperty("command", out _)) records.Add(json);
        }
        return records;
    }

    [Theory]
    [InlineData("room for part of the record", 40)]
    [InlineData("room for one byte", 1)]
    [InlineData("no room", 0)]
    [InlineData("file already over the limit", -100)]
    public void A_record_the_limit_has_no_room_for_is_not_written_and_the_launcher_survives(string name, long room)
    {
        Assert.Equal(1, Validate().ExitCode);
        byte[] before = File.ReadAllBytes(_site.AuditPath);

        var limited = Validate(AuditSize + room);
        Assert.True(limited.ExitCode == 1, $"{name}: exit {limited.ExitCode} (153 is death by SIGXFSZ): {limited.Stderr}");
        Assert.Contains("ci-launcher: audit.unavailable: ", limited.Stderr);
        Assert.Contains("RLIMIT_FSIZE", limited.Stderr);
        Assert.Equal(before, File.ReadAllBytes(_site.AuditPath));

        Assert.Equal(1, Validate().ExitCode);
        Assert.Equal(2, EveryLineIsJson().Count);
    }

    [Theory]
    [InlineData("torn part long enough for the marker", 60, true)]
    [InlineData("torn part of 5 bytes", 5, false)]
    [InlineData("torn part of 1 byte", 1, false)]
    public void A_write_cut_short_by_the_limit_is_blanked_and_the_next_record_starts_clean(string name, long room, bool marker)
    {
        string fooled = RoomCheckFooled();
        Assert.Equal(1, Validate().ExitCode);
        long size = AuditSize;

        var torn = Validate(size + room, fooled);
        Assert.True(torn.ExitCode == 1, $"{name}: exit {torn.ExitCode}: {torn.Stderr}");
        Assert.Contains($"short write ({room} of ", torn.Stderr);
        Assert.Contains("the torn bytes were blanked", torn.Stderr);
        // Blanked in place: the file did not grow past the limit, and ends in a newline.
        Assert.Equal(size + room, AuditSize);

        Assert.Equal(1, Validate().ExitCode);
        var records = EveryLineIsJson();
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal("account.not_found", r.GetProperty("reason").GetString()));
        Assert.Equal(marker, File.ReadAllText(_site.AuditPath).Contains("{\"torn_record\":true}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("at the limit", 0)]
    [InlineData("over the limit", -100)]
    public void A_write_that_raises_SIGXFSZ_fails_without_killing_the_launcher(string name, long room)
    {
        string fooled = RoomCheckFooled();
        Assert.Equal(1, Validate().ExitCode);
        byte[] before = File.ReadAllBytes(_site.AuditPath);

        var refused = Validate(before.Length + room, fooled);
        Assert.True(refused.ExitCode == 1, $"{name}: exit {refused.ExitCode} ({SigxfszExit} is death by SIGXFSZ): {refused.Stderr}");
        Assert.Contains("write failed: File too large", refused.Stderr);
        Assert.Equal(before, File.ReadAllBytes(_site.AuditPath));
        Assert.Equal(1, Validate().ExitCode);
        Assert.Equal(2, EveryLineIsJson().Count);
    }

    [Fact]
    public async Task Many_limited_writers_at_once_leave_only_whole_lines()
    {
        // Each writer's room check sees room for its record, but only one fits: the others lose
        // the race between check and write, which is the case the repair exists for.
        Assert.Equal(1, Validate().ExitCode);
        long limit = AuditSize + new FileInfo(_site.AuditPath).Length * 3 / 2;
        var runs = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Validate(limit))));
        Assert.All(runs, r => Assert.True(r.ExitCode == 1, $"exit {r.ExitCode}: {r.Stderr}"));
        Assert.InRange(AuditSize, 0, limit);
        Assert.Equal(1, Validate().ExitCode);
        // The first record, exactly one of the limited writers, the last record.
        Assert.Equal(3, EveryLineIsJson().Count);
    }
}
