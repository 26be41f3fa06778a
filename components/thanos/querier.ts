/**
 * ThanosQuerier: the PromQL engine over every StoreAPI of the stack.
 *
 * Endpoints come only from `--endpoint.sd-config-file` (YAML `endpoints: [{address, group}]`, the v0.42
 * format), a ConfigMap the querier re-reads every `endpointReloadInterval`: adding a store shard or a remote
 * cluster changes the ConfigMap, not the Deployment, so no querier restarts. The deprecated `--endpoint*` flags
 * and the removed `--store` are never used. A group endpoint
 * is one set of replicas holding the same data (the replicas of a store shard): the querier
 * load-balances across it instead of fanning out. Deduplication happens at query time on
 * `--query.replica-label`, which must name every producer's replica label (see invariants.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { Deployment as K8sDeployment, type DeploymentArgs } from "@pulumi/kubernetes/apps/v1";
import { ConfigMap as K8sConfigMap, type ConfigMapArgs, Service as K8sService, ServiceAccount as K8sServiceAccount } from "@pulumi/kubernetes/core/v1";
import { PodDisruptionBudget as K8sPdb } from "@pulumi/kubernetes/policy/v1";
import type { Deployment } from "kubernetes-types/apps/v1";
import type { ConfigMap, Volume, VolumeMount } from "kubernetes-types/core/v1";
import { stringify } from "yaml";
import { createHash } from "crypto";
import { MULTI_CLUSTER, THANOS } from "../constants";
import { DEFAULTS, type ResourceRequirements } from "../defaults";
import type { StoreEndpoint } from "../lib/contracts";
import { isDuration } from "../lib/duration";
import { objectMeta, selectorLabels } from "../lib/meta";
import { podDisruptionBudget, type PodPriorityArgs } from "../lib/pod";
import { withDependencies } from "../lib/options";
import { childOptions, refuseProblems } from "../lib/providers";
import type { LogSettings, PodPlacement, PodSettingsArgs } from "../lib/placement";
import { buildServiceAccount, buildThanosDeployment, buildThanosService, commonFlags, flag, kubeArgs, thanosArgs, thanosHttpUrl, thanosSettingsProblems, withExtraArgs, type ThanosExtraArgs } from "../lib/thanos";

/** Settings of the querier that a ThanosStack passes through (the stack supplies namespace, endpoints, replica labels and priority). */
export interface QuerierOptions extends ThanosExtraArgs, PodSettingsArgs {
    /**
     * StoreAPIs known only at deployment time (e.g. remote collectors read from other stacks' outputs through
     * StackReferences), appended to `endpoints` in the endpoint file (`--endpoint.sd-config-file`).
     * @default none
     */
    remoteEndpoints?: pulumi.Input<StoreEndpoint[]>;
    /**
     * Querier replicas.
     * @default 2
     */
    replicas?: number;
    /**
     * Container resources.
     * @default requests 500m / 1Gi, limit 2Gi
     */
    resources?: ResourceRequirements;
    /**
     * `--query.timeout`.
     * @default "2m"
     */
    timeout?: string;
    /**
     * `--store.response-timeout`: a StoreAPI slower than this is left out (partial response).
     * @default "1m"
     */
    storeResponseTimeout?: string;
    /**
     * `--query.max-concurrent`.
     * @default 20
     */
    maxConcurrent?: number;
    /**
     * `--endpoint.sd-config-reload-interval`: how often the endpoint file (a ConfigMap) is re-read.
     * @default "30s"
     */
    endpointReloadInterval?: string;
    /**
     * A revision of the StoreAPIs that go away when they change (the stack passes its store gateway layout: the
     * shard and partition StatefulSets). It names the endpoint ConfigMap (`<name>-endpoints-<hash>`), so a change
     * is a new ConfigMap and a roll of the querier pods once the new StoreAPIs run (give the querier `dependsOn`
     * on them): each new pod starts on the new endpoints and is Ready once it has connected to them, while the old
     * pods keep their unchanged file and the old StoreAPIs until they stop; the old ConfigMap and StoreAPIs are
     * deleted after the roll. Other endpoint changes update the same ConfigMap, re-read without a restart.
     * @default none (one ConfigMap `<name>-endpoints`; endpoint changes never roll the pods)
     */
    storeLayoutRevision?: string;
}

