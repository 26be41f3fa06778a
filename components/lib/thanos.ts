/**
 * Shared pure helpers for the Thanos containers we write ourselves (store gateway, querier,
 * query-frontend, compactor): flag rendering, ports, probes, the objstore mount, the Go memory limit
 * and the pod baseline. Components compose these so every Thanos pod looks the same.
 */
import type { Container, ContainerPort, EnvVar, PodSpec, ServiceAccount, ServicePort, Service, Volume, VolumeMount } from "kubernetes-types/core/v1";
import type { Deployment } from "kubernetes-types/apps/v1";
import type { ObjectMeta } from "kubernetes-types/meta/v1";
import { IMAGES, PORTS, THANOS } from "../constants";
import type { ResourceRequirements } from "../defaults";
import { OBJSTORE_MOUNT_PATH, serviceFqdn, type ObjstoreSecretRef } from "./contracts";
import { objectMeta, selectorLabels, standardLabels } from "./meta";
import {
    containerResources,
    containerSecurityContext,
    goMemLimitEnv,
    healthProbes,
    hostnameAntiAffinity,
    podPriority,
    podSecurityContext,
    scratchVolume,
    THANOS_TERMINATION_GRACE_SECONDS,
    zoneSpread,
} from "./pod";
import { loggingProblems, placedPodSpec, placementProblems, thanosLogFlags, type LogSettings, type PodPlacement, type PodSettingsArgs } from "./placement";
import { parseQuantity } from "./quantity";

/**
 * A `kubernetes-types` object as the Args of the matching `@pulumi/kubernetes` resource. The two type
 * families describe the same API objects but disagree on which nested fields are optional, so the
 * builders stay typed with `kubernetes-types` and this is the one place that bridges them.
 */
export function kubeArgs<A>(object: { apiVersion?: string; kind?: string }): A {
    return object as unknown as A;
}

/** A flag value: `true` renders a bare boolean flag, `false`/`undefined` omit the flag. */
export type FlagValue = string | number | boolean | undefined;

/** One flag as `--name=value` (or `--name` for `true`); `undefined` when the value is `undefined` or `false`. */
export function flag(name: string, value: FlagValue): string | undefined {
    if (value === undefined || value === false) return undefined;
    if (value === true) return `--${name}`;
    return `--${name}=${value}`;
}

/** The container args of a Thanos subcommand: the subcommand, then every present flag in order. */
export function thanosArgs(subcommand: string, flags: Array<string | undefined>): string[] {
    return [subcommand, ...flags.filter((f): f is string => f !== undefined)];
}

/** `--log.format` (and `--log.level` when not the default), `--http-address` / `--grpc-address` (gRPC only for StoreAPI servers). */
export function commonFlags(opts: { grpc: boolean; logging?: LogSettings | undefined }): Array<string | undefined> {
    return [
        ...thanosLogFlags(opts.logging),
        flag("http-address", `0.0.0.0:${PORTS.thanosHttp}`),
        opts.grpc ? flag("grpc-address", `0.0.0.0:${PORTS.thanosGrpc}`) : undefined,
    ];
}

/** Container ports: http 10902, and grpc 10901 for StoreAPI servers. */
export function thanosContainerPorts(grpc: boolean): ContainerPort[] {
    const ports: ContainerPort[] = [{ name: THANOS.portNames.http, containerPort: PORTS.thanosHttp, protocol: "TCP" }];
    if (grpc) ports.push({ name: THANOS.portNames.grpc, containerPort: PORTS.thanosGrpc, protocol: "TCP" });
    return ports;
}

/** Service ports matching {@link thanosContainerPorts}. */
export function thanosServicePorts(grpc: boolean): ServicePort[] {
    const ports: ServicePort[] = [{ name: THANOS.portNames.http, port: PORTS.thanosHttp, targetPort: THANOS.portNames.http, protocol: "TCP" }];
    if (grpc) ports.push({ name: THANOS.portNames.grpc, port: PORTS.thanosGrpc, targetPort: THANOS.portNames.grpc, protocol: "TCP" });
    return ports;
}

