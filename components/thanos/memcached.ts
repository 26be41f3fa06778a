/**
 * Memcached: an optional cache for the store gateway (index cache, caching bucket) and the
 * query-frontend (results cache). We deploy it ourselves as a StatefulSet behind a headless Service so
 * Thanos discovers every node through DNS SRV (`dnssrvnoa+_memcache._tcp.<service>`), which keeps the
 * key distribution stable when pods are rescheduled.
 */
import { placedPodSpec, type PodPlacement } from "../lib/placement";
import * as pulumi from "@pulumi/pulumi";
import { StatefulSet as K8sStatefulSet, type StatefulSetArgs } from "@pulumi/kubernetes/apps/v1";
import { Service as K8sService, ServiceAccount as K8sServiceAccount } from "@pulumi/kubernetes/core/v1";
import { PodDisruptionBudget as K8sPdb } from "@pulumi/kubernetes/policy/v1";
import type { StatefulSet } from "kubernetes-types/apps/v1";
import type { Container, Service } from "kubernetes-types/core/v1";
import { IMAGES, MEMCACHED, PORTS, THANOS } from "../constants";
import { DEFAULTS, type ResourceRequirements } from "../defaults";
import { serviceFqdn } from "../lib/contracts";
import { objectMeta, selectorLabels, standardLabels } from "../lib/meta";
import { containerResources, containerSecurityContext, hostnameAntiAffinity, podDisruptionBudget, podPriority, podSecurityContext, zoneSpread, type PodPriorityArgs } from "../lib/pod";
import { childOptions, refuseProblems } from "../lib/providers";
import { memoryLimitBytes, buildServiceAccount, kubeArgs } from "../lib/thanos";

/** Settings of one memcached cluster (the configuration shape). */
export interface MemcachedSettings {
    /**
     * Number of memcached pods.
     * @default 2
     */
    replicas?: number;
    /**
     * Container resources; memcached's `-m` is `DEFAULTS.memcached.memoryRatio` of the memory limit.
     * @default requests 100m / 1Gi, limit 1280Mi
     */
    resources?: ResourceRequirements;
    /**
     * Largest cached item in MiB (memcached `-I`, Thanos `max_item_size`).
     * @default 1
     */
    maxItemSizeMb?: number;
    /**
     * Run the Prometheus memcached exporter beside memcached in every pod (`/metrics` on port `metrics`, 9150): the
     * stack scrapes it as job `memcached` and alerts on memcached down and on its connection limit.
     * @default true
     */
    exporter?: boolean;
}

/** Arguments of `Memcached`. */
export interface MemcachedArgs extends MemcachedSettings, PodPriorityArgs {
    /** Namespace of the StatefulSet and Service. */
    namespace: string;
    /**
     * Node selector, tolerations, node affinity, pull Secrets and image mirror (a component that owns a cache passes its own).
     * @default none
     */
    placement?: PodPlacement;
}

/** Fully defaulted plan of a memcached cluster. */
export interface MemcachedPlan {
    name: string;
    namespace: string;
    replicas: number;
    resources: ResourceRequirements;
    maxItemSizeMb: number;
    exporter: boolean;
    priorityClassName: string | undefined;
    placement: PodPlacement | undefined;
}

/** Applies the defaults. */
export function memcachedPlan(name: string, args: MemcachedArgs): MemcachedPlan {
    return {
        name,
        namespace: args.namespace,
        replicas: args.replicas ?? DEFAULTS.memcached.replicas,
        resources: args.resources ?? DEFAULTS.memcached.resources,
        maxItemSizeMb: args.maxItemSizeMb ?? DEFAULTS.memcached.maxItemSizeMb,
        exporter: args.exporter ?? DEFAULTS.memcached.exporter,
        priorityClassName: args.priorityClassName,
        placement: args.placement,
    };
}

/** The address Thanos resolves to every memcached pod: DNS SRV without A lookups on the headless Service. */
export function memcachedAddress(name: string, namespace: string): string {
    return `dnssrvnoa+_${MEMCACHED.portName}._tcp.${serviceFqdn(name, namespace)}`;
}

/** The Thanos memcached client config (shared by the index cache, caching bucket and results cache). */
export function memcachedClientConfig(plan: MemcachedPlan): Record<string, unknown> {
    return {
        addresses: [memcachedAddress(plan.name, plan.namespace)],
        timeout: "500ms",
        max_idle_connections: 100,
        max_async_concurrency: 20,
        max_async_buffer_size: 10000,
        max_get_multi_concurrency: 100,
        max_get_multi_batch_size: 0,
        max_item_size: `${plan.maxItemSizeMb}MiB`,
        dns_provider_update_interval: "10s",
    };
}

/** memcached `-m` in MiB: a share of the memory limit, leaving room for connections and slab overhead. */
export function memcachedMemoryMb(resources: ResourceRequirements): number {
    return Math.max(64, Math.floor((memoryLimitBytes(resources) * DEFAULTS.memcached.memoryRatio) / 1024 ** 2));
}

/** Validates a plan; returns one line per problem. */
export function memcachedProblems(plan: MemcachedPlan): string[] {
    const problems: string[] = [];
    if (!Number.isInteger(plan.replicas) || plan.replicas < 1) problems.push(`Memcached replicas: must be an integer >= 1, got ${plan.replicas}`);
    if (!Number.isInteger(plan.maxItemSizeMb) || plan.maxItemSizeMb < 1 || plan.maxItemSizeMb > 128) {
        problems.push(`Memcached maxItemSizeMb: must be an integer between 1 and 128, got ${plan.maxItemSizeMb}`);
    }
    return problems;
}