/** Arguments of `ThanosQuerier`. */
export interface ThanosQuerierArgs extends QuerierOptions, PodPriorityArgs {
    /** Namespace of every object. */
    namespace: string;
    /** Every StoreAPI to query (sidecars, store shards, rulers, remote clusters), generated from the stack. */
    endpoints: StoreEndpoint[];
    /** Replica labels to deduplicate on: every producer's replica label (Prometheus and ruler). */
    replicaLabels: string[];
}

/** The fully defaulted querier. */
export interface QuerierPlan {
    name: string;
    namespace: string;
    endpoints: StoreEndpoint[];
    replicaLabels: string[];
    replicas: number;
    resources: ResourceRequirements;
    timeout: string;
    storeResponseTimeout: string;
    maxConcurrent: number;
    endpointReloadInterval: string;
    storeLayoutRevision: string | undefined;
    priorityClassName: string | undefined;
    placement: PodPlacement | undefined;
    logging: LogSettings | undefined;
    extraArgs: string[];
}

/** Applies the defaults. */
export function querierPlan(name: string, args: ThanosQuerierArgs): QuerierPlan {
    return {
        name,
        namespace: args.namespace,
        endpoints: args.endpoints,
        replicaLabels: args.replicaLabels,
        replicas: args.replicas ?? DEFAULTS.querier.replicas,
        resources: args.resources ?? DEFAULTS.querier.resources,
        timeout: args.timeout ?? DEFAULTS.querier.timeout,
        storeResponseTimeout: args.storeResponseTimeout ?? DEFAULTS.querier.storeResponseTimeout,
        maxConcurrent: args.maxConcurrent ?? DEFAULTS.querier.maxConcurrent,
        endpointReloadInterval: args.endpointReloadInterval ?? DEFAULTS.querier.endpointReloadInterval,
        storeLayoutRevision: args.storeLayoutRevision,
        priorityClassName: args.priorityClassName,
        placement: args.placement,
        logging: args.logging,
        extraArgs: args.extraArgs ?? [],
    };
}

/** Validation of the Args, one line per problem. */
export function querierProblems(args: ThanosQuerierArgs): string[] {
    const problems: string[] = [];
    if (args.endpoints.length === 0) problems.push("ThanosQuerier endpoints: must list at least one StoreAPI, got []");
    const seen = new Set<string>();
    for (const [i, e] of args.endpoints.entries()) {
        if (e.address.trim() === "") problems.push(`ThanosQuerier endpoints[${i}].address: must be non-empty, got "${e.address}"`);
        if (seen.has(e.address)) problems.push(`ThanosQuerier endpoints[${i}].address: must be unique, got "${e.address}" twice`);
        seen.add(e.address);
        if (e.strict === true && /^[a-z]+\+/.test(e.address)) {
            problems.push(`ThanosQuerier endpoints[${i}].strict: a strict endpoint must be a static host:port (Thanos refuses strict service discovery), got "${e.address}"`);
        }
    }
    if (args.replicaLabels.length === 0) problems.push("ThanosQuerier replicaLabels: must name every producer's replica label, got []");
    for (const [key, v] of [["timeout", args.timeout], ["storeResponseTimeout", args.storeResponseTimeout], ["endpointReloadInterval", args.endpointReloadInterval]] as const) {
        if (v !== undefined && !isDuration(v)) problems.push(`ThanosQuerier ${key}: must be a duration like 2m, got "${v}"`);
    }
    if (args.replicas !== undefined && (!Number.isInteger(args.replicas) || args.replicas < 1)) problems.push(`ThanosQuerier replicas: must be an integer >= 1, got ${args.replicas}`);
    if (args.maxConcurrent !== undefined && (!Number.isInteger(args.maxConcurrent) || args.maxConcurrent < 1)) {
        problems.push(`ThanosQuerier maxConcurrent: must be an integer >= 1, got ${args.maxConcurrent}`);
    }
    problems.push(...thanosSettingsProblems("ThanosQuerier", args, managedQuerierArgs(querierPlan("querier", args)), QUERIER_RESERVED_FLAGS));
    return problems;
}

