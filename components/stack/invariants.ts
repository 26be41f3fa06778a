/**
 * The stack's cross-component invariants (GUIDE §3), as pure functions over a plain-data plan of the
 * stack. Each returns its problems, one line each, naming the key path, the value and the rule. The
 * stack evaluates all of them before creating any resource.
 */
import * as pulumi from "@pulumi/pulumi";
import type { CompactorInstancePlan, RetentionSettings } from "../thanos/compactor";
import type { StoreEndpoint } from "../lib/contracts";
import { formatDuration, parseDuration, DAY_MS, HOUR_MS } from "../lib/duration";
import { timePartitionProblems, type TimePartition } from "../lib/timeRange";

/** A block producer: Prometheus (all shards x replicas) or the ruler (all replicas). */
export interface ProducerPlan {
    /** What it is, for messages (`prometheus`, `ruler`). */
    description: string;
    /** The key path its settings come from (`prometheus`, `ruler`). */
    path: string;
    /** External labels common to every pod (cluster, environment, ...). */
    externalLabels: Record<string, string>;
    /** The external label whose value differs per pod. */
    replicaLabel: string;
}

/** Everything the invariants look at. */
export interface ThanosPlan {
    /** Every block producer of the stack. */
    producers: ProducerPlan[];
    /** The querier's deduplication labels and endpoints. */
    querier: { replicaLabels: string[]; endpoints: StoreEndpoint[] };
    /** Every StoreAPI in the stack the querier must reach (sidecars, store shards x partitions, rulers). */
    storeApis: StoreEndpoint[];
    /** The store gateway's time partitions and deletion-mark delay. */
    store: { timePartitions: TimePartition[]; ignoreDeletionMarksDelay: string };
    /** The compactors over the bucket. */
    compactor: { instances: CompactorInstancePlan[]; deleteDelay: string; retention: RetentionSettings; downsampling: boolean };
}

/** Minimum raw retention while downsampling (5m downsampling needs 40h of raw blocks). */
export const MIN_RAW_RETENTION_MS = 40 * HOUR_MS;
/** Minimum 5m retention while downsampling (1h downsampling needs 10d of 5m blocks). */
export const MIN_FIVE_MINUTE_RETENTION_MS = 10 * DAY_MS;

/** §3.1: every producer has cluster/environment labels and a replica label; no two producers share an identity. */
export function producerProblems(plan: ThanosPlan): string[] {
    const problems: string[] = [];
    const identities = new Map<string, string>();
    for (const p of plan.producers) {
        if (p.replicaLabel.trim() === "") problems.push(`${p.path}.replicaLabel: every block producer needs a replica label that differs per pod, got ""`);
        for (const [k, v] of Object.entries(p.externalLabels)) {
            if (v.trim() === "") problems.push(`${p.path}.externalLabels.${k}: external label values must be non-empty, got ""`);
        }
        if (p.replicaLabel in p.externalLabels) {
            problems.push(`${p.path}.externalLabels.${p.replicaLabel}: the replica label must differ per pod, so it cannot be a common external label, got "${p.externalLabels[p.replicaLabel]}"`);
        }
        const identity = JSON.stringify([Object.entries(p.externalLabels).sort(([a], [b]) => a.localeCompare(b)), p.replicaLabel]);
        const other = identities.get(identity);
        if (other !== undefined) {
            problems.push(`${p.path}: has the same external labels and replica label as ${other} (${identity}); their blocks would be indistinguishable`);
        }
        identities.set(identity, p.description);
    }
    return problems;
}

/** §3.2: the querier's replica labels are exactly the producers' replica labels. */
export function replicaLabelProblems(plan: ThanosPlan): string[] {
    const problems: string[] = [];
    const expected = new Map(plan.producers.map((p) => [p.replicaLabel, p.description]));
    const actual = new Set(plan.querier.replicaLabels);
    for (const [label, producer] of expected) {
        if (!actual.has(label)) {
            problems.push(
                `querier.replicaLabels: must include "${label}", the replica label of ${producer}, or its replicas are never deduplicated; got ${JSON.stringify(plan.querier.replicaLabels)}`,
            );
        }
    }
    for (const label of actual) {
        if (!expected.has(label)) {
            problems.push(`querier.replicaLabels: "${label}" is no producer's replica label (producers: ${JSON.stringify([...expected.keys()])}); the querier's replica labels must be exactly the producers'`);
        }
    }
    return problems;
}

