/**
 * Team helpers: ServiceMonitor, PodMonitor and PrometheusRule (PromQL parsed at program time, scopes routed to
 * the right evaluator), validated against the Operator's CRD schemas with unknown fields rejected.
 */
import { describe, expect, it } from "vitest";
import { LABELS, PROMETHEUS } from "../components/constants";
import { findPromqlSyntaxError } from "../components/lib/promql";
import { buildPodMonitor, PodMonitor } from "../components/teams/podMonitor";
import { buildPrometheusRule, PrometheusRule, ruleProblems } from "../components/teams/prometheusRule";
import type { RuleGroup } from "../components/teams/prometheusRule";
import { buildServiceMonitor, ServiceMonitor } from "../components/teams/serviceMonitor";
import { buildPrometheus, resolveShardedPrometheusArgs } from "../components/prometheus/shardedPrometheus";
import { ruleLabels } from "../components/lib/monitoringTypes";
import { collectProjectConfig, validateStackConfig } from "../infra/config/load";
import { teamMonitoring, type TeamMonitoring } from "../infra/teams";
import { readStackFile } from "../scripts/lib/stackConfig";

/** The team objects of the local stack file (the seed's example). */
function localTeams(): TeamMonitoring {
    const result = validateStackConfig(collectProjectConfig(readStackFile("local").config).raw);
    if (!result.ok) throw new Error(result.problems.join("\n"));
    return teamMonitoring(result.config);
}
import { captureComponent, find } from "./support/harness";
import { crdProblems } from "./support/crdSchema";

/** matchLabels semantics: every selector label present with the same value. */
function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

const groups: RuleGroup[] = [
    {
        name: "app",
        interval: "1m",
        rules: [
            { alert: "AppDown", expr: 'up{job="app"} == 0', for: "5m", labels: { severity: "page" }, annotations: { summary: "app down" } },
            { record: "job:http_requests:rate5m", expr: "sum by (job) (rate(http_requests_total[5m]))" },
        ],
    },
];

