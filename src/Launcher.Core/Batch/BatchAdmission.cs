using System.Text.Json;
using Launcher.Core.Authorization;

namespace Launcher.Core.Batch;

/// <summary>The options a batch stage will be submitted with, or why it is refused before submission.</summary>
public sealed record Admission(IReadOnlyList<BatchOption> Options, string Reason, string Detail,
    string? Partition = null, string? Account = null, string? Qos = null, string? Time = null)
{
    public bool Ok => Reason == Reasons.Ok;
}

/// <summary>
/// The checks between a job author's scheduler parameters and a submission, in order: split into
/// words without a shell, the option table and the site's allowlist, then the matched rule's
/// bounds. Shared by the executor's batch stages and <c>explain --scheduler-parameters</c>.
/// </summary>
public static class BatchAdmission
{
    public static Admission Check(BatchSettings settings, BatchBounds? bounds, JsonElement claims, string rule, string? parameters, ITrace? trace = null)
    {
        var table = settings.System.Options;
        var split = ShellWords.Split(parameters ?? "");
        if (!split.Ok)
            return Refuse(trace, Reasons.BatchParameters, $"{settings.ParametersVariable} {split.Problem}");
        trace?.Line($"batch: {settings.ParametersVariable} = [{string.Join(", ", split.Words.Select(w => $"'{Policy.PolicyEngine.Printable(w)}'"))}]");

        var options = OptionChecker.Check(split.Words, table, settings.AllowedOptions);
        if (!options.Ok)
            return Refuse(trace, options.Reason, $"{settings.ParametersVariable}: {options.Detail}");
        trace?.Line($"batch: options accepted: {(options.Options.Count == 0 ? "(none)" : string.Join(" ", options.Options.Select(o => o.Render())))}");

        if (bounds is null || bounds.IsEmpty) trace?.Line($"batch: rule '{rule}' has no batch bounds");
        else foreach (var line in bounds.Describe()) trace?.Line($"batch: rule '{rule}' bounds {line}");
        var bounded = BatchBoundsCheck.Apply(options.Options, bounds, table, claims, rule);
        if (!bounded.Ok) return Refuse(trace, bounded.Reason, bounded.Detail);
        trace?.Line($"batch: submitted with: {(bounded.Options.Count == 0 ? "(no options)" : string.Join(" ", bounded.Options.Select(o => o.Render())))}");
        return new Admission(bounded.Options, Reasons.Ok, bounded.Detail, bounded.Partition, bounded.Account, bounded.Qos, bounded.Time);
    }

    private static Admission Refuse(ITrace? trace, string reason, string detail)
    {
        trace?.Line($"batch: refused: {reason}: {detail}");
        return new Admission([], reason, detail);
    }
}
