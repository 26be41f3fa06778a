/**
 * Pushgateway: for jobs that cannot be scraped (batch jobs push their last
 * result). Exactly one replica with the `Recreate` strategy — two would split
 * the cache and serve different answers — a Service, a ServiceMonitor with
 * `honorLabels: true` (the pushed `job`/`instance` labels are the data),
 * optional persistence of the cache, admin API off.
 */
import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Deployment, DeploymentArgs } from "@pulumi/kubernetes/apps/v1";
import { PersistentVolumeClaim, Service, ServiceAccount } from "@pulumi/kubernetes/core/v1";
import type { Deployment as DeploymentObject } from "kubernetes-types/apps/v1";
import type {
    PersistentVolumeClaim as PvcObject,
    Service as ServiceObject,
    ServiceAccount as ServiceAccountObject,
    Volume,
    VolumeMount,
} from "kubernetes-types/core/v1";
import { IMAGES, PORTS, PROMETHEUS } from "../constants";
import { DEFAULTS, ResourceRequirements } from "../defaults";
import { isDuration } from "../lib/duration";
import { objectMeta, selectorLabels, standardLabels } from "../lib/meta";
import { containerResources, containerSecurityContext, goMemLimitEnv, healthProbes, podPriority, podSecurityContext, type PodPriorityArgs } from "../lib/pod";
import { childOptions, refuseProblems } from "../lib/providers";
import { isQuantity } from "../lib/quantity";
import { kubeArgs } from "../lib/thanos";
import { loggingProblems, placedPodSpec, placementProblems, type LogSettings, type PodPlacement, type PodSettingsArgs } from "../lib/placement";
import { buildServiceMonitor } from "../teams/serviceMonitor";
import type { ServiceMonitorObject } from "../teams/serviceMonitor";

/** The component label of the Pushgateway (a singleton: the policy pack keys on it). */
export const PUSHGATEWAY_COMPONENT = "pushgateway";
const COMPONENT = PUSHGATEWAY_COMPONENT;
/** Where the persistence volume is mounted. */
export const PUSHGATEWAY_DATA_PATH = "/data";
/** The persistence file inside the volume. */
export const PUSHGATEWAY_PERSISTENCE_FILE = `${PUSHGATEWAY_DATA_PATH}/pushgateway.db`;

/** Persistence of the Pushgateway cache across restarts. */
export interface PushgatewayPersistence {
    /** Keep the pushed metrics on a volume (`--persistence.file`). @default false */
    enabled?: boolean;
    /** Volume size. @default "2Gi" */
    size?: string;
    /** StorageClass. @default the cluster default */
    storageClass?: string;
    /** How often the cache is written (`--persistence.interval`). @default "5m" */
    interval?: string;
}

/** Settings of the Pushgateway that a ThanosStack passes through (the stack supplies namespace and monitor label). */
export interface PushgatewayOptions extends PodPriorityArgs, PodSettingsArgs {
    /**
     * Resources of the pushgateway container.
     * @default DEFAULTS.pushgateway.resources
     */
    resources?: ResourceRequirements;
    /**
     * Persistence of the cache.
     * @default { enabled: false }
     */
    persistence?: PushgatewayPersistence;
}

/** Arguments of `Pushgateway`. */
export interface PushgatewayArgs extends PushgatewayOptions {
    /** Namespace. */
    namespace: string;
    /**
     * Value of the `thanos-stack.io/monitor` label on its ServiceMonitor.
     * @default "default"
     */
    monitor?: string;
}

/** Every input of the builders, with defaults applied. */
export interface PushgatewayInput {
    name: string;
    instance: string;
    namespace: string;
    resources: ResourceRequirements;
    persistence: { enabled: boolean; size: string; storageClass?: string; interval: string };
    monitor: string;
    priorityClassName: string | undefined;
    placement: PodPlacement | undefined;
    logging: LogSettings | undefined;
}

/** Applies the defaults. */
export function resolvePushgatewayArgs(name: string, args: PushgatewayArgs): PushgatewayInput {
    const p = args.persistence ?? {};
    const d = DEFAULTS.pushgateway.persistence;
    return {
        name,
        instance: name,
        namespace: args.namespace,
        resources: args.resources ?? DEFAULTS.pushgateway.resources,
        persistence: {
            enabled: p.enabled ?? d.enabled,
            size: p.size ?? d.size,
            interval: p.interval ?? d.interval,
            ...(p.storageClass !== undefined ? { storageClass: p.storageClass } : {}),
        },
        monitor: args.monitor ?? PROMETHEUS.defaultMonitor,
        priorityClassName: args.priorityClassName,
        placement: args.placement,
        logging: args.logging,
    };
}

/** Problems with the resolved arguments. */
export function pushgatewayProblems(i: PushgatewayInput): string[] {
    const problems: string[] = [];
    if (!isQuantity(i.persistence.size)) problems.push(`persistence.size: must be a Kubernetes quantity like 2Gi, got ${JSON.stringify(i.persistence.size)}`);
    if (!isDuration(i.persistence.interval)) problems.push(`persistence.interval: must be a Prometheus duration like 5m, got ${JSON.stringify(i.persistence.interval)}`);
    problems.push(...placementProblems(i.placement), ...loggingProblems(i.logging));
    return problems;
}

function meta(i: PushgatewayInput, name = i.name) {
    return objectMeta({ name, namespace: i.namespace, component: COMPONENT, instance: i.instance });
}

