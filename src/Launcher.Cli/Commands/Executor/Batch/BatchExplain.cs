using Launcher.Core.Authorization;
using Launcher.Core.Batch;

namespace Launcher.Cli.Commands.Executor.Batch;

/// <summary>
/// <c>explain [--scheduler-parameters TEXT]</c> on a site with executor.batch: the batch bounds of
/// the matched rule and, with the option, the same checks a batch stage makes before submitting.
/// </summary>
public static class BatchExplain
{
    public static Decision Check(Site site, Decision decision, string? parameters, ITrace trace)
    {
        if (site.Config.Executor?.Batch is not { } batch)
        {
            if (parameters is not null) trace.Line("batch: --scheduler-parameters given, but the config has no executor.batch section; nothing is submitted to a batch system");
            return decision;
        }
        if (!decision.Allowed) return decision;
        trace.Line($"batch: stages {string.Join(", ", batch.Stages.Select(s => s.Pattern))} go to {batch.System.Name}; options from CUSTOM_ENV_{batch.ParametersVariable}");
        var rule = site.Config.Rules.FirstOrDefault(r => r.Name == decision.Rule);
        var admission = BatchAdmission.Check(batch, rule?.Batch, decision.Token!.Claims, decision.Rule!, parameters, trace);
        return admission.Ok ? decision : decision.Deny(admission.Refusal);
    }
}
