/**
 * History through the bucket: backfilled blocks reach the bucket through a sidecar's shipper, the store gateways
 * serve them, the compactor compacts and downsamples them; uploads interrupted, compactors killed and store
 * gateways restarted never make a query return partial or wrong data without saying so; and a mistaken delete of
 * blocks is undone from the bucket's versions, as docs/operations.md describes.
 */
import { expectThat, type Measured, type Scenario, type ScenarioContext } from "./types";
import { backfill, externalLabels, makeBlocks, samplesOf, upload, uploadCommand, valueAt, type SeriesSpec } from "../lib/backfill";
import { BucketClient } from "../lib/bucket";
import { eventually, sleep } from "../lib/kube";
import { READ_PATH, ReadPath } from "../lib/querier";
import { spawn } from "node:child_process";
import { capture } from "../lib/exec";
import { CONTAINERD_NAMESPACE, CONTAINERD_SOCKET } from "../cluster/config";
import { pods } from "./platform";
import { isStoreClaim, SELECT, storeShardSelector } from "./selectors";
import { PROMETHEUS } from "../../components/constants";

const DAY = 86_400;
const TWO_DAYS = 2 * DAY;

/**
 * The history the scenarios here work on: whole 2-day windows ending at least a day ago (so the compactor
 * can build 2-day blocks, and those are long enough to be downsampled to 5m), one sample a minute.
 */
function historyWindow(windows: number): { start: number; end: number } {
    const end = Math.floor((Date.now() / 1000 - DAY) / TWO_DAYS) * TWO_DAYS;
    return { start: end - windows * TWO_DAYS, end };
}

export const HISTORY_METRIC = "e2e_backfill_value";

/**
 * The history of `windows` 2-day windows (three by default). The compactor leaves the newest window of a stream
 * at 8h blocks (backfilled blocks end a minute short of the window, so it never looks complete), so two windows
 * are the least that give a 2-day block; the race uses two, to keep the compactor's work short.
 */
function historySpec(metric = HISTORY_METRIC, windows = 3): SeriesSpec {
    const { start, end } = historyWindow(windows);
    return { metric, series: 10, start, end, step: 60, seriesFactor: 1000, period: 3600 };
}

/** The Prometheus pods of one shard, by name (replica 0 first). */
function shardPods(ctx: ScenarioContext, shard: number): string[] {
    return pods(ctx, `${SELECT.prometheus},${PROMETHEUS.operatorShardLabel}=${shard}`)
        .map((p) => p.metadata.name)
        .sort();
}

const bucketOf = (ctx: ScenarioContext): Promise<BucketClient> => BucketClient.open(ctx.kube, ctx.namespace, "thanos-versitygw", "thanos-e2e");

/** Compares a range query over the history with the values written; returns samples returned and wrong ones. */
async function checkHistory(rp: ReadPath, spec: SeriesSpec, options: { dedup?: boolean; step?: number; maxSourceResolution?: string; selector?: string } = {}): Promise<{ series: number; samples: number; wrong: number; warnings: string[] }> {
    const step = options.step ?? 3600;
    // Evaluated half a step into each hour (or minute): a downsampled aggregate carries its window's end as its
    // timestamp, so at the hour itself the latest aggregate is the previous hour's (correct Thanos semantics, not
    // a loss). Mid-step, raw and downsampled data must both return the value written for that hour.
    const offset = step / 2;
    const r = await rp.query(`${spec.metric}${options.selector ?? ""}`, { range: { start: spec.start + offset, end: spec.end - step + offset, step }, dedup: options.dedup ?? true, ...(options.maxSourceResolution ? { maxSourceResolution: options.maxSourceResolution } : {}) });
    let samples = 0;
    let wrong = 0;
    for (const s of r.result) {
        const series = Number(s.metric["series"]);
        for (const [t, v] of s.values ?? []) {
            samples++;
            if (Number(v) !== valueAt(spec, series, t)) wrong++;
        }
    }
    return { series: r.result.length, samples, wrong, warnings: r.warnings };
}

/** Samples a range query at `step` must return when every sample is present. */
function expectedAtStep(spec: SeriesSpec, step: number): number {
    return spec.series * Math.floor((spec.end - step - spec.start) / step + 1);
}