/** Flags that decide what the querier reaches and deduplicates: the stack's endpoints and replica labels own them. */
const QUERIER_RESERVED_FLAGS = ["--endpoint", "--endpoint-group", "--endpoint-strict", "--endpoint-group-strict", "--endpoint.sd-config", "--store", "--query.replica-label"];

/** Where the querier reads the CA bundle of an endpoint's TLS (`<mount>/<secret>/ca.crt`). */
export function endpointCaFile(secretName: string): string {
    return `${MULTI_CLUSTER.endpointCaMountPath}/${secretName}/ca.crt`;
}

/**
 * The `--endpoint.sd-config` document: `endpoints: [{address, group, strict}]`, plus a per-endpoint `client_config`
 * (`tls_config`, `server_name`; Thanos v0.42 format) for endpoints with TLS.
 */
export function endpointSdConfig(endpoints: readonly StoreEndpoint[]): string {
    return stringify(
        {
            endpoints: endpoints.map((e) => ({
                address: e.address,
                group: e.group,
                ...(e.strict === true ? { strict: true } : {}),
                ...(e.tls
                    ? {
                          client_config: {
                              tls_config: { enabled: true, ...(e.tls.caSecretName !== undefined ? { ca_file: endpointCaFile(e.tls.caSecretName) } : {}) },
                              ...(e.tls.serverName !== undefined ? { server_name: e.tls.serverName } : {}),
                          },
                      }
                    : {}),
            })),
        },
        { lineWidth: 0 },
    );
}

/** The CA Secrets of the endpoints' TLS settings, as volumes and read-only mounts (one per distinct Secret). */
export function endpointCaVolumes(endpoints: readonly StoreEndpoint[]): { volumes: Volume[]; mounts: VolumeMount[] } {
    const secrets = [...new Set(endpoints.flatMap((e) => (e.tls?.caSecretName !== undefined ? [e.tls.caSecretName] : [])))].sort();
    return {
        volumes: secrets.map((s, i) => ({ name: `endpoint-ca-${i}`, secret: { secretName: s, items: [{ key: "ca.crt", path: "ca.crt" }] } })),
        mounts: secrets.map((s, i) => ({ name: `endpoint-ca-${i}`, mountPath: `${MULTI_CLUSTER.endpointCaMountPath}/${s}`, readOnly: true })),
    };
}

/** Where the querier reads its endpoints: the ConfigMap {@link endpointsConfigMapName}, mounted as a directory (a `subPath` mount would never see an update). */
export const ENDPOINTS_FILE = { mountPath: "/etc/thanos/endpoints", key: "endpoints.yaml" } as const;

/** The ConfigMap of a querier's endpoints: named after the store layout revision, when there is one. */
export function endpointsConfigMapName(plan: Pick<QuerierPlan, "name" | "storeLayoutRevision">): string {
    const base = `${plan.name}-endpoints`;
    return plan.storeLayoutRevision === undefined ? base : `${base}-${createHash("sha256").update(plan.storeLayoutRevision).digest("hex").slice(0, 10)}`;
}

/** The ConfigMap holding the `--endpoint.sd-config-file` document. */
export function buildEndpointsConfigMap(plan: QuerierPlan, endpoints: readonly StoreEndpoint[] = plan.endpoints): ConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: objectMeta({ name: endpointsConfigMapName(plan), namespace: plan.namespace, component: THANOS.componentNames.query, instance: plan.name }),
        data: { [ENDPOINTS_FILE.key]: endpointSdConfig(endpoints) },
    };
}

/** The querier's container args. */
export function querierArgs(plan: QuerierPlan): string[] {
    return withExtraArgs(managedQuerierArgs(plan), plan.extraArgs);
}

/** The args the stack sets. */
function managedQuerierArgs(plan: QuerierPlan): string[] {
    return thanosArgs("query", [
        ...commonFlags({ grpc: true, logging: plan.logging }),
        flag("endpoint.sd-config-file", `${ENDPOINTS_FILE.mountPath}/${ENDPOINTS_FILE.key}`),
        flag("endpoint.sd-config-reload-interval", plan.endpointReloadInterval),
        ...plan.replicaLabels.map((l) => flag("query.replica-label", l)),
        flag("query.auto-downsampling", true),
        flag("query.partial-response", true),
        flag("query.timeout", plan.timeout),
        flag("store.response-timeout", plan.storeResponseTimeout),
        flag("query.max-concurrent", plan.maxConcurrent),
    ]);
}

