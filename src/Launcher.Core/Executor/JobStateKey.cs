using System.Globalization;
using System.Text;
using Launcher.Core.Crypto;

namespace Launcher.Core.Executor;

/// <summary>
/// Names a job's directory under executor.state_dir: the runner's job id and the issuer whose
/// verified token the job presents. A job id alone is not unique once a site trusts two issuers
/// (two GitLab instances, or GitLab and GitHub): a token of the other issuer for the same number
/// would otherwise overwrite this job's recorded user or have cleanup remove its state. The
/// issuer URL is hashed so the name is a plain file name whatever the URL holds.
/// </summary>
public readonly record struct JobStateKey(long JobId, string Issuer)
{
    public string Name
    {
        get
        {
            Span<byte> hash = stackalloc byte[Sha256.Size];
            Sha256.Hash(Encoding.UTF8.GetBytes(Issuer), hash);
            return JobId.ToString(CultureInfo.InvariantCulture) + "." + Convert.ToHexStringLower(hash[..6]);
        }
    }
}