export const historyThroughBucket: Scenario = {
    name: "history-through-bucket",
    proves: "historical blocks (older than Prometheus keeps) reach the bucket through a sidecar's own shipper, the store gateways sync them, and range queries over that history return exactly the values written, deduplicated across the two replicas",
    async run(ctx) {
        const spec = historySpec();
        const [r0, r1] = shardPods(ctx, 0);
        expectThat(r0 !== undefined && r1 !== undefined, "shard 0 has fewer than two replicas");
        const started = Date.now();
        // The same samples from both replicas of shard 0, each with its own external labels: what two replicas write.
        const blocks0 = await backfill(ctx.kube, ctx.namespace, r0, "history", spec);
        const blocks1 = await backfill(ctx.kube, ctx.namespace, r1, "history", spec);
        const uploadSeconds = (Date.now() - started) / 1000;
        const bucket = await bucketOf(ctx);
        const inBucket = await bucket.blocks();
        bucket.close();
        const uploaded = [...blocks0, ...blocks1];
        const missing = uploaded.filter((b) => !inBucket.complete.includes(b));
        expectThat(missing.length === 0, `blocks not in the bucket after upload: ${missing.join(", ")}`);
        const rp = await ReadPath.open(ctx.kube, ctx.namespace);
        try {
            const expected = expectedAtStep(spec, 3600);
            let last = { series: 0, samples: 0, wrong: 0, warnings: [] as string[] };
            const syncSeconds = await eventually(
                "the store gateways to serve the backfilled history",
                async () => {
                    last = await checkHistory(rp, spec);
                    return last.samples === expected ? (Date.now() - started) / 1000 - uploadSeconds : undefined;
                },
                180_000,
            );
            expectThat(last.wrong === 0, `${last.wrong} of ${last.samples} samples differ from what was written`);
            // Both replicas' blocks (the store gateways may have synced one replica's first).
            const noDedup = await eventually(
                "both replicas' history without deduplication",
                async () => {
                    const h = await checkHistory(rp, spec, { dedup: false });
                    return h.samples === 2 * expected ? h : undefined;
                },
                120_000,
            );
            expectThat(noDedup.wrong === 0, `without deduplication ${noDedup.wrong} of ${noDedup.samples} samples are wrong`);
            // Every sample at full resolution, for one series: nothing was lost or duplicated on the way.
            const raw = await checkHistory(rp, spec, { step: 60, selector: '{series="3"}' });
            const rawExpected = samplesOf({ ...spec, series: 1 });
            expectThat(raw.samples === rawExpected && raw.wrong === 0, `series 3 at full resolution: ${raw.samples} samples (${raw.wrong} wrong), ${rawExpected} written`);
            return {
                blocksUploaded: uploaded.length,
                samplesWritten: 2 * samplesOf(spec),
                samplesReturnedHourly: last.samples,
                samplesReturnedFullResolution: raw.samples,
                samplesLost: rawExpected - raw.samples,
                wrongValues: last.wrong + raw.wrong,
                uploadSeconds,
                storeSyncSeconds: syncSeconds,
            };
        } finally {
            rp.close();
        }
    },
};

/** The compactor's own view: halted or not, from its metrics. */
async function compactorMetric(ctx: ScenarioContext, metric: string): Promise<number> {
    const forward = await ctx.kube.portForward(ctx.namespace, "svc/thanos-compact", 10902);
    try {
        const text = await (await fetch(`${forward.url}/metrics`)).text();
        const line = text.split("\n").find((l) => l.startsWith(`${metric} `) || l.startsWith(`${metric}{`));
        return line === undefined ? NaN : Number(line.split(" ").pop());
    } finally {
        forward.close();
    }
}

/** `thanos tools bucket verify` for overlapping blocks, run by the compactor's own binary and configuration. */
function overlaps(ctx: ScenarioContext): string {
    return capture(ctx.kube.ctx.kubectl, [
        `--kubeconfig=${ctx.kube.ctx.kubeconfig}`,
        "-n",
        ctx.namespace,
        "exec",
        "thanos-compact-0",
        "--",
        "thanos",
        "tools",
        "bucket",
        "verify",
        "--objstore.config-file=/etc/thanos/objstore/objstore.yml",
        "--issues=overlapped_blocks",
    ]);
}

interface BlockSummary {
    level: number;
    resolution: number;
    hours: number;
}

async function blockSummaries(bucket: BucketClient, shard: string): Promise<BlockSummary[]> {
    const out: BlockSummary[] = [];
    for (const meta of (await bucket.metas()).values()) {
        if (meta.thanos.labels["prometheus_shard"] !== shard) continue;
        out.push({ level: meta.compaction.level, resolution: meta.thanos.downsample.resolution, hours: (meta.maxTime - meta.minTime) / 3_600_000 });
    }
    return out;
}

