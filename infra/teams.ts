/**
 * Team monitoring defined with the stack: the `teams` section of the stack file (ServiceMonitors, PodMonitors and
 * PrometheusRules by Kubernetes name). Checked (every PromQL expression parsed) before any resource — provider
 * included — is created, each problem under its key path.
 *
 * Only the local stack carries the example from the project's seed (the JVM `example-app` scraped through a
 * ServiceMonitor, and a `global`-scope rule group evaluated by the Thanos ruler over every shard): in a real
 * cluster it would scrape nothing and its absence alert would page forever.
 */
import type { StackConfig } from "./config/schema";
import { ConfigError } from "./config/load";
import type { ServiceMonitorArgs } from "../components/teams/serviceMonitor";
import { serviceMonitorProblems } from "../components/teams/serviceMonitor";
import type { PodMonitorArgs } from "../components/teams/podMonitor";
import { podMonitorProblems } from "../components/teams/podMonitor";
import type { PrometheusRuleArgs } from "../components/teams/prometheusRule";
import { DEFAULT_RULE_SCOPE, ruleProblems } from "../components/teams/prometheusRule";

/** Team objects of one stack, keyed by Kubernetes name. */
export interface TeamMonitoring {
    serviceMonitors: Record<string, ServiceMonitorArgs>;
    podMonitors: Record<string, PodMonitorArgs>;
    rules: Record<string, PrometheusRuleArgs>;
}

/** Every problem with a set of team objects, one line each, under its `teams.` key path. */
export function teamMonitoringProblems(m: TeamMonitoring): string[] {
    const problems: string[] = [];
    const under = (kind: string, name: string, p: string) => `teams.${kind}.${name}${/^[a-zA-Z]/.test(p) && !p.startsWith("group ") ? "." : ": "}${p}`;
    for (const [name, sm] of Object.entries(m.serviceMonitors)) problems.push(...serviceMonitorProblems(sm).map((p) => under("serviceMonitors", name, p)));
    for (const [name, pm] of Object.entries(m.podMonitors)) problems.push(...podMonitorProblems(pm).map((p) => under("podMonitors", name, p)));
    for (const [name, r] of Object.entries(m.rules)) problems.push(...ruleProblems(r.groups, r.scope ?? DEFAULT_RULE_SCOPE).map((p) => under("rules", name, p)));
    return problems;
}

/** The team objects of this stack (the `teams` section, namespaces defaulting to the stack's), checked; throws {@link ConfigError} listing every problem. */
export function teamMonitoring(config: StackConfig): TeamMonitoring {
    const inNamespace = <T extends { namespace?: string | undefined }>(objects: Record<string, T>) =>
        Object.fromEntries(Object.entries(objects).map(([name, o]) => [name, { ...o, namespace: o.namespace ?? config.namespace }]));
    const m: TeamMonitoring = {
        serviceMonitors: inNamespace(config.teams.serviceMonitors),
        podMonitors: inNamespace(config.teams.podMonitors),
        rules: inNamespace(config.teams.rules),
    };
    const problems = teamMonitoringProblems(m);
    if (problems.length > 0) throw new ConfigError(problems);
    return m;
}
