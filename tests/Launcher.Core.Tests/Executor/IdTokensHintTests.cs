using Launcher.Core.Executor;
using Launcher.Core.Tests.Support;

namespace Launcher.Core.Tests.Executor;

public class IdTokensHintTests
{
    [Fact]
    public void Prints_the_block_to_paste_with_the_sites_audience_and_variable()
    {
        var issuer = new MemorySite().Config.IssuerByName("gitlab")!;
        Assert.Equal("id_tokens:\n  CI_LAUNCHER_ID_TOKEN:\n    aud: https://hpc.example.org", IdTokensHint.For(issuer).ReplaceLineEndings("\n"));
    }
}
