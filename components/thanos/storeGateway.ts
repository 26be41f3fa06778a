/**
 * ThanosStoreGateway: serves the blocks in the bucket over the StoreAPI.
 *
 * Layout: `shards` hash shards over block IDs (`--selector.relabel-config`: hashmod on `__block_id`,
 * keep shard i) times optional time partitions (`--min-time` / `--max-time`). Each shard x partition is
 * one StatefulSet with `replicas` identical pods, its own headless Service (one StoreAPI group the
 * querier load-balances across) and a PodDisruptionBudget.
 *
 * Memory sizing (in-memory caches, memory limit L):
 *   index cache  = indexCacheMemoryRatio (0.25) x L   (`--index-cache-size`; 0 when memcached holds it)
 *   chunk pool   = chunkPoolMemoryRatio (0.35) x L    (`--chunk-pool-size`)
 *   GOMEMLIMIT   = 0.9 x L
 * which leaves 0.3 x L under GOMEMLIMIT for the lazily loaded index headers, postings, series
 * decoding and gRPC buffers. The ratios must sum to less than the GOMEMLIMIT ratio.
 */
import * as pulumi from "@pulumi/pulumi";
import { StatefulSet as K8sStatefulSet, type StatefulSetArgs } from "@pulumi/kubernetes/apps/v1";
import { Service as K8sService } from "@pulumi/kubernetes/core/v1";
import { PodDisruptionBudget as K8sPdb } from "@pulumi/kubernetes/policy/v1";
import type { StatefulSet } from "kubernetes-types/apps/v1";
import type { Service } from "kubernetes-types/core/v1";
import { stringify } from "yaml";
import { AWAIT_MARGIN_SECONDS, PORTS, PULUMI_AWAIT, THANOS } from "../constants";
import { DEFAULTS, type ResourceRequirements } from "../defaults";
import { Memcached, memcachedArgs, memcachedClientConfig, memcachedPlan, type MemcachedPlan, type MemcachedSettings } from "./memcached";
import { serviceFqdn, type ObjstoreSecretRef, type StoreEndpoint } from "../lib/contracts";
import { formatDuration, isDuration, parseDuration } from "../lib/duration";
import { objectMeta, selectorLabels, standardLabels } from "../lib/meta";
import { GOMEMLIMIT_RATIO, hostnameAntiAffinity, podDisruptionBudget, ReplicaSpread, DELETE_CACHE_VOLUMES, volumeClaimTemplate, zoneSpread, type PodPriorityArgs, type VolumeSettings } from "../lib/pod";
import { withDependencies } from "../lib/options";
import { childOptions, refuseProblems } from "../lib/providers";
import { ownServiceAccount } from "../lib/ownServiceAccount";
import {
    buildThanosService,
    commonFlags,
    dataMount,
    DATA_VOLUME,
    flag,
    memoryLimitBytes,
    objstoreFlag,
    objstoreMount,
    objstoreVolume,
    thanosArgs,
    thanosBytes,
    thanosContainer,
    thanosPodSpec,
    kubeArgs,
    thanosSettingsProblems,
    withExtraArgs,
    type ThanosExtraArgs,
} from "../lib/thanos";
import type { LogSettings, PodPlacement, PodSettingsArgs } from "../lib/placement";
import { timePartitionProblems, type TimePartition } from "../lib/timeRange";

export type { TimePartition } from "../lib/timeRange";

/** Where a cache lives. */
export const CacheBackend = { InMemory: "inMemory", Memcached: "memcached" } as const;
/** Where a cache lives. */
export type CacheBackend = (typeof CacheBackend)[keyof typeof CacheBackend];

/** A cache that is in-memory by default and can move to a memcached cluster we deploy. */
export interface CacheSettings {
    /**
     * `inMemory` (inside the Thanos process, sized from its memory limit) or `memcached` (a memcached
     * StatefulSet created with the component).
     * @default "inMemory"
     */
    type?: CacheBackend;
    /**
     * The memcached cluster, when `type` is `memcached`.
     * @default the memcached defaults
     */
    memcached?: MemcachedSettings;
}

