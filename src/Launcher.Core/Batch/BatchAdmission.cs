using Launcher.Core.Config;
using System.Text.Json;
using Launcher.Core.Authorization;

namespace Launcher.Core.Batch;

/// <summary>The options a batch stage will be submitted with, and the values the job will have.</summary>
public sealed record Admission(IReadOnlyList<BatchOption> Options,
    string? Partition = null, string? Account = null, string? Qos = null, string? Time = null);

/// <summary>
/// The checks between a job author's scheduler parameters and a submission, in order: split into
/// words without a shell, the option table and the site's allowlist, then the matched rule's
/// bounds. Shared by the executor's batch stages and <c>explain --scheduler-parameters</c>.
/// </summary>
public static class BatchAdmission
{
    /// <summary>The admission, or why the stage is refused before submission (a denial: the job author's to fix).</summary>
    public static Outcome<Admission> Check(BatchSettings settings, BatchBounds? bounds, JsonElement claims, string rule, string? parameters, ITrace? trace = null)
    {
        var table = settings.System.Options;
        var split = ShellWords.Split(parameters ?? "");
        if (!split.Ok)
            return Refuse(trace, Refusal.Denied(Reasons.BatchParameters, $"{settings.ParametersVariable} {split.Refusal.Detail}"));
        var words = split.Value;
        trace?.Line($"batch: {settings.ParametersVariable} = [{string.Join(", ", words.Select(w => $"'{Policy.PolicyEngine.Printable(w)}'"))}]");

        var options = OptionChecker.Check(words, table, settings.AllowedOptions);
        if (!options.Ok) return Refuse(trace, options.Refusal.In(settings.ParametersVariable));
        trace?.Line($"batch: options accepted: {(options.Value.Count == 0 ? "(none)" : string.Join(" ", options.Value.Select(o => o.Render())))}");

        if (bounds is null || bounds.IsEmpty) trace?.Line($"batch: rule '{rule}' has no batch bounds");
        else foreach (var line in bounds.Describe()) trace?.Line($"batch: rule '{rule}' bounds {line}");
        var bounded = BatchBoundsCheck.Apply(options.Value, bounds, table, claims, rule);
        if (!bounded.Ok) return Refuse(trace, bounded.Refusal);
        trace?.Line($"batch: submitted with: {(bounded.Value.Options.Count == 0 ? "(no options)" : string.Join(" ", bounded.Value.Options.Select(o => o.Render())))}");
        return bounded;
    }

    private static Refusal Refuse(ITrace? trace, Refusal refusal)
    {
        trace?.Line($"batch: refused: {refusal}");
        return refusal;
    }
}
