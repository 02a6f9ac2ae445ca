namespace Launcher.Core.Batch;

/// <summary>Whether a submit option takes a value (as getopt_long's no/required/optional_argument).</summary>
public enum OptionValue
{
    None,
    Required,
    /// <summary>Only as <c>--name=value</c> (or attached to a short letter); a following word is never its value.</summary>
    Optional,
}

/// <summary>What a policy bound of a rule limits. Every batch system has these four under some name.</summary>
public enum BoundRole
{
    None,
    Partition,
    Account,
    Qos,
    Time,
}

/// <summary>
/// One option of a batch system's submit command. <see cref="Refusal"/> non-null: never accepted
/// from a job, whatever the site's allowlist says (it would change whose job it is, where its
/// files go, its environment or how ci-launcher waits for it), and the text says why.
/// </summary>
public sealed record OptionSpec(string Name, char? Short, OptionValue Value, string? Refusal = null, BoundRole Role = BoundRole.None);

/// <summary>The submit options a batch system knows, by long name and by short letter.</summary>
public sealed class OptionTable
{
    private readonly Dictionary<string, OptionSpec> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<char, OptionSpec> _byShort = [];

    public OptionTable(string command, IEnumerable<OptionSpec> options)
    {
        Command = command;
        foreach (var o in options)
        {
            _byName.Add(o.Name, o);
            if (o.Short is { } s) _byShort.Add(s, o);
        }
    }

    /// <summary>The submit command, for messages (e.g. <c>sbatch</c>).</summary>
    public string Command { get; }

    public IEnumerable<OptionSpec> All => _byName.Values;

    public OptionSpec? ByName(string name) => _byName.GetValueOrDefault(name);

    public OptionSpec? ByShort(char letter) => _byShort.GetValueOrDefault(letter);

    /// <summary>The long name that plays <paramref name="role"/>, e.g. partition.</summary>
    public string NameOf(BoundRole role) => _byName.Values.First(o => o.Role == role).Name;
}
