namespace Launcher.Core.Policy;

/// <summary>
/// Claim names a <c>run_as</c> template or a <c>match</c> may use. A typo such as <c>{user_logn}</c>
/// would otherwise deny every job at run time (or, in a deny rule's match, never deny anything);
/// refusing it at config load tells the sysadmin at once.
/// </summary>
public static class KnownClaims
{
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        // RFC 7519
        "iss", "sub", "aud", "exp", "nbf", "iat", "jti",
        // GitLab ID tokens
        "namespace_id", "namespace_path", "project_id", "project_path", "user_id", "user_login",
        "user_email", "user_access_level", "user_identities", "pipeline_id", "pipeline_source",
        "job_id", "ref", "ref_type", "ref_path", "ref_protected", "environment",
        "environment_protected", "deployment_tier", "environment_action", "runner_id",
        "runner_environment", "sha", "ci_config_ref_uri", "ci_config_sha", "project_visibility",
        "job_project_id", "job_project_path", "job_namespace_id", "job_namespace_path",
        "groups_direct", "merge_request_id", "merge_request_iid",
        "source_project_id", "source_project_path", "source_namespace_id", "source_namespace_path",
        // GitHub Actions OIDC tokens
        "actor", "actor_id", "base_ref", "event_name", "head_ref", "job_workflow_ref",
        "job_workflow_sha", "repository", "repository_id", "repository_owner",
        "repository_owner_id", "repository_visibility", "run_attempt", "run_id", "run_number",
        "workflow", "workflow_ref", "workflow_sha", "enterprise", "enterprise_id", "check_run_id",
        // ci-launcher site tokens
        "ci_issuer",
    };
}