/** Name of the objstore Secret volume. */
export const OBJSTORE_VOLUME = "objstore";
/** Name of the scratch volume mounted at /tmp. */
export const TMP_VOLUME = "tmp";
/** Name of the data volume (PVC template or emptyDir) mounted at `--data-dir`. */
export const DATA_VOLUME = "data";

/** The objstore Secret as a volume (only the objstore key is projected). */
export function objstoreVolume(secret: ObjstoreSecretRef): Volume {
    return { name: OBJSTORE_VOLUME, secret: { secretName: secret.name, items: [{ key: secret.key, path: secret.key }] } };
}

/** Read-only mount of the objstore Secret. */
export function objstoreMount(): VolumeMount {
    return { name: OBJSTORE_VOLUME, mountPath: OBJSTORE_MOUNT_PATH, readOnly: true };
}

/** `--objstore.config-file` pointing at the mounted Secret key. */
export function objstoreFlag(secret: ObjstoreSecretRef): string | undefined {
    return flag("objstore.config-file", `${OBJSTORE_MOUNT_PATH}/${secret.key}`);
}

/** Mount of the data volume at {@link THANOS.dataPath}. */
export function dataMount(): VolumeMount {
    return { name: DATA_VOLUME, mountPath: THANOS.dataPath };
}

/** The Go memory limit for a container: GOMEMLIMIT derived from the memory limit. */
export function thanosEnv(resources: ResourceRequirements): EnvVar[] {
    return [goMemLimitEnv(resources.limits.memory)];
}

/** Memory limit of a container in bytes. */
export function memoryLimitBytes(resources: ResourceRequirements): number {
    const bytes = parseQuantity(resources.limits.memory);
    if (bytes === undefined) throw new Error(`invalid memory limit ${resources.limits.memory}`);
    return bytes;
}

/**
 * A byte size in Thanos' flag syntax (base-2 units: Thanos reads `MB` as MiB), rounded down to whole MiB,
 * never below 1MB.
 */
export function thanosBytes(bytes: number): string {
    return `${Math.max(1, Math.floor(bytes / 1024 ** 2))}MB`;
}

/** CPU quantity in whole cores, rounded down, at least 1 (for concurrency flags). */
export function wholeCores(cpu: string): number {
    const cores = parseQuantity(cpu);
    return Math.max(1, Math.floor(cores ?? 1));
}

/** Input of `thanosContainer`. */
export interface ThanosContainerInput {
    /** Container name. */
    name: string;
    /** Container args (subcommand first). */
    args: string[];
    /** Requests and limits; GOMEMLIMIT comes from the memory limit. */
    resources: ResourceRequirements;
    /** Whether the container serves gRPC (StoreAPI). */
    grpc: boolean;
    /** Extra mounts besides /tmp. */
    volumeMounts?: VolumeMount[];
    /** When set, a startup probe gives the container this long to become healthy. */
    slowStartSeconds?: number;
    /**
     * When set, a terminating pod keeps running this long before SIGTERM (a `preStop` sleep): it is out of its
     * Services' endpoints at once, and what is in flight finishes (Thanos cancels everything in flight on SIGTERM).
     */
    drainSeconds?: number;
}

/** A Thanos container with the baseline: pinned image, ports, probes, security context, resources, GOMEMLIMIT. */
export function thanosContainer(c: ThanosContainerInput): Container {
    return {
        name: c.name,
        image: IMAGES.thanos,
        imagePullPolicy: "IfNotPresent",
        args: c.args,
        env: thanosEnv(c.resources),
        ports: thanosContainerPorts(c.grpc),
        ...healthProbes(THANOS.portNames.http, c.slowStartSeconds !== undefined ? { slowStartSeconds: c.slowStartSeconds } : {}),
        resources: containerResources(c.resources),
        securityContext: containerSecurityContext(),
        volumeMounts: [{ name: TMP_VOLUME, mountPath: THANOS.tmpPath }, ...(c.volumeMounts ?? [])],
        ...(c.drainSeconds !== undefined ? { lifecycle: { preStop: { sleep: { seconds: c.drainSeconds } } } } : {}),
        terminationMessagePolicy: "FallbackToLogsOnError",
    };
}

