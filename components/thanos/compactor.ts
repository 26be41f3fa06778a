/**
 * ThanosCompactor: compacts, downsamples, applies retention and deletes blocks. It alone holds the
 * bucket role that may delete objects.
 *
 * Exactly one compactor per bucket stream. Each compactor is a StatefulSet with one replica: the
 * StatefulSet controller gives the pod a fixed identity (`<name>-0`) and, on a rolling update, deletes
 * the old pod and waits until it is gone before creating its replacement, so two compactors never run
 * at once (a Deployment would surge a second pod). There is no PodDisruptionBudget (a singleton's PDB
 * would only block node drains) and no anti-affinity.
 *
 * Optional sharding by an external label: shard k keeps the blocks whose label value is in group k, and
 * a last "rest" shard drops every listed value, so the shards partition the streams without overlap.
 */
import * as pulumi from "@pulumi/pulumi";
import { StatefulSet as K8sStatefulSet, type StatefulSetArgs } from "@pulumi/kubernetes/apps/v1";
import { Service as K8sService } from "@pulumi/kubernetes/core/v1";
import type { StatefulSet } from "kubernetes-types/apps/v1";
import { stringify } from "yaml";
import { THANOS } from "../constants";
import { DEFAULTS, type ResourceRequirements } from "../defaults";
import type { VolumeSettings } from "./storeGateway";
import type { ObjstoreSecretRef } from "../lib/contracts";
import { isDuration } from "../lib/duration";
import { objectMeta, selectorLabels, standardLabels } from "../lib/meta";
import { RETAIN_VOLUMES, volumeClaimTemplate, type PodPriorityArgs } from "../lib/pod";
import { childOptions, refuseProblems } from "../lib/providers";
import { ownServiceAccount } from "../lib/ownServiceAccount";
import {
    buildThanosService,
    commonFlags,
    dataMount,
    DATA_VOLUME,
    flag,
    kubeArgs,
    objstoreFlag,
    objstoreMount,
    objstoreVolume,
    thanosArgs,
    thanosContainer,
    thanosPodSpec,
    wholeCores,
    thanosSettingsProblems,
    withExtraArgs,
    type ThanosExtraArgs,
} from "../lib/thanos";
import type { LogSettings, PodPlacement, PodSettingsArgs } from "../lib/placement";

/** Retention per resolution; all three are always set (Thanos' default is forever). */
export interface RetentionSettings {
    /** Raw samples. */
    raw: string;
    /** 5m downsampled data. */
    fiveMinutes: string;
    /** 1h downsampled data. */
    oneHour: string;
}

/** Compactor sharding by one external label. */
export interface CompactorSharding {
    /** The external label (e.g. `cluster`). */
    label: string;
    /** Value groups: one compactor per group, plus one for every other value (and for blocks without the label). */
    groups: string[][];
}

/** Settings of the compactor that a ThanosStack passes through (the stack supplies namespace, bucket access, deduplication labels and priority). */
export interface CompactorOptions extends ThanosExtraArgs, PodSettingsArgs {
    /**
     * Retention per resolution.
     * @default { raw: "30d", fiveMinutes: "90d", oneHour: "1y" }
     */
    retention?: RetentionSettings;
    /**
     * Downsample to 5m and 1h (`--downsampling.disable` when false).
     * @default true
     */
    downsampling?: boolean;
    /**
     * `--delete-delay`: how long a block marked for deletion stays in the bucket.
     * @default "48h"
     */
    deleteDelay?: string;
    /**
     * `--wait-interval`: the pause between two compaction runs.
     * @default "5m"
     */
    waitInterval?: string;
    /**
     * `--consistency-delay`: blocks younger than this (by their ULID time) are not compacted yet.
     * @default "30m"
     */
    consistencyDelay?: string;
    /**
     * Shard the compactor by one external label; the shards partition the streams without overlap.
     * @default undefined (one compactor for the whole bucket)
     */
    sharding?: CompactorSharding;
    /**
     * Persistent volume for `--data-dir` (scratch space for compaction and downsampling).
     * @default { size: "100Gi" }
     */
    storage?: VolumeSettings;
    /**
     * Container resources; `--compact.concurrency` is the CPU request in whole cores.
     * @default requests 1 / 2Gi, limit 4Gi
     */
    resources?: ResourceRequirements;
}

