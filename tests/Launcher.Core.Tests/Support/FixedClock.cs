namespace Launcher.Core.Tests.Support;

/// <summary>A pinned clock: every test decision happens at the same instant.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public static readonly DateTimeOffset Epoch = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    public FixedClock() : this(Epoch)
    {
    }

    public override DateTimeOffset GetUtcNow() => now;
}
