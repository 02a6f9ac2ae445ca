namespace Launcher.TestIssuer;

/// <summary>The claims of a GitLab CI ID token (as GitLab 17 issues them), for a given user and time.</summary>
public static class GitLabClaims
{
    public static Dictionary<string, object?> For(string issuer, string audience, string userLogin, DateTimeOffset now,
        TimeSpan? lifetime = null, string projectPath = "hpc/solver", long projectId = 4242, long jobId = 1001)
    {
        long iat = now.ToUnixTimeSeconds();
        return new Dictionary<string, object?>
        {
            ["namespace_id"] = "42",
            ["namespace_path"] = projectPath.Split('/')[0],
            ["project_id"] = projectId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["project_path"] = projectPath,
            ["user_id"] = "7",
            ["user_login"] = userLogin,
            ["user_email"] = $"{userLogin}@example.org",
            ["user_access_level"] = "developer",
            ["pipeline_id"] = "555",
            ["pipeline_source"] = "push",
            ["job_id"] = jobId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ref"] = "main",
            ["ref_type"] = "branch",
            ["ref_path"] = "refs/heads/main",
            ["ref_protected"] = "true",
            ["runner_id"] = 17,
            ["runner_environment"] = "self-hosted",
            ["sha"] = "4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b",
            ["project_visibility"] = "internal",
            ["ci_config_ref_uri"] = $"gitlab.example.org/{projectPath}//.gitlab-ci.yml@refs/heads/main",
            ["ci_config_sha"] = "4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b",
            ["jti"] = Guid.NewGuid().ToString(),
            ["iss"] = issuer,
            ["iat"] = iat,
            ["nbf"] = iat - 5,
            ["exp"] = iat + (long)(lifetime ?? TimeSpan.FromHours(1)).TotalSeconds,
            ["sub"] = $"project_path:{projectPath}:ref_type:branch:ref:main",
            ["aud"] = audience,
        };
    }
}