/** Arguments of `ThanosCompactor`. */
export interface ThanosCompactorArgs extends CompactorOptions, PodPriorityArgs {
    /** Namespace of every object. */
    namespace: string;
    /** The objstore Secret (mounted read-only; passed as `--objstore.config-file`). */
    objstoreSecret: ObjstoreSecretRef;
    /**
     * ServiceAccount with the deleting bucket role (e.g. from the object-storage BucketAccess component).
     * @default a dedicated ServiceAccount named after the component, without bucket credentials
     */
    serviceAccountName?: string;
    /**
     * Offline deduplication of replica blocks on these replica labels (vertical compaction with the
     * `penalty` function). Irreversible: only when explicitly asked for.
     * @default undefined (query-time deduplication only)
     */
    deduplicationReplicaLabels?: string[];
}

/** The block selector of one compactor: keep these values, or drop them (the "rest" shard). */
export interface CompactorSelector {
    label: string;
    action: "keep" | "drop";
    values: string[];
}

/** One compactor StatefulSet. */
export interface CompactorInstancePlan {
    name: string;
    replicas: number;
    selector: CompactorSelector | undefined;
}

/** The fully defaulted compactor. */
export interface CompactorPlan {
    name: string;
    namespace: string;
    objstoreSecret: ObjstoreSecretRef;
    serviceAccountName: string;
    createServiceAccount: boolean;
    retention: RetentionSettings;
    downsampling: boolean;
    deleteDelay: string;
    waitInterval: string;
    consistencyDelay: string;
    deduplicationReplicaLabels: string[];
    storage: VolumeSettings;
    resources: ResourceRequirements;
    instances: CompactorInstancePlan[];
    priorityClassName: string | undefined;
    placement: PodPlacement | undefined;
    logging: LogSettings | undefined;
    extraArgs: string[];
}

/** The compactor instances: one, or one per value group plus the rest. */
export function compactorInstances(name: string, sharding: CompactorSharding | undefined): CompactorInstancePlan[] {
    if (sharding === undefined || sharding.groups.length === 0) return [{ name, replicas: 1, selector: undefined }];
    const keep = sharding.groups.map((values, k) => ({ name: `${name}-${k}`, replicas: 1, selector: { label: sharding.label, action: "keep" as const, values } }));
    const rest = { name: `${name}-${sharding.groups.length}`, replicas: 1, selector: { label: sharding.label, action: "drop" as const, values: sharding.groups.flat() } };
    return [...keep, rest];
}

/** Applies the defaults. */
export function compactorPlan(name: string, args: ThanosCompactorArgs): CompactorPlan {
    return {
        name,
        namespace: args.namespace,
        objstoreSecret: args.objstoreSecret,
        serviceAccountName: args.serviceAccountName ?? name,
        createServiceAccount: args.serviceAccountName === undefined,
        retention: args.retention ?? { ...DEFAULTS.compactor.retention },
        downsampling: args.downsampling ?? DEFAULTS.compactor.downsampling,
        deleteDelay: args.deleteDelay ?? DEFAULTS.compactor.deleteDelay,
        waitInterval: args.waitInterval ?? DEFAULTS.compactor.waitInterval,
        consistencyDelay: args.consistencyDelay ?? DEFAULTS.compactor.consistencyDelay,
        deduplicationReplicaLabels: args.deduplicationReplicaLabels ?? [],
        storage: args.storage ?? { size: DEFAULTS.compactor.storageSize },
        resources: args.resources ?? DEFAULTS.compactor.resources,
        instances: compactorInstances(name, args.sharding),
        priorityClassName: args.priorityClassName,
        placement: args.placement,
        logging: args.logging,
        extraArgs: args.extraArgs ?? [],
    };
}

