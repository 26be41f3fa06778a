import { beforeAll, describe, expect, it } from "vitest";
import type { Deployment, StatefulSet } from "kubernetes-types/apps/v1";
import type { Service } from "kubernetes-types/core/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import { EXTERNAL_LABELS, LABELS, PORTS, THANOS } from "../components/constants";
import { InvariantError, thanosPlanProblems, type ThanosPlan } from "../components/stack/invariants";
import { planThanosStack, thanosStackContext } from "../components/stack/thanosPlan";
import { ThanosStack } from "../components/stack/thanosStack";
import { parseDuration } from "../components/lib/duration";
import type { RenderResult } from "../scripts/lib/render";
import { captureComponent, objectsOfKind, querierEndpointDocument, renderInProcess } from "./support/harness";

function basePlan(): ThanosPlan {
    const ctx = thanosStackContext("thanos", { environment: "prod", clusterName: "c1", namespace: "monitoring" });
    return planThanosStack(ctx, { storeGateway: { shards: 2 } }).invariants;
}

describe("the Thanos invariants (pure)", () => {
    it("hold for the planned stack", () => {
        expect(thanosPlanProblems(basePlan())).toEqual([]);
    });

    it("replica labels of the querier must be exactly the producers'", () => {
        const plan = basePlan();
        plan.querier.replicaLabels = [EXTERNAL_LABELS.prometheusReplica, "replica"];
        expect(thanosPlanProblems(plan)).toEqual([
            `querier.replicaLabels: must include "thanos_ruler_replica", the replica label of ruler, or its replicas are never deduplicated; got ["prometheus_replica","replica"]`,
            `querier.replicaLabels: "replica" is no producer's replica label (producers: ["prometheus_replica","thanos_ruler_replica"]); the querier's replica labels must be exactly the producers'`,
        ]);
    });

    it("store partitions must cover all time without gaps", () => {
        const plan = basePlan();
        plan.store.timePartitions = [{ maxTime: "-30d" }, { minTime: "-29d", maxTime: "-1d" }, { minTime: "-2d" }];
        expect(thanosPlanProblems(plan)).toEqual(['storeGateway.timePartitions[1].minTime: leaves a gap after partition 0\'s maxTime -30d: blocks in between are served by no store, got "-29d"']);
        plan.store.timePartitions = [{ maxTime: "-30d" }, { minTime: "-31d", maxTime: "-1d" }];
        expect(thanosPlanProblems(plan)).toEqual([
            'storeGateway.timePartitions[1].maxTime: the latest partition must have no maxTime, or recent blocks are served by no store (a gap), got "-1d"',
        ]);
        plan.store.timePartitions = [{ maxTime: "-30d" }, { minTime: "-31d" }];
        expect(thanosPlanProblems(plan)).toEqual([]);
    });

    it("one compactor per bucket stream", () => {
        const plan = basePlan();
        plan.compactor.instances = [...plan.compactor.instances, { name: "thanos-compact-2", replicas: 1, selector: undefined }];
        expect(thanosPlanProblems(plan)).toEqual([
            "compactor: 2 compactors (thanos-compact, thanos-compact-2) but thanos-compact, thanos-compact-2 select every block: two compactors would own one bucket stream",
        ]);
        plan.compactor.instances = [{ name: "thanos-compact", replicas: 2, selector: undefined }];
        expect(thanosPlanProblems(plan)[0]).toMatch(/^compactor\.thanos-compact\.replicas: a compactor must run exactly one replica.*got 2$/);
        plan.compactor.instances = [
            { name: "c-0", replicas: 1, selector: { label: "cluster", action: "keep", values: ["a"] } },
            { name: "c-1", replicas: 1, selector: { label: "cluster", action: "keep", values: ["a", "b"] } },
            { name: "c-2", replicas: 1, selector: { label: "cluster", action: "drop", values: ["a", "b"] } },
        ];
        expect(thanosPlanProblems(plan)).toEqual(['compactor.sharding.groups: value "a" is owned by both c-0 and c-1: two compactors on one stream']);
    });

    it("retention must be coherent with downsampling", () => {
        const plan = basePlan();
        plan.compactor.retention = { raw: "24h", fiveMinutes: "7d", oneHour: "0d" };
        expect(thanosPlanProblems(plan)).toEqual([
            'compactor.retention.oneHour: must be set explicitly (0 means keep forever), got "0d"',
            'compactor.retention.raw: must be at least 1d16h while downsampling is on (raw blocks are downsampled to 5m after 40h), got "24h"',
            'compactor.retention.fiveMinutes: must be at least 10d while downsampling is on (5m blocks are downsampled to 1h after 10d), got "7d"',
        ]);
        plan.compactor.downsampling = false;
        plan.compactor.retention = { raw: "24h", fiveMinutes: "7d", oneHour: "30d" };
        expect(thanosPlanProblems(plan)).toEqual([]);
    });

    it("store ignore-deletion-marks-delay must be half the compactor delete-delay", () => {
        const plan = basePlan();
        plan.compactor.deleteDelay = "72h";
        expect(thanosPlanProblems(plan)).toEqual([
            'storeGateway.ignoreDeletionMarksDelay: must be half of compactor.deleteDelay ("72h" / 2 = 1d12h) so stores stop reading a block well before it is deleted, got "1d"',
        ]);
    });

    it("the querier must reach every StoreAPI, with the right grouping", () => {
        const plan = basePlan();
        const [sidecars, store0, ...rest] = plan.querier.endpoints;
        plan.querier.endpoints = [sidecars!, ...rest];
        expect(thanosPlanProblems(plan)).toEqual([
            `querier.endpoints: missing store gateway shard 0 at "${store0!.address}"; the querier must reach every StoreAPI of the stack`,
        ]);
        plan.querier.endpoints = [{ ...sidecars!, group: true }, store0!, ...rest];
        expect(thanosPlanProblems(plan)[0]).toMatch(/prometheus sidecars.* must have group: false \(each pod holds different data\), got group: true$/);
    });

    it("producers need a replica label that is not a common external label", () => {
        const plan = basePlan();
        plan.producers[0] = { ...plan.producers[0]!, replicaLabel: "" };
        plan.producers[1] = { ...plan.producers[1]!, externalLabels: { ...plan.producers[1]!.externalLabels, thanos_ruler_replica: "x" } };
        const problems = thanosPlanProblems(plan);
        expect(problems).toContain('prometheus.replicaLabel: every block producer needs a replica label that differs per pod, got ""');
        expect(problems).toContain('ruler.externalLabels.thanos_ruler_replica: the replica label must differ per pod, so it cannot be a common external label, got "x"');
    });
});

