/**
 * Changing the store gateway's sharding never leaves a window where historical queries have gaps: a different
 * shard count is a new set of StatefulSets (never a running shard told to serve other blocks), the querier waits
 * for them and rolls onto them, and Pulumi deletes the old set only after that. The e2e scenario
 * store-resharding-without-gaps proves it on a real cluster with queries running through the change.
 */
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { RenderResult } from "../scripts/lib/render";
import { objectsOfKind, renderInProcess } from "./support/harness";

type Sts = { metadata: { name: string }; spec: { persistentVolumeClaimRetentionPolicy?: Record<string, string>; template: { spec: { containers: Array<{ args?: string[] }> } } } };
type Deploy = { metadata: { name: string }; spec: { template: { spec: { volumes?: Array<{ name: string; configMap?: { name: string } }> } } } };

const stores = (r: RenderResult) => objectsOfKind<Sts>(r, "StatefulSet").filter((s) => s.spec.template.spec.containers[0]?.args?.[0] === "store");
const querier = (r: RenderResult) => objectsOfKind<Deploy>(r, "Deployment").find((d) => d.metadata.name === "thanos-query")!;
/** The endpoint ConfigMap the querier pods mount. */
const endpointsFile = (r: RenderResult) => querier(r).spec.template.spec.volumes?.find((v) => v.name === "endpoints")?.configMap?.name;