export type { VolumeSettings } from "../lib/pod";

/** Settings of the store gateway that a ThanosStack passes through (the stack supplies namespace, bucket access, delete delay and priority). */
export interface StoreGatewaySettings extends ThanosExtraArgs, PodSettingsArgs {
    /**
     * Hash shards over block IDs.
     * @default 1
     */
    shards?: number;
    /**
     * Identical replicas per shard (load-balanced by the querier).
     * @default 2
     */
    replicas?: number;
    /**
     * Time partitions; together they must cover all time without gaps (overlap is allowed).
     * @default [] (one partition covering all time)
     */
    timePartitions?: TimePartition[];
    /**
     * Persistent volume for `--data-dir` (index headers and sync state).
     * @default { size: "20Gi" }
     */
    storage?: VolumeSettings;
    /**
     * Container resources; the index cache and chunk pool are sized from the memory limit.
     * @default requests 500m / 2Gi, limit 4Gi
     */
    resources?: ResourceRequirements;
    /**
     * Index cache.
     * @default { type: "inMemory" }
     */
    indexCache?: CacheSettings;
    /**
     * Caching bucket (`--store.caching-bucket.config`, caches chunks and metadata in memcached). In memory it
     * would compete with the chunk pool, so it is offered with memcached only.
     * @default { enabled: false }
     */
    cachingBucket?: CachingBucketSettings;
    /**
     * `--sync-block-duration`: how often the bucket is listed for new and deleted blocks.
     * @default "3m"
     */
    syncInterval?: string;
    /**
     * Per-request guardrails.
     * @default { requestSeries: 1000000, requestSamples: 100000000 }
     */
    limits?: StoreGatewayLimits;
    /**
     * Whether the replicas of one shard may share a node: `hard` never (a replica stays Pending instead), `soft`
     * only when nothing else fits (single-node clusters). Zone spread is always soft.
     * @default "hard"
     */
    replicaSpread?: ReplicaSpread;
}

/** The store gateway's caching bucket (chunks and metadata in memcached). */
export interface CachingBucketSettings {
    /** Run the caching bucket (with its own memcached). */
    enabled: boolean;
    /**
     * The memcached behind it.
     * @default the memcached defaults (components/defaults.ts)
     */
    memcached?: MemcachedSettings;
}

/** Per-request guardrails of the store gateway. */
export interface StoreGatewayLimits {
    /** Most series one request may touch (`--store.limits.request-series`). */
    requestSeries: number;
    /** Most samples one request may touch (`--store.limits.request-samples`). */
    requestSamples: number;
}

/** Arguments of `ThanosStoreGateway`. */
export interface ThanosStoreGatewayArgs extends StoreGatewaySettings, PodPriorityArgs {
    /** Namespace of every object. */
    namespace: string;
    /** The objstore Secret (mounted read-only; passed as `--objstore.config-file`). */
    objstoreSecret: ObjstoreSecretRef;
    /**
     * ServiceAccount with read access to the bucket (e.g. from the object-storage BucketAccess component).
     * @default a dedicated ServiceAccount named after the component, without bucket credentials
     */
    serviceAccountName?: string;
    /**
     * The compactor's `--delete-delay`; the store ignores blocks marked for deletion after half of it
     * (`--ignore-deletion-marks-delay`), so it stops using a block well before the compactor deletes it.
     * @default "48h"
     */
    compactorDeleteDelay?: string;
}

/** One shard x partition of the store gateway: a StatefulSet and its headless Service. */
export interface StoreInstancePlan {
    /** Kubernetes name of the StatefulSet and Service. */
    name: string;
    shard: number;
    /** Index into the partitions, or undefined when there is one unbounded partition. */
    partition: number | undefined;
    minTime: string | undefined;
    maxTime: string | undefined;
}

