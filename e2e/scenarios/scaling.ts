/**
 * Shards added and removed with `pulumi up`: a new shard's series are queryable with no endpoint changed by hand
 * and the querier lists every StoreAPI; a removed shard's data stays queryable (its pods are retained).
 */
import { expectThat, type Scenario, type ScenarioContext } from "./types";
import { eventually } from "../lib/kube";
import { stores } from "../lib/prom";
import { ReadPath } from "../lib/querier";
import { pods } from "./platform";
import { SELECT, shardOf, storeShardSelector } from "./selectors";
import { LABELS } from "../../components/constants";
import { E2E_SERIES } from "../team/team";

async function setShards(ctx: ScenarioContext, shards: number): Promise<number> {
    await ctx.engine.pulumi(["config", "set", "--path", "thanos-stack:prometheus.shards", String(shards)]);
    const started = Date.now();
    await ctx.engine.pulumi(["up", "--yes", "--skip-preview"]);
    return (Date.now() - started) / 1000;
}


export const newShardReachable: Scenario = {
    name: "new-shard-reachable",
    proves: "a shard added with pulumi up is queryable with no endpoint changed by hand: the querier's stores list shows every sidecar, store shard and ruler, and the new shard's series are returned",
    async run(ctx) {
        const upSeconds = await setShards(ctx, 3);
        await eventually("shard 2's pods Ready", () => {
            const p = pods(ctx, SELECT.prometheus).filter((x) => shardOf(x.metadata.labels) === "2");
            return p.length === 2 && p.every((x) => x.status.containerStatuses?.every((c) => c.ready)) ? true : undefined;
        }, 300_000);
        const rp = await ReadPath.open(ctx.kube, ctx.namespace);
        try {
            const sidecars = pods(ctx, SELECT.prometheus).length;
            const seen = await eventually(
                "the querier to list every sidecar",
                async () => {
                    const s = await stores(rp.url);
                    return (s["sidecar"] ?? []).filter((x) => !x.lastError).length === sidecars ? s : undefined;
                },
                180_000,
            );
            const counts = Object.fromEntries(Object.entries(seen).map(([t, l]) => [t, l.length]));
            let last = 0;
            const newShardSeries = await eventually(
                "series scraped by the new shard",
                async () => {
                    const n = (await rp.scalar(`count(e2e_test_value{prometheus_shard="2"})`)) ?? 0;
                    return n > 0 ? n : undefined;
                },
                240_000,
            );
            // Targets that moved to the new shard end on their old shard with staleness markers: each series once again.
            const total = await eventually(
                () => `every series exactly once after the resharding (last: ${last})`,
                async () => {
                    last = (await rp.scalar("count(e2e_test_value)")) ?? 0;
                    return last === E2E_SERIES ? last : undefined;
                },
                240_000,
            );
            return { upSeconds, sidecars, storesByType: counts, newShardSeries, totalSeries: total };
        } finally {
            rp.close();
        }
    },
};

/** Querier pods by name, with their UID and restart count: the same pods afterwards means none was replaced or restarted. */
function querierPods(ctx: ScenarioContext): string[] {
    return pods(ctx, SELECT.query)
        .map((p) => `${p.metadata.name} ${p.metadata.uid ?? "?"} restarts=${(p.status.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0)}`)
        .sort();
}

