/**
 * The production baseline every pod and container of the stack meets
 * (Pod Security Standards "restricted" plus the common linters), as pure
 * builders. Components compose these instead of writing security contexts,
 * probes or resources by hand.
 */
import type {
    Affinity,
    Container,
    EnvVar,
    PodSecurityContext,
    Probe,
    ResourceRequirements as K8sResources,
    SecurityContext,
    TopologySpreadConstraint,
} from "kubernetes-types/core/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import type { StatefulSetPersistentVolumeClaimRetentionPolicy } from "kubernetes-types/apps/v1";
import type { PersistentVolumeClaim } from "kubernetes-types/core/v1";
import type { ObjectMeta } from "kubernetes-types/meta/v1";
import type { ResourceRequirements } from "../defaults";
import { parseQuantity } from "./quantity";

/** The non-root user and group every container runs as (65534 = nobody, which the Thanos image uses). */
export const RUN_AS_USER = 65534;
/** The group that owns mounted volumes. */
export const FS_GROUP = 65534;
/** Grace period for Thanos components: long enough to finish in-flight uploads, compactions and queries. */
export const THANOS_TERMINATION_GRACE_SECONDS = 120;
/** Share of the memory limit handed to the Go runtime as GOMEMLIMIT. */
export const GOMEMLIMIT_RATIO = 0.9;
/** The zone topology key. */
export const ZONE_KEY = "topology.kubernetes.io/zone";
/** The hostname topology key. */
export const HOSTNAME_KEY = "kubernetes.io/hostname";

/** Pod-level security context: non-root, fixed uid/gid, fsGroup, RuntimeDefault seccomp. */
export function podSecurityContext(user = RUN_AS_USER): PodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: user,
        runAsGroup: user,
        fsGroup: FS_GROUP,
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Container-level security context: no privilege escalation, no capabilities, read-only root filesystem. */
export function containerSecurityContext(user = RUN_AS_USER): SecurityContext {
    return {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: user,
        runAsGroup: user,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Kubernetes resources from the configuration shape (requests, memory limit, optional CPU limit). */
export function containerResources(r: ResourceRequirements): K8sResources {
    const limits: Record<string, string> = { memory: r.limits.memory };
    if (r.limits.cpu !== undefined) limits["cpu"] = r.limits.cpu;
    return { requests: { cpu: r.requests.cpu, memory: r.requests.memory }, limits };
}

/** GOMEMLIMIT in bytes for a memory limit, leaving headroom for non-heap memory. */
export function goMemLimitBytes(memoryLimit: string): number {
    const bytes = parseQuantity(memoryLimit);
    if (bytes === undefined) throw new Error(`invalid memory limit ${memoryLimit}`);
    return Math.floor(bytes * GOMEMLIMIT_RATIO);
}

/** The GOMEMLIMIT environment variable for a Go container with this memory limit. */
export function goMemLimitEnv(memoryLimit: string): EnvVar {
    return { name: "GOMEMLIMIT", value: String(goMemLimitBytes(memoryLimit)) };
}

/** HTTP probe on a named port. */
export function httpProbe(path: string, port: string | number, opts: Partial<Probe> = {}): Probe {
    return {
        httpGet: { path, port, scheme: "HTTP" },
        periodSeconds: 10,
        timeoutSeconds: 5,
        failureThreshold: 3,
        ...opts,
    };
}

/** Readiness `/-/ready` and liveness `/-/healthy`, plus a startup probe for slow starters. */
export function healthProbes(port: string | number, opts: { slowStartSeconds?: number } = {}): Pick<Container, "readinessProbe" | "livenessProbe" | "startupProbe"> {
    const probes: Pick<Container, "readinessProbe" | "livenessProbe" | "startupProbe"> = {
        readinessProbe: httpProbe("/-/ready", port, { periodSeconds: 5 }),
        livenessProbe: httpProbe("/-/healthy", port, { periodSeconds: 30, failureThreshold: 4 }),
    };
    if (opts.slowStartSeconds !== undefined) {
        probes.startupProbe = httpProbe("/-/healthy", port, { periodSeconds: 10, failureThreshold: Math.ceil(opts.slowStartSeconds / 10) });
    }
    return probes;
}

/** Soft anti-affinity: replicas on different nodes when possible (hard when `required`). */
export function hostnameAntiAffinity(selector: Record<string, string>, required = false): Affinity {
    const term = { labelSelector: { matchLabels: selector }, topologyKey: HOSTNAME_KEY };
    return {
        podAntiAffinity: required
            ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
            : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
    };
}

/**
 * Whether replicas that hold the same data (the replicas of one Prometheus or store shard) may share a node:
 * `hard` never (a replica stays Pending rather than join another on its node: one node's loss must not take a
 * whole shard), `soft` only when nothing else fits (single-node development clusters).
 */
export const ReplicaSpread = { Hard: "hard", Soft: "soft" } as const;
/** See `ReplicaSpread`. */
export type ReplicaSpread = (typeof ReplicaSpread)[keyof typeof ReplicaSpread];

/**
 * Spread replicas across zones (always soft: a single-zone cluster still schedules) and nodes (soft, or hard with
 * `nodes: "hard"`).
 */
export function zoneSpread(selector: Record<string, string>, nodes: ReplicaSpread = ReplicaSpread.Soft): TopologySpreadConstraint[] {
    return [
        { maxSkew: 1, topologyKey: ZONE_KEY, whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } },
        { maxSkew: 1, topologyKey: HOSTNAME_KEY, whenUnsatisfiable: nodes === ReplicaSpread.Hard ? "DoNotSchedule" : "ScheduleAnyway", labelSelector: { matchLabels: selector } },
    ];
}

/** A PodDisruptionBudget that lets one replica go at a time. */
export function podDisruptionBudget(metadata: ObjectMeta, selector: Record<string, string>): PodDisruptionBudget {
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata,
        spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
    };
}