/** Input of `thanosPodSpec`. */
export interface ThanosPodInput {
    /** ServiceAccount of the pod. */
    serviceAccountName: string;
    /** The containers. */
    containers: Container[];
    /** Extra volumes besides /tmp. */
    volumes?: Volume[];
    /** Affinity (anti-affinity for replicated components). */
    affinity?: PodSpec["affinity"];
    /** Topology spread constraints (zone spread for replicated components). */
    topologySpreadConstraints?: PodSpec["topologySpreadConstraints"];
    /** PriorityClass of the pod (see `PodPriorityArgs` in lib/pod.ts); none when unset. */
    priorityClassName?: string | undefined;
    /** Node selector, tolerations, node affinity, pull Secrets and image mirror (lib/placement.ts); none when unset. */
    placement?: PodPlacement | undefined;
}

/**
 * A pod spec with the baseline: restricted security context, no API token, grace period >= 120 s, a
 * scratch emptyDir at /tmp.
 */
export function thanosPodSpec(p: ThanosPodInput): PodSpec {
    const spec: PodSpec = {
        serviceAccountName: p.serviceAccountName,
        automountServiceAccountToken: false,
        ...podPriority(p.priorityClassName),
        securityContext: podSecurityContext(),
        terminationGracePeriodSeconds: THANOS_TERMINATION_GRACE_SECONDS,
        containers: p.containers,
        volumes: [scratchVolume(TMP_VOLUME), ...(p.volumes ?? [])],
    };
    if (p.affinity !== undefined) spec.affinity = p.affinity;
    if (p.topologySpreadConstraints !== undefined) spec.topologySpreadConstraints = p.topologySpreadConstraints;
    return placedPodSpec(spec, p.placement);
}

/** A dedicated ServiceAccount that mounts no API token. */
export function buildServiceAccount(metadata: ObjectMeta): ServiceAccount {
    return { apiVersion: "v1", kind: "ServiceAccount", metadata, automountServiceAccountToken: false };
}

/** A Service (headless when `headless`) in front of Thanos pods. */
export function buildThanosService(opts: {
    name: string;
    namespace: string;
    component: string;
    instance: string;
    selector: Record<string, string>;
    grpc: boolean;
    headless: boolean;
    /**
     * Headless only: DNS answers with every pod, Ready or not (`publishNotReadyAddresses`), so a pod that is
     * terminating but still draining stays dialable by its name.
     * @default false
     */
    publishNotReady?: boolean;
}): Service {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: objectMeta({ name: opts.name, namespace: opts.namespace, component: opts.component, instance: opts.instance }),
        spec: {
            ...(opts.headless ? { clusterIP: "None", publishNotReadyAddresses: opts.publishNotReady ?? false } : { type: "ClusterIP" }),
            selector: opts.selector,
            ports: thanosServicePorts(opts.grpc),
        },
    };
}

/** The StoreAPI DNS SRV address of a headless Service (`dnssrv+_grpc._tcp.<fqdn>`). */
export function storeApiSrvAddress(serviceFqdnName: string): string {
    return `dnssrv+_${THANOS.portNames.grpc}._tcp.${serviceFqdnName}`;
}

/** A replicated, stateless Thanos component (querier, query-frontend). */
export interface ThanosDeploymentInput {
    name: string;
    namespace: string;
    /** Component label value (`THANOS.componentNames.*`). */
    component: string;
    replicas: number;
    priorityClassName?: string;
    placement?: PodPlacement | undefined;
    container: ThanosContainerInput;
    volumes?: Volume[];
}

/**
 * The Deployment of a stateless Thanos component: surge-only rolling updates (never below the
 * configured replicas), hostname anti-affinity, zone spread, its own ServiceAccount (named after it).
 */
