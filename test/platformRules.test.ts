/**
 * The stack's alerts for Prometheus, Alertmanager, the config reloaders and the collector clusters: where each is
 * evaluated, what it selects, that the stack scrapes what they read (with the `job` names they select), and what
 * the real promtool says about them.
 */
import { describe, expect, it } from "vitest";
import { findPromqlSyntaxError } from "../components/lib/promql";
import { platformRuleGroups } from "../components/monitoring/platformRules";
import { alertsOf } from "../components/monitoring/thanosRules";
import { PLATFORM_RULE_TEST_FILES } from "./fixtures/rule-tests/platform";
import { objectsOfKind, renderInProcess } from "./support/harness";
import { findPromtool, requirePromtool } from "./support/promtool";
import { crossTargetReason, expectRulesAccepted, expectRuleTestsPass, matchers, RUNBOOK_ANCHORS } from "./support/ruleChecks";

const OPTIONS = { namespace: "monitoring", cluster: "eu-1", prometheusPods: 4, alertmanagerReplicas: 2, collectorClusters: ["collector-a"], memcached: { clients: true, exporters: true } };
const GROUPS = platformRuleGroups(OPTIONS);
const ALERTS = alertsOf(GROUPS);

/** The alerts the issue asks for, by name (the Prometheus, Alertmanager and Operator mixins' names). */
const REQUIRED = [
    "PrometheusBadConfig",
    "PrometheusRuleFailures",
    "PrometheusErrorSendingAlerts",
    "PrometheusNotConnectedToAlertmanagers",
    "AlertmanagerFailedReload",
    "AlertmanagerFailedToSendAlerts",
    "ConfigReloaderSidecarErrors",
    "CollectorClusterDown",
];

/** The job each group's rules may select. */
const GROUP_JOBS: Record<string, string[]> = {
    prometheus: ["prometheus"],
    "prometheus-global": ["prometheus"],
    alertmanager: ["alertmanager"],
    "alertmanager-global": ["alertmanager"],
    "config-reloaders": ["config-reloader"],
    "thanos-collectors": ["prometheus"],
    memcached: ["memcached"],
    // The Thanos components' own memcached client counters, whichever component uses a cache.
    "memcached-clients": [],
};

describe("platform rules", () => {
    it("hold Prometheus', Alertmanager's, the reloaders' and the collectors' failure alerts, each once", () => {
        const names = ALERTS.map((a) => a.alert);
        for (const a of REQUIRED) expect(names, a).toContain(a);
        expect(new Set(names).size).toBe(names.length);
        expect(GROUPS.map((g) => g.name).sort()).toEqual(Object.keys(GROUP_JOBS).sort());
    });

    it("every alert has a severity, texts and a runbook section in docs/runbooks.md", () => {
        for (const a of ALERTS) {
            expect(["critical", "warning"], a.alert).toContain(a.labels.severity);
            expect(a.annotations.summary.length, a.alert).toBeGreaterThan(10);
            expect(a.annotations.description.length, a.alert).toBeGreaterThan(10);
            expect(a.annotations.runbook_url, a.alert).toBe(`docs/runbooks.md#${a.alert.toLowerCase()}`);
            expect(RUNBOOK_ANCHORS.has(a.alert.toLowerCase()), `${a.alert}: no section in docs/runbooks.md`).toBe(true);
        }
    });

    it("parse, and select exactly the job of their group", () => {
        for (const g of GROUPS) {
            for (const r of g.rules) {
                expect(findPromqlSyntaxError(r.expr), r.expr).toBeUndefined();
                const jobs = matchers(r.expr, "job");
                const expected = GROUP_JOBS[g.name]!;
                expect(jobs.length > 0, r.expr).toBe(expected.length > 0);
                for (const j of jobs) expect(`${j.op}${j.value}`, `${g.name}: ${r.expr}`).toBe(`=${expected[0]}`);
            }
        }
    });

    it("shard groups read one target's series; the global ones count pods or clusters in this cluster and namespace", () => {
        for (const g of GROUPS.filter((x) => x.scope === "shard")) for (const r of g.rules) expect(crossTargetReason(r.expr), `${g.name}: ${r.expr}`).toBeUndefined();
        for (const g of GROUPS.filter((x) => x.scope === "global")) for (const r of g.rules) expect(crossTargetReason(r.expr), `${g.name}: ${r.expr}`).toBeDefined();
        expect(GROUPS.filter((g) => g.scope === "shard").map((g) => g.name).sort()).toEqual(["alertmanager", "config-reloaders", "memcached", "memcached-clients", "prometheus"]);
        const counting = ALERTS.filter((a) => a.alert === "PrometheusPodsDown" || a.alert === "AlertmanagerReplicasDown");
        expect(counting.map((a) => a.expr.match(/< (\d+)$/)?.[1])).toEqual(["4", "2"]);
        for (const a of counting) {
            expect(matchers(a.expr, "cluster")).toEqual([{ op: "=", value: "eu-1" }]);
            expect(matchers(a.expr, "namespace")).toEqual([{ op: "=", value: "monitoring" }]);
            expect(a.labels.cluster).toBe("eu-1");
        }
    });

    it("follow the options: no Prometheus, no Alertmanager, no collectors, one collector alert per named cluster", () => {
        expect(platformRuleGroups({ namespace: "monitoring", cluster: "c" })).toEqual([]);
        const clientsOnly = platformRuleGroups({ namespace: "monitoring", cluster: "c", memcached: { clients: true, exporters: false } });
        expect(clientsOnly.map((g) => g.name)).toEqual(["memcached-clients"]);
        const amOnly = platformRuleGroups({ namespace: "monitoring", cluster: "c", alertmanagerReplicas: 3 });
        expect(amOnly.map((g) => g.name)).toEqual(["alertmanager", "alertmanager-global", "config-reloaders"]);
        const two = alertsOf(platformRuleGroups({ ...OPTIONS, collectorClusters: ["a", "b"] })).filter((x) => x.alert === "CollectorClusterDown");
        expect(two.map((a) => [a.labels.cluster, matchers(a.expr, "cluster")[0]?.value])).toEqual([
            ["a", "a"],
            ["b", "b"],
        ]);
        // A central stack whose collectors come only from collector stacks still watches every cluster it has seen.
        const stacksOnly = alertsOf(platformRuleGroups({ ...OPTIONS, collectorClusters: [] })).map((a) => a.alert);
        expect(stacksOnly).toContain("CollectorClusterDisappeared");
        expect(stacksOnly).not.toContain("CollectorClusterDown");
        expect(alertsOf(platformRuleGroups({ ...OPTIONS, runbookBaseUrl: "https://runbooks.example.org/r" }))[0]?.annotations.runbook_url).toBe("https://runbooks.example.org/r#prometheusbadconfig");
    });
});

