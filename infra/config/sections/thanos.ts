/**
 * The Thanos read and maintenance path: store gateway, querier, query-frontend, compactor, ruler.
 */
import { z } from "zod";
import { DEFAULTS } from "../../../components/defaults";
import { IDLE_CONNS_NEED_KEEP_ALIVE, MIN_IDLE_CONNS_PER_HOST } from "../../../components/thanos/queryFrontend";
import { parseDuration } from "../../../components/lib/duration";
import { timePartitionIssues } from "../../../components/lib/timeRange";
import { resources, storage, type Problem } from "../common";
import { bool, duration, integer, replicaSpread, text } from "../rules";
import { extraArgs, logging, placement } from "./pods";

/** The pod settings and extra flags of a Thanos component section. */
function thanosPods(subcommand: string) {
    return {
        extraArgs: extraArgs(subcommand),
        placement: placement("Where these pods run and where their images come from; replaces the stack-wide `placement` field by field."),
        logging: logging("Log level and format of these processes; replaces the stack-wide `logging` field by field."),
    };
}

/** A memcached cluster we deploy for a cache. */
function memcached() {
    return z
        .strictObject({
            replicas: integer(1, 20).default(DEFAULTS.memcached.replicas).meta({ description: "memcached pods." }),
            maxItemSizeMb: integer(1, 128).default(DEFAULTS.memcached.maxItemSizeMb).meta({ description: "Largest cached item in MiB (memcached -I, Thanos max_item_size)." }),
            resources: resources(DEFAULTS.memcached.resources),
            exporter: bool().default(DEFAULTS.memcached.exporter).meta({ description: "Run the memcached exporter beside memcached in every pod (scraped as job memcached, with alerts)." }),
        })
        .prefault({})
        .meta({ description: "The memcached cluster (used when type is memcached)." });
}

/** A cache: in memory (default) or in a memcached cluster we deploy. */
function cache(description: string) {
    return z
        .strictObject({
            type: z
                .enum(["inMemory", "memcached"], { error: "must be one of: inMemory, memcached" })
                .default("inMemory")
                .meta({ description: "`inMemory` (sized from the memory limit) or `memcached` (a memcached StatefulSet deployed with the component)." }),
            memcached: memcached(),
        })
        .prefault({})
        .meta({ description });
}

/** `storeGateway` section. */
export const storeGateway = z
    .strictObject({
        ...thanosPods("store"),
        shards: integer(1, 256).default(DEFAULTS.storeGateway.shards).meta({ description: "Hash shards over block IDs." }),
        replicas: integer(1, 10).default(DEFAULTS.storeGateway.replicas).meta({ description: "Replicas per shard." }),
        timePartitions: z
            .array(
                z.strictObject({
                    minTime: text("an RFC 3339 time or a relative duration like -30d").optional().meta({ description: "Lower bound (--min-time); unset = the beginning of time." }),
                    maxTime: text("an RFC 3339 time or a relative duration like -30d").optional().meta({ description: "Upper bound (--max-time); unset = the end of time." }),
                }),
                { error: "must be a list of {minTime, maxTime}" },
            )
            .default([])
            .meta({ description: "Time partitions (each x every shard gets its own StatefulSet); together they must cover all time without gaps, overlap allowed." }),
        storage: storage(DEFAULTS.storeGateway.storageSize),
        resources: resources(DEFAULTS.storeGateway.resources),
        indexCache: cache("Index cache (in memory: 25% of the memory limit, next to a 35% chunk pool)."),
        cachingBucket: z
            .strictObject({
                enabled: bool().default(false).meta({ description: "Cache chunks and bucket metadata in memcached (--store.caching-bucket.config)." }),
                memcached: memcached(),
            })
            .prefault({})
            .meta({ description: "Caching bucket (memcached only)." }),
        limits: z
            .strictObject({
                requestSeries: integer(0).default(DEFAULTS.storeGateway.limits.requestSeries).meta({ description: "--store.limits.request-series (0 = no limit)." }),
                requestSamples: integer(0).default(DEFAULTS.storeGateway.limits.requestSamples).meta({ description: "--store.limits.request-samples (0 = no limit)." }),
            })
            .prefault({})
            .meta({ description: "Per-request guardrails." }),
        syncInterval: duration()
            .default(DEFAULTS.storeGateway.syncInterval)
            .meta({ description: "--sync-block-duration: how often the bucket is listed, so new blocks become queryable (and deleted ones go) within this long." }),
        replicaSpread: replicaSpread(DEFAULTS.storeGateway.replicaSpread),
    })
    .prefault({})
    .meta({ description: "Thanos store gateway." });

