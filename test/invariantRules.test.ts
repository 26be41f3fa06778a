/**
 * Every rule of the Thanos invariants (GUIDE §3), one row per condition, with the exact sentence a user reads,
 * and the boundaries that must pass (raw retention 40h, 5m retention 10d, a 5m retention equal to the raw one,
 * a deletion-mark delay of exactly half the delete delay). The plan the stack derives from its arguments is
 * written out as the names and labels Thanos and the Operator use.
 */
import { describe, expect, it } from "vitest";
import {
    assertThanosPlan,
    compactorSingletonProblems,
    deletionDelayProblems,
    InvariantError,
    MIN_FIVE_MINUTE_RETENTION_MS,
    MIN_RAW_RETENTION_MS,
    producerProblems,
    retentionProblems,
    thanosPlanProblems,
    type ThanosPlan,
} from "../components/stack/invariants";
import { assertThanosStack, planThanosStack, thanosStackContext, thanosStackProblems } from "../components/stack/thanosPlan";

const ctx = () => thanosStackContext("thanos", { environment: "prod", clusterName: "c1", namespace: "ns" });
const plan = (): ThanosPlan => planThanosStack(ctx()).invariants;

describe("the minimum retentions", () => {
    it("are 40 hours of raw data and 10 days of 5m data", () => {
        expect(MIN_RAW_RETENTION_MS).toBe(40 * 3600 * 1000);
        expect(MIN_FIVE_MINUTE_RETENTION_MS).toBe(10 * 24 * 3600 * 1000);
    });
});

describe("block producers", () => {
    it("need non-empty external label values and a replica label that is not blank", () => {
        const p = plan();
        p.producers[0] = { ...p.producers[0]!, externalLabels: { cluster: " ", environment: "prod" }, replicaLabel: "  " };
        expect(producerProblems(p)).toEqual([
            'prometheus.replicaLabel: every block producer needs a replica label that differs per pod, got ""',
            'prometheus.externalLabels.cluster: external label values must be non-empty, got ""',
        ]);
    });

    it("must not share their identity; label order does not make two producers different", () => {
        const p = plan();
        p.producers[1] = { ...p.producers[1]!, externalLabels: { environment: "prod", cluster: "c1" }, replicaLabel: "prometheus_replica" };
        expect(producerProblems(p)).toEqual([
            'ruler: has the same external labels and replica label as prometheus ([[["cluster","c1"],["environment","prod"]],"prometheus_replica"]); their blocks would be indistinguishable',
        ]);
        p.producers[1] = { ...p.producers[1]!, externalLabels: { environment: "prod", cluster: "c2" } };
        expect(producerProblems(p)).toEqual([]);
    });
});

describe("the querier's StoreAPI endpoints", () => {
    it("must group a StoreAPI whose replicas hold the same data", () => {
        const p = plan();
        const store = p.querier.endpoints.findIndex((e) => e.group);
        expect(store).toBeGreaterThan(0);
        p.querier.endpoints[store] = { ...p.querier.endpoints[store]!, group: false };
        expect(thanosPlanProblems(p)).toEqual([
            `querier.endpoints: ${p.storeApis[store]!.description} at "${p.storeApis[store]!.address}" must have group: true (its replicas hold the same data), got group: false`,
        ]);
    });
});

describe("the compactors", () => {
    const c = (name: string, selector?: { label: string; action: "keep" | "drop"; values: string[] }) => ({ name, replicas: 1, selector });
    const problems = (instances: ReturnType<typeof c>[]) => {
        const p = plan();
        p.compactor.instances = instances;
        return compactorSingletonProblems(p);
    };

    it("one is required", () => {
        expect(problems([])).toEqual(["compactor: the bucket needs exactly one compactor per stream, got none"]);
    });

    it("shards select on one label", () => {
        expect(problems([c("c-0", { label: "cluster", action: "keep", values: ["a"] }), c("c-1", { label: "region", action: "drop", values: ["a"] })])).toEqual([
            'compactor.sharding.label: every compactor shard must select on the same external label to partition the streams, got ["cluster","region"]',
        ]);
    });

    it("exactly one shard takes the rest, it leaves what a keep shard owns, and every owned value is left by it", () => {
        expect(problems([c("c-0", { label: "cluster", action: "keep", values: ["a"] }), c("c-1", { label: "cluster", action: "keep", values: ["b"] })])).toEqual([
            "compactor.sharding: exactly one compactor must take the blocks of every other value (and blocks without the label), got 0",
        ]);
        expect(
            problems([c("c-0", { label: "cluster", action: "keep", values: ["a"] }), c("c-1", { label: "cluster", action: "drop", values: ["a"] }), c("c-2", { label: "cluster", action: "drop", values: ["a"] })]),
        ).toEqual(["compactor.sharding: exactly one compactor must take the blocks of every other value (and blocks without the label), got 2"]);
        expect(problems([c("c-0", { label: "cluster", action: "keep", values: ["a", "b"] }), c("c-1", { label: "cluster", action: "drop", values: ["a"] })])).toEqual([
            'compactor.sharding: c-1 also compacts ["b"], which a keep shard owns: two compactors on one stream',
        ]);
        expect(problems([c("c-0", { label: "cluster", action: "keep", values: ["a"] }), c("c-1", { label: "cluster", action: "drop", values: ["a", "z"] })])).toEqual([
            'compactor.sharding: no compactor owns ["z"]: those streams would never be compacted',
        ]);
        expect(problems([c("c-0", { label: "cluster", action: "keep", values: ["a"] }), c("c-1", { label: "cluster", action: "keep", values: ["b"] }), c("c-2", { label: "cluster", action: "drop", values: ["a", "b"] })])).toEqual([]);
    });

    it("one unsharded compactor among several is reported once, by name", () => {
        expect(problems([c("c-0", { label: "cluster", action: "keep", values: ["a"] }), c("c-1")])).toEqual([
            "compactor: 2 compactors (c-0, c-1) but c-1 select every block: two compactors would own one bucket stream",
        ]);
    });
});