/** Validation of the Args, one line per problem. */
export function compactorProblems(args: ThanosCompactorArgs): string[] {
    const problems: string[] = [];
    const durations: Array<[string, string | undefined]> = [
        ["deleteDelay", args.deleteDelay],
        ["waitInterval", args.waitInterval],
        ["consistencyDelay", args.consistencyDelay],
        ["retention.raw", args.retention?.raw],
        ["retention.fiveMinutes", args.retention?.fiveMinutes],
        ["retention.oneHour", args.retention?.oneHour],
    ];
    for (const [key, v] of durations) {
        if (v !== undefined && !isDuration(v)) problems.push(`ThanosCompactor ${key}: must be a duration like 48h or 30d, got "${v}"`);
    }
    if (args.deduplicationReplicaLabels !== undefined && args.deduplicationReplicaLabels.some((l) => l.trim() === "")) {
        problems.push(`ThanosCompactor deduplicationReplicaLabels: labels must be non-empty, got ${JSON.stringify(args.deduplicationReplicaLabels)}`);
    }
    if (args.sharding !== undefined) problems.push(...shardingProblems(args.sharding, "ThanosCompactor sharding"));
    if (problems.length === 0) {
        const plan = compactorPlan("compact", args);
        problems.push(...thanosSettingsProblems("ThanosCompactor", args, plan.instances.flatMap((i) => managedCompactorArgs(plan, i)), COMPACTOR_RESERVED_FLAGS));
    }
    return problems;
}

/** Flags that decide which streams a compactor owns and what it deletes: the stack's settings own them, never extra args. */
const COMPACTOR_RESERVED_FLAGS = [
    "--selector.relabel-config",
    "--selector.relabel-config-file",
    "--deduplication.replica-label",
    "--deduplication.func",
    "--compact.enable-vertical-compaction",
    "--retention.resolution-raw",
    "--retention.resolution-5m",
    "--retention.resolution-1h",
    "--delete-delay",
];

/** Sharding groups must be non-empty and disjoint (a value in two groups = two compactors on one stream). */
export function shardingProblems(sharding: CompactorSharding, path: string): string[] {
    const problems: string[] = [];
    if (sharding.label.trim() === "") problems.push(`${path}.label: must be an external label name, got "${sharding.label}"`);
    const owner = new Map<string, number>();
    sharding.groups.forEach((group, k) => {
        if (group.length === 0) problems.push(`${path}.groups[${k}]: must list at least one value, got []`);
        for (const v of group) {
            const first = owner.get(v);
            if (first !== undefined) {
                problems.push(`${path}.groups[${k}]: value "${v}" is also in groups[${first}]; compactor shards must not overlap (two compactors would own one stream)`);
            } else {
                owner.set(v, k);
            }
        }
    });
    return problems;
}