/** §3.3: the querier reaches every StoreAPI of the stack (same address, same grouping). */
export function endpointProblems(plan: ThanosPlan): string[] {
    const problems: string[] = [];
    const configured = new Map(plan.querier.endpoints.map((e) => [e.address, e]));
    for (const api of plan.storeApis) {
        const e = configured.get(api.address);
        if (e === undefined) {
            problems.push(`querier.endpoints: missing ${api.description} at "${api.address}"; the querier must reach every StoreAPI of the stack`);
        } else if (e.group !== api.group) {
            problems.push(
                `querier.endpoints: ${api.description} at "${api.address}" must have group: ${api.group} (${api.group ? "its replicas hold the same data" : "each pod holds different data"}), got group: ${e.group}`,
            );
        }
    }
    return problems;
}

/** Store time partitions cover all time without gaps. */
export function partitionProblems(plan: ThanosPlan): string[] {
    return timePartitionProblems(plan.store.timePartitions, "storeGateway.timePartitions");
}

/** §3.4: exactly one compactor per bucket stream; shards partition one label's values without overlap. */
export function compactorSingletonProblems(plan: ThanosPlan): string[] {
    const problems: string[] = [];
    const instances = plan.compactor.instances;
    if (instances.length === 0) problems.push("compactor: the bucket needs exactly one compactor per stream, got none");
    for (const c of instances) {
        if (c.replicas !== 1) problems.push(`compactor.${c.name}.replicas: a compactor must run exactly one replica (two would compact the same stream concurrently), got ${c.replicas}`);
    }
    if (instances.length <= 1) return problems;
    const unsharded = instances.filter((c) => c.selector === undefined);
    if (unsharded.length > 0) {
        problems.push(
            `compactor: ${instances.length} compactors (${instances.map((c) => c.name).join(", ")}) but ${unsharded.map((c) => c.name).join(", ")} select every block: two compactors would own one bucket stream`,
        );
        return problems;
    }
    const labels = new Set(instances.map((c) => c.selector!.label));
    if (labels.size > 1) {
        problems.push(`compactor.sharding.label: every compactor shard must select on the same external label to partition the streams, got ${JSON.stringify([...labels])}`);
        return problems;
    }
    const owner = new Map<string, string>();
    const rest = instances.filter((c) => c.selector!.action === "drop");
    for (const c of instances.filter((i) => i.selector!.action === "keep")) {
        for (const v of c.selector!.values) {
            const first = owner.get(v);
            if (first !== undefined) problems.push(`compactor.sharding.groups: value "${v}" is owned by both ${first} and ${c.name}: two compactors on one stream`);
            else owner.set(v, c.name);
        }
    }
    if (rest.length !== 1) {
        problems.push(`compactor.sharding: exactly one compactor must take the blocks of every other value (and blocks without the label), got ${rest.length}`);
    } else {
        const dropped = new Set(rest[0]!.selector!.values);
        const owned = [...owner.keys()];
        const leaks = owned.filter((v) => !dropped.has(v));
        const orphans = [...dropped].filter((v) => !owner.has(v));
        if (leaks.length > 0) problems.push(`compactor.sharding: ${rest[0]!.name} also compacts ${JSON.stringify(leaks)}, which a keep shard owns: two compactors on one stream`);
        if (orphans.length > 0) problems.push(`compactor.sharding: no compactor owns ${JSON.stringify(orphans)}: those streams would never be compacted`);
    }
    return problems;
}

