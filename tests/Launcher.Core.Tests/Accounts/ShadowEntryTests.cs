using Launcher.Core.Accounts;

namespace Launcher.Core.Tests.Accounts;

/// <summary>What /etc/shadow fields mean for running jobs (the real files are tested as root in the integration tests).</summary>
public class ShadowEntryTests
{
    private const long Today = 20_000;
    private const string Hash = "$6$salt$0123456789abcdefghijklmnopqrstuvwxyz";

    [Theory]
    [InlineData("password hash, no expiry", Hash, -1, ShadowState.Usable)]
    [InlineData("usermod -L: '!' before a hash", "!" + Hash, -1, ShadowState.Locked)]
    [InlineData("passwd -l twice: '!!' before a hash", "!!" + Hash, -1, ShadowState.Locked)]
    [InlineData("useradd without password (Debian): '!'", "!", -1, ShadowState.Usable)]
    [InlineData("useradd without password (RHEL): '!!'", "!!", -1, ShadowState.Usable)]
    [InlineData("'*': no password login", "*", -1, ShadowState.Usable)]
    [InlineData("'!*': locked no-password account", "!*", -1, ShadowState.Usable)]
    [InlineData("empty password field", "", -1, ShadowState.Usable)]
    [InlineData("expiry day is today", Hash, Today, ShadowState.Expired)]
    [InlineData("expiry day in the past (usermod -e 1)", Hash, 1, ShadowState.Expired)]
    [InlineData("expiry day tomorrow", Hash, Today + 1, ShadowState.Usable)]
    [InlineData("expiry field 0 is expired, as pam_unix reads it", Hash, 0, ShadowState.Expired)]
    [InlineData("expired and locked reports expired", "!" + Hash, 1, ShadowState.Expired)]
    public void Interprets(string name, string passwordField, long expireDay, ShadowState expected)
    {
        Assert.True(expected == ShadowEntry.State(passwordField, expireDay, Today), name);
    }
}
