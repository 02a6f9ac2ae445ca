using Launcher.Core.Authorization;
using Launcher.Core.Issuing;
using Launcher.Core.Tests.Support;

namespace Launcher.Core.Tests.Issuing;

/// <summary>Rotation: published before signing, published after signing until its tokens have expired everywhere.</summary>
public class KeyRingTests
{
    private static readonly DateTimeOffset T0 = FixedClock.Epoch;
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    private static KeyRing Ring(params string[] kids) =>
        kids.Aggregate(KeyRing.Empty, (r, kid) => r.Add(new KeyEntry(kid, "ES256", KeyState.Published, T0.ToUnixTimeSeconds())));

    [Fact]
    public void A_generated_key_is_published_but_does_not_sign()
    {
        var ring = Ring("k1");
        Assert.Null(ring.Signing);
        Assert.Equal(KeyState.Published, ring.Find("k1")!.State);
    }

    [Fact]
    public void Activating_a_key_makes_the_old_signer_drain_with_the_time_it_stopped()
    {
        var ring = Ring("k1", "k2").Activate("k1", T0, MaxLifetime).Value;
        var later = T0.AddHours(1);
        var rotated = ring.Activate("k2", later, MaxLifetime).Value;
        Assert.Equal("k2", rotated.Signing!.KeyId);
        var old = rotated.Find("k1")!;
        Assert.Equal(KeyState.Draining, old.State);
        Assert.Equal(later.ToUnixTimeSeconds(), old.SigningUntil);
        Assert.Equal(later + MaxLifetime + Skew, KeyRing.RetireableAt(old, MaxLifetime, Skew));
    }

    public static TheoryData<string, Func<Outcome<KeyRing>>, string?> Retirements => new()
    {
        { "draining key before its tokens expired", () => Drained().Retire("k1", T0.AddMinutes(9), MaxLifetime, Skew), null },
        { "draining key after max_lifetime + clock_skew", () => Drained().Retire("k1", T0.AddMinutes(10), MaxLifetime, Skew), "k2" },
        { "the signing key", () => Drained().Retire("k2", T0.AddDays(1), MaxLifetime, Skew), null },
        { "a published key that never signed", () => Ring("k1", "k2").Retire("k2", T0, MaxLifetime, Skew), "k1" },
        { "compromised draining key, at once", () => Drained().Retire("k1", T0.AddMinutes(1), MaxLifetime, Skew, compromised: true), "k2" },
        { "compromised signing key", () => Drained().Retire("k2", T0.AddMinutes(1), MaxLifetime, Skew, compromised: true), null },
        { "an unknown kid", () => Drained().Retire("nope", T0.AddDays(1), MaxLifetime, Skew), null },
        // A longer max_lifetime in force while k1 signed still counts after the setting was shortened.
        { "drained under a longer max_lifetime", () => Ring("k1", "k2").Activate("k1", T0, TimeSpan.FromMinutes(30)).Value.Activate("k2", T0, MaxLifetime).Value
            .Retire("k1", T0.AddMinutes(20), MaxLifetime, Skew), null },
    };

    /// <summary>k1 signed until T0, k2 signs since T0.</summary>
    private static KeyRing Drained() => Ring("k1", "k2").Activate("k1", T0.AddHours(-1), MaxLifetime).Value.Activate("k2", T0, MaxLifetime).Value;

    [Theory]
    [MemberData(nameof(Retirements))]
    public void Retires_only_keys_whose_tokens_have_expired(string name, Func<Outcome<KeyRing>> retire, string? remaining)
    {
        var ring = retire();
        Assert.True(remaining == (ring.Ok ? string.Join(",", ring.Value.Keys.Select(k => k.KeyId)) : null), name);
    }

    [Fact]
    public void Key_state_file_round_trips_and_refuses_two_signers()
    {
        var ring = Drained();
        var parsed = KeyRing.Parse(ring.ToJson(), "keyring.json");
        Assert.Equal(ring.Keys, parsed.Value.Keys);

        string twoSigners = """{"version":1,"keys":[{"kid":"a","alg":"ES256","state":"signing","created":1},{"kid":"b","alg":"ES256","state":"signing","created":1}]}""";
        Assert.Contains("more than one key", KeyRing.Parse(System.Text.Encoding.UTF8.GetBytes(twoSigners), "keyring.json").Refusal.Detail);

        string pathKid = """{"version":1,"keys":[{"kid":"../../etc/x","alg":"ES256","state":"published","created":1}]}""";
        Assert.False(KeyRing.Parse(System.Text.Encoding.UTF8.GetBytes(pathKid), "keyring.json").Ok);
    }
}