function escapeRegex(value: string): string {
    return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The `--selector.relabel-config` of one compactor shard. */
export function compactorRelabelConfig(selector: CompactorSelector): string {
    return stringify([{ action: selector.action, source_labels: [selector.label], regex: selector.values.map(escapeRegex).join("|") }], { lineWidth: 0 });
}

/** The container args of one compactor. */
export function compactorArgs(plan: CompactorPlan, instance: CompactorInstancePlan): string[] {
    return withExtraArgs(managedCompactorArgs(plan, instance), plan.extraArgs);
}

/** The args the stack sets for one compactor. */
function managedCompactorArgs(plan: CompactorPlan, instance: CompactorInstancePlan): string[] {
    const concurrency = wholeCores(plan.resources.requests.cpu);
    const dedup = plan.deduplicationReplicaLabels.length > 0;
    return thanosArgs("compact", [
        ...commonFlags({ grpc: false, logging: plan.logging }),
        flag("data-dir", THANOS.dataPath),
        objstoreFlag(plan.objstoreSecret),
        flag("wait", true),
        flag("wait-interval", plan.waitInterval),
        flag("consistency-delay", plan.consistencyDelay),
        flag("retention.resolution-raw", plan.retention.raw),
        flag("retention.resolution-5m", plan.retention.fiveMinutes),
        flag("retention.resolution-1h", plan.retention.oneHour),
        flag("delete-delay", plan.deleteDelay),
        flag("compact.concurrency", concurrency),
        flag("downsample.concurrency", concurrency),
        flag("downsampling.disable", !plan.downsampling),
        flag("compact.enable-vertical-compaction", dedup),
        ...plan.deduplicationReplicaLabels.map((l) => flag("deduplication.replica-label", l)),
        dedup ? flag("deduplication.func", "penalty") : undefined,
        instance.selector ? flag("selector.relabel-config", compactorRelabelConfig(instance.selector)) : undefined,
        flag("disable-admin-operations", true),
    ]);
}

/** The StatefulSet of one compactor (one replica). */
export function buildCompactorStatefulSet(plan: CompactorPlan, instance: CompactorInstancePlan): StatefulSet {
    const component = THANOS.componentNames.compact;
    const selector = selectorLabels(component, instance.name);
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: objectMeta({ name: instance.name, namespace: plan.namespace, component, instance: instance.name }),
        spec: {
            serviceName: instance.name,
            replicas: instance.replicas,
            podManagementPolicy: "OrderedReady",
            // One pod identity: the replacement pod is created only after the old one is gone.
            updateStrategy: { type: "RollingUpdate" },
            selector: { matchLabels: selector },
            template: {
                metadata: { labels: standardLabels(component, instance.name, { [THANOS.instanceOfLabel]: plan.name }) },
                spec: thanosPodSpec({
                    serviceAccountName: plan.serviceAccountName,
                    priorityClassName: plan.priorityClassName,
                    placement: plan.placement,
                    volumes: [objstoreVolume(plan.objstoreSecret)],
                    containers: [
                        thanosContainer({
                            name: "thanos-compact",
                            args: compactorArgs(plan, instance),
                            resources: plan.resources,
                            grpc: false,
                            volumeMounts: [dataMount(), objstoreMount()],
                        }),
                    ],
                }),
            },
            volumeClaimTemplates: [volumeClaimTemplate(DATA_VOLUME, plan.storage)],
            persistentVolumeClaimRetentionPolicy: RETAIN_VOLUMES,
        },
    };
}

/** The Thanos compactor: one singleton StatefulSet per bucket stream. */
export class ThanosCompactor extends pulumi.ComponentResource {
    /** Kubernetes names of the compactor StatefulSets (one unless sharded). */
    public readonly names: string[];
    /** `--delete-delay` (the store gateway ignores deletion marks after half of it). */
    public readonly deleteDelay: string;

    constructor(name: string, args: ThanosCompactorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:ThanosCompactor", name, args, opts);
        const problems = compactorProblems(args);
        refuseProblems("ThanosCompactor", problems);
        const plan = compactorPlan(name, args);
        this.names = plan.instances.map((i) => i.name);
        this.deleteDelay = plan.deleteDelay;

        const component = THANOS.componentNames.compact;
        ownServiceAccount(this, name, component, plan, opts);
        for (const instance of plan.instances) {
            new K8sService(
                `${instance.name}-service`,
                buildThanosService({
                    name: instance.name,
                    namespace: plan.namespace,
                    component,
                    instance: instance.name,
                    selector: selectorLabels(component, instance.name),
                    grpc: false,
                    headless: true,
                }),
                childOptions(this, opts),
            );
            new K8sStatefulSet(`${instance.name}-sts`, kubeArgs<StatefulSetArgs>(buildCompactorStatefulSet(plan, instance)), childOptions(this, opts));
        }
        this.registerOutputs({ names: this.names, deleteDelay: this.deleteDelay });
    }
}