/** The memcached StatefulSet. */
export function buildMemcachedStatefulSet(plan: MemcachedPlan): StatefulSet {
    const component = THANOS.componentNames.memcached;
    const selector = selectorLabels(component, plan.name);
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: objectMeta({ name: plan.name, namespace: plan.namespace, component, instance: plan.name }),
        spec: {
            serviceName: plan.name,
            replicas: plan.replicas,
            podManagementPolicy: "Parallel",
            selector: { matchLabels: selector },
            template: {
                metadata: { labels: standardLabels(component, plan.name) },
                spec: placedPodSpec({
                    serviceAccountName: plan.name,
                    automountServiceAccountToken: false,
                    ...podPriority(plan.priorityClassName),
                    securityContext: podSecurityContext(MEMCACHED.runAsUser),
                    affinity: hostnameAntiAffinity(selector),
                    topologySpreadConstraints: zoneSpread(selector),
                    containers: [
                        {
                            name: "memcached",
                            image: IMAGES.memcached,
                            imagePullPolicy: "IfNotPresent",
                            args: [
                                `-m ${memcachedMemoryMb(plan.resources)}`,
                                `-I ${plan.maxItemSizeMb}m`,
                                `-c ${DEFAULTS.memcached.connectionLimit}`,
                                `-p ${PORTS.memcached}`,
                                "-U 0",
                                "-v",
                            ].flatMap((a) => a.split(" ")),
                            ports: [{ name: MEMCACHED.portName, containerPort: PORTS.memcached, protocol: "TCP" }],
                            readinessProbe: { tcpSocket: { port: MEMCACHED.portName }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
                            livenessProbe: { tcpSocket: { port: MEMCACHED.portName }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 4 },
                            resources: containerResources(plan.resources),
                            securityContext: containerSecurityContext(MEMCACHED.runAsUser),
                        },
                        ...(plan.exporter ? [memcachedExporterContainer()] : []),
                    ],
                }, plan.placement),
            },
        },
    };
}

/** The {@link Memcached} args of a plan (what a component that owns a cache creates it with). */
export function memcachedArgs(plan: MemcachedPlan): MemcachedArgs {
    return {
        namespace: plan.namespace,
        replicas: plan.replicas,
        resources: plan.resources,
        maxItemSizeMb: plan.maxItemSizeMb,
        exporter: plan.exporter,
        priorityClassName: plan.priorityClassName,
        ...(plan.placement !== undefined ? { placement: plan.placement } : {}),
    };
}

/** The exporter sidecar: reads memcached's `stats` on localhost, serves `/metrics`. */
function memcachedExporterContainer(): Container {
    return {
        name: "exporter",
        image: IMAGES.memcachedExporter,
        imagePullPolicy: "IfNotPresent",
        args: [`--memcached.address=localhost:${PORTS.memcached}`, `--web.listen-address=:${PORTS.memcachedExporter}`],
        ports: [{ name: MEMCACHED.exporterPortName, containerPort: PORTS.memcachedExporter, protocol: "TCP" }],
        // `/metrics` answers even while memcached is down (memcached_up 0): the probes watch the exporter only.
        readinessProbe: { httpGet: { path: "/metrics", port: MEMCACHED.exporterPortName }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        livenessProbe: { httpGet: { path: "/metrics", port: MEMCACHED.exporterPortName }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 4 },
        resources: containerResources(DEFAULTS.memcached.exporterResources),
        securityContext: containerSecurityContext(MEMCACHED.exporterRunAsUser),
    };
}

/** The headless Service whose SRV records list every memcached pod. */
export function buildMemcachedService(plan: MemcachedPlan): Service {
    const component = THANOS.componentNames.memcached;
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: objectMeta({ name: plan.name, namespace: plan.namespace, component, instance: plan.name }),
        spec: {
            clusterIP: "None",
            selector: selectorLabels(component, plan.name),
            ports: [
                // Thanos resolves `_memcache._tcp.<service>`: only this port's SRV records are the cache servers.
                { name: MEMCACHED.portName, port: PORTS.memcached, targetPort: MEMCACHED.portName, protocol: "TCP" },
                ...(plan.exporter ? [{ name: MEMCACHED.exporterPortName, port: PORTS.memcachedExporter, targetPort: MEMCACHED.exporterPortName, protocol: "TCP" }] : []),
            ],
        },
    };
}

/** A memcached cluster for Thanos caches. */
export class Memcached extends pulumi.ComponentResource {
    /** Kubernetes name of the StatefulSet and headless Service. */
    public readonly serviceName: string;
    /** Thanos address of the cluster (`dnssrvnoa+_memcache._tcp...`). */
    public readonly address: string;

    constructor(name: string, args: MemcachedArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:Memcached", name, args, opts);
        const plan = memcachedPlan(name, args);
        const problems = memcachedProblems(plan);
        refuseProblems("Memcached", problems);
        this.serviceName = plan.name;
        this.address = memcachedAddress(plan.name, plan.namespace);

        const component = THANOS.componentNames.memcached;
        const meta = objectMeta({ name: plan.name, namespace: plan.namespace, component, instance: plan.name });
        new K8sServiceAccount(`${name}-sa`, buildServiceAccount(meta), childOptions(this, opts));
        new K8sService(`${name}-service`, buildMemcachedService(plan), childOptions(this, opts));
        new K8sStatefulSet(`${name}-sts`, kubeArgs<StatefulSetArgs>(buildMemcachedStatefulSet(plan)), childOptions(this, opts));
        if (plan.replicas > 1) {
            new K8sPdb(`${name}-pdb`, podDisruptionBudget(meta, selectorLabels(component, plan.name)), childOptions(this, opts));
        }
        this.registerOutputs({ serviceName: this.serviceName, address: this.address });
    }
}