/** `querier` section. */
export const querier = z
    .strictObject({
        ...thanosPods("query"),
        replicas: integer(1, 20).default(DEFAULTS.querier.replicas).meta({ description: "Querier replicas." }),
        resources: resources(DEFAULTS.querier.resources),
        timeout: duration().default(DEFAULTS.querier.timeout).meta({ description: "--query.timeout." }),
        storeResponseTimeout: duration().default(DEFAULTS.querier.storeResponseTimeout).meta({ description: "--store.response-timeout: a slower StoreAPI is left out (partial response)." }),
        maxConcurrent: integer(1, 1000).default(DEFAULTS.querier.maxConcurrent).meta({ description: "--query.max-concurrent." }),
        endpointReloadInterval: duration()
            .default(DEFAULTS.querier.endpointReloadInterval)
            .meta({ description: "--endpoint.sd-config-reload-interval: how often the querier re-reads its endpoint file (a ConfigMap), so new store shards and remote clusters are queried without restarting it." }),
        extraEndpoints: z
            .array(
                z.strictObject({
                    address: text("a StoreAPI address (host:port, dns+host:port or dnssrv+_grpc._tcp.name)").meta({ description: "Address in Thanos SD syntax." }),
                    group: bool().default(false).meta({ description: "The address is one group of identical replicas (load-balanced, not fanned out)." }),
                    description: text().optional().meta({ description: "What it is, for messages." }),
                }),
                { error: "must be a list of {address, group}" },
            )
            .default([])
            .meta({ description: "StoreAPIs outside the stack (remote clusters), added to the generated endpoints." }),
    })
    .prefault({})
    .meta({ description: "Thanos querier." });

/** `queryFrontend` section. */
export const queryFrontend = z
    .strictObject({
        ...thanosPods("query-frontend"),
        replicas: integer(1, 20).default(DEFAULTS.queryFrontend.replicas).meta({ description: "Query-frontend replicas." }),
        resources: resources(DEFAULTS.queryFrontend.resources),
        splitInterval: duration().default(DEFAULTS.queryFrontend.splitInterval).meta({ description: "--query-range.split-interval and --labels.split-interval." }),
        maxRetries: integer(0, 20).default(DEFAULTS.queryFrontend.maxRetries).meta({ description: "Retries per range, instant and labels request." }),
        resultsCache: cache("Range-query results cache (in memory: 30% of the memory limit)."),
        maxIdleConnsPerHost: integer(MIN_IDLE_CONNS_PER_HOST, 10000)
            .optional()
            .meta({ description: `Idle connections kept per querier host (downstream tripper max_idle_conns_per_host; ${DEFAULTS.queryFrontend.maxIdleConnsPerHost} when unset); only with downstreamKeepAlive.` }),
        downstreamKeepAlive: bool()
            .default(DEFAULTS.queryFrontend.downstreamKeepAlive)
            .meta({ description: "Keep connections to the querier alive. Off: every request is balanced over the Ready queriers, and a terminating querier gets none." }),
        logQueriesLongerThan: duration().default(DEFAULTS.queryFrontend.logQueriesLongerThan).meta({ description: "--query-frontend.log-queries-longer-than." }),
    })
    .superRefine((qf, ctx) => {
        if (qf.maxIdleConnsPerHost !== undefined && !qf.downstreamKeepAlive) ctx.addIssue({ code: "custom", path: ["maxIdleConnsPerHost"], message: IDLE_CONNS_NEED_KEEP_ALIVE, input: qf.maxIdleConnsPerHost });
    })
    .prefault({})
    .meta({ description: "Thanos query-frontend." });

/** `compactor` section. */
export const compactor = z
    .strictObject({
        ...thanosPods("compact"),
        retention: z
            .strictObject({
                raw: duration().default(DEFAULTS.compactor.retention.raw).meta({ description: "Retention of raw samples (>= 40h while downsampling is on)." }),
                fiveMinutes: duration().default(DEFAULTS.compactor.retention.fiveMinutes).meta({ description: "Retention of 5m downsampled data (>= 10d while downsampling is on)." }),
                oneHour: duration().default(DEFAULTS.compactor.retention.oneHour).meta({ description: "Retention of 1h downsampled data." }),
            })
            .prefault({})
            .meta({ description: "Retention per resolution; always explicit (Thanos' own default is forever)." }),
        downsampling: bool().default(DEFAULTS.compactor.downsampling).meta({ description: "Downsample to 5m and 1h resolutions." }),
        deleteDelay: duration().default(DEFAULTS.compactor.deleteDelay).meta({ description: "How long a block marked for deletion stays in the bucket (store gateways ignore it after half of this)." }),
        waitInterval: duration().default(DEFAULTS.compactor.waitInterval).meta({ description: "--wait-interval: the pause between two compaction runs." }),
        consistencyDelay: duration()
            .default(DEFAULTS.compactor.consistencyDelay)
            .meta({ description: "--consistency-delay: blocks younger than this (by their ULID time) are not compacted yet, so uploads in flight are never touched." }),
        deduplication: bool()
            .default(DEFAULTS.compactor.deduplication)
            .meta({ description: "Offline deduplication of replica blocks (vertical compaction, penalty function). Irreversible; query-time deduplication is always on." }),
        sharding: z
            .strictObject({
                label: text("an external label name").meta({ description: "The external label to shard by (e.g. cluster)." }),
                groups: z
                    .array(z.array(text(), { error: "must be a list of label values" }).min(1, { error: "must list at least one value" }), { error: "must be a list of value lists" })
                    .min(1, { error: "must list at least one group" })
                    .meta({ description: "One compactor per group of values, plus one for every other value; groups must not overlap." }),
            })
            .optional()
            .meta({ description: "Compactor shards by one external label (unset: one compactor for the bucket)." }),
        storage: storage(DEFAULTS.compactor.storageSize),
        resources: resources(DEFAULTS.compactor.resources),
    })
    .prefault({})
    .meta({ description: "Thanos compactor (exactly one per bucket stream)." });

