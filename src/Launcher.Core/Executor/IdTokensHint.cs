using Launcher.Core.Config;

namespace Launcher.Core.Executor;

/// <summary>
/// What a job without a token must add to .gitlab-ci.yml: printed verbatim into the job log,
/// so the author can copy it. The audience is the site's, the variable the issuer's.
/// </summary>
public static class IdTokensHint
{
    public static string For(IssuerSettings issuer) =>
        $"""
        id_tokens:
          {issuer.TokenVariable}:
            aud: {issuer.Audiences[0]}
        """;
}
