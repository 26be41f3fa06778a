/**
 * The Prometheus side of the rendered stacks: the chart release, the sharded Prometheus with sidecars uploading
 * to the bucket, Alertmanager, the Pushgateway, the prod example team objects; and the configuration rules.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CHARTS, LABELS } from "../components/constants";
import { validateStackConfig } from "../infra/config/load";
import type { RenderResult } from "../scripts/lib/render";
import { crdProblems } from "./support/crdSchema";
import { find, objectsOfKind, ofType, renderInProcess } from "./support/harness";

interface Obj {
    metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    spec: Record<string, unknown>;
}

const minimal = { environment: "dev", cluster: { name: "c" }, objectStorage: { provider: "versitygw", bucketName: "thanos-local" } };

describe("prod render", () => {
    let prod: RenderResult;
    beforeAll(async () => {
        prod = await renderInProcess("prod");
    });

    it("installs the pinned kube-prometheus-stack release with its Prometheus disabled", () => {
        const release = find(prod.resources, "kubernetes:helm.sh/v3:Release");
        expect(release.inputs).toMatchObject({ chart: CHARTS.kubePrometheusStack.chart, version: CHARTS.kubePrometheusStack.version });
        expect((release.inputs["values"] as { prometheus: { enabled: boolean } }).prometheus.enabled).toBe(false);
    });

    it("runs 4 shards x 2 replicas whose sidecars upload with a Secret that exists in the render", () => {
        const [prom] = objectsOfKind<Obj>(prod, "Prometheus");
        expect(prom?.spec["shards"]).toBe(4);
        expect(prom?.spec["replicas"]).toBe(2);
        expect(prom?.spec["disableCompaction"]).toBe(true);
        const ref = (prom?.spec["thanos"] as { objectStorageConfig: { name: string; key: string } }).objectStorageConfig;
        const secret = objectsOfKind<Obj & { stringData?: unknown; data?: unknown }>(prod, "Secret").find((s) => s.metadata.name === ref.name);
        expect(secret, `Secret ${ref.name}`).toBeDefined();
        expect(secret?.metadata.namespace).toBe(prom?.metadata.namespace);
        // The pods run as the bucket identity's ServiceAccount, which exists in the render.
        const sa = prom?.spec["serviceAccountName"];
        expect(objectsOfKind<Obj>(prod, "ServiceAccount").map((s) => s.metadata.name)).toContain(sa);
        expect(objectsOfKind<Obj>(prod, "PodDisruptionBudget").filter((p) => p.metadata.name.startsWith(`${prom?.metadata.name}-shard-`))).toHaveLength(4);
    });

    it("every Operator object of the render validates against the CRD schemas, unknown fields rejected", async () => {
        const kinds = ["Prometheus", "Alertmanager", "ServiceMonitor", "PodMonitor", "PrometheusRule"];
        const objects = prod.manifests.map((m) => m.object).filter((o) => kinds.includes(String(o["kind"])));
        expect(new Set(objects.map((o) => o["kind"]))).toEqual(new Set(["Prometheus", "Alertmanager", "ServiceMonitor", "PrometheusRule"]));
        for (const o of objects) expect(await crdProblems(o), `${String(o["kind"])} ${JSON.stringify(o["metadata"])}`).toEqual([]);
    });

    it("has Alertmanager (>= 2 replicas) and the Pushgateway, and none of the seed's example team objects", () => {
        const [am] = objectsOfKind<Obj>(prod, "Alertmanager");
        expect(am?.spec["replicas"]).toBeGreaterThanOrEqual(2);
        const [pgw] = objectsOfKind<Obj & { spec: { replicas: number } }>(prod, "Deployment").filter((d) => d.metadata.name.endsWith("pushgateway"));
        expect(pgw?.spec.replicas).toBe(1);
        // The example scrapes an application a real cluster does not run: its absence alert would page forever.
        expect(objectsOfKind<Obj>(prod, "ServiceMonitor").map((s) => s.metadata.name)).not.toContain("example-servicemonitor");
        expect(objectsOfKind<Obj>(prod, "PrometheusRule").map((r) => r.metadata.name)).not.toContain("example-app-global");
        expect(prod.resources.some((r) => r.type === "thanos-stack:index:ShardedPrometheus")).toBe(true);
    });
});

describe("local render", () => {
    it("runs its configured shards and replicas, the Operator release, and the seed's example team objects", async () => {
        const local = await renderInProcess("local");
        const sm = objectsOfKind<Obj>(local, "ServiceMonitor").find((s) => s.metadata.name === "example-servicemonitor");
        expect(sm?.spec["jobLabel"]).toBe("example-job");
        const rule = objectsOfKind<Obj>(local, "PrometheusRule").find((r) => r.metadata.name === "example-app-global");
        expect(rule?.metadata.labels?.[LABELS.ruleScope]).toBe("global");
        const [prom] = objectsOfKind<Obj>(local, "Prometheus");
        expect(prom?.spec["shards"]).toBe(2);
        expect(prom?.spec["replicas"]).toBe(1);
        expect(prom?.spec["retention"]).toBe("6h");
        expect(ofType(local.resources, "kubernetes:helm.sh/v3:Release")).toHaveLength(1);
    });
});

describe("configuration", () => {
    const problems = (patch: Record<string, unknown>) => {
        const r = validateStackConfig({ ...minimal, ...patch });
        return r.ok ? [] : r.problems;
    };

    it("refuses shards 0, replicas 0 and a retention under 6h, naming key, rule and value", () => {
        expect(problems({ prometheus: { shards: 0, replicas: 0, retention: "2h" } })).toEqual(
            expect.arrayContaining([
                "prometheus.shards: must be an integer between 1 and 256, got 0",
                "prometheus.replicas: must be an integer between 1 and 10, got 0",
                expect.stringMatching(/^prometheus\.retention: must cover three 2h blocks .*\(at least 6h\), got "2h"$/),
            ]),
        );
    });

    it("refuses overriding a reserved external label, an unknown compaction mode and a route to an unknown receiver", () => {
        const p = problems({
            prometheus: { externalLabels: { cluster: "x" }, compaction: "sometimes" },
            alertmanager: { receivers: [{ name: "team" }], route: { receiver: "nobody" } },
        });
        expect(p).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/^prometheus\.externalLabels\.cluster: is set by the stack itself/),
                'prometheus.compaction: must be one of: disabled, delayed, got "sometimes"',
                'alertmanager.route.receiver: must name a configured receiver (team), got "nobody"',
            ]),
        );
    });

    it("operator.install false renders no release", async () => {
        const r = await renderInProcess("local", ["operator.install=false"]);
        expect(ofType(r.resources, "kubernetes:helm.sh/v3:Release")).toHaveLength(0);
        expect(objectsOfKind(r, "Prometheus")).toHaveLength(1);
    });
});