export const compactorCompacts: Scenario = {
    name: "compactor-compacts",
    proves: "the compactor compacts and downsamples the uploaded blocks under the stack's retention settings; afterwards the same queries return the same results (raw, and 5m-downsampled where the blocks allow), thanos_compact_halted is 0 and no blocks overlap",
    async run(ctx) {
        const spec = historySpec();
        const bucket = await bucketOf(ctx);
        let summary: BlockSummary[] = [];
        const started = Date.now();
        try {
            // The compactor runs every 30s in this stack; 2h blocks become 8h and then 2d blocks, which are downsampled.
            await eventually(
                "2-day blocks and their 5m downsampled copies for shard 0",
                async () => {
                    summary = await blockSummaries(bucket, "0");
                    return summary.some((b) => b.resolution === 300_000) && summary.some((b) => b.resolution === 0 && b.hours >= 40) ? true : undefined;
                },
                600_000,
                5000,
            );
        } finally {
            bucket.close();
        }
        const compactSeconds = (Date.now() - started) / 1000;
        const halted = await compactorMetric(ctx, "thanos_compact_halted");
        expectThat(halted === 0, `thanos_compact_halted is ${halted}`);
        const verify = overlaps(ctx);
        expectThat(!/overlap/i.test(verify.replace(/issues=overlapped_blocks|overlapped_blocks/g, "")) || /no issues/i.test(verify), `overlapping blocks:\n${verify}`);
        const rp = await ReadPath.open(ctx.kube, ctx.namespace);
        try {
            const raw = await checkHistory(rp, spec, { maxSourceResolution: "0s" });
            const down = await checkHistory(rp, spec, { maxSourceResolution: "5m" });
            // Each replica's own downsampled blocks (deduplication could hide one replica's wrong values).
            const downPerReplica = await checkHistory(rp, spec, { maxSourceResolution: "5m", dedup: false });
            const expected = expectedAtStep(spec, 3600);
            expectThat(downPerReplica.samples === 2 * expected && downPerReplica.wrong === 0, `5m-downsampled per replica: ${downPerReplica.samples} samples (${downPerReplica.wrong} wrong), expected ${2 * expected}`);
            expectThat(raw.samples === expected && raw.wrong === 0, `raw after compaction: ${raw.samples} samples (${raw.wrong} wrong), expected ${expected}`);
            // The values are constant within each hour, so a 5m aggregate equals the raw value at every hourly step.
            expectThat(down.samples === expected && down.wrong === 0, `5m-downsampled after compaction: ${down.samples} samples (${down.wrong} wrong), expected ${expected}`);
            const levels: Record<string, number> = {};
            for (const b of summary) levels[`level${b.level}${b.resolution ? `-${b.resolution / 60_000}m` : ""}`] = (levels[`level${b.level}${b.resolution ? `-${b.resolution / 60_000}m` : ""}`] ?? 0) + 1;
            return { compactSeconds, blocksByLevel: levels, halted, samplesRaw: raw.samples, samplesDownsampled: down.samples, samplesDownsampledPerReplica: downPerReplica.samples, wrongValues: raw.wrong + down.wrong + downPerReplica.wrong, samplesLost: expected - raw.samples };
        } finally {
            rp.close();
        }
    },
};

