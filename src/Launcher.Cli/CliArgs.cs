namespace Launcher.Cli;

/// <summary>
/// A deliberately small option parser: <c>--name value</c>, <c>--name=value</c>, boolean
/// <c>--flag</c>, and <c>--</c> before positional arguments. Unknown options are errors.
/// </summary>
public sealed class CliArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Positional { get; private set; } = [];

    /// <summary>Everything after a literal <c>--</c>.</summary>
    public IReadOnlyList<string> Rest { get; private set; } = [];

    /// <param name="operand">Words this command takes as operands even when they begin with '-' (a key id,
    /// whose base64url alphabet includes '-', would otherwise be read as an unknown option one time in 64).</param>
    public static CliArgs Parse(IReadOnlyList<string> args, IReadOnlySet<string> valueOptions, IReadOnlySet<string> flags,
        Func<string, bool>? operand = null)
    {
        var parsed = new CliArgs();
        var positional = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a == "--")
            {
                parsed.Rest = args.Skip(i + 1).ToList();
                break;
            }
            if (operand?.Invoke(a) == true)
            {
                positional.Add(a);
                continue;
            }
            if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
            {
                if (a.StartsWith('-') && a != "-") throw new UsageException($"unknown option '{a}'");
                positional.Add(a);
                continue;
            }
            string name = a[2..];
            string? value = null;
            int eq = name.IndexOf('=');
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            if (flags.Contains(name))
            {
                if (value is not null) throw new UsageException($"option '--{name}' takes no value");
                parsed._options[name] = null;
            }
            else if (valueOptions.Contains(name))
            {
                if (value is null)
                {
                    if (i + 1 >= args.Count) throw new UsageException($"option '--{name}' needs a value");
                    value = args[++i];
                }
                if (parsed._options.ContainsKey(name)) throw new UsageException($"option '--{name}' is given twice");
                parsed._options[name] = value;
            }
            else
            {
                throw new UsageException($"unknown option '--{name}'");
            }
        }
        parsed.Positional = positional;
        return parsed;
    }

    public bool Has(string name) => _options.ContainsKey(name);

    public string? Get(string name) => _options.GetValueOrDefault(name);

    public string Require(string name) => Get(name) ?? throw new UsageException($"option '--{name}' is required");
}

/// <summary>A command-line mistake: printed as one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