export function buildThanosDeployment(d: ThanosDeploymentInput): Deployment {
    const selector = selectorLabels(d.component, d.name);
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: objectMeta({ name: d.name, namespace: d.namespace, component: d.component, instance: d.name }),
        spec: {
            replicas: d.replicas,
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            selector: { matchLabels: selector },
            template: {
                metadata: { labels: standardLabels(d.component, d.name) },
                spec: thanosPodSpec({
                    serviceAccountName: d.name,
                    priorityClassName: d.priorityClassName,
                    placement: d.placement,
                    affinity: hostnameAntiAffinity(selector),
                    topologySpreadConstraints: zoneSpread(selector),
                    containers: [thanosContainer(d.container)],
                    ...(d.volumes && d.volumes.length > 0 ? { volumes: d.volumes } : {}),
                }),
            },
        },
    };
}

/** In-cluster HTTP URL of a Thanos component's Service. */
export function thanosHttpUrl(name: string, namespace: string): string {
    return `http://${serviceFqdn(name, namespace)}:${PORTS.thanosHttp}`;
}

/** Extra flags of a Thanos component the stack runs (defined once; every such component's options extend it). */
export interface ThanosExtraArgs {
    /**
     * Flags added after the ones the stack sets (`--name` or `--name=value`), for what the stack has no setting
     * for. A flag the stack sets itself is refused; the configuration and the policy pack check each against
     * the flags of the pinned Thanos version.
     * @default []
     */
    extraArgs?: string[];
}

/** Extra args as the Operator's `additionalArgs` (the name without the dashes, the value when given). */
export function operatorAdditionalArgs(extraArgs: readonly string[]): Array<{ name: string; value?: string }> {
    return extraArgs.map((a) => {
        const eq = a.indexOf("=");
        return eq === -1 ? { name: a.slice(2) } : { name: a.slice(2, eq), value: a.slice(eq + 1) };
    });
}

/** The flag names (`--name`) of container args. */
function flagNames(args: readonly string[]): Set<string> {
    return new Set(args.filter((a) => a.startsWith("--")).map((a) => a.split("=")[0]!));
}

/** The args the stack builds with the user's extra args after them. */
export function withExtraArgs(args: string[], extraArgs: readonly string[] | undefined): string[] {
    return [...args, ...(extraArgs ?? [])];
}

/**
 * Problems of a component's extra args, one line each: each must be one `--flag` or `--flag=value`, and not a
 * flag the stack sets itself (`managed`: the args it builds; set through the component's own setting instead)
 * or keeps for itself even where it does not set it (`reserved`: what decides which blocks a component owns).
 * Whether a flag exists in the pinned Thanos version is the flag checker's (the configuration and the policy pack).
 */
export function extraArgsProblems(extraArgs: readonly string[] | undefined, managed: readonly string[], key: string, reserved: readonly string[] = []): string[] {
    const taken = new Set([...flagNames(managed), ...reserved]);
    return (extraArgs ?? []).flatMap((a, i) => {
        if (!/^--[a-z0-9][a-z0-9.-]*(=.*)?$/s.test(a)) return [`${key}[${i}]: must be one flag, --name or --name=value, got ${JSON.stringify(a)}`];
        const name = a.split("=")[0]!;
        return taken.has(name) ? [`${key}[${i}]: ${name} is set by the stack (use the component's own setting), got ${JSON.stringify(a)}`] : [];
    });
}

/** Problems of a Thanos component's pod settings and extra args (`managed`: the args the stack builds), prefixed with the component. */
export function thanosSettingsProblems(component: string, args: PodSettingsArgs & ThanosExtraArgs, managed: readonly string[], reserved: readonly string[] = []): string[] {
    return [...placementProblems(args.placement), ...loggingProblems(args.logging), ...extraArgsProblems(args.extraArgs, managed, "extraArgs", reserved)].map((p) => `${component} ${p}`);
}