/** An emptyDir for scratch space on a read-only root filesystem. */
export function scratchVolume(name: string, sizeLimit = "1Gi") {
    return { name, emptyDir: { sizeLimit } };
}

/** The scheduling priority of a component's pods: every component Args extends this (defined once). */
export interface PodPriorityArgs {
    /**
     * PriorityClass of every pod of the component. ThanosStack creates one for the whole stack and passes it to
     * every component, so monitoring keeps running (and preempts ordinary pods) when the cluster is full.
     * @default none (the cluster's default priority)
     */
    priorityClassName?: string;
}

/** `priorityClassName` for a pod spec (or the Operator's `spec.priorityClassName`), or nothing when unset. */
export function podPriority(priorityClassName: string | undefined): { priorityClassName?: string } {
    return priorityClassName !== undefined && priorityClassName !== "" ? { priorityClassName } : {};
}

/** Persistent volume of one pod: size and (optionally) StorageClass. */
export interface VolumeSettings {
    /** Size of the volume. */
    size: string;
    /**
     * StorageClass of the volume.
     * @default the cluster default StorageClass
     */
    storageClass?: string;
}

/** The spec of a ReadWriteOnce volume claim of this size (and StorageClass). */
export function volumeClaimSpec(storage: VolumeSettings): { accessModes: string[]; storageClassName?: string; resources: { requests: { storage: string } } } {
    return {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: storage.size } },
        ...(storage.storageClass !== undefined ? { storageClassName: storage.storageClass } : {}),
    };
}

/** The volume claim template of a StatefulSet (ReadWriteOnce, one per pod). */
export function volumeClaimTemplate(name: string, storage: VolumeSettings): PersistentVolumeClaim {
    return { metadata: { name }, spec: volumeClaimSpec(storage) };
}

/**
 * Volumes outlive their StatefulSet: a replaced, deleted or scaled-down StatefulSet leaves its
 * claims behind, and a recreated one re-attaches them by name (deleting data is a manual step).
 */
export const RETAIN_VOLUMES: StatefulSetPersistentVolumeClaimRetentionPolicy = { whenDeleted: "Retain", whenScaled: "Retain" };

/**
 * Volumes that only cache what the bucket holds (the store gateway's index headers): deleted with their StatefulSet
 * or replica, so a resharded store set (new StatefulSets, the old ones deleted) leaves no orphaned volumes behind.
 */
export const DELETE_CACHE_VOLUMES: StatefulSetPersistentVolumeClaimRetentionPolicy = { whenDeleted: "Delete", whenScaled: "Delete" };
