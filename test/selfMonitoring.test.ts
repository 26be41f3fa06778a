import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { LABELS, SELF_MONITORING } from "../components/constants";
import { ruleLabels } from "../components/lib/monitoringTypes";
import { findPromqlSyntaxError } from "../components/lib/promql";
import { buildDashboardConfigMaps, thanosDashboards, type GrafanaDashboard } from "../components/monitoring/dashboards";
import { alertsOf, compactVolumeClaimRegex, thanosRuleGroups, type ScopedRuleGroup, type ThanosAlert } from "../components/monitoring/thanosRules";
import { buildSelfMonitoring, selfMonitoringProblems, thanosScrapeTargets, ThanosSelfMonitoring, type ThanosScrapeTarget } from "../components/monitoring/thanosSelfMonitoring";
import { RULE_TEST_FILES } from "./fixtures/rule-tests";
import { captureComponent, ofType, ROOT } from "./support/harness";
import { checkRules, findPromtool, promtoolWorkDir, requirePromtool, runPromtool } from "./support/promtool";
import { crossTargetReason, expectRulesAccepted, expectRuleTestsPass, matchers, RUNBOOK_ANCHORS, RUNBOOKS, writeTestFiles } from "./support/ruleChecks";

const NAMESPACE = "monitoring";
const GROUPS = thanosRuleGroups({ namespace: NAMESPACE, expectedStoreApis: { sidecar: 4, store: 2, rule: 2 } });
const ALERTS = alertsOf(GROUPS);
/** What the stack scrapes: every Thanos component plus the sidecars behind the Prometheus sidecar Service. */
const TARGETS: ThanosScrapeTarget[] = thanosScrapeTargets({ sidecarSelector: { [LABELS.name]: "prometheus", [LABELS.instance]: "stack-prometheus" } });
const OUR_JOBS = new Set(TARGETS.map((t) => t.job));

/** The Thanos mixin's job selectors, per component (facts from `mixin/config.libsonnet`). */
const MIXIN_SELECTORS: Record<keyof typeof SELF_MONITORING.jobs, RegExp> = {
    compact: /^.*thanos-compact.*$/,
    query: /^.*thanos-query.*$/,
    queryFrontend: /^.*thanos-query-frontend.*$/,
    store: /^.*thanos-store.*$/,
    rule: /^.*thanos-rule.*$/,
    sidecar: /^.*thanos-sidecar.*$/,
};

/** The component an alert is about, from its name. */
function componentOf(alert: string): keyof typeof SELF_MONITORING.jobs | undefined {
    const prefixes: Array<[string, keyof typeof SELF_MONITORING.jobs]> = [
        ["ThanosCompact", "compact"],
        ["ThanosQueryFrontend", "queryFrontend"],
        ["ThanosQuery", "query"],
        ["ThanosStore", "store"],
        ["ThanosRule", "rule"],
        ["ThanosNoRule", "rule"],
        ["ThanosSidecar", "sidecar"],
    ];
    return prefixes.find(([p]) => alert.startsWith(p))?.[1];
}

// ---------------------------------------------------------------------------------------------------------

