using Tmds.Linux;

namespace Launcher.Posix.Interop;

/// <summary>
/// The buffer convention of getpwnam_r, getpwuid_r, getgrnam_r, getgrgid_r and getspnam_r: the
/// caller lends the space for the entry's strings and hears ERANGE when it is too small. NSS
/// modules (LDAP, SSSD) return entries of any size, such as a group with thousands of members.
/// </summary>
internal static unsafe class NssBuffer
{
    /// <summary>Larger entries are refused rather than followed up to memory exhaustion.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>One attempt: the *_r call with this buffer, and reading what it returned; gives the call's result (an errno value).</summary>
    public delegate int Attempt(byte* buffer, nuint length);

    /// <summary>
    /// Runs <paramref name="attempt"/> with 1 KiB, doubling while the call answers ERANGE, up to
    /// <see cref="MaxBytes"/>. The buffer is pinned only during the attempt, so the attempt must
    /// copy out what it needs. Returns the last result: ERANGE when even the largest was too small.
    /// </summary>
    public static int Call(Attempt attempt)
    {
        for (int size = 1024; ; size *= 2)
        {
            byte[] buffer = new byte[size];
            int rc;
            fixed (byte* b = buffer)
                rc = attempt(b, (nuint)size);
            if (rc != LibC.ERANGE || size >= MaxBytes) return rc;
        }
    }
}
