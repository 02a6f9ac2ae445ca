using System.Text.Json;
using Launcher.Core.Authorization;
using Launcher.Core.Policy;

namespace Launcher.Core.Batch;

/// <summary>
/// A rule's <c>batch:</c> bounds: which partitions, accounts and QOS the jobs it admits may use,
/// and their longest time limit. Empty lists bound nothing. Accounts are templates over the
/// token's claims (<c>ci-{project_id}</c>), like run_as. The first entry of a list is what a job
/// that names none gets, so a bounded rule never falls back to the cluster's default.
/// </summary>
public sealed class BatchBounds
{
    public IReadOnlyList<string> Partitions { get; init; } = [];
    public IReadOnlyList<Templates.Template> Accounts { get; init; } = [];
    public IReadOnlyList<string> Qos { get; init; } = [];
    public TimeSpan? MaxTime { get; init; }

    public bool IsEmpty => Partitions.Count == 0 && Accounts.Count == 0 && Qos.Count == 0 && MaxTime is null;

    /// <summary>One line per bound, for explain.</summary>
    public IEnumerable<string> Describe()
    {
        if (Partitions.Count > 0) yield return $"partitions {string.Join(", ", Partitions)} (default {Partitions[0]})";
        if (Accounts.Count > 0) yield return $"accounts {string.Join(", ", Accounts.Select(a => a.Source))} (default {Accounts[0].Source})";
        if (Qos.Count > 0) yield return $"qos {string.Join(", ", Qos)} (default {Qos[0]})";
        if (MaxTime is { } t) yield return $"max_time {SlurmTime.Format(t)} (the default time limit too)";
    }
}

public static class BatchBoundsCheck
{
    /// <summary>
    /// Checks the job's partition, account, QOS and time against <paramref name="bounds"/>, and adds
    /// the bound's default for each the job left out. Pure; the claims are the verified token's.
    /// </summary>
    public static Outcome<Admission> Apply(IReadOnlyList<BatchOption> options, BatchBounds? bounds, OptionTable table, JsonElement claims, string rule)
    {
        var result = new List<BatchOption>(options);
        string? Value(BoundRole role) => options.FirstOrDefault(o => o.Spec.Role == role)?.Value;
        OptionSpec Spec(BoundRole role) => table.ByName(table.NameOf(role))!;
        Refusal Deny(string reason, string detail) => Refusal.Denied(reason, $"rule '{rule}': {detail}");
        bounds ??= new BatchBounds();

        string? partition = Value(BoundRole.Partition);
        if (bounds.Partitions.Count > 0)
        {
            if (partition is null)
            {
                partition = bounds.Partitions[0];
                result.Add(new BatchOption(Spec(BoundRole.Partition), partition));
            }
            // Slurm takes a comma list and runs the job in whichever partition starts it first.
            foreach (var p in partition.Split(','))
                if (!bounds.Partitions.Contains(p, StringComparer.Ordinal))
                    return Deny(Reasons.BatchPartition, $"partition '{PolicyEngine.Printable(p)}' is not allowed; this rule allows {string.Join(", ", bounds.Partitions)} (policy.rules[].batch.partitions)");
        }

        string? account = Value(BoundRole.Account);
        if (bounds.Accounts.Count > 0)
        {
            var allowed = new List<string>();
            foreach (var template in bounds.Accounts)
            {
                var expanded = template.Expand(name => ClaimValues.Scalar(claims, name));
                if (!expanded.Ok)
                    return Deny(Reasons.BatchAccount, $"account template {expanded.Refusal.Detail} (policy.rules[].batch.accounts)");
                allowed.Add(expanded.Value);
            }
            if (account is null)
            {
                account = allowed[0];
                result.Add(new BatchOption(Spec(BoundRole.Account), account));
            }
            else if (!allowed.Contains(account, StringComparer.Ordinal))
            {
                return Deny(Reasons.BatchAccount, $"account '{PolicyEngine.Printable(account)}' is not allowed; this job may use {string.Join(", ", allowed)} (policy.rules[].batch.accounts)");
            }
        }

        string? qos = Value(BoundRole.Qos);
        if (bounds.Qos.Count > 0)
        {
            if (qos is null)
            {
                qos = bounds.Qos[0];
                result.Add(new BatchOption(Spec(BoundRole.Qos), qos));
            }
            else if (!bounds.Qos.Contains(qos, StringComparer.Ordinal))
            {
                return Deny(Reasons.BatchQos, $"qos '{PolicyEngine.Printable(qos)}' is not allowed; this rule allows {string.Join(", ", bounds.Qos)} (policy.rules[].batch.qos)");
            }
        }

        string? time = Value(BoundRole.Time);
        if (time is not null && !SlurmTime.TryParse(time, out _))
            return Deny(Reasons.BatchTime, $"--time '{PolicyEngine.Printable(time)}' is not a Slurm time (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS)");
        if (bounds.MaxTime is { } max)
        {
            if (time is null)
            {
                time = SlurmTime.Format(max);
                result.Add(new BatchOption(Spec(BoundRole.Time), time));
            }
            else
            {
                SlurmTime.TryParse(time, out var asked);
                if (asked is null || asked > max)
                    return Deny(Reasons.BatchTime, $"--time '{PolicyEngine.Printable(time)}' is longer than this rule's max_time {SlurmTime.Format(max)} (policy.rules[].batch.max_time)");
            }
        }
        return Outcome.Of(new Admission(result, partition, account, qos, time));
    }
}