describe("store gateway resharding", () => {
    it("a new shard count is a new set of StatefulSets: no running shard changes which blocks it serves", async () => {
        const three = await renderInProcess("prod", ["storeGateway.shards=3"]);
        const four = await renderInProcess("prod", ["storeGateway.shards=4"]);
        const a = stores(three).map((s) => s.metadata.name);
        const b = stores(four).map((s) => s.metadata.name);
        expect(a).toEqual(["thanos-store-0-of-3", "thanos-store-1-of-3", "thanos-store-2-of-3"]);
        expect(b).toHaveLength(4);
        expect(a.filter((n) => b.includes(n))).toEqual([]);
        // A StatefulSet whose name stays keeps its arguments (its hashmod selection) whatever else changes.
        const same = await renderInProcess("prod", ["storeGateway.shards=3", "storeGateway.replicas=3"]);
        for (const s of stores(same)) {
            const before = stores(three).find((x) => x.metadata.name === s.metadata.name)!;
            expect(s.spec.template.spec.containers[0]?.args, s.metadata.name).toEqual(before.spec.template.spec.containers[0]?.args);
        }
    });

    it("a new store layout is a new endpoint ConfigMap the querier rolls onto, after the new StatefulSets; other endpoint changes are not", async () => {
        const three = await renderInProcess("prod", ["storeGateway.shards=3"]);
        const four = await renderInProcess("prod", ["storeGateway.shards=4"]);
        const extra = await renderInProcess("prod", ["storeGateway.shards=3", 'querier.extraEndpoints=[{"address":"thanos-store.other.svc.cluster.local:10901"}]']);
        expect(endpointsFile(three)).toMatch(/^thanos-query-endpoints-[0-9a-f]{10}$/);
        // Old pods keep the old ConfigMap (no hot reload onto StoreAPIs still connecting); new pods mount the new one.
        expect(endpointsFile(four)).not.toBe(endpointsFile(three));
        // An extra endpoint changes the same ConfigMap: the pods re-read it, none is replaced.
        expect(endpointsFile(extra)).toBe(endpointsFile(three));
        expect(querier(extra).spec.template).toEqual(querier(three).spec.template);
        const deployment = four.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && (r.inputs["metadata"] as { name: string }).name === "thanos-query")!;
        const file = four.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && (r.inputs["metadata"] as { name: string }).name === endpointsFile(four))!;
        expect(file).toBeDefined();
        const storeSets = four.resources.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet" && /^thanos-store-\d+-of-4$/.test((r.inputs["metadata"] as { name: string }).name));
        expect(storeSets).toHaveLength(4);
        for (const w of [deployment, file]) {
            for (const s of storeSets) expect(w.options.dependsOn, `${w.name} waits for ${s.name}`).toContain(`${s.type}::${s.name}`);
        }
    });

    it("a store's name resolves to its pods until they are gone: its Service publishes draining pods and is deleted after them", async () => {
        const r = await renderInProcess("prod", ["storeGateway.shards=2"]);
        type Svc = { metadata: { name: string }; spec: { clusterIP?: string; publishNotReadyAddresses?: boolean; selector: Record<string, string> } };
        const services = objectsOfKind<Svc>(r, "Service");
        const sets = stores(r);
        expect(sets.map((s) => s.metadata.name)).toEqual(["thanos-store-0-of-2", "thanos-store-1-of-2"]);
        for (const set of sets) {
            const name = set.metadata.name;
            const svc = services.find((x) => x.metadata.name === name)!;
            // Headless (each connection dials a pod) and publishing pods that are not Ready: a terminating pod in
            // its preStop sleep still serves the queriers that list it, by name.
            expect(svc.spec, name).toMatchObject({ clusterIP: "None", publishNotReadyAddresses: true });
            const live = r.resources.find((x) => x.type === "kubernetes:apps/v1:StatefulSet" && (x.inputs["metadata"] as { name: string }).name === name)!;
            const service = r.resources.find((x) => x.type === "kubernetes:core/v1:Service" && (x.inputs["metadata"] as { name: string }).name === name)!;
            // Pulumi deletes a resource's dependents first and waits for the StatefulSet's pods to go: the Service last.
            expect(live.options.dependsOn, `${name}: the StatefulSet depends on its Service`).toContain(`${service.type}::${service.name}`);
        }
        // Other headless Services keep DNS to Ready pods (the ruler's and Alertmanager's discovery must not list starting pods).
        const others = services.filter((x) => x.spec.clusterIP === "None" && !sets.some((s) => s.metadata.name === x.metadata.name));
        expect(others.length).toBeGreaterThan(0);
        for (const o of others) expect(o.spec.publishNotReadyAddresses ?? false, o.metadata.name).toBe(false);
    });

    it("store volumes (index headers, a cache of the bucket) go with their StatefulSet; every other volume is retained", async () => {
        const r = await renderInProcess("prod");
        const storeNames = new Set(stores(r).map((s) => s.metadata.name));
        const withVolumes = objectsOfKind<Sts & { spec: { volumeClaimTemplates?: unknown[] } }>(r, "StatefulSet").filter((s) => (s.spec.volumeClaimTemplates ?? []).length > 0);
        expect(storeNames.size).toBe(3);
        // Both kinds are there to compare: the stores, and the StatefulSets that keep data (the compactor, ...).
        expect(withVolumes.filter((s) => !storeNames.has(s.metadata.name)).length).toBeGreaterThan(0);
        for (const s of withVolumes) {
            const expected = storeNames.has(s.metadata.name) ? { whenDeleted: "Delete", whenScaled: "Delete" } : { whenDeleted: "Retain", whenScaled: "Retain" };
            expect(s.spec.persistentVolumeClaimRetentionPolicy, s.metadata.name).toEqual(expected);
        }
    });

    it("querier pods drain before SIGTERM, store pods longer; the frontend opens a connection per request unless told otherwise", async () => {
        type Pod = { terminationGracePeriodSeconds?: number; containers: Array<{ name: string; args?: string[]; lifecycle?: { preStop?: { sleep?: { seconds: number } } } }> };
        const r = await renderInProcess("prod");
        const podOf = (kind: string, name: RegExp) => objectsOfKind<{ metadata: { name: string }; spec: { template: { spec: Pod } } }>(r, kind).filter((o) => name.test(o.metadata.name)).map((o) => o.spec.template.spec);
        const sleepOf = (p: Pod) => p.containers[0]?.lifecycle?.preStop?.sleep?.seconds ?? 0;
        const queriers = podOf("Deployment", /^thanos-query$/);
        const storePods = podOf("StatefulSet", /^thanos-store-\d+-of-\d+$/);
        expect(queriers.map(sleepOf)).toEqual([15]);
        expect(storePods.length).toBe(3);
        for (const p of storePods) {
            // A store outlives every querier still finishing a query on it, and both finish within their grace period.
            expect(sleepOf(p)).toBeGreaterThan(sleepOf(queriers[0]!));
            expect(p.terminationGracePeriodSeconds).toBeGreaterThan(sleepOf(p));
        }
        expect(queriers[0]!.terminationGracePeriodSeconds).toBeGreaterThan(sleepOf(queriers[0]!));
        const tripper = (x: RenderResult) => {
            const fe = objectsOfKind<{ metadata: { name: string }; spec: { template: { spec: Pod } } }>(x, "Deployment").find((o) => o.metadata.name === "thanos-query-frontend")!;
            const flag = fe.spec.template.spec.containers[0]!.args!.find((a) => a.startsWith("--query-frontend.downstream-tripper-config="))!;
            return parseYaml(flag.slice("--query-frontend.downstream-tripper-config=".length)) as { max_idle_conns_per_host: number; max_idle_conns: number };
        };
        expect(tripper(r)).toMatchObject({ max_idle_conns_per_host: -1, max_idle_conns: 0 });
        expect(tripper(await renderInProcess("prod", ["queryFrontend.downstreamKeepAlive=true"]))).toMatchObject({ max_idle_conns_per_host: 100, max_idle_conns: 100 });
    });
});