describe("self-monitoring rules", () => {
    it("cover compact, query, sidecar, store, rule and component-absent, with recording rules", () => {
        const names = GROUPS.map((g) => g.name);
        expect(new Set(names).size).toBe(names.length);
        for (const g of ["thanos-compact", "thanos-query", "thanos-sidecar", "thanos-store", "thanos-rule", "thanos-component-absent", "thanos-query.rules", "thanos-store.rules"]) {
            expect(names).toContain(g);
        }
        const alerts = ALERTS.map((a) => a.alert);
        for (const a of ["ThanosCompactBacklog", "ThanosCompactDownsampleBacklog", "ThanosCompactDiskFillingUp", "ThanosSidecarBlocksNotUploaded", "ThanosStoreIsDown", "ThanosQueryFrontendIsDown"]) {
            expect(alerts).toContain(a);
        }
        expect(new Set(alerts).size).toBe(alerts.length);
    });

    it("every alert has a severity, a summary, a description and a runbook", () => {
        for (const a of ALERTS) {
            expect(["critical", "warning", "info", "none"], a.alert).toContain(a.labels.severity);
            expect(a.annotations.summary.length, a.alert).toBeGreaterThan(10);
            expect(a.annotations.description.length, a.alert).toBeGreaterThan(10);
            expect(a.annotations.runbook_url, a.alert).toBe(`${SELF_MONITORING.runbooksPath}#${a.alert.toLowerCase()}`);
        }
    });

    it("every runbook link resolves to a section of docs/runbooks.md, and every alert section is an alert", () => {
        for (const a of ALERTS) {
            const [file, anchor] = a.annotations.runbook_url.split("#");
            expect(fs.existsSync(path.join(ROOT, file ?? "")), a.alert).toBe(true);
            expect(RUNBOOK_ANCHORS.has(anchor ?? ""), `${a.alert}: no "#${anchor}" heading in ${file}`).toBe(true);
        }
        const alertSections = [...RUNBOOKS.matchAll(/^### (Thanos\w+)$/gm)].map((m) => m[1]);
        expect(alertSections.sort()).toEqual(ALERTS.map((a) => a.alert).sort());
    });

    it("the runbook base URL is configurable", () => {
        const [a] = alertsOf(thanosRuleGroups({ namespace: NAMESPACE, runbookBaseUrl: "https://example.org/runbooks" }));
        expect(a?.annotations.runbook_url).toMatch(/^https:\/\/example\.org\/runbooks#thanos/);
    });

    it("every expression parses with the pinned PromQL grammar", () => {
        for (const g of GROUPS) for (const r of g.rules) expect(findPromqlSyntaxError(r.expr), `${g.name}: ${r.expr}`).toBeUndefined();
    });

    it("shard groups hold only rules one target's series answer; everything else is global", () => {
        const shard = GROUPS.filter((g) => g.scope === "shard");
        expect(shard.length).toBeGreaterThan(0);
        for (const g of shard) for (const r of g.rules) expect(crossTargetReason(r.expr), `${g.name}: ${r.expr}`).toBeUndefined();
        // The cross-target ones exist and are global: absent(), sums per job, the sidecar/Prometheus join.
        const crossTarget = GROUPS.flatMap((g) => g.rules.filter((r) => crossTargetReason(r.expr) !== undefined).map(() => g.scope));
        expect(crossTarget.length).toBeGreaterThan(20);
        expect(new Set(crossTarget)).toEqual(new Set(["global"]));
        // The ruler's own alerts never depend on the ruler.
        const rulerGroup = GROUPS.find((g) => g.name === "thanos-rule");
        expect(rulerGroup?.scope).toBe("shard");
        expect(GROUPS.filter((g) => g.rules.some((r) => "record" in r)).every((g) => g.scope === "global")).toBe(true);
    });

    it("the crossTargetReason check itself tells the two kinds apart", () => {
        expect(crossTargetReason('sum by (job, instance) (rate(x{job="a"}[5m])) > 0')).toBeUndefined();
        expect(crossTargetReason('sum by (job) (rate(x{job="a"}[5m])) > 0')).toMatch(/drops instance/);
        expect(crossTargetReason('absent(up{job="a"} == 1)')).toMatch(/absent/);
        expect(crossTargetReason('a{job="x"} == 0 and on (namespace, pod) b != 0')).toMatch(/join/);
    });

    it("every job selector of every rule names one of our scraped jobs, and the one of the alert's component", () => {
        for (const g of GROUPS) {
            for (const r of g.rules) {
                const component = "alert" in r ? componentOf(r.alert) : undefined;
                for (const m of matchers(r.expr, "job")) {
                    expect(m.op, `${g.name}: exact job selectors only, got ${m.op}"${m.value}"`).toBe("=");
                    expect(OUR_JOBS.has(m.value), `${g.name}: job "${m.value}" is not scraped`).toBe(true);
                    if (component) expect(m.value, ("alert" in r && r.alert) || "").toBe(SELF_MONITORING.jobs[component]);
                }
            }
        }
        // Every alert about a component selects its job (except the volume alerts, which read kubelet series).
        for (const a of ALERTS) {
            if (componentOf(a.alert) && !a.alert.startsWith("ThanosCompactDisk")) expect(matchers(a.expr, "job").length, a.alert).toBeGreaterThan(0);
        }
    });

    it("uses the Thanos v0.42 metric names where the mixin is stale", () => {
        const all = GROUPS.flatMap((g) => g.rules.map((r) => r.expr)).join("\n");
        expect(all).toContain("thanos_query_endpoints_dns_failures_total");
        expect(all).toContain("thanos_bucket_store_series_gate_queries_duration_seconds_bucket");
        expect(all).not.toContain("thanos_query_store_apis_dns_failures_total");
        expect(all).not.toContain("thanos_bucket_store_series_gate_duration_seconds");
    });
});

describe("self-monitoring scrape targets", () => {
    it("cover every Thanos component, with job names the Thanos mixin's selectors match", () => {
        const objects = buildSelfMonitoring("sm", { namespace: NAMESPACE, targets: TARGETS });
        const jobs = objects.serviceMonitors.map((sm) => sm.spec.endpoints[0]?.relabelings?.find((r) => r.targetLabel === "job")?.replacement);
        expect(jobs.sort()).toEqual(Object.values(SELF_MONITORING.jobs).sort());
        for (const [component, selector] of Object.entries(MIXIN_SELECTORS)) {
            const job = SELF_MONITORING.jobs[component as keyof typeof SELF_MONITORING.jobs];
            expect(selector.test(job), `${job} vs mixin ${selector}`).toBe(true);
        }
        // Our exact selectors keep the querier and the query-frontend apart (the mixin's query regex does not).
        expect(MIXIN_SELECTORS.query.test(SELF_MONITORING.jobs.queryFrontend)).toBe(true);
        const queryAlertJobs = ALERTS.filter((a) => componentOf(a.alert) === "query").flatMap((a) => matchers(a.expr, "job").map((m) => m.value));
        expect(queryAlertJobs.length).toBeGreaterThan(0);
        expect(queryAlertJobs).not.toContain(SELF_MONITORING.jobs.queryFrontend);
    });

    it("each ServiceMonitor scrapes the http port of the component's Services and forces the job label", () => {
        const objects = buildSelfMonitoring("sm", { namespace: NAMESPACE, targets: TARGETS, scrapeInterval: "30s" });
        expect(objects.serviceMonitors).toHaveLength(TARGETS.length);
        objects.serviceMonitors.forEach((sm, i) => {
            const t = TARGETS[i]!;
            expect(sm.metadata.labels?.[LABELS.monitor]).toBe("default");
            expect(sm.spec.selector.matchLabels).toEqual(t.selector);
            expect(sm.spec.namespaceSelector).toEqual({ matchNames: [NAMESPACE] });
            expect(sm.spec.endpoints).toEqual([
                { port: "http", path: "/metrics", interval: "30s", relabelings: [{ action: "replace", targetLabel: "job", replacement: t.job }] },
            ]);
        });
        const store = TARGETS.find((t) => t.job === SELF_MONITORING.jobs.store);
        expect(store?.selector).toEqual({ [LABELS.name]: "thanos-store", [LABELS.partOf]: "thanos-stack" });
    });

    it("several targets may share a job (e.g. store shards); their ServiceMonitors get distinct names", () => {
        const targets = [0, 1, 2].map((i) => ({ job: "thanos-store", selector: { [LABELS.instance]: `thanos-store-${i}` }, port: "http" }));
        const names = buildSelfMonitoring("sm", { namespace: NAMESPACE, targets }).serviceMonitors.map((s) => s.metadata.name);
        expect(names).toEqual(["sm-thanos-store", "sm-thanos-store-1", "sm-thanos-store-2"]);
    });

    it("rules of components that are not scraped are left out (their absent() alert would fire forever)", () => {
        const targets = thanosScrapeTargets({ components: ["compact", "query", "store"] });
        const objects = buildSelfMonitoring("sm", { namespace: NAMESPACE, targets });
        const alerts = objects.prometheusRules.flatMap((r) => r.spec.groups.flatMap((g) => g.rules.map((x) => ("alert" in x ? x.alert : x.record))));
        expect(alerts).toContain("ThanosStoreIsDown");
        expect(alerts).toContain("ThanosCompactHalted");
        for (const gone of ["ThanosRuleIsDown", "ThanosRuleSenderIsFailingAlerts", "ThanosSidecarIsDown", "ThanosQueryFrontendIsDown", "ThanosSidecarBlocksNotUploaded"]) {
            expect(alerts).not.toContain(gone);
        }
        expect(objects.prometheusRules.map((r) => r.metadata.name)).not.toContain("sm-thanos-rule");
        // Jobs scraped elsewhere keep their rules.
        const withSidecars = buildSelfMonitoring("sm", { namespace: NAMESPACE, targets, externallyScrapedJobs: ["thanos-sidecar"] });
        const names = withSidecars.prometheusRules.flatMap((r) => r.spec.groups.flatMap((g) => g.rules.map((x) => ("alert" in x ? x.alert : x.record))));
        expect(names).toContain("ThanosSidecarBlocksNotUploaded");
        expect(withSidecars.serviceMonitors).toHaveLength(3);
    });

    it("the compactor volume regex matches the claims of plain and sharded compactors only", () => {
        const re = new RegExp(`^(?:${compactVolumeClaimRegex("prod-compact")})$`);
        for (const ok of ["data-prod-compact-0", "data-prod-compact-2-0"]) expect(re.test(ok), ok).toBe(true);
        for (const bad of ["data-prod-compactor-0", "data-prod-compact", "tmp-prod-compact-0", "data-prod-store-0"]) expect(re.test(bad), bad).toBe(false);
        const disk = ALERTS.find((a) => a.alert === "ThanosCompactDiskAlmostFull");
        expect(matchers(disk?.expr ?? "", "persistentvolumeclaim")[0]).toEqual({ op: "=~", value: compactVolumeClaimRegex("thanos-compact") });
        expect(matchers(disk?.expr ?? "", "namespace")[0]).toEqual({ op: "=", value: NAMESPACE });
    });

    it("refuses bad arguments with the argument, the rule and the value", () => {
        const problems = selfMonitoringProblems({ namespace: NAMESPACE, targets: [{ job: "", selector: {}, port: "" }] });
        expect(problems).toEqual(
            expect.arrayContaining([
                'targets[0].job: must be a non-empty label value, got ""',
                'targets[0].port: must name a Service port, got ""',
                "targets[0].selector: must select Services by at least one label, got {}",
            ]),
        );
        expect(selfMonitoringProblems({ namespace: NAMESPACE, targets: [] })).toEqual(["targets: at least one scrape target is required, got []"]);
        expect(selfMonitoringProblems({ namespace: NAMESPACE, targets: TARGETS })).toEqual([]);
    });
});

describe("ThanosSelfMonitoring component", () => {
    it("creates ServiceMonitors, one PrometheusRule per group routed by scope, and the dashboard ConfigMaps", async () => {
        const resources = await captureComponent((p) => {
            new ThanosSelfMonitoring("stack-selfmon", { namespace: NAMESPACE, targets: TARGETS, expectedStoreApis: { sidecar: 4, store: 2, rule: 2 } }, { providers: { kubernetes: p.kubernetes } });
        });
        const sms = ofType(resources, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor");
        const rules = ofType(resources, "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
        const cms = ofType(resources, "kubernetes:core/v1:ConfigMap");
        expect(sms).toHaveLength(TARGETS.length);
        expect(rules).toHaveLength(GROUPS.length);
        expect(cms).toHaveLength(6);
        for (const r of [...sms, ...rules, ...cms]) {
            expect(r.parent).toBe("thanos-stack:index:ThanosSelfMonitoring::stack-selfmon");
            expect(r.name.startsWith("stack-selfmon-")).toBe(true);
        }
        for (const r of rules) {
            const meta = r.inputs["metadata"] as { name: string; namespace: string; labels: Record<string, string> };
            const spec = r.inputs["spec"] as { groups: Array<{ name: string }> };
            const group = GROUPS.find((g) => `stack-selfmon-${g.name.replace(/\./g, "-")}` === meta.name) as ScopedRuleGroup;
            expect(group, meta.name).toBeDefined();
            expect(spec.groups.map((g) => g.name)).toEqual([group.name]);
            // The same routing labels as the team-facing PrometheusRule helper.
            expect(meta.labels).toMatchObject(ruleLabels(group.scope));
            expect(meta.namespace).toBe(NAMESPACE);
        }
        for (const cm of cms) {
            const meta = cm.inputs["metadata"] as { labels: Record<string, string> };
            expect(meta.labels[SELF_MONITORING.grafanaDashboardLabel]).toBe(SELF_MONITORING.grafanaDashboardLabelValue);
        }
    });

    it("fails before creating anything when the arguments are wrong", async () => {
        let error: unknown;
        const resources = await captureComponent((p) => {
            try {
                new ThanosSelfMonitoring("bad", { namespace: NAMESPACE, targets: [{ job: "thanos query", selector: { a: "b" }, port: "http" }] }, { providers: { kubernetes: p.kubernetes } });
            } catch (e) {
                error = e;
            }
        });
        expect(String(error)).toContain('ThanosSelfMonitoring targets[0].job: must be a non-empty label value, got "thanos query"');
        expect(resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))).toHaveLength(0);
    });
});

describe("Thanos dashboards", () => {
    const dashboards = thanosDashboards({ namespace: NAMESPACE });

    it("overview, query, store, compact, sidecar and rule, with unique uids", () => {
        expect(dashboards.map((d) => d.uid)).toEqual(["thanos-stack-overview", "thanos-stack-query", "thanos-stack-store", "thanos-stack-compact", "thanos-stack-sidecar", "thanos-stack-rule"]);
    });

    it.each(dashboards.map((d) => [d.uid, d] as const))("%s is valid JSON with unique panel ids, a datasource variable and parsable queries", (_uid, d: GrafanaDashboard) => {
        const json = JSON.parse(JSON.stringify(d)) as GrafanaDashboard;
        expect(json).toEqual(d);
        const ids = json.panels.map((p) => p.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(json.templating.list.find((v) => v.name === "datasource")?.type).toBe("datasource");
        const queryPanels = json.panels.filter((p) => p.type !== "row");
        expect(queryPanels.length).toBeGreaterThan(3);
        for (const p of queryPanels) {
            expect(p.datasource?.uid, p.title).toBe("${datasource}");
            expect(p.targets?.length, p.title).toBeGreaterThan(0);
            for (const t of p.targets ?? []) {
                // Grafana's interval macro is not PromQL; substitute it as Grafana would.
                const expr = t.expr.replace(/\$__rate_interval/g, "5m");
                expect(findPromqlSyntaxError(expr), `${p.title}: ${t.expr}`).toBeUndefined();
                for (const m of matchers(expr, "job")) {
                    const jobs = m.op === "=~" ? m.value.split("|") : [m.value];
                    for (const j of jobs) expect(OUR_JOBS.has(j), `${p.title}: job ${j}`).toBe(true);
                }
            }
        }
        // Panels never overlap within the 24-column grid.
        for (const p of json.panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    });

    it("ship as one ConfigMap each, labelled for the kube-prometheus-stack Grafana sidecar", () => {
        const cms = buildDashboardConfigMaps({ namespace: NAMESPACE, instance: "sm", dashboards });
        expect(cms).toHaveLength(dashboards.length);
        cms.forEach((cm, i) => {
            expect(cm.metadata?.labels?.["grafana_dashboard"]).toBe("1");
            expect(cm.metadata?.namespace).toBe(NAMESPACE);
            const [key, body] = Object.entries(cm.data ?? {})[0] ?? [];
            expect(key).toBe(`${dashboards[i]?.uid}.json`);
            expect(JSON.parse(body ?? "")).toEqual(dashboards[i]);
        });
    });
});

// ---------------------------------------------------------------------------------------------------------
// The real promtool: one `check rules` over every group, one `test rules` over every unit-test file.

const promtool = findPromtool();

describe("promtool", () => {
    it("is available (required in CI)", (ctx) => requirePromtool(promtool, ctx));

    describe.skipIf(!promtool)("with the real binary", () => {
        it("`promtool check rules` accepts every rule group", () => expectRulesAccepted(promtool!, GROUPS));

        it("`promtool check rules` rejects a broken rule (the check can fail)", () => {
            const broken = [{ name: "broken", rules: [{ alert: "Broken", expr: "sum by (job) (rate(x[5m])" }] }];
            expect(checkRules(promtool!, broken).code).not.toBe(0);
        });

        it("`promtool test rules`: compactor halted, sidecar bucket failures, store gateway down, ruler sending failures, and our own alerts", () => {
            const covered = RULE_TEST_FILES.flatMap((f) => f.alerts);
            for (const a of ["ThanosCompactHalted", "ThanosSidecarBucketOperationsFailed", "ThanosStoreIsDown", "ThanosRuleSenderIsFailingAlerts"]) expect(covered).toContain(a);
            expectRuleTestsPass(promtool!, GROUPS, RULE_TEST_FILES);
        });

        it("`promtool test rules` fails when an alert's labels change (the unit tests can fail)", () => {
            const dir = promtoolWorkDir();
            const mutated = GROUPS.map((g) => ({
                ...g,
                rules: g.rules.map((r) => ("alert" in r && r.alert === "ThanosCompactHalted" ? ({ ...r, labels: { severity: "info" } } as ThanosAlert) : r)),
            }));
            const halted = RULE_TEST_FILES.filter((f) => f.alerts.includes("ThanosCompactHalted"));
            const r = runPromtool(promtool!, ["test", "rules", ...writeTestFiles(dir, mutated, halted)], dir);
            expect(r.code).not.toBe(0);
            expect(r.output).toContain("ThanosCompactHalted");
        });
    });
});
