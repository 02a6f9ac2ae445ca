using Launcher.Posix.Interop;
using Tmds.Linux;

namespace Launcher.Contracts.Tests;

/// <summary>
/// The getXX_r convention every user and group lookup relies on (NssBuffer): ERANGE means "lend
/// me more room", anything else is the answer. An entry that fits only in a larger buffer (an
/// LDAP group with thousands of members) must be found, not reported missing; one larger than
/// 1 MiB must end in ERANGE, not in unbounded allocation.
/// </summary>
public class NssBufferTests
{
    public static TheoryData<string, int, bool, int[]> Cases() => new()
    {
        // name, bytes the entry needs, whether the entry is missing, buffer sizes expected to be tried
        { "fits in 1 KiB", 100, false, [1024] },
        { "needs 5 KiB", 5000, false, [1024, 2048, 4096, 8192] },
        { "exactly 1 MiB", 1 << 20, false, [1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576] },
        { "larger than 1 MiB", (1 << 20) + 1, false, [1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576] },
        { "no such entry", 100, true, [1024] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public unsafe void Retries_with_a_doubled_buffer_only_on_ERANGE(string name, int needed, bool missing, int[] tried)
    {
        var sizes = new List<int>();
        int rc = NssBuffer.Call((buffer, length) =>
        {
            sizes.Add((int)length);
            buffer[length - 1] = 0; // the whole length is the caller's to use
            if ((int)length < needed) return LibC.ERANGE;
            return missing ? LibC.ENOENT : 0;
        });
        int expected = needed > NssBuffer.MaxBytes ? LibC.ERANGE : missing ? LibC.ENOENT : 0;
        Assert.True(expected == rc, $"{name}: result {rc}, expected {expected}");
        Assert.Equal(tried, sizes);
    }
}
