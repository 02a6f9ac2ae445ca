namespace Launcher.Core.Authorization;

/// <summary>
/// A value, or the <see cref="Authorization.Refusal"/> that stopped it (see <see cref="Refusal"/>
/// for the convention). The default is a failure: an outcome nobody set can never pass as a
/// value. A refusal converts implicitly (<c>return Refusal.Denied(...)</c>); a value is spelled
/// out with <see cref="Outcome.Of"/>, so a success never happens by accident.
/// </summary>
public readonly struct Outcome<T>
{
    private readonly T? _value;
    private readonly Refusal? _refusal;

    internal Outcome(T value)
    {
        _value = value;
        _refusal = null;
        Ok = true;
    }

    public Outcome(Refusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        _value = default;
        _refusal = refusal;
        Ok = false;
    }

    public bool Ok { get; }

    /// <summary>The value; reading it from a refusal is a bug, so it throws.</summary>
    public T Value => Ok ? _value! : throw new InvalidOperationException($"an outcome that was refused has no value ({Refusal})");

    /// <summary>Why there is no value; an outcome nobody set (<c>default</c>) answers <see cref="Outcome.Unset"/>.</summary>
    public Refusal Refusal => Ok ? throw new InvalidOperationException("an outcome with a value has no refusal") : _refusal ?? Outcome.Unset;

    public static implicit operator Outcome<T>(Refusal refusal) => new(refusal);

    public override string ToString() => Ok ? $"ok: {_value}" : Refusal.ToString();
}

public static class Outcome
{
    public static Outcome<T> Of<T>(T value) => new(value);

    /// <summary>What a <c>default</c> outcome says: a bug, refused as the site's problem.</summary>
    public static Refusal Unset { get; } = Refusal.SiteError(Reasons.InternalError, "no outcome was set (a bug in ci-launcher)");
}
