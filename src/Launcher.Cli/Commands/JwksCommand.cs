namespace Launcher.Cli.Commands;

/// <summary><c>ci-launcher jwks SUBCOMMAND</c>: the key-set commands, one handler per subcommand.</summary>
public static class JwksCommand
{
    private static readonly Dictionary<string, Func<IReadOnlyList<string>, int>> Subcommands = new(StringComparer.Ordinal)
    {
        ["refresh"] = JwksRefreshHelper.Run,
        ["export"] = JwksExportCommand.Run,
    };

    public static int Run(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0)
            throw new UsageException($"needs a subcommand: {string.Join(", ", Subcommands.Keys)}");
        if (!Subcommands.TryGetValue(argv[0], out var run))
            throw new UsageException($"unknown subcommand '{argv[0]}'; use one of: {string.Join(", ", Subcommands.Keys)}");
        return run(argv.Skip(1).ToList());
    }
}