export const sidecarDiesMidUpload: Scenario = {
    name: "sidecar-dies-mid-upload",
    proves: "a sidecar killed while a block uploads leaves no block the store gateways would serve (meta.json is uploaded last), and after the restart the block is uploaded exactly once: nothing lost, nothing duplicated",
    async run(ctx) {
        const spec = historySpec("e2e_upload_value");
        const [pod] = shardPods(ctx, 1);
        expectThat(pod !== undefined, "shard 1 has no Prometheus pod");
        const labels = await externalLabels(ctx.kube, ctx.namespace, pod);
        const { dir, blocks } = await makeBlocks(ctx.kube, ctx.namespace, pod, "interrupted", spec);
        const bucket = await bucketOf(ctx);
        try {
            const before = new Set((await bucket.blocks()).complete);
            // Start the sidecar's shipper in the sidecar container and kill the sidecar (PID 1: the whole container
            // restarts, the shipper with it) as soon as the shipper logs its first "upload new block".
            const [, , upload0] = uploadCommand(dir, labels);
            const log = `${dir}.upload.log`;
            const killMidUpload = [
                `(${upload0}) > ${log} 2>&1 &`,
                `i=0; while [ $i -lt 600 ] && ! grep -q "upload new block" ${log}; do sleep 0.05; i=$((i+1)); done`,
                "kill 1",
            ].join("\n");
            // The exec ends with the container (an error exit is expected).
            ctx.kube.attempt(["-n", ctx.namespace, "exec", pod, "-c", PROMETHEUS.containers.sidecar, "--", "sh", "-c", killMidUpload]);
            const interrupted = await bucket.blocks();
            const partialNow = interrupted.partial.filter((b) => blocks.includes(b));
            const completeNow = interrupted.complete.filter((b) => blocks.includes(b));
            expectThat(completeNow.length < blocks.length, `the sidecar was killed after the upload had finished (${completeNow.length} of ${blocks.length} blocks complete)`);
            // While the sidecar restarts, the querier serves each of these blocks whole or not at all: every raw sample
            // of series 0 it returns lies in a block complete in the bucket, and each such block is returned entirely.
            const metas = await bucket.metas();
            const ranges = blocks.flatMap((b) => {
                const m = metas.get(b);
                return m === undefined ? [] : [{ minTime: m.minTime, maxTime: m.maxTime }];
            });
            const rp = await ReadPath.open(ctx.kube, ctx.namespace);
            let partialSeen = 0;
            let outsideComplete = 0;
            let servedAtKill = 0;
            try {
                const raw = await rp.query(`${spec.metric}{series="0"}[${spec.end - spec.start + spec.step}s]`, { time: spec.end, dedup: false });
                const times = (raw.result[0]?.values ?? []).map(([t]) => Math.round(Number(t) * 1000));
                servedAtKill = times.length;
                outsideComplete = times.filter((t) => !ranges.some((r) => t >= r.minTime && t < r.maxTime)).length;
                for (const r of ranges) {
                    const served = times.filter((t) => t >= r.minTime && t < r.maxTime).length;
                    const whole = Math.floor((r.maxTime - 1 - r.minTime) / (spec.step * 1000)) + 1;
                    if (served !== 0 && served !== whole) partialSeen++;
                }
            } finally {
                rp.close();
            }
            await eventually("the sidecar to be back", () => (pods(ctx, SELECT.prometheus).find((p) => p.metadata.name === pod)?.status.containerStatuses?.every((c) => c.ready) ? true : undefined), 180_000);
            // After the restart the shipper runs again over the same directory (its meta file records what is done).
            upload(ctx.kube, ctx.namespace, pod, dir, labels);
            const after = await bucket.blocks();
            const ours = after.complete.filter((b) => !before.has(b) && blocks.includes(b));
            expectThat(ours.length === blocks.length, `${ours.length} of ${blocks.length} blocks complete after the restart`);
            expectThat(after.partial.filter((b) => blocks.includes(b)).length === 0, "a partial block is left in the bucket");
            const rp2 = await ReadPath.open(ctx.kube, ctx.namespace);
            try {
                const expected = expectedAtStep(spec, 3600);
                const r = await eventually(
                    "the re-uploaded history to be queryable",
                    async () => {
                        const h = await checkHistory(rp2, spec, { dedup: false });
                        return h.samples === expected ? h : undefined;
                    },
                    180_000,
                );
                expectThat(r.wrong === 0, `${r.wrong} wrong values after the re-upload`);
                expectThat(outsideComplete === 0, `a query returned ${outsideComplete} samples of blocks not completely uploaded`);
                expectThat(partialSeen === 0, `a query returned ${partialSeen} block(s) only in part`);
                return { blocks: blocks.length, partialAtKill: partialNow.length, completeAtKill: completeNow.length, series0SamplesServedAtKill: servedAtKill, uploadedAfterRestart: ours.length, samplesWritten: samplesOf(spec), samplesReturnedHourly: r.samples, samplesLost: expected - r.samples } satisfies Measured;
            } finally {
                rp2.close();
            }
        } finally {
            bucket.close();
        }
    },
};

/** The compactor's log lines that open and close one group's compaction (download, compact, upload, mark). */
const COMPACTION_STARTED = "compaction available and planned";
const COMPACTION_FINISHED = "finished compacting blocks";

/**
 * Follows the compactor's log; at the start of the next compaction kills its container with SIGKILL through the
 * node's containerd (a crash, as an OOM kill is: no shutdown, and within milliseconds, where deleting the pod
 * through the API server took long enough for small compactions to finish first) and reads on until the stream
 * ends. "interrupted" when the compaction had not finished by then, "finished" when it had, "none" when no
 * compaction started within `timeoutMs`.
 */