/** §3.5: every resolution's retention explicit, and long enough for downsampling while it is on. */
export function retentionProblems(plan: ThanosPlan): string[] {
    const problems: string[] = [];
    const { retention, downsampling } = plan.compactor;
    const parsed: Partial<Record<keyof RetentionSettings, number>> = {};
    for (const key of ["raw", "fiveMinutes", "oneHour"] as const) {
        const ms = parseDuration(retention[key]);
        if (ms === undefined) problems.push(`compactor.retention.${key}: must be a duration like 30d, got "${retention[key]}"`);
        else if (ms === 0) problems.push(`compactor.retention.${key}: must be set explicitly (0 means keep forever), got "${retention[key]}"`);
        else parsed[key] = ms;
    }
    if (!downsampling) return problems;
    const { raw, fiveMinutes, oneHour } = parsed;
    if (raw !== undefined && raw < MIN_RAW_RETENTION_MS) {
        problems.push(`compactor.retention.raw: must be at least ${formatDuration(MIN_RAW_RETENTION_MS)} while downsampling is on (raw blocks are downsampled to 5m after 40h), got "${retention.raw}"`);
    }
    if (fiveMinutes !== undefined && fiveMinutes < MIN_FIVE_MINUTE_RETENTION_MS) {
        problems.push(
            `compactor.retention.fiveMinutes: must be at least ${formatDuration(MIN_FIVE_MINUTE_RETENTION_MS)} while downsampling is on (5m blocks are downsampled to 1h after 10d), got "${retention.fiveMinutes}"`,
        );
    }
    if (raw !== undefined && fiveMinutes !== undefined && fiveMinutes < raw) {
        problems.push(`compactor.retention.fiveMinutes: must be >= retention.raw ("${retention.raw}") or the downsampled data expires before the raw data it summarises, got "${retention.fiveMinutes}"`);
    }
    if (fiveMinutes !== undefined && oneHour !== undefined && oneHour < fiveMinutes) {
        problems.push(`compactor.retention.oneHour: must be >= retention.fiveMinutes ("${retention.fiveMinutes}"), got "${retention.oneHour}"`);
    }
    return problems;
}

/** §3.6: store `--ignore-deletion-marks-delay` = compactor `--delete-delay` / 2. */
export function deletionDelayProblems(plan: ThanosPlan): string[] {
    const deleteDelay = parseDuration(plan.compactor.deleteDelay);
    const ignore = parseDuration(plan.store.ignoreDeletionMarksDelay);
    if (deleteDelay === undefined) return [`compactor.deleteDelay: must be a duration like 48h, got "${plan.compactor.deleteDelay}"`];
    if (ignore === undefined) return [`storeGateway.ignoreDeletionMarksDelay: must be a duration, got "${plan.store.ignoreDeletionMarksDelay}"`];
    if (ignore * 2 !== deleteDelay) {
        return [
            `storeGateway.ignoreDeletionMarksDelay: must be half of compactor.deleteDelay ("${plan.compactor.deleteDelay}" / 2 = ${formatDuration(deleteDelay / 2)}) so stores stop reading a block well before it is deleted, got "${plan.store.ignoreDeletionMarksDelay}"`,
        ];
    }
    return [];
}

/** Every invariant, in GUIDE order. */
export function thanosPlanProblems(plan: ThanosPlan): string[] {
    return [
        ...producerProblems(plan),
        ...replicaLabelProblems(plan),
        ...endpointProblems(plan),
        ...partitionProblems(plan),
        ...compactorSingletonProblems(plan),
        ...retentionProblems(plan),
        ...deletionDelayProblems(plan),
    ];
}

/** The stack breaks an invariant. Printed without a stack trace; `problems` holds one line per problem. */
export class InvariantError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(`the stack breaks ${problems.length} invariant${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  ${p}`).join("\n")}`);
        this.name = "InvariantError";
    }
}

/** Throws {@link InvariantError} listing every problem, if any. */
export function assertThanosPlan(plan: ThanosPlan): void {
    const problems = thanosPlanProblems(plan);
    if (problems.length > 0) throw new InvariantError(problems);
}