/** `ruler` section. */
export const ruler = z
    .strictObject({
        ...thanosPods("rule"),
        replicas: integer(1, 10).default(DEFAULTS.ruler.replicas).meta({ description: "Ruler replicas (each a block producer with its own replica label)." }),
        evaluationInterval: duration().default(DEFAULTS.ruler.evaluationInterval).meta({ description: "Rule evaluation interval." }),
        retention: duration().default(DEFAULTS.ruler.retention).meta({ description: "Local TSDB retention (>= 6h: three 2h blocks)." }),
        storage: storage(DEFAULTS.ruler.storageSize),
        resources: resources(DEFAULTS.ruler.resources),
    })
    .prefault({})
    .meta({ description: "Thanos ruler (evaluates the `global`-scope rules through the querier)." });

/** The Thanos sections after validation. */
export interface ThanosSections {
    storeGateway: z.output<typeof storeGateway>;
    querier: z.output<typeof querier>;
    queryFrontend: z.output<typeof queryFrontend>;
    compactor: z.output<typeof compactor>;
    ruler: z.output<typeof ruler>;
}

/** Minimum ruler retention: three 2h blocks, so each is uploaded before it is deleted. */
const MIN_RULER_RETENTION_MS = parseDuration("6h")!;

/** Rules across the Thanos fields (partition coverage, compactor shard overlap, ruler retention, endpoint uniqueness). */
export function thanosCrossFieldProblems(c: ThanosSections): Problem[] {
    const problems: Problem[] = [];
    for (const p of timePartitionIssues(c.storeGateway.timePartitions)) {
        problems.push({ path: ["storeGateway", "timePartitions", ...p.at.map(String)], message: p.rule, input: p.input });
    }
    if (c.compactor.sharding) {
        const owner = new Map<string, number>();
        c.compactor.sharding.groups.forEach((group, k) => {
            group.forEach((v, j) => {
                const first = owner.get(v);
                if (first !== undefined) {
                    problems.push({
                        path: ["compactor", "sharding", "groups", String(k), String(j)],
                        message: `is also in groups[${first}]: compactor shards must not overlap (two compactors would own one stream)`,
                        input: v,
                    });
                } else owner.set(v, k);
            });
        });
    }
    const rulerRetention = parseDuration(c.ruler.retention);
    if (rulerRetention !== undefined && rulerRetention < MIN_RULER_RETENTION_MS) {
        problems.push({ path: ["ruler", "retention"], message: "must keep three 2h blocks so each is uploaded before it is deleted (at least 6h)", input: c.ruler.retention });
    }
    const seen = new Set<string>();
    c.querier.extraEndpoints.forEach((e, i) => {
        if (seen.has(e.address)) problems.push({ path: ["querier", "extraEndpoints", String(i), "address"], message: "must be unique", input: e.address });
        seen.add(e.address);
    });
    const raw = parseDuration(c.compactor.retention.raw);
    const five = parseDuration(c.compactor.retention.fiveMinutes);
    const hour = parseDuration(c.compactor.retention.oneHour);
    for (const [key, ms, value] of [["raw", raw, c.compactor.retention.raw], ["fiveMinutes", five, c.compactor.retention.fiveMinutes], ["oneHour", hour, c.compactor.retention.oneHour]] as const) {
        if (ms === 0) problems.push({ path: ["compactor", "retention", key], message: "must be set explicitly (0 means keep forever)", input: value });
    }
    if (c.compactor.downsampling && raw !== undefined && five !== undefined && five < raw) {
        problems.push({ path: ["compactor", "retention", "fiveMinutes"], message: `must be >= retention.raw (${c.compactor.retention.raw}) while downsampling is on`, input: c.compactor.retention.fiveMinutes });
    }
    if (c.compactor.downsampling && five !== undefined && hour !== undefined && hour < five) {
        problems.push({ path: ["compactor", "retention", "oneHour"], message: `must be >= retention.fiveMinutes (${c.compactor.retention.fiveMinutes}) while downsampling is on`, input: c.compactor.retention.oneHour });
    }
    return problems;
}