function killAtNextCompaction(ctx: ScenarioContext, pod: string, timeoutMs: number): Promise<"none" | "interrupted" | "finished"> {
    const status = pods(ctx, SELECT.compact).find((p) => p.metadata.name === pod)?.status.containerStatuses?.find((c) => c.name === "thanos-compact");
    const container = status?.containerID?.replace(/^containerd:\/\//, "");
    expectThat(container !== undefined && container !== "", `no running container of ${pod} to kill`);
    return new Promise((resolve) => {
        const kubectl = (args: string[]) => spawn(ctx.kube.ctx.kubectl, [`--kubeconfig=${ctx.kube.ctx.kubeconfig}`, "-n", ctx.namespace, ...args], { stdio: ["ignore", "pipe", "ignore"] });
        const logs = kubectl(["logs", "-f", "--since=1s", pod]);
        let buffer = "";
        let started = false;
        let finished = false;
        const timer = setTimeout(() => logs.kill(), timeoutMs);
        logs.stdout!.on("data", (chunk: Buffer) => {
            buffer += chunk.toString("utf8");
            const lines = buffer.split("\n");
            buffer = lines.pop() ?? "";
            for (const line of lines) {
                if (!started && line.includes(COMPACTION_STARTED)) {
                    started = true;
                    capture("ctr", ["--address", CONTAINERD_SOCKET, "--namespace", CONTAINERD_NAMESPACE, "tasks", "kill", "-s", "SIGKILL", container!], { allowFailure: true });
                } else if (started && line.includes(COMPACTION_FINISHED)) {
                    finished = true;
                }
            }
        });
        logs.on("exit", () => {
            clearTimeout(timer);
            resolve(!started ? "none" : finished ? "finished" : "interrupted");
        });
    });
}

/**
 * Kills the compactor as it starts a compaction until one kill lands before that compaction finished. A small
 * compaction can finish within the milliseconds the log line takes to arrive (more so on a loaded machine), so
 * it tries several compactions.
 */
async function killDuringCompaction(ctx: ScenarioContext, attempts = 12): Promise<{ kills: number; interrupted: boolean }> {
    let kills = 0;
    for (let i = 0; i < attempts; i++) {
        await eventually("the compactor to be Ready", () => (pods(ctx, SELECT.compact)[0]?.status.containerStatuses?.every((c) => c.ready) ? true : undefined), 180_000);
        const outcome = await killAtNextCompaction(ctx, "thanos-compact-0", 120_000);
        if (outcome === "none") break;
        kills++;
        if (outcome === "interrupted") return { kills, interrupted: true };
    }
    return { kills, interrupted: false };
}

export const compactorVsSidecars: Scenario = {
    name: "compactor-vs-sidecars",
    proves: "the compactor runs while a sidecar uploads, is killed mid-compaction, restarts and finishes without halting; no overlaps, and the query results are unchanged",
    async run(ctx) {
        const spec = historySpec("e2e_race_value", 2);
        const [, pod] = shardPods(ctx, 1);
        expectThat(pod !== undefined, "shard 1 has no second replica");
        const rp = await ReadPath.open(ctx.kube, ctx.namespace);
        try {
            const before = await checkHistory(rp, historySpec());
            // Upload while the compactor works, then kill it while it compacts.
            const uploading = backfill(ctx.kube, ctx.namespace, pod, "race", spec);
            await sleep(3000);
            const killed = await killDuringCompaction(ctx);
            expectThat(killed.interrupted, `no kill of the compactor landed during a compaction (${killed.kills} kills)`);
            const blocks = await uploading;
            await eventually("the compactor to be Ready again", () => (pods(ctx, SELECT.compact)[0]?.status.containerStatuses?.every((c) => c.ready) ? true : undefined), 180_000);
            const bucket = await bucketOf(ctx);
            try {
                await eventually(
                    "the race history compacted to 2-day blocks",
                    async () => {
                        const summaries: BlockSummary[] = [];
                        for (const meta of (await bucket.metas()).values()) {
                            if (meta.thanos.labels["prometheus_replica"] === pod) summaries.push({ level: meta.compaction.level, resolution: meta.thanos.downsample.resolution, hours: (meta.maxTime - meta.minTime) / 3_600_000 });
                        }
                        return summaries.some((b) => b.hours >= 40) ? true : undefined;
                    },
                    600_000,
                    5000,
                );
            } finally {
                bucket.close();
            }
            const halted = await compactorMetric(ctx, "thanos_compact_halted");
            expectThat(halted === 0, `thanos_compact_halted is ${halted} after the restart`);
            const verify = overlaps(ctx);
            expectThat(/no issues|0 issues/i.test(verify) || !/overlap.*found/i.test(verify), `overlapping blocks after the restart:\n${verify}`);
            const after = await checkHistory(rp, historySpec());
            const race = await checkHistory(rp, spec, { dedup: false });
            expectThat(after.samples === before.samples && after.wrong === 0, `the earlier history changed: ${before.samples} -> ${after.samples} samples, ${after.wrong} wrong`);
            const expected = expectedAtStep(spec, 3600);
            expectThat(race.samples === expected && race.wrong === 0, `the history uploaded during the race: ${race.samples} samples (${race.wrong} wrong), expected ${expected}`);
            return { compactorKills: killed.kills, killedMidCompaction: killed.interrupted, blocksUploaded: blocks.length, halted, samplesBefore: before.samples, samplesAfter: after.samples, samplesLost: before.samples - after.samples + (expected - race.samples) };
        } finally {
            rp.close();
        }
    },
};

/** Queries over the history in a loop while `disrupt` runs; counts complete, partial (reported) and wrong answers. */
/** What the queries of {@link queryWhile} returned: a complete answer has every sample and no warning. */
interface QueryStats {
    queries: number;
    complete: number;
    reportedPartial: number;
    failed: number;
    silentlyIncomplete: number;
    /** The first warnings and errors, with their time. */
    warnings: string[];
}

/** The counts of a {@link QueryStats}, for a scenario's measurements. */
function countsOf({ warnings: _warnings, ...counts }: QueryStats): Record<string, number> {
    return counts;
}

/** Range queries over the history every 250 ms (and their outcomes) while `disrupt` runs. */
async function queryWhile(rp: ReadPath, spec: SeriesSpec, disrupt: () => Promise<void>, options: { partialResponse: boolean; noCache?: boolean }): Promise<QueryStats> {
    const expected = expectedAtStep(spec, 3600);
    let done = false;
    const stats: QueryStats = { queries: 0, complete: 0, reportedPartial: 0, failed: 0, silentlyIncomplete: 0, warnings: [] };
    const note = (text: string) => {
        if (stats.warnings.length < 3) stats.warnings.push(`${new Date().toISOString()} ${text}`);
    };
    const loop = (async () => {
        while (!done) {
            stats.queries++;
            try {
                const r = await rp.query(spec.metric, { range: { start: spec.start, end: spec.end - 3600, step: 3600 }, partialResponse: options.partialResponse, ...(options.noCache ? { noCache: true } : {}) });
                const samples = r.result.reduce((n, s) => n + (s.values?.length ?? 0), 0);
                if (samples === expected && r.warnings.length === 0) stats.complete++;
                else if (r.warnings.length > 0) {
                    stats.reportedPartial++;
                    note(r.warnings.join("; "));
                } else stats.silentlyIncomplete++;
            } catch (e) {
                stats.failed++;
                note(e instanceof Error ? e.message : String(e));
            }
            await sleep(250);
        }
    })();
    try {
        await disrupt();
    } finally {
        done = true;
        await loop;
    }
    return stats;
}

/** The store gateway StatefulSets (each with its headless Service of the same name), by name. */
function storeSets(ctx: ScenarioContext, selector: string = SELECT.store): string[] {
    return (ctx.kube.items("statefulsets", ctx.namespace, selector) as Array<{ metadata: { name: string } }>).map((s) => s.metadata.name).sort();
}

/** The store gateway pod of a shard and replica (StatefulSet `thanos-store-<shard>-of-<shards>`, ordinal `replica`). */
function storePod(ctx: ScenarioContext, shard: number, replica: number): string {
    const [set] = storeSets(ctx, storeShardSelector(shard));
    expectThat(set !== undefined, `no store gateway StatefulSet of shard ${shard}`);
    return `${set!}-${replica}`;
}

/** A disruption for {@link queryWhile}: deletes the store pods, lets `downMs` pass, waits until every store gateway is Ready. */
function deleteStorePods(ctx: ScenarioContext, victims: string[], downMs: number): () => Promise<void> {
    return async () => {
        const uids = new Map(pods(ctx, SELECT.store).map((p) => [p.metadata.name, p.metadata.uid]));
        ctx.kube.run(["-n", ctx.namespace, "delete", "pod", ...victims, "--wait=false"]);
        await sleep(downMs);
        // A deleted store pod drains (preStop) while still Ready: wait for its replacement (same name, new UID).
        await eventually(
            "every deleted store gateway replaced and Ready",
            () => {
                const now = pods(ctx, SELECT.store);
                const replaced = victims.every((v) => now.some((p) => p.metadata.name === v && p.metadata.uid !== uids.get(v)));
                return replaced && now.every((p) => p.status.containerStatuses?.every((c) => c.ready)) ? true : undefined;
            },
            300_000,
        );
    };
}

export const storeRestartDuringQuery: Scenario = {
    name: "store-restart-during-query",
    proves: "with two replicas per store shard, queries keep answering complete results while a store gateway restarts; with one, the missing data is reported as a partial response (never silently wrong), and complete results return once it is back",
    async run(ctx) {
        const spec = historySpec();
        const rp = await ReadPath.open(ctx.kube, ctx.namespace);
        try {
            // Two replicas: delete one store pod of shard 0 (and of shard 1) while queries run.
            const twoReplicas = await queryWhile(rp, spec, deleteStorePods(ctx, [storePod(ctx, 0, 0), storePod(ctx, 1, 0)], 5000), { partialResponse: true });
            expectThat(twoReplicas.silentlyIncomplete === 0 && twoReplicas.failed === 0 && twoReplicas.reportedPartial === 0, `two replicas per shard: ${JSON.stringify(twoReplicas)}`);
            // One replica: shard 0's only remaining replica goes too (the StatefulSet recreates both).
            const oneReplica = await queryWhile(rp, spec, deleteStorePods(ctx, [storePod(ctx, 0, 0), storePod(ctx, 0, 1)], 8000), { partialResponse: true });
            expectThat(oneReplica.silentlyIncomplete === 0, `a query returned incomplete data without a partial-response warning: ${JSON.stringify(oneReplica)}`);
            // The shard was really gone for a while: some answers said so (else the check above proves nothing).
            expectThat(oneReplica.reportedPartial + oneReplica.failed > 0, `no query noticed store shard 0 down: ${JSON.stringify(oneReplica)}`);
            const back = await eventually("complete results after the store gateways are back", async () => {
                const h = await checkHistory(rp, spec);
                return h.samples === expectedAtStep(spec, 3600) && h.warnings.length === 0 ? h : undefined;
            }, 180_000);
            return { withTwoReplicas: countsOf(twoReplicas), withNoReplicaLeft: countsOf(oneReplica), samplesAfterRecovery: back.samples, samplesLost: expectedAtStep(spec, 3600) - back.samples };
        } finally {
            rp.close();
        }
    },
};

/** The store gateway's volume claims (`data-<StatefulSet>-<ordinal>`). */
function storeClaims(ctx: ScenarioContext): string[] {
    return (ctx.kube.items("persistentvolumeclaims", ctx.namespace) as Array<{ metadata: { name: string } }>).map((c) => c.metadata.name).filter(isStoreClaim).sort();
}

export const storeReshardingWithoutGaps: Scenario = {
    name: "store-resharding-without-gaps",
    proves:
        "changing the store gateway's shard count with pulumi up (2 -> 3) while range queries over the bucket's history run through the query-frontend returns every answer complete: none fails, none is partial (flagged or silent). The new StatefulSets start beside the old ones, the queriers roll onto them once they are Ready, Pulumi deletes the old ones after that (each Service after its pods, which keep resolving by name while they drain), and their cache volumes go with them; meanwhile the NetworkPolicies, updated at the start, still let the old queriers reach the old store gateways and those their caches and the bucket",
    async run(ctx) {
        const spec = historySpec();
        const before = storeSets(ctx);
        const claimsBefore = storeClaims(ctx);
        expectThat(before.length === 2 && before.every((n) => n.endsWith("-of-2")), `expected two store shards of 2, found ${before.join(", ")}`);
        const querierPodsBefore = pods(ctx, SELECT.query).map((p) => p.metadata.name).sort();
        // The users' path: the query-frontend (whose pods do not roll) sends each query to the querier Service,
        // which reaches the querier pods that are Ready; no-store keeps its results cache out of the answers.
        const rp = await ReadPath.open(ctx.kube, ctx.namespace, READ_PATH.queryFrontend);
        let upSeconds = 0;
        const stats = await queryWhile(
            rp,
            spec,
            async () => {
                await ctx.engine.pulumi(["config", "set", "--path", "thanos-stack:storeGateway.shards", "3"]);
                const started = Date.now();
                await ctx.engine.pulumi(["up", "--yes", "--skip-preview"]);
                upSeconds = (Date.now() - started) / 1000;
                // Queries keep running a little past the update: the old pods' last moments.
                await sleep(20_000);
            },
            { partialResponse: true, noCache: true },
        ).finally(() => rp.close());
        const expected = expectedAtStep(spec, 3600);
        const after = storeSets(ctx);
        expectThat(after.length === 3 && after.every((n) => n.endsWith("-of-3")), `after the change: ${after.join(", ")}`);
        expectThat(stats.complete === stats.queries, `queries during the resharding: ${JSON.stringify(stats)}`);
        expectThat(stats.queries >= 20, `only ${stats.queries} queries ran during the change: ${JSON.stringify(stats)}`);
        const querierPodsAfter = pods(ctx, SELECT.query).map((p) => p.metadata.name).sort();
        expectThat(querierPodsAfter.every((p) => !querierPodsBefore.includes(p)), `the queriers did not roll: ${querierPodsAfter.join(", ")}`);
        // The old shards' cache volumes are deleted with their StatefulSets (the controller removes them shortly after).
        const orphaned = await eventually(
            "the old store shards' volume claims gone",
            () => {
                const left = storeClaims(ctx).filter((c) => before.some((s) => c.startsWith(`data-${s}-`)));
                return left.length === 0 ? left : undefined;
            },
            120_000,
        );
        return { upSeconds, ...countsOf(stats), partialWarnings: stats.warnings, samplesPerQuery: expected, samplesLost: 0, storeSetsBefore: before, storeSetsAfter: after, claimsBefore: claimsBefore.length, claimsAfter: storeClaims(ctx).length, orphanedClaims: orphaned.length };
    },
};

export const backupRestore: Scenario = {
    name: "backup-restore",
    proves: "after a mistaken delete of blocks in the bucket, the history is restored from the bucket's object versions with the commands of docs/operations.md and is queryable again",
    async run(ctx) {
        const spec = historySpec();
        const bucket = await bucketOf(ctx);
        const rp = await ReadPath.open(ctx.kube, ctx.namespace);
        try {
            const expected = expectedAtStep(spec, 3600);
            // The blocks of shard 0's history (both replicas, compacted by now), as an operator would pick them.
            const victims: string[] = [];
            for (const [id, meta] of await bucket.metas()) {
                if (meta.thanos.labels["prometheus_shard"] === "0" && meta.minTime < spec.end * 1000 && meta.maxTime > spec.start * 1000 && meta.thanos.labels["prometheus_replica"] !== undefined) victims.push(id);
            }
            expectThat(victims.length > 0, "no block of shard 0's history to delete");
            const keys = (await bucket.keys()).filter((k) => victims.includes(k.split("/")[0] ?? ""));
            // The mistake: every object of those blocks deleted (a versioned bucket keeps them as non-current versions).
            const objectsDeleted = await bucket.deleteObjects(keys.map((Key) => ({ Key })));
            expectThat(objectsDeleted === keys.length, `${objectsDeleted} of ${keys.length} objects deleted`);
            const gone = await eventually("the store gateways to drop the deleted blocks", async () => {
                const h = await checkHistory(rp, spec);
                return h.samples < expected ? h : undefined;
            }, 180_000);
            // The restore (docs/operations.md, "Restoring history"): list the latest delete markers, keep those of the
            // deleted blocks, remove them with delete-objects; each object's last version becomes current again.
            const wanted = new Set(keys);
            const listed = (await bucket.aws(["s3api", "list-object-versions", "--bucket", bucket.bucket, "--query", "{Objects: DeleteMarkers[?IsLatest].{Key: Key, VersionId: VersionId}}"])) as { Objects: Array<{ Key: string; VersionId: string }> | null } | undefined;
            const markers = (listed?.Objects ?? []).filter((m) => wanted.has(m.Key));
            expectThat(markers.length === keys.length, `${markers.length} delete markers for the ${keys.length} deleted objects`);
            const restored = await bucket.deleteObjects(markers);
            const back = await eventually("the restored history to be queryable", async () => {
                const h = await checkHistory(rp, spec);
                return h.samples === expected ? h : undefined;
            }, 240_000);
            expectThat(back.wrong === 0, `${back.wrong} wrong values after the restore`);
            return { blocksDeleted: victims.length, objectsDeleted, samplesAfterDelete: gone.samples, deleteMarkersRemoved: restored, samplesAfterRestore: back.samples, samplesLost: expected - back.samples };
        } finally {
            rp.close();
            bucket.close();
        }
    },
};