describe.each(["prod", "local"])("the %s stack watches its Prometheus, Alertmanager and reloaders", (stack) => {
    type Monitor = { metadata: { name: string }; spec: { endpoints: Array<{ port?: string; relabelings?: Array<{ targetLabel?: string; replacement?: string; action?: string }> }> } };
    type Rule = { metadata: { name: string; labels: Record<string, string> }; spec: { groups: Array<{ name: string; rules: Array<{ alert?: string; expr: string }> }> } };

    it("scrapes them with the jobs the rules select, and ships the rules with the right scope", async () => {
        const r = await renderInProcess(stack);
        const jobsByPort = objectsOfKind<Monitor>(r, "ServiceMonitor").flatMap((sm) =>
            sm.spec.endpoints.map((e) => `${e.port}=${e.relabelings?.find((x) => x.targetLabel === "job" && x.action === "replace")?.replacement ?? "(service name)"}`),
        );
        for (const j of ["web=prometheus", "web=alertmanager", "reloader-web=config-reloader", "http=thanos-rule", "http=thanos-sidecar"]) expect(jobsByPort, j).toContain(j);
        // Prometheus', Alertmanager's and the ruler's reloaders.
        expect(jobsByPort.filter((j) => j === "reloader-web=config-reloader").length).toBe(3);

        const rules = objectsOfKind<Rule>(r, "PrometheusRule");
        const scopeOf = (alert: string) => rules.find((x) => x.spec.groups.some((g) => g.rules.some((y) => y.alert === alert)))?.metadata.labels["thanos-stack.io/rule-scope"];
        for (const a of ["PrometheusBadConfig", "PrometheusNotConnectedToAlertmanagers", "AlertmanagerFailedToSendAlerts", "ConfigReloaderSidecarErrors"]) expect(scopeOf(a), a).toBe("shard");
        for (const a of ["PrometheusPodsDown", "AlertmanagerMembersInconsistent"]) expect(scopeOf(a), a).toBe("global");
        // Not a central stack: no collectors to watch.
        expect(scopeOf("CollectorClusterDisappeared")).toBeUndefined();
    });
});