describe("ThanosStack checks the invariants before creating anything", () => {
    it("fails with every problem and creates no resource", async () => {
        let error: unknown;
        const resources = await captureComponent((p) => {
            try {
                new ThanosStack(
                    "thanos",
                    {
                        environment: "prod",
                        clusterName: "c1",
                        objectStorage: { provider: "versitygw", bucketName: "thanos" },
                        thanos: { compactor: { retention: { raw: "24h", fiveMinutes: "90d", oneHour: "1y" } }, storeGateway: { timePartitions: [{ maxTime: "-30d" }, { minTime: "-20d" }] } },
                    },
                    { providers: { kubernetes: p.kubernetes } },
                );
            } catch (e) {
                error = e;
            }
        });
        expect(error).toBeInstanceOf(InvariantError);
        expect((error as InvariantError).problems).toEqual([
            expect.stringMatching(/^ThanosStoreGateway timePartitions\[1\]\.minTime: leaves a gap/),
        ]);
        expect(resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers"))).toEqual([]);
    });

    it("reports the invariants of well-formed component settings", () => {
        const ctx = thanosStackContext("thanos", { environment: "prod", clusterName: "c1", namespace: "monitoring" });
        const plan = planThanosStack(ctx, { compactor: { retention: { raw: "24h", fiveMinutes: "90d", oneHour: "1y" } } });
        expect(thanosPlanProblems(plan.invariants)).toEqual([expect.stringMatching(/^compactor\.retention\.raw: must be at least 1d16h/)]);
    });

    it("refuses a configuration with a store partition gap or overlapping compactor shards, naming the keys", async () => {
        await expect(
            renderInProcess("prod", ['storeGateway.timePartitions=[{maxTime: "-30d"}, {minTime: "-20d"}]', 'compactor.sharding={label: cluster, groups: [[a], [a, b]]}']),
        ).rejects.toMatchObject({
            problems: expect.arrayContaining([
                'storeGateway.timePartitions[1].minTime: leaves a gap after partition 0\'s maxTime -30d: blocks in between are served by no store, got "-20d"',
                'compactor.sharding.groups[1][0]: is also in groups[0]: compactor shards must not overlap (two compactors would own one stream), got "a"',
            ]),
        });
    });
});

describe("the prod render", () => {
    let result: RenderResult;
    const argsOf = (name: string) => {
        const d = [...objectsOfKind<Deployment>(result, "Deployment"), ...objectsOfKind<StatefulSet>(result, "StatefulSet")].find((o) => o.metadata?.name === name);
        return d?.spec?.template.spec?.containers[0]?.args ?? [];
    };
    const value = (args: string[], flag: string) => args.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3);

    beforeAll(async () => {
        result = await renderInProcess("prod");
    });

    it("has the querier reach every StoreAPI Service of the stack", () => {
        const query = objectsOfKind<Record<string, unknown>>(result, "Deployment").find((o) => (o["metadata"] as { name: string }).name === "thanos-query")!;
        const sd = querierEndpointDocument(result.manifests.map((m) => m.object), query);
        const addresses = new Map(sd.endpoints.map((e) => [e.address, e.group]));
        const strict = new Set(sd.endpoints.filter((e) => e.strict === true).map((e) => e.address));
        const grpcServices = objectsOfKind<Service>(result, "Service").filter((s) => s.spec?.ports?.some((p) => p.name === THANOS.portNames.grpc) && s.metadata?.name !== "thanos-query");
        const names = grpcServices.map((s) => s.metadata!.name!);
        expect(names).toEqual(expect.arrayContaining(["thanos-store-0-of-3", "thanos-store-1-of-3", "thanos-store-2-of-3", "thanos-rule"]));
        for (const s of grpcServices) {
            // Store shards: strict groups at the headless Service's host:port; the ruler: DNS SRV, one endpoint per pod.
            const store = s.metadata!.name!.startsWith("thanos-store-");
            const fqdn = `${s.metadata!.name}.${s.metadata!.namespace}.svc.cluster.local`;
            const address = store ? `${fqdn}:${PORTS.thanosGrpc}` : `dnssrv+_grpc._tcp.${fqdn}`;
            expect(addresses.has(address), `querier reaches ${s.metadata!.name}`).toBe(true);
            expect(addresses.get(address)).toBe(store);
            expect(strict.has(address), `${address} strict`).toBe(store);
        }
        expect([...addresses.keys()].some((a) => a.includes("prometheus"))).toBe(true);
    });

    it("deduplicates on exactly the producers' replica labels", () => {
        const labels = argsOf("thanos-query").filter((a) => a.startsWith("--query.replica-label=")).map((a) => a.split("=")[1]);
        const prometheus = objectsOfKind<{ spec: { replicaExternalLabelName?: string } }>(result, "Prometheus");
        const promLabel = prometheus[0]?.spec.replicaExternalLabelName ?? EXTERNAL_LABELS.prometheusReplica;
        expect(new Set(labels)).toEqual(new Set([promLabel, EXTERNAL_LABELS.rulerReplica]));
    });

    it("runs exactly one compactor, never twice, and no PDB for it", () => {
        const compactors = objectsOfKind<StatefulSet>(result, "StatefulSet").filter((s) => s.metadata?.labels?.[LABELS.name] === THANOS.componentNames.compact);
        expect(compactors).toHaveLength(1);
        expect(compactors[0]!.spec?.replicas).toBe(1);
        expect(objectsOfKind<Deployment>(result, "Deployment").some((d) => d.metadata?.labels?.[LABELS.name] === THANOS.componentNames.compact)).toBe(false);
        expect(objectsOfKind<PodDisruptionBudget>(result, "PodDisruptionBudget").some((p) => p.metadata?.labels?.[LABELS.name] === THANOS.componentNames.compact)).toBe(false);
    });

    it("keeps the store deletion-mark delay at half the compactor delete delay, and explicit retention", () => {
        const compact = argsOf("thanos-compact");
        const deleteDelay = parseDuration(value(compact, "delete-delay")!)!;
        for (const shard of ["thanos-store-0-of-3", "thanos-store-1-of-3", "thanos-store-2-of-3"]) {
            expect(parseDuration(value(argsOf(shard), "ignore-deletion-marks-delay")!)! * 2).toBe(deleteDelay);
        }
        for (const r of ["raw", "5m", "1h"]) expect(parseDuration(value(compact, `retention.resolution-${r}`)!)).toBeGreaterThan(0);
    });
});
