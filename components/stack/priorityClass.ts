/**
 * The PriorityClass of a stack's monitoring pods (pure builder; ThanosStack creates it).
 *
 * Monitoring must outlive the workloads it watches: when a cluster runs out of room, the scheduler preempts
 * lower-priority pods to place ours, and evicts ours last under node pressure. The value sits above ordinary
 * workloads (0) and far below the system classes (`system-cluster-critical` = 2000000000), so the stack never
 * competes with the control plane or the CNI. It is not the cluster's global default.
 */
import type { PriorityClass } from "kubernetes-types/scheduling/v1";
import { DEFAULTS } from "../defaults";
import { objectMeta } from "../lib/meta";

/** Largest value a user-defined PriorityClass may have (above it are the system classes). */
export const MAX_USER_PRIORITY = 1000000000;

/**
 * Name of the stack's PriorityClass. PriorityClasses are cluster-scoped, so the name carries the namespace as well as
 * the stack name (two stacks in two namespaces never share or fight over one).
 */
export function monitoringPriorityClassName(stackName: string, namespace: string): string {
    return `${namespace}-${stackName}`;
}

/** The stack's PriorityClass settings. */
export interface PriorityClassSettings {
    /**
     * Priority of every pod of the stack (above ordinary workloads at 0, below the system classes).
     * @default 1000000
     */
    value?: number;
}

/** Input of `buildPriorityClass`. */
export interface PriorityClassInput {
    /** Kubernetes name (see `monitoringPriorityClassName`). */
    name: string;
    /** `app.kubernetes.io/instance` label value (the stack). */
    instance: string;
    /**
     * Priority value.
     * @default DEFAULTS.priorityClass.value (1000000)
     */
    value?: number;
}

/** Problems with a priority value, as `<rule>, got <value>` sentences. */
export function priorityValueProblems(value: number): string[] {
    return Number.isInteger(value) && value >= 1 && value <= MAX_USER_PRIORITY ? [] : [`must be an integer between 1 and ${MAX_USER_PRIORITY}, got ${value}`];
}

/** The `scheduling.k8s.io/v1` PriorityClass: preempts lower priorities, never the global default. */
export function buildPriorityClass(input: PriorityClassInput): PriorityClass {
    return {
        apiVersion: "scheduling.k8s.io/v1",
        kind: "PriorityClass",
        metadata: objectMeta({ name: input.name, component: "priority-class", instance: input.instance }),
        value: input.value ?? DEFAULTS.priorityClass.value,
        globalDefault: false,
        preemptionPolicy: "PreemptLowerPriority",
        description: "Monitoring pods of the thanos-stack: scheduled before (and evicted after) ordinary workloads.",
    };
}