export const endpointFileReloads: Scenario = {
    name: "endpoint-file-reloads-without-restart",
    proves: "an endpoint added or removed with pulumi up (querier.extraEndpoints) is queried within the reload interval, and no querier pod is replaced or restarted: the endpoints live in a ConfigMap the querier re-reads",
    async run(ctx) {
        const before = querierPods(ctx);
        expectThat(before.length > 0, "no querier pods");
        // Store shard 0 a second time, through its pod addresses (dns+ resolves the headless Service to the pods).
        const [shard0] = (ctx.kube.items("statefulsets", ctx.namespace, storeShardSelector(0)) as Array<{ metadata: { name: string } }>).map((s) => s.metadata.name);
        expectThat(shard0 !== undefined, "no store gateway StatefulSet of shard 0");
        const address = `dns+${shard0!}.${ctx.namespace}.svc.cluster.local:10901`;
        const storeIps = pods(ctx, `${LABELS.instance}=${shard0!}`).map((p) => p.status.podIP ?? "").filter((ip) => ip !== "");
        expectThat(storeIps.length > 0, "store shard 0 has no pod addresses");
        const rp = await ReadPath.open(ctx.kube, ctx.namespace);
        try {
            const listed = async () => ((await stores(rp.url))["store"] ?? []).map((x) => x.name);
            expectThat((await listed()).every((n) => !storeIps.some((ip) => n.startsWith(`${ip}:`))), "the pod addresses are listed before the change");
            await ctx.engine.pulumi(["config", "set", "--path", "thanos-stack:querier.extraEndpoints[0].address", address]);
            let started = Date.now();
            await ctx.engine.pulumi(["up", "--yes", "--skip-preview"]);
            const upSeconds = (Date.now() - started) / 1000;
            await eventually("the querier to list the added endpoint", async () => ((await listed()).filter((n) => storeIps.some((ip) => n === `${ip}:10901`)).length === storeIps.length ? true : undefined), 240_000);
            const addedAfterSeconds = (Date.now() - started) / 1000;
            await ctx.engine.pulumi(["config", "rm", "--path", "thanos-stack:querier.extraEndpoints"]);
            started = Date.now();
            await ctx.engine.pulumi(["up", "--yes", "--skip-preview"]);
            await eventually("the querier to drop the removed endpoint", async () => ((await listed()).some((n) => storeIps.some((ip) => n === `${ip}:10901`)) ? undefined : true), 240_000);
            const removedAfterSeconds = (Date.now() - started) / 1000;
            const after = querierPods(ctx);
            expectThat(JSON.stringify(after) === JSON.stringify(before), `querier pods changed: before ${before.join(", ")}; after ${after.join(", ")}`);
            return { upSeconds, addedAfterSeconds, removedAfterSeconds, querierPods: after.length, querierPodsReplaced: 0 };
        } finally {
            rp.close();
        }
    },
};

export const shardScaleDown: Scenario = {
    name: "shard-scale-down",
    proves: "a shard removed with pulumi up keeps its data queryable (the Operator retains its pods, whose sidecars stay discovered and upload their blocks): nothing lost",
    async run(ctx) {
        const rp = await ReadPath.open(ctx.kube, ctx.namespace);
        try {
            const now = Math.floor(Date.now() / 1000);
            const window = { start: now - 600, end: now, step: 30 };
            const before = await rp.query(`e2e_test_value{prometheus_shard="2"}`, { range: window });
            const samplesBefore = before.result.reduce((n, s) => n + (s.values?.length ?? 0), 0);
            expectThat(samplesBefore > 0, "shard 2 has no data to keep");
            const upSeconds = await setShards(ctx, 2);
            const retained = pods(ctx, SELECT.prometheus).filter((p) => shardOf(p.metadata.labels) === "2").length;
            expectThat(retained > 0, "the removed shard's pods were deleted (its head block, up to 2h of samples, with them)");
            const after = await rp.query(`e2e_test_value{prometheus_shard="2"}`, { range: window });
            const samplesAfter = after.result.reduce((n, s) => n + (s.values?.length ?? 0), 0);
            expectThat(samplesAfter === samplesBefore, `shard 2's last 10 minutes: ${samplesBefore} samples before the scale-down, ${samplesAfter} after`);
            // Its targets are scraped by the remaining shards now.
            const targets = await eventually("every series scraped again by shards 0 and 1", async () => {
                const n = (await rp.scalar(`count(e2e_test_value{prometheus_shard=~"0|1"})`)) ?? 0;
                return n === E2E_SERIES ? n : undefined;
            }, 240_000);
            return { upSeconds, retainedPods: retained, samplesBefore, samplesAfter, samplesLost: samplesBefore - samplesAfter, seriesOnRemainingShards: targets };
        } finally {
            rp.close();
        }
    },
};
