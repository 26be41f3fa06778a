/**
 * The `teams` section of the stack file: ServiceMonitors, PodMonitors and PrometheusRules kept with the stack.
 * Strict shapes (a misspelt field is refused with a hint), the components' own checks on top (ports, durations,
 * every PromQL expression parsed), each problem under its key path; namespaces default to the stack's.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, validateStackConfig } from "../infra/config/load";
import { teamMonitoring } from "../infra/teams";

function config(teams: unknown, namespace = "monitoring") {
    return {
        environment: "dev",
        namespace,
        cluster: { name: "kind" },
        objectStorage: { provider: "versitygw", bucketName: "thanos-dev" },
        teams,
    };
}

function problems(teams: unknown): string[] {
    const r = validateStackConfig(config(teams));
    if (!r.ok) return r.problems;
    try {
        teamMonitoring(r.config);
        return [];
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
}

const MONITOR = { selector: { matchLabels: { app: "api" } }, endpoints: [{ port: "http" }] };

describe("teams in the stack file", () => {
    it("become the stack's team objects, in the stack's namespace unless they name one", () => {
        const r = validateStackConfig(config({ serviceMonitors: { api: MONITOR, "api-other": { ...MONITOR, namespace: "team-a" } }, rules: { slo: { scope: "shard", groups: [{ name: "g", rules: [{ record: "job:up:sum", expr: "sum by (job) (up)" }] }] } } }, "observability"));
        expect(r.ok).toBe(true);
        const m = teamMonitoring(r.ok ? r.config : (undefined as never));
        expect(m.serviceMonitors["api"]).toEqual({ namespace: "observability", selector: { matchLabels: { app: "api" } }, endpoints: [{ port: "http" }] });
        expect(m.serviceMonitors["api-other"]?.namespace).toBe("team-a");
        expect(m.rules["slo"]).toMatchObject({ namespace: "observability", scope: "shard" });
        expect(m.podMonitors).toEqual({});
    });

    it("refuses a misspelt field with a hint, under its key path", () => {
        expect(problems({ serviceMonitors: { api: { selector: { matchLabels: { app: "api" } }, endpoint: [{ port: "http" }] } } })).toEqual([
            "teams.serviceMonitors.api.endpoint: unknown key (did you mean 'endpoints'? It is required)",
        ]);
    });

    it("refuses what the components refuse, under the object's key path", () => {
        expect(problems({ serviceMonitors: { api: { selector: { matchLabels: { app: "api" } }, endpoints: [{ path: "/metrics" }] } } })).toEqual(["teams.serviceMonitors.api.endpoints[0]: one of port or targetPort is required, got neither"]);
        expect(problems({ podMonitors: { jobs: { selector: {}, podMetricsEndpoints: [{ port: "metrics" }] } } })).toEqual(["teams.podMonitors.jobs.selector: must select pods by matchLabels or matchExpressions, got an empty selector"]);
        const [promql] = problems({ rules: { slo: { groups: [{ name: "g", rules: [{ alert: "Down", expr: "sum(up" }] }] } } });
        expect(promql).toMatch(/^teams\.rules\.slo: group "g", alert Down: /);
    });

    it("refuses a bad scope, interval or name with the rule", () => {
        expect(problems({ rules: { slo: { scope: "cluster", groups: [{ name: "g", rules: [{ record: "a:b", expr: "up" }] }] } } })).toEqual(['teams.rules.slo.scope: must be one of shard, global, got "cluster"']);
        expect(problems({ serviceMonitors: { api: { ...MONITOR, endpoints: [{ port: "http", interval: "30 seconds" }] } } })).toEqual([
            'teams.serviceMonitors.api.endpoints[0].interval: must be a duration in Prometheus syntax, like 30s, 6h, 30d or 1y, got "30 seconds"',
        ]);
        expect(problems({ serviceMonitors: { API_Monitor: MONITOR } })).toEqual([`teams.serviceMonitors.API_Monitor: names must be Kubernetes names: DNS-1123 labels of at most 63 lowercase letters, digits or '-', got "API_Monitor"`]);
    });
});