/** The querier Deployment (the CA Secrets of TLS endpoints, `endpoints` with remote ones included, are mounted too). */
export function buildQuerierDeployment(plan: QuerierPlan, endpoints: readonly StoreEndpoint[] = plan.endpoints): Deployment {
    const ca = endpointCaVolumes(endpoints);
    const file = { name: "endpoints", mountPath: ENDPOINTS_FILE.mountPath, readOnly: true };
    return buildThanosDeployment({
        name: plan.name,
        namespace: plan.namespace,
        component: THANOS.componentNames.query,
        replicas: plan.replicas,
        priorityClassName: plan.priorityClassName,
        placement: plan.placement,
        container: { name: "thanos-query", args: querierArgs(plan), resources: plan.resources, grpc: true, volumeMounts: [file, ...ca.mounts], drainSeconds: DEFAULTS.querier.drainSeconds },
        volumes: [{ name: file.name, configMap: { name: endpointsConfigMapName(plan) } }, ...ca.volumes],
    });
}

/** In-cluster HTTP URL of a querier Service. */
export const querierUrl = thanosHttpUrl;

/** The Thanos querier. It gets no bucket access: a dedicated ServiceAccount without IAM role. */
export class ThanosQuerier extends pulumi.ComponentResource {
    /** Kubernetes name of the Service. */
    public readonly serviceName: string;
    /** HTTP URL of the querier inside the cluster. */
    public readonly url: string;

    constructor(name: string, args: ThanosQuerierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:ThanosQuerier", name, args, opts);
        const problems = querierProblems(args);
        refuseProblems("ThanosQuerier", problems);
        const plan = querierPlan(name, args);
        this.serviceName = name;
        this.url = querierUrl(name, plan.namespace);

        const component = THANOS.componentNames.query;
        const meta = objectMeta({ name, namespace: plan.namespace, component, instance: name });
        const selector = selectorLabels(component, name);
        new K8sServiceAccount(`${name}-sa`, buildServiceAccount(meta), childOptions(this, opts));
        new K8sService(
            `${name}-service`,
            buildThanosService({ name, namespace: plan.namespace, component, instance: name, selector, grpc: true, headless: false }),
            childOptions(this, opts),
        );
        // Endpoints from other stacks resolve at deployment time: they are appended to the endpoint file, and the
        // Deployment mounts their CA Secrets (a new CA is the only endpoint change that rolls the querier).
        const remote = args.remoteEndpoints;
        const all = remote === undefined ? pulumi.output(plan.endpoints) : pulumi.output(remote).apply((r) => [...plan.endpoints, ...r]);
        const configMapArgs: Omit<ConfigMap, "data"> & { data: pulumi.Output<ConfigMap["data"]> } = { ...buildEndpointsConfigMap(plan), data: all.apply((e) => buildEndpointsConfigMap(plan, e).data) };
        const configMap = new K8sConfigMap(`${name}-endpoints`, kubeArgs<ConfigMapArgs>(configMapArgs), childOptions(this, opts));
        const deployment = buildQuerierDeployment(plan);
        const spec = remote === undefined ? deployment.spec : all.apply((e) => buildQuerierDeployment(plan, e).spec);
        const deploymentArgs: Omit<Deployment, "spec"> & { spec: Deployment["spec"] | pulumi.Output<Deployment["spec"]> } = { ...deployment, spec };
        // The file exists before the first querier starts (Thanos refuses to start without it).
        new K8sDeployment(`${name}-deployment`, kubeArgs<DeploymentArgs>(deploymentArgs), withDependencies(childOptions(this, opts), [configMap]));
        new K8sPdb(`${name}-pdb`, podDisruptionBudget(meta, selector), childOptions(this, opts));
        this.registerOutputs({ serviceName: this.serviceName, url: this.url });
    }
}