describe("ServiceMonitor", () => {
    it("expresses the seed's example one-to-one and sets our monitor label", async () => {
        const sm = buildServiceMonitor({
            name: "example-servicemonitor",
            namespace: "monitoring",
            instance: "example",
            spec: {
                selector: { matchLabels: { app: "example-app" } },
                endpoints: [{ port: "http", interval: "30s", path: "/metrics", honorLabels: true, scheme: "http" }],
                namespaceSelector: { matchNames: ["default"] },
                jobLabel: "example-job",
            },
        });
        expect(sm.spec).toEqual({
            selector: { matchLabels: { app: "example-app" } },
            endpoints: [{ port: "http", interval: "30s", path: "/metrics", honorLabels: true, scheme: "http" }],
            namespaceSelector: { matchNames: ["default"] },
            jobLabel: "example-job",
        });
        expect(sm.metadata.labels?.[LABELS.monitor]).toBe(PROMETHEUS.defaultMonitor);
        expect(await crdProblems(sm)).toEqual([]);
        // ... and our Prometheus selects it.
        const prom = buildPrometheus(resolveShardedPrometheusArgs("p", { namespace: "m", clusterName: "c", environment: "e", objstoreSecret: { name: "s", key: "k" } }));
        expect(selects(prom.spec.serviceMonitorSelector.matchLabels ?? {}, sm.metadata.labels ?? {})).toBe(true);
    });

    it("the local stack's example team ServiceMonitor (teams section) validates", async () => {
        const ex = localTeams().serviceMonitors["example-servicemonitor"]!;
        expect(ex.namespace).toBe("monitoring");
        const { namespace, ...spec } = ex;
        expect(await crdProblems(buildServiceMonitor({ name: "example-servicemonitor", namespace, instance: "x", spec }))).toEqual([]);
    });

    it("refuses an endpoint without a port and a bad interval, before creating anything", async () => {
        await expect(
            captureComponent((p) => {
                new ServiceMonitor("sm", { namespace: "team", selector: { matchLabels: { app: "a" } }, endpoints: [{ path: "/metrics", interval: "30 seconds" }] }, { providers: { kubernetes: p.kubernetes } });
            }),
        ).rejects.toThrow(/ServiceMonitor sm: endpoints\[0\]: one of port or targetPort is required, got neither\nServiceMonitor sm: endpoints\[0\]\.interval: must be a Prometheus duration like 30s, got "30 seconds"/);
    });

    it("is a CustomResource named after the component", async () => {
        const resources = await captureComponent((p) => {
            new ServiceMonitor("team-a", { namespace: "team", selector: { matchLabels: { app: "a" } }, endpoints: [{ port: "metrics" }] }, { providers: { kubernetes: p.kubernetes } });
        });
        const cr = find(resources, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor");
        expect(cr.inputs["metadata"]).toMatchObject({ name: "team-a", namespace: "team", labels: { [LABELS.monitor]: "default" } });
    });
});

describe("PodMonitor", () => {
    it("builds a schema-valid PodMonitor with our monitor label", async () => {
        const pm = buildPodMonitor({
            name: "team-pods",
            namespace: "team",
            instance: "team-pods",
            monitor: "other",
            spec: {
                selector: { matchLabels: { app: "a" } },
                podMetricsEndpoints: [{ port: "metrics", interval: "15s", relabelings: [{ sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node" }] }],
                namespaceSelector: { any: true },
                jobLabel: "app",
            },
        });
        expect(pm.metadata.labels?.[LABELS.monitor]).toBe("other");
        expect(await crdProblems(pm)).toEqual([]);
    });

    it("refuses an endpoint without port", async () => {
        await expect(
            captureComponent((p) => {
                new PodMonitor("pm", { namespace: "t", selector: { matchLabels: { a: "b" } }, podMetricsEndpoints: [{}] }, { providers: { kubernetes: p.kubernetes } });
            }),
        ).rejects.toThrow(/podMetricsEndpoints\[0\]: one of port or portNumber is required/);
    });
});

describe("PromQL at program time", () => {
    it("finds the line and column of a syntax error", () => {
        expect(findPromqlSyntaxError("sum(rate(x[5m]))")).toBeUndefined();
        expect(findPromqlSyntaxError("sum(rate(x[5m])")).toMatchObject({ line: 1, column: 16 });
        expect(findPromqlSyntaxError("sum(\n  rate(x[5m]) +\n)")).toMatchObject({ line: 3, column: 1 });
        expect(findPromqlSyntaxError("")).toMatchObject({ line: 1, column: 1 });
    });

    it("refuses a bad expression naming the group, the rule and the position, before anything is created", async () => {
        const bad: RuleGroup[] = [
            { name: "ok", rules: [{ record: "a:b:c", expr: "sum(up)" }] },
            { name: "broken", rules: [{ alert: "Oops", expr: 'rate(http_requests_total{code=~"5.."}[5m] > 0' }] },
        ];
        let registered = 0;
        await expect(
            captureComponent((p) => {
                new PrometheusRule("rules", { namespace: "team", groups: bad }, { providers: { kubernetes: p.kubernetes } });
            }).then((r) => (registered = r.length)),
        ).rejects.toThrow('PrometheusRule rules: group "broken", alert Oops: PromQL syntax error at line 1:46 near ""}[5m] > 0"');
        expect(registered).toBe(0);
        expect(ruleProblems([{ name: "g", rules: [{ record: "x:y", expr: "sum(\n  foo(" }] }], "global")).toEqual([expect.stringMatching(/^group "g", record x:y: PromQL syntax error at line 2:/)]);
    });

    it("refuses absent() in shard scope (the series may live in another shard)", () => {
        const g: RuleGroup[] = [{ name: "g", rules: [{ alert: "Gone", expr: 'absent(up{job="a"})' }] }];
        expect(ruleProblems(g, "shard")).toEqual([expect.stringContaining("absent() cannot be evaluated in scope shard")]);
        expect(ruleProblems(g, "global")).toEqual([]);
    });

    it("refuses malformed names and durations", () => {
        const g: RuleGroup[] = [{ name: "g", rules: [{ record: "not a name", expr: "up" }, { alert: "A", expr: "up", for: "5 minutes" }] }];
        expect(ruleProblems(g, "global")).toEqual([expect.stringContaining("record must be a metric name"), expect.stringContaining("for must be a Prometheus duration")]);
    });
});

describe("PrometheusRule scopes land on the right evaluator", () => {
    const prom = buildPrometheus(resolveShardedPrometheusArgs("p", { namespace: "m", clusterName: "c", environment: "e", objstoreSecret: { name: "s", key: "k" } }));
    const shardSelector = prom.spec.ruleSelector.matchLabels ?? {};
    const globalSelector = ruleLabels("global");

    it("defaults to global: the ruler evaluates it, the shards do not", async () => {
        const rule = buildPrometheusRule({ name: "r", namespace: "team", instance: "r", groups });
        const labels = rule.metadata.labels ?? {};
        expect(labels[LABELS.ruleScope]).toBe("global");
        expect(selects(shardSelector, labels)).toBe(false);
        expect(selects(globalSelector, labels)).toBe(true);
        expect(await crdProblems(rule)).toEqual([]);
    });

    it("shard scope: every Prometheus shard evaluates it, the ruler does not", () => {
        const labels = buildPrometheusRule({ name: "r", namespace: "team", instance: "r", groups, scope: "shard" }).metadata.labels ?? {};
        expect(selects(shardSelector, labels)).toBe(true);
        expect(selects(globalSelector, labels)).toBe(false);
    });

    it("the local stack's example global rule (teams section) validates and parses", async () => {
        const ex = localTeams().rules["example-app-global"]!;
        expect(ex.scope).toBe("global");
        expect(ruleProblems(ex.groups, "global")).toEqual([]);
        expect(await crdProblems(buildPrometheusRule({ name: "example-app-global", namespace: "monitoring", instance: "x", groups: ex.groups, scope: "global" }))).toEqual([]);
    });
});
