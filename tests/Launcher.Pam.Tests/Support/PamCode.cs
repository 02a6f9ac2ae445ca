namespace Launcher.Pam.Tests.Support;

/// <summary>Linux-PAM return values (security/_pam_types.h) the tests expect.</summary>
public static class PamCode
{
    public const int Success = 0;
    public const int ServiceErr = 3;
    public const int PermDenied = 6;
    public const int AuthErr = 7;
    public const int AuthInfoUnavail = 9;
    public const int UserUnknown = 10;
}