/** The fully defaulted store gateway. */
export interface StoreGatewayPlan {
    name: string;
    namespace: string;
    objstoreSecret: ObjstoreSecretRef;
    serviceAccountName: string;
    createServiceAccount: boolean;
    shards: number;
    replicas: number;
    timePartitions: TimePartition[];
    storage: VolumeSettings;
    resources: ResourceRequirements;
    indexCache: MemcachedPlan | undefined;
    cachingBucket: MemcachedPlan | undefined;
    limits: { requestSeries: number; requestSamples: number };
    ignoreDeletionMarksDelay: string;
    syncInterval: string;
    instances: StoreInstancePlan[];
    replicaSpread: ReplicaSpread;
    priorityClassName: string | undefined;
    placement: PodPlacement | undefined;
    logging: LogSettings | undefined;
    extraArgs: string[];
}

/** Half of a duration, formatted (`48h` -> `1d`). */
export function halfDuration(text: string): string {
    const ms = parseDuration(text);
    if (ms === undefined) throw new Error(`invalid duration ${text}`);
    return formatDuration(Math.floor(ms / 2));
}

/** Applies the defaults and derives the shard x partition instances. */
export function storeGatewayPlan(name: string, args: ThanosStoreGatewayArgs): StoreGatewayPlan {
    const shards = args.shards ?? DEFAULTS.storeGateway.shards;
    const timePartitions = args.timePartitions ?? [];
    const partitions: Array<TimePartition & { index: number | undefined }> =
        timePartitions.length <= 1 ? [{ ...(timePartitions[0] ?? {}), index: undefined }] : timePartitions.map((p, index) => ({ ...p, index }));
    const instances: StoreInstancePlan[] = [];
    for (const p of partitions) {
        for (let shard = 0; shard < shards; shard++) {
            instances.push({
                // The shard count is part of the name: a different sharding is a new set of StatefulSets started beside
                // the old one (whose blocks stay served until the querier has switched), never an in-place change of
                // which blocks a running shard serves.
                name: p.index === undefined ? `${name}-${shard}-of-${shards}` : `${name}-t${p.index}-${shard}-of-${shards}`,
                shard,
                partition: p.index,
                minTime: p.minTime,
                maxTime: p.maxTime,
            });
        }
    }
    const deleteDelay = args.compactorDeleteDelay ?? DEFAULTS.compactor.deleteDelay;
    const cacheSettings = args.indexCache ?? {};
    const cachePods = { namespace: args.namespace, priorityClassName: args.priorityClassName, ...(args.placement !== undefined ? { placement: args.placement } : {}) };
    return {
        name,
        namespace: args.namespace,
        objstoreSecret: args.objstoreSecret,
        serviceAccountName: args.serviceAccountName ?? name,
        createServiceAccount: args.serviceAccountName === undefined,
        shards,
        replicas: args.replicas ?? DEFAULTS.storeGateway.replicas,
        timePartitions,
        storage: args.storage ?? { size: DEFAULTS.storeGateway.storageSize },
        resources: args.resources ?? DEFAULTS.storeGateway.resources,
        indexCache:
            (cacheSettings.type ?? "inMemory") === "memcached"
                ? memcachedPlan(`${name}-index-cache`, { ...cacheSettings.memcached, ...cachePods })
                : undefined,
        cachingBucket: args.cachingBucket?.enabled
            ? memcachedPlan(`${name}-bucket-cache`, { ...args.cachingBucket.memcached, ...cachePods })
            : undefined,
        limits: args.limits ?? DEFAULTS.storeGateway.limits,
        ignoreDeletionMarksDelay: parseDuration(deleteDelay) === undefined ? deleteDelay : halfDuration(deleteDelay),
        syncInterval: args.syncInterval ?? DEFAULTS.storeGateway.syncInterval,
        instances,
        replicaSpread: args.replicaSpread ?? DEFAULTS.storeGateway.replicaSpread,
        priorityClassName: args.priorityClassName,
        placement: args.placement,
        logging: args.logging,
        extraArgs: args.extraArgs ?? [],
    };
}

