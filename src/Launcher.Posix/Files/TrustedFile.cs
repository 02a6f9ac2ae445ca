namespace Launcher.Posix.Files;

/// <summary>
/// sshd StrictModes for ci-launcher's inputs. A privileged process reads config and keys only
/// when the file and every directory above it are owned by root and writable by no one else:
/// otherwise whoever can write there can choose who jobs run as.
/// </summary>
public static class TrustedFile
{
    /// <summary>Null when <paramref name="path"/> is trusted, else what is wrong and how to fix it.</summary>
    public static string? Problem(string path)
    {
        string? real = FileSystem.RealPath(path, out string? error);
        if (real is null) return $"cannot resolve {path}: {error}";
        var file = FileSystem.LStat(real, out error);
        if (file is null) return $"cannot stat {real}: {error}";
        if (!file.Value.IsRegular) return $"{real} is not a regular file";
        if (Unsafe(file.Value) is { } fileProblem) return $"{real} {fileProblem}";

        for (string? dir = Path.GetDirectoryName(real); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            var st = FileSystem.LStat(dir, out error);
            if (st is null) return $"cannot stat {dir}: {error}";
            if (Unsafe(st.Value) is { } dirProblem) return $"directory {dir} {dirProblem}";
        }
        return null;
    }

    /// <summary>Null when <paramref name="dir"/> and every directory above it are root-owned and not group/world writable.</summary>
    public static string? DirectoryProblem(string dir)
    {
        string? real = FileSystem.RealPath(dir, out string? error);
        if (real is null) return $"cannot resolve {dir}: {error}";
        for (string? d = real; d is not null; d = Path.GetDirectoryName(d))
        {
            var st = FileSystem.LStat(d, out error);
            if (st is null) return $"cannot stat {d}: {error}";
            if (!st.Value.IsDirectory) return $"{d} is not a directory";
            if (Unsafe(st.Value) is { } problem) return $"directory {d} {problem}";
        }
        return null;
    }

    private static string? Unsafe(FileStatus st)
    {
        if (st.Uid != 0) return $"is owned by uid {st.Uid}, not root (chown root)";
        if ((st.Permissions & 0x12) != 0) return $"has mode {st.ModeOctal}, writable by group or others (chmod go-w)";
        return null;
    }

    /// <summary>
    /// Reads a file of at most <paramref name="maxBytes"/>; when <paramref name="mustBeTrusted"/>
    /// the ownership and mode checks above must pass first.
    /// </summary>
    public static byte[]? Read(string path, bool mustBeTrusted, long maxBytes, out string? error)
    {
        if (!File.Exists(path))
        {
            error = Directory.Exists(path) ? $"{path} is a directory, not a file" : $"{path} does not exist";
            return null;
        }
        if (mustBeTrusted && Problem(path) is { } problem)
        {
            error = $"refusing to read {path}: {problem}";
            return null;
        }
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            if (stream.Length > maxBytes)
            {
                error = $"{path} is {stream.Length} bytes, more than the {maxBytes} allowed";
                return null;
            }
            var buffer = new byte[stream.Length];
            stream.ReadExactly(buffer);
            error = null;
            return buffer;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"cannot read {path}: {e.Message}";
            return null;
        }
    }
}