describe("memcached is monitored", () => {
    type Container = { name: string; image: string; args?: string[]; ports?: Array<{ name: string; containerPort: number }>; securityContext?: { runAsUser?: number; runAsNonRoot?: boolean; readOnlyRootFilesystem?: boolean } };
    type Sts = { metadata: { name: string }; spec: { template: { spec: { containers: Container[] } } } };
    type Svc = { metadata: { name: string }; spec: { ports: Array<{ name: string; port: number }> } };

    it("every memcached pod of the prod stack runs the pinned exporter on 9150, scraped as job memcached, with its alerts", async () => {
        const r = await renderInProcess("prod");
        const caches = objectsOfKind<Sts>(r, "StatefulSet").filter((s) => s.spec.template.spec.containers.some((c) => c.name === "memcached"));
        expect(caches.length).toBeGreaterThanOrEqual(2);
        for (const sts of caches) {
            const exporter = sts.spec.template.spec.containers.find((c) => c.name === "exporter");
            expect(exporter?.image, sts.metadata.name).toBe("quay.io/prometheus/memcached-exporter:v0.17.0");
            expect(exporter?.args).toEqual(["--memcached.address=localhost:11211", "--web.listen-address=:9150"]);
            expect(exporter?.ports).toEqual([{ name: "metrics", containerPort: 9150, protocol: "TCP" }]);
            expect(exporter?.securityContext).toMatchObject({ runAsUser: 65534, runAsNonRoot: true, readOnlyRootFilesystem: true });
            const svc = objectsOfKind<Svc>(r, "Service").find((s) => s.metadata.name === sts.metadata.name)!;
            expect(svc.spec.ports.map((p) => `${p.name}:${p.port}`)).toEqual(["memcache:11211", "metrics:9150"]);
        }
        const monitors = objectsOfKind<{ spec: { endpoints: Array<{ port?: string; relabelings?: Array<{ targetLabel?: string; replacement?: string }> }> } }>(r, "ServiceMonitor");
        expect(monitors.flatMap((m) => m.spec.endpoints).filter((e) => e.port === "metrics" && e.relabelings?.some((x) => x.targetLabel === "job" && x.replacement === "memcached")).length).toBe(1);
        const alerts = objectsOfKind<{ spec: { groups: Array<{ rules: Array<{ alert?: string }> }> } }>(r, "PrometheusRule").flatMap((x) => x.spec.groups.flatMap((g) => g.rules.map((y) => y.alert)));
        for (const a of ["MemcachedDown", "MemcachedConnectionLimitApproaching", "MemcachedRequestErrors"]) expect(alerts, a).toContain(a);
    });

    it("a stack without memcached caches gets none of it; exporter false drops the sidecar, its port, its scrape and its alerts", async () => {
        const local = await renderInProcess("local");
        const alertsOfRender = (x: typeof local) => objectsOfKind<{ spec: { groups: Array<{ rules: Array<{ alert?: string }> }> } }>(x, "PrometheusRule").flatMap((y) => y.spec.groups.flatMap((g) => g.rules.map((z) => z.alert)));
        expect(alertsOfRender(local).filter((a) => a?.startsWith("Memcached"))).toEqual([]);
        const off = await renderInProcess("prod", ["storeGateway.indexCache.memcached.exporter=false", "queryFrontend.resultsCache.memcached.exporter=false"]);
        const containers = objectsOfKind<Sts>(off, "StatefulSet").flatMap((s) => s.spec.template.spec.containers.map((c) => c.name));
        expect(containers).toContain("memcached");
        expect(containers).not.toContain("exporter");
        expect(objectsOfKind<Svc>(off, "Service").flatMap((s) => s.spec.ports.map((p) => p.name))).not.toContain("metrics");
        const names = alertsOfRender(off);
        expect(names).not.toContain("MemcachedDown");
        // The Thanos components still use memcached: their client errors still alert.
        expect(names).toContain("MemcachedRequestErrors");
    });
});

describe("a central stack", () => {
    it("alerts on every named collector by name, and on any cluster that disappears", async () => {
        const r = await renderInProcess("prod", ["role=central", 'central.collectors=[{"name":"ap-southeast","addresses":["storeapi-0.ap.example.org:443"],"tls":{}}]', 'central.collectorStacks=[{"stack":"acme/thanos-stack/prod-ap"}]']);
        const rules = objectsOfKind<{ spec: { groups: Array<{ name: string; rules: Array<{ alert?: string; labels?: Record<string, string> }> }> } }>(r, "PrometheusRule");
        const collectorRules = rules.flatMap((x) => x.spec.groups.filter((g) => g.name === "thanos-collectors").flatMap((g) => g.rules));
        expect(collectorRules.map((x) => x.alert)).toContain("CollectorClusterDisappeared");
        const down = collectorRules.filter((x) => x.alert === "CollectorClusterDown").map((x) => x.labels?.["cluster"]);
        // The named collector by its name; the collector stack's cluster is only known at deployment (the generic alert).
        expect(down).toEqual(["ap-southeast"]);
    });
});

const promtool = findPromtool();

describe("promtool", () => {
    it("is available (required in CI)", (ctx) => requirePromtool(promtool, ctx));

    describe.skipIf(!promtool)("with the real binary", () => {
        it("`promtool check rules` accepts every platform group", () => expectRulesAccepted(promtool!, GROUPS));

        it("`promtool test rules`: bad config, no Alertmanager, failing notifications, failed reloads, pods down, collectors gone", () => {
            const covered = PLATFORM_RULE_TEST_FILES.flatMap((f) => f.alerts);
            for (const a of [...REQUIRED.filter((x) => x !== "PrometheusRuleFailures"), "PrometheusPodsDown", "CollectorClusterDisappeared"]) expect(covered, a).toContain(a);
            expectRuleTestsPass(promtool!, GROUPS, PLATFORM_RULE_TEST_FILES);
        });
    });
});