/** Validation of the Args, one line per problem (`ThanosStoreGateway <arg>: <rule>, got <value>`). */
export function storeGatewayProblems(args: ThanosStoreGatewayArgs): string[] {
    const problems: string[] = [];
    const int = (key: string, v: number | undefined, min: number) => {
        if (v !== undefined && (!Number.isInteger(v) || v < min)) problems.push(`ThanosStoreGateway ${key}: must be an integer >= ${min}, got ${v}`);
    };
    int("shards", args.shards, 1);
    int("replicas", args.replicas, 1);
    int("limits.requestSeries", args.limits?.requestSeries, 0);
    int("limits.requestSamples", args.limits?.requestSamples, 0);
    if (args.compactorDeleteDelay !== undefined && parseDuration(args.compactorDeleteDelay) === undefined) {
        problems.push(`ThanosStoreGateway compactorDeleteDelay: must be a duration like 48h, got "${args.compactorDeleteDelay}"`);
    }
    if (args.syncInterval !== undefined && !isDuration(args.syncInterval)) {
        problems.push(`ThanosStoreGateway syncInterval: must be a duration like 3m, got "${args.syncInterval}"`);
    }
    if (args.replicaSpread !== undefined && args.replicaSpread !== ReplicaSpread.Hard && args.replicaSpread !== ReplicaSpread.Soft) {
        problems.push(`ThanosStoreGateway replicaSpread: must be hard or soft, got ${JSON.stringify(args.replicaSpread)}`);
    }
    problems.push(...timePartitionProblems(args.timePartitions ?? [], "ThanosStoreGateway timePartitions"));
    const ratios = DEFAULTS.storeGateway.indexCacheMemoryRatio + DEFAULTS.storeGateway.chunkPoolMemoryRatio;
    if (ratios >= GOMEMLIMIT_RATIO) problems.push(`ThanosStoreGateway: index cache + chunk pool ratios must stay below the GOMEMLIMIT ratio ${GOMEMLIMIT_RATIO}, got ${ratios}`);
    if (problems.length === 0) {
        const plan = storeGatewayPlan("store", args);
        problems.push(...thanosSettingsProblems("ThanosStoreGateway", args, plan.instances.flatMap((i) => managedStoreArgs(plan, i)), STORE_RESERVED_FLAGS));
    }
    return problems;
}

/** Flags that decide which blocks a store serves: the shards and partitions own them, never extra args. */
const STORE_RESERVED_FLAGS = ["--selector.relabel-config", "--selector.relabel-config-file", "--min-time", "--max-time"];

/** The `--selector.relabel-config` that keeps the blocks of one hash shard. */
export function shardRelabelConfig(shard: number, shards: number): string {
    return stringify(
        [
            { action: "hashmod", source_labels: ["__block_id"], target_label: "__tmp_shard", modulus: shards },
            { action: "keep", source_labels: ["__tmp_shard"], regex: String(shard) },
        ],
        { lineWidth: 0 },
    );
}

/** `--index-cache-size` for the in-memory index cache. */
export function indexCacheBytes(resources: ResourceRequirements): number {
    return Math.floor(memoryLimitBytes(resources) * DEFAULTS.storeGateway.indexCacheMemoryRatio);
}

/** `--chunk-pool-size`. */
export function chunkPoolBytes(resources: ResourceRequirements): number {
    return Math.floor(memoryLimitBytes(resources) * DEFAULTS.storeGateway.chunkPoolMemoryRatio);
}

/** The container args of one store instance. */
export function storeArgs(plan: StoreGatewayPlan, instance: StoreInstancePlan): string[] {
    return withExtraArgs(managedStoreArgs(plan, instance), plan.extraArgs);
}