/** The Deployment: one replica, Recreate, admin API off (pure). */
export function buildPushgatewayDeployment(i: PushgatewayInput): DeploymentObject {
    const args = [
        `--web.listen-address=:${PORTS.pushgatewayHttp}`,
        ...(i.logging?.level !== undefined ? [`--log.level=${i.logging.level}`] : []),
        ...(i.logging?.format !== undefined ? [`--log.format=${i.logging.format}`] : []),
    ];
    const volumes: Volume[] = [];
    const mounts: VolumeMount[] = [];
    if (i.persistence.enabled) {
        args.push(`--persistence.file=${PUSHGATEWAY_PERSISTENCE_FILE}`, `--persistence.interval=${i.persistence.interval}`);
        volumes.push({ name: "data", persistentVolumeClaim: { claimName: i.name } });
        mounts.push({ name: "data", mountPath: PUSHGATEWAY_DATA_PATH });
    }
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta(i),
        spec: {
            // Exactly one: two replicas would each hold a different part of the pushed metrics.
            replicas: 1,
            strategy: { type: "Recreate" },
            revisionHistoryLimit: 3,
            selector: { matchLabels: selectorLabels(COMPONENT, i.instance) },
            template: {
                metadata: { labels: standardLabels(COMPONENT, i.instance) },
                spec: placedPodSpec({
                    serviceAccountName: i.name,
                    automountServiceAccountToken: false,
                    ...podPriority(i.priorityClassName),
                    securityContext: podSecurityContext(),
                    containers: [
                        {
                            name: COMPONENT,
                            image: IMAGES.pushgateway,
                            imagePullPolicy: "IfNotPresent",
                            // No --web.enable-admin-api and no --web.enable-lifecycle: neither API is reachable.
                            args,
                            ports: [{ name: PROMETHEUS.portNames.pushgateway, containerPort: PORTS.pushgatewayHttp, protocol: "TCP" }],
                            env: [goMemLimitEnv(i.resources.limits.memory)],
                            resources: containerResources(i.resources),
                            securityContext: containerSecurityContext(),
                            ...healthProbes(PROMETHEUS.portNames.pushgateway),
                            ...(mounts.length > 0 ? { volumeMounts: mounts } : {}),
                        },
                    ],
                    ...(volumes.length > 0 ? { volumes } : {}),
                }, i.placement),
            },
        },
    };
}

/** The PersistentVolumeClaim of the cache (only with persistence). */
export function buildPushgatewayPvc(i: PushgatewayInput): PvcObject {
    return {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: meta(i),
        spec: {
            accessModes: ["ReadWriteOnce"],
            ...(i.persistence.storageClass !== undefined ? { storageClassName: i.persistence.storageClass } : {}),
            resources: { requests: { storage: i.persistence.size } },
        },
    };
}

/** The Service jobs push to. */
export function buildPushgatewayService(i: PushgatewayInput): ServiceObject {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: meta(i),
        spec: {
            type: "ClusterIP",
            selector: selectorLabels(COMPONENT, i.instance),
            ports: [{ name: PROMETHEUS.portNames.pushgateway, port: PORTS.pushgatewayHttp, targetPort: PROMETHEUS.portNames.pushgateway, protocol: "TCP" }],
        },
    };
}

/** The dedicated ServiceAccount (no token: the Pushgateway never talks to the API). */
export function buildPushgatewayServiceAccount(i: PushgatewayInput): ServiceAccountObject {
    return { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(i), automountServiceAccountToken: false };
}

/** The ServiceMonitor: `honorLabels: true`, so the pushed `job` and `instance` labels are kept. */
export function buildPushgatewayServiceMonitor(i: PushgatewayInput): ServiceMonitorObject {
    return buildServiceMonitor({
        name: i.name,
        namespace: i.namespace,
        instance: i.instance,
        monitor: i.monitor,
        spec: {
            selector: { matchLabels: selectorLabels(COMPONENT, i.instance) },
            endpoints: [{ port: PROMETHEUS.portNames.pushgateway, honorLabels: true }],
        },
    });
}

/** The Pushgateway. */
export class Pushgateway extends pulumi.ComponentResource {
    /** Name of the Service. */
    public readonly serviceName: string;
    /** URL jobs push to (`http://<service>.<ns>.svc:9091`). */
    public readonly url: string;

    constructor(name: string, args: PushgatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:Pushgateway", name, {}, opts);
        const input = resolvePushgatewayArgs(name, args);
        const problems = pushgatewayProblems(input);
        refuseProblems("Pushgateway", problems);
        this.serviceName = input.name;
        this.url = `http://${input.name}.${input.namespace}.svc:${PORTS.pushgatewayHttp}`;

        const child = childOptions(this, opts);
        new ServiceAccount(`${name}-serviceaccount`, buildPushgatewayServiceAccount(input), child);
        if (input.persistence.enabled) new PersistentVolumeClaim(`${name}-pvc`, buildPushgatewayPvc(input), child);
        new Deployment(`${name}-deployment`, kubeArgs<DeploymentArgs>(buildPushgatewayDeployment(input)), child);
        new Service(`${name}-service`, buildPushgatewayService(input), child);
        new CustomResource(`${name}-servicemonitor`, buildPushgatewayServiceMonitor(input), child);
        this.registerOutputs({ serviceName: this.serviceName, url: this.url });
    }
}
