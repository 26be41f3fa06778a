/**
 * Team monitoring defined with the stack: ServiceMonitors, PodMonitors and
 * PrometheusRules per environment. Checked (every PromQL expression parsed)
 * before any resource — provider included — is created.
 *
 * Only the local stack carries the example from the project's seed (the JVM
 * `example-app` scraped through a ServiceMonitor, and a `global`-scope rule
 * group evaluated by the Thanos ruler over every shard): in a real cluster it
 * would scrape nothing and its absence alert would page forever.
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

/** The seed's example: a JVM application exposing `/metrics` on its `http` Service port. */
export function exampleTeamMonitoring(namespace: string): TeamMonitoring {
    return {
        serviceMonitors: {
            // One-to-one with the seed's ServiceMonitor (our monitor label replaces its `release` label).
            "example-servicemonitor": {
                namespace,
                selector: { matchLabels: { app: "example-app" } },
                endpoints: [{ port: "http", interval: "30s", path: "/metrics", honorLabels: true, scheme: "http" }],
                namespaceSelector: { matchNames: ["default"] },
                jobLabel: "example-job",
            },
        },
        podMonitors: {},
        rules: {
            "example-app-global": {
                namespace,
                scope: "global",
                groups: [
                    {
                        name: "example-app.availability",
                        rules: [
                            {
                                // absent() and a fleet-wide sum: only correct across every shard, hence `global`.
                                alert: "ExampleAppDown",
                                expr: 'sum(up{namespace="default", service="example-app"}) == 0 or absent(up{namespace="default", service="example-app"})',
                                for: "5m",
                                labels: { severity: "critical" },
                                annotations: { summary: "No example-app instance is up in any shard." },
                            },
                            {
                                record: "namespace:http_server_requests_seconds_count:rate5m",
                                expr: 'sum by (namespace) (rate(http_server_requests_seconds_count{namespace="default", service="example-app"}[5m]))',
                            },
                        ],
                    },
                ],
            },
        },
    };
}

/** Team monitoring per environment. */
export const TEAM_MONITORING: Record<string, (namespace: string) => TeamMonitoring> = {
    local: exampleTeamMonitoring,
};

/** Every problem with a set of team objects, one line each. */
export function teamMonitoringProblems(m: TeamMonitoring): string[] {
    const problems: string[] = [];
    for (const [name, sm] of Object.entries(m.serviceMonitors)) problems.push(...serviceMonitorProblems(sm).map((p) => `teams: ServiceMonitor ${name} ${p}`));
    for (const [name, pm] of Object.entries(m.podMonitors)) problems.push(...podMonitorProblems(pm).map((p) => `teams: PodMonitor ${name} ${p}`));
    for (const [name, r] of Object.entries(m.rules)) problems.push(...ruleProblems(r.groups, r.scope ?? DEFAULT_RULE_SCOPE).map((p) => `teams: PrometheusRule ${name} ${p}`));
    return problems;
}

/** The team objects of this stack, checked; throws {@link ConfigError} listing every problem. */
export function teamMonitoring(config: StackConfig): TeamMonitoring {
    const build = TEAM_MONITORING[config.environment];
    const m = build ? build(config.namespace) : { serviceMonitors: {}, podMonitors: {}, rules: {} };
    const problems = teamMonitoringProblems(m);
    if (problems.length > 0) throw new ConfigError(problems);
    return m;
}