/** The args the stack sets for one store instance. */
function managedStoreArgs(plan: StoreGatewayPlan, instance: StoreInstancePlan): string[] {
    const indexCacheFlags = plan.indexCache
        ? [flag("index-cache.config", stringify({ type: "MEMCACHED", config: memcachedClientConfig(plan.indexCache) }, { lineWidth: 0 }))]
        : [flag("index-cache-size", thanosBytes(indexCacheBytes(plan.resources)))];
    const cachingBucket = plan.cachingBucket
        ? flag(
              "store.caching-bucket.config",
              stringify(
                  {
                      type: "MEMCACHED",
                      config: memcachedClientConfig(plan.cachingBucket),
                      chunk_subrange_size: 16000,
                      max_chunks_get_range_requests: 3,
                      chunk_object_attrs_ttl: "24h",
                      chunk_subrange_ttl: "24h",
                      blocks_iter_ttl: "5m",
                      metafile_exists_ttl: "2h",
                      metafile_doesnt_exist_ttl: "15m",
                      metafile_content_ttl: "24h",
                      metafile_max_size: `${plan.cachingBucket.maxItemSizeMb}MiB`,
                  },
                  { lineWidth: 0 },
              ),
          )
        : undefined;
    return thanosArgs("store", [
        ...commonFlags({ grpc: true, logging: plan.logging }),
        flag("data-dir", THANOS.dataPath),
        objstoreFlag(plan.objstoreSecret),
        ...indexCacheFlags,
        flag("chunk-pool-size", thanosBytes(chunkPoolBytes(plan.resources))),
        cachingBucket,
        // Start lazily: index headers are built on a block's first query, not all before `/-/ready` (the default
        // `eager` download makes a large bucket's store gateway take minutes to become ready), and postings are
        // expanded lazily for queries with many matchers.
        flag("store.enable-index-header-lazy-reader", true),
        flag("store.index-header-lazy-download-strategy", "lazy"),
        flag("store.enable-lazy-expanded-postings", true),
        flag("store.limits.request-series", plan.limits.requestSeries),
        flag("store.limits.request-samples", plan.limits.requestSamples),
        flag("ignore-deletion-marks-delay", plan.ignoreDeletionMarksDelay),
        flag("sync-block-duration", plan.syncInterval),
        flag("disable-admin-operations", true),
        plan.shards > 1 ? flag("selector.relabel-config", shardRelabelConfig(instance.shard, plan.shards)) : undefined,
        flag("min-time", instance.minTime),
        flag("max-time", instance.maxTime),
    ]);
}

function instanceLabels(instance: StoreInstancePlan): Record<string, string> {
    return selectorLabels(THANOS.componentNames.store, instance.name);
}

/** The StatefulSet of one shard x partition. */
export function buildStoreStatefulSet(plan: StoreGatewayPlan, instance: StoreInstancePlan): StatefulSet {
    const component = THANOS.componentNames.store;
    const selector = instanceLabels(instance);
    const extra: Record<string, string> = { [THANOS.storeShardLabel]: String(instance.shard) };
    const group = { [THANOS.instanceOfLabel]: plan.name };
    if (instance.partition !== undefined) extra[THANOS.storePartitionLabel] = String(instance.partition);
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        // A rolling update replaces one replica at a time, each waiting for its initial sync (the startup probe).
        metadata: objectMeta({
            name: instance.name,
            namespace: plan.namespace,
            component,
            instance: instance.name,
            labels: extra,
            annotations: { [PULUMI_AWAIT.timeoutSeconds]: String(plan.replicas * DEFAULTS.storeGateway.startupSeconds + AWAIT_MARGIN_SECONDS) },
        }),
        spec: {
            serviceName: instance.name,
            replicas: plan.replicas,
            // Replicas of a shard are independent read-only servers: start them together.
            podManagementPolicy: "Parallel",
            updateStrategy: { type: "RollingUpdate" },
            selector: { matchLabels: selector },
            template: {
                metadata: { labels: standardLabels(component, instance.name, { ...extra, ...group }) },
                spec: thanosPodSpec({
                    serviceAccountName: plan.serviceAccountName,
                    priorityClassName: plan.priorityClassName,
                    placement: plan.placement,
                    affinity: hostnameAntiAffinity(selector, plan.replicaSpread === ReplicaSpread.Hard),
                    topologySpreadConstraints: zoneSpread(selector, plan.replicaSpread),
                    volumes: [objstoreVolume(plan.objstoreSecret)],
                    containers: [
                        thanosContainer({
                            name: "thanos-store",
                            args: storeArgs(plan, instance),
                            resources: plan.resources,
                            grpc: true,
                            volumeMounts: [dataMount(), objstoreMount()],
                            slowStartSeconds: DEFAULTS.storeGateway.startupSeconds,
                            drainSeconds: DEFAULTS.storeGateway.drainSeconds,
                        }),
                    ],
                }),
            },
            volumeClaimTemplates: [volumeClaimTemplate(DATA_VOLUME, plan.storage)],
            persistentVolumeClaimRetentionPolicy: DELETE_CACHE_VOLUMES,
        },
    };
}