describe("retention", () => {
    const problems = (retention: { raw: string; fiveMinutes: string; oneHour: string }, downsampling = true) => {
        const p = plan();
        p.compactor.retention = retention;
        p.compactor.downsampling = downsampling;
        return retentionProblems(p);
    };

    it("refuses what does not parse, naming the key", () => {
        expect(problems({ raw: "30 days", fiveMinutes: "90d", oneHour: "1y" })).toEqual(['compactor.retention.raw: must be a duration like 30d, got "30 days"']);
        expect(problems({ raw: "30d", fiveMinutes: "90d", oneHour: "forever" })).toEqual(['compactor.retention.oneHour: must be a duration like 30d, got "forever"']);
    });

    it("accepts the boundaries 40h and 10d, and a 5m retention equal to the raw one", () => {
        expect(problems({ raw: "40h", fiveMinutes: "10d", oneHour: "10d" })).toEqual([]);
        expect(problems({ raw: "10d", fiveMinutes: "10d", oneHour: "1y" })).toEqual([]);
    });

    it("keeps every resolution at least as long as the one it summarises", () => {
        expect(problems({ raw: "30d", fiveMinutes: "20d", oneHour: "1y" })).toEqual([
            'compactor.retention.fiveMinutes: must be >= retention.raw ("30d") or the downsampled data expires before the raw data it summarises, got "20d"',
        ]);
        expect(problems({ raw: "30d", fiveMinutes: "90d", oneHour: "60d" })).toEqual(['compactor.retention.oneHour: must be >= retention.fiveMinutes ("90d"), got "60d"']);
        expect(problems({ raw: "30d", fiveMinutes: "90d", oneHour: "90d" })).toEqual([]);
    });

    it("without downsampling, only explicit and parseable retention", () => {
        expect(problems({ raw: "1d", fiveMinutes: "1h", oneHour: "1m" }, false)).toEqual([]);
        expect(problems({ raw: "0d", fiveMinutes: "1h", oneHour: "1m" }, false)).toEqual(['compactor.retention.raw: must be set explicitly (0 means keep forever), got "0d"']);
    });
});

describe("deletion-mark delays", () => {
    const problems = (deleteDelay: string, ignore: string) => {
        const p = plan();
        p.compactor.deleteDelay = deleteDelay;
        p.store.ignoreDeletionMarksDelay = ignore;
        return deletionDelayProblems(p);
    };
    it("refuse durations that do not parse, and accept exactly half", () => {
        expect(problems("two days", "1d")).toEqual(['compactor.deleteDelay: must be a duration like 48h, got "two days"']);
        expect(problems("48h", "a day")).toEqual(['storeGateway.ignoreDeletionMarksDelay: must be a duration, got "a day"']);
        expect(problems("48h", "24h")).toEqual([]);
        expect(problems("48h", "25h")).toHaveLength(1);
    });
});

