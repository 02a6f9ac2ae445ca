// ci-launcher runs on Linux only (setuid, PAM, /proc); saying so once silences per-call platform warnings.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