/**
 * The headless Service of a store instance, whose name is the querier's (strict, static) endpoint. It publishes
 * pods that are not Ready: a pod draining after its deletion (the `preStop` sleep, e.g. the old shards of a
 * resharding) stays dialable by queriers that still list it, and a starting pod refuses connections until its
 * initial sync is done (the store opens its gRPC port only then), so the dialer moves on to the next address.
 */
export function buildStoreService(plan: Pick<StoreGatewayPlan, "namespace">, instance: StoreInstancePlan): Service {
    return buildThanosService({ name: instance.name, namespace: plan.namespace, component: THANOS.componentNames.store, instance: instance.name, selector: instanceLabels(instance), grpc: true, headless: true, publishNotReady: true });
}

/**
 * The StoreAPI endpoints of the store gateway: one strict group per shard x partition, addressed by its headless
 * Service's name (each new connection dials one of its pods; see {@link buildStoreService}). Strict because a
 * shard whose every replica is down must show in query results as a partial-response warning; a `dnssrv+` group
 * would be dropped from the
 * querier's endpoint set and its data silently missing (the e2e scenario store-restart-during-query saw it).
 */
export function storeEndpointsOf(plan: StoreGatewayPlan): StoreEndpoint[] {
    return plan.instances.map((i) => ({
        address: `${serviceFqdn(i.name, plan.namespace)}:${PORTS.thanosGrpc}`,
        group: true,
        strict: true,
        description: `store gateway shard ${i.shard}${i.partition === undefined ? "" : ` partition ${i.partition}`}`,
    }));
}

/** The Thanos store gateway: sharded, time-partitioned, replicated StoreAPI over the bucket. */
export class ThanosStoreGateway extends pulumi.ComponentResource {
    /** StoreAPI endpoints for the querier, one group per shard x partition. */
    public readonly storeEndpoints: StoreEndpoint[];
    /** Kubernetes names of the per-instance StatefulSets and headless Services. */
    public readonly serviceNames: string[];
    /** The `--ignore-deletion-marks-delay` every instance uses. */
    public readonly ignoreDeletionMarksDelay: string;

    constructor(name: string, args: ThanosStoreGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:ThanosStoreGateway", name, args, opts);
        const problems = storeGatewayProblems(args);
        refuseProblems("ThanosStoreGateway", problems);
        const plan = storeGatewayPlan(name, args);
        this.storeEndpoints = storeEndpointsOf(plan);
        this.serviceNames = plan.instances.map((i) => i.name);
        this.ignoreDeletionMarksDelay = plan.ignoreDeletionMarksDelay;

        const component = THANOS.componentNames.store;
        ownServiceAccount(this, name, component, plan, opts);
        const caches = [plan.indexCache, plan.cachingBucket].filter((c): c is MemcachedPlan => c !== undefined);
        for (const c of caches) {
            new Memcached(
                c.name,
                memcachedArgs(c),
                childOptions(this, opts),
            );
        }
        for (const instance of plan.instances) {
            const meta = objectMeta({ name: instance.name, namespace: plan.namespace, component, instance: instance.name });
            const selector = instanceLabels(instance);
            const service = new K8sService(`${instance.name}-service`, buildStoreService(plan, instance), childOptions(this, opts));
            // The Service outlives the pods: Pulumi deletes dependents first, and waits for the StatefulSet's pods to go.
            new K8sStatefulSet(`${instance.name}-sts`, kubeArgs<StatefulSetArgs>(buildStoreStatefulSet(plan, instance)), withDependencies(childOptions(this, opts), [service]));
            new K8sPdb(`${instance.name}-pdb`, podDisruptionBudget(meta, selector), childOptions(this, opts));
        }
        this.registerOutputs({ storeEndpoints: this.storeEndpoints, serviceNames: this.serviceNames, ignoreDeletionMarksDelay: this.ignoreDeletionMarksDelay });
    }
}