describe("the error a broken plan raises", () => {
    it("lists every problem, indented, with a count in words", () => {
        const p = plan();
        p.compactor.instances = [];
        p.compactor.deleteDelay = "bad";
        let error: unknown;
        try {
            assertThanosPlan(p);
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(InvariantError);
        expect((error as InvariantError).name).toBe("InvariantError");
        expect((error as InvariantError).problems).toHaveLength(2);
        expect((error as InvariantError).message).toBe(
            'the stack breaks 2 invariants:\n  compactor: the bucket needs exactly one compactor per stream, got none\n  compactor.deleteDelay: must be a duration like 48h, got "bad"',
        );
        expect(new InvariantError(["x"]).message).toBe("the stack breaks 1 invariant:\n  x");
        expect(() => assertThanosPlan(plan())).not.toThrow();
    });
});

describe("the plan of a stack", () => {
    it("derives the context from the stack's name, namespace, cluster and environment", () => {
        expect(ctx()).toEqual({
            stackName: "thanos",
            namespace: "ns",
            environment: "prod",
            clusterName: "c1",
            objstoreSecret: { name: "thanos-objstore", key: "objstore.yml" },
            serviceAccountNames: { prometheus: "thanos-prometheus", ruler: "thanos-rule", storeGateway: "thanos-store", compactor: "thanos-compact" },
            sidecarEndpoints: [{ address: "dnssrv+_grpc._tcp.thanos-prometheus-sidecar.ns.svc.cluster.local", group: false, description: "prometheus sidecars (every shard and replica)" }],
            prometheusReplicaLabel: "prometheus_replica",
            prometheusExternalLabels: { cluster: "c1", environment: "prod" },
            alertmanagerAddresses: ["dnssrv+_web._tcp.thanos-alertmanager.ns.svc.cluster.local"],
            priorityClassName: "ns-thanos",
        });
    });

    it("gives the bucket users their ServiceAccounts, the ruler the common labels, and deduplicates on both replica labels only when asked", () => {
        const p = planThanosStack(ctx(), { compactor: { deduplication: true } });
        expect(p.compactor.serviceAccountName).toBe("thanos-compact");
        expect(p.storeGateway.serviceAccountName).toBe("thanos-store");
        expect(p.ruler.serviceAccountName).toBe("thanos-rule");
        expect(p.ruler.externalLabels).toEqual({ cluster: "c1", environment: "prod" });
        expect(p.compactor.deduplicationReplicaLabels).toEqual(["prometheus_replica", "thanos_ruler_replica"]);
        expect(p.compactor).not.toHaveProperty("deduplication");
        expect(planThanosStack(ctx()).compactor).not.toHaveProperty("deduplicationReplicaLabels");
        const without = planThanosStack({ ...ctx(), serviceAccountNames: {} });
        for (const args of [without.compactor, without.storeGateway, without.ruler]) expect(args).not.toHaveProperty("serviceAccountName");
        expect(without.invariants.producers.map((x) => x.externalLabels)).toEqual([
            { cluster: "c1", environment: "prod" },
            { cluster: "c1", environment: "prod" },
        ]);
    });

    it("names the querier's store layout by the store instances themselves, not by how many there are", () => {
        const layout = (storeGateway: Record<string, unknown>) => planThanosStack(ctx(), { storeGateway }).querier.storeLayoutRevision;
        // Two shards of all time, or one shard of two time partitions: two instances each, other blocks each.
        const twoShards = layout({ shards: 2 });
        const twoPartitions = layout({ shards: 1, timePartitions: [{ maxTime: "-30d" }, { minTime: "-30d" }] });
        // The StatefulSets' names (`<store>-<shard>-of-<shards>`, docs/operations.md), one word each.
        expect(twoShards).toBe("thanos-store-0-of-2 thanos-store-1-of-2");
        expect(twoPartitions).not.toBe(twoShards);
        expect(twoPartitions!.split(" ")).toHaveLength(2);
        expect(layout({ shards: 2, replicas: 3 })).toBe(twoShards);
    });

    it("leaves Prometheus out of the producers when the stack runs none, and the ruler out in a collector", () => {
        expect(planThanosStack({ ...ctx(), prometheus: false }).invariants.producers.map((p) => p.description)).toEqual(["ruler"]);
        expect(planThanosStack({ ...ctx(), prometheus: true }).invariants.producers.map((p) => p.description)).toEqual(["prometheus", "ruler"]);
        expect(planThanosStack({ ...ctx(), role: "collector" }).invariants.producers.map((p) => p.description)).toEqual(["prometheus"]);
    });

    it("reports component problems first, and the invariants only of well-formed components", () => {
        const bad = planThanosStack(ctx(), { compactor: { deleteDelay: "soon" } });
        const problems = thanosStackProblems(bad);
        expect(problems.length).toBeGreaterThan(0);
        expect(problems.every((p) => !p.startsWith("compactor.deleteDelay: must be a duration like 48h"))).toBe(true);
        expect(thanosStackProblems(planThanosStack(ctx()))).toEqual([]);
        // Well-formed components: the invariants speak.
        expect(thanosStackProblems(planThanosStack(ctx(), { compactor: { retention: { raw: "24h", fiveMinutes: "90d", oneHour: "1y" } } }))).toEqual([
            'compactor.retention.raw: must be at least 1d16h while downsampling is on (raw blocks are downsampled to 5m after 40h), got "24h"',
        ]);
        expect(() => assertThanosStack(planThanosStack(ctx()))).not.toThrow();
        expect(() => assertThanosStack(bad)).toThrow(InvariantError);
    });
});
