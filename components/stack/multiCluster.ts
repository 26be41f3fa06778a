/**
 * Multi-cluster topologies: what each stack role deploys, how a collector cluster exposes its sidecars'
 * StoreAPI to the central cluster, and how the central querier turns remote collectors into endpoints.
 *
 * Every Prometheus pod holds different series (shards) or a different replica, so the central querier
 * must reach each sidecar on its own: an L4 load balancer in front of all of them would pin one gRPC
 * connection to one pod. A collector therefore exposes one address per pod, either an internal NLB per
 * pod (default; TLS optional, terminated by the sidecar) or one gRPC Ingress with a TLS host per pod.
 * Hostnames are `shard-<s>-replica-<r>.<domain>`, published by external-dns (NLB) or the Ingress.
 */
import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Service as K8sService } from "@pulumi/kubernetes/core/v1";
import { Ingress as K8sIngress } from "@pulumi/kubernetes/networking/v1";
import type { Service } from "kubernetes-types/core/v1";
import type { Ingress } from "kubernetes-types/networking/v1";
import type { ObjectMeta } from "kubernetes-types/meta/v1";
import { EXTERNAL_LABELS, INGRESS, MULTI_CLUSTER, PORTS, THANOS } from "../constants";
import type { BucketUser, EndpointTls, StoreEndpoint } from "../lib/contracts";
import type { ProducerPlan } from "./invariants";
import { objectMeta } from "../lib/meta";
import { childOptions, refuseProblems } from "../lib/providers";
import { kubeArgs } from "../lib/thanos";
import { prometheusPodSelector } from "../prometheus/shardedPrometheus";

/** The role of a stack: everything in one cluster, a remote scraping cluster, or the central read/maintenance cluster. */
export const StackRole = { All: "all", Collector: "collector", Central: "central" } as const;
/** The role of a stack: everything in one cluster, a remote scraping cluster, or the central read/maintenance cluster. */
export type StackRole = (typeof StackRole)[keyof typeof StackRole];
/** How a collector exposes its sidecars: an internal NLB per pod, or one gRPC Ingress with TLS. */
export const CollectorExposureType = { LoadBalancer: "loadBalancer", Ingress: "ingress" } as const;
/** How a collector exposes its sidecars: an internal NLB per pod, or one gRPC Ingress with TLS. */
export type CollectorExposureType = (typeof CollectorExposureType)[keyof typeof CollectorExposureType];

/** What a role deploys. */
export interface RoleParts {
    /** The sharded Prometheus (config `prometheus`). */
    prometheusShards: boolean;
    /** A one-shard Prometheus that scrapes only the central cluster itself. */
    selfScrapePrometheus: boolean;
    /** The Pushgateway (needs a Prometheus that scrapes it: only where shards run). */
    pushgateway: boolean;
    /** Grafana (its datasource is the query-frontend). */
    grafana: boolean;
    /** Store gateway, querier, query-frontend, compactor and ruler. */
    thanosReadPath: boolean;
    /** Whether the stack creates the bucket (exactly one stack per bucket does; collectors use it). */
    ownsBucket: boolean;
    /** The bucket users whose ServiceAccounts and IAM roles the stack creates. */
    bucketUsers: BucketUser[];
}

/**
 * What each role deploys (pure). The central cluster always runs its small self-scrape Prometheus: its compactor,
 * store gateways and ruler need a scraper for their alerts (a halted compactor must page someone).
 */
export function roleParts(role: StackRole): RoleParts {
    switch (role) {
        case "collector":
            return { prometheusShards: true, selfScrapePrometheus: false, pushgateway: true, grafana: false, thanosReadPath: false, ownsBucket: false, bucketUsers: ["prometheus"] };
        case "central":
            return {
                prometheusShards: false,
                selfScrapePrometheus: true,
                pushgateway: false,
                grafana: true,
                thanosReadPath: true,
                ownsBucket: true,
                bucketUsers: ["prometheus", "ruler", "storeGateway", "compactor"],
            };
        case "all":
            return { prometheusShards: true, selfScrapePrometheus: false, pushgateway: true, grafana: true, thanosReadPath: true, ownsBucket: true, bucketUsers: ["prometheus", "ruler", "storeGateway", "compactor"] };
    }
}

/** One pod of a `Prometheus` resource. */
export interface PrometheusPod {
    shard: number;
    replica: number;
    /** The pod name the Operator gives it (`prometheus-<name>[-shard-<s>]-<r>`). */
    podName: string;
}

/** Every pod of a `Prometheus` resource: the Operator names shard 0's StatefulSet `prometheus-<name>`, others `prometheus-<name>-shard-<s>`. */
export function prometheusPods(prometheusName: string, shards: number, replicas: number): PrometheusPod[] {
    const pods: PrometheusPod[] = [];
    for (let shard = 0; shard < shards; shard++) {
        const sts = shard === 0 ? `prometheus-${prometheusName}` : `prometheus-${prometheusName}-shard-${shard}`;
        for (let replica = 0; replica < replicas; replica++) pods.push({ shard, replica, podName: `${sts}-${replica}` });
    }
    return pods;
}

/** The public hostname of one collector pod's StoreAPI. */
export function collectorHostname(domain: string, pod: Pick<PrometheusPod, "shard" | "replica">): string {
    return `shard-${pod.shard}-replica-${pod.replica}.${domain}`;
}

/** How a collector exposes its sidecars, as set in a ThanosStack (the stack supplies namespace, Prometheus name, shards and replicas). */
export interface CollectorExposureSettings {
    /** DNS domain under which each pod gets `shard-<s>-replica-<r>.<domain>`. */
    domain: string;
    /**
     * `loadBalancer`: an internal AWS NLB per pod (AWS Load Balancer Controller, IP targets; names published
     * by external-dns). `ingress`: one gRPC Ingress with a TLS host per pod.
     * @default "loadBalancer"
     */
    type?: CollectorExposureType;
    /**
     * CIDRs allowed to reach the NLBs (the central cluster's VPC), `loadBalancer` only.
     * @default [] (the VPC)
     */
    sourceRanges?: string[];
    /**
     * IngressClass of the gRPC Ingress (`ingress` only; ingress-nginx annotations).
     * @default the cluster's default IngressClass
     */
    ingressClassName?: string;
    /**
     * cert-manager ClusterIssuer of the certificate. Required for `ingress` (the Ingress terminates TLS);
     * with `loadBalancer` the sidecars terminate TLS with it (a Certificate is created and mounted).
     * @default none: plaintext gRPC inside the private network (`loadBalancer` only)
     */
    clusterIssuer?: string;
}

/** Arguments of `CollectorExposure`. */
export interface CollectorExposureArgs extends CollectorExposureSettings {
    /** Namespace of the Prometheus resource. */
    namespace: string;
    /** Name of the `Prometheus` resource whose sidecars are exposed. */
    prometheusName: string;
    /** Shards of the Prometheus resource. */
    shards: number;
    /** Replicas per shard. */
    replicas: number;
}

/** One address a central querier dials to reach a collector pod. */
export interface CollectorEndpoint {
    /** `host:port` (static, so per-endpoint TLS applies). */
    address: string;
    /** Whether the endpoint speaks TLS. */
    tls: boolean;
}

/** Name of the `kubernetes.io/tls` Secret with the collector's certificate. */
export function collectorTlsSecretName(prometheusName: string): string {
    return `${prometheusName}-storeapi-tls`;
}

/** Name of the per-pod Service of one collector pod. */
export function collectorPodServiceName(prometheusName: string, pod: Pick<PrometheusPod, "shard" | "replica">): string {
    return `${prometheusName}-storeapi-${pod.shard}-${pod.replica}`;
}

const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

/** Problems with the Args, `CollectorExposure <arg>: <rule>, got <value>` each. */
export function collectorExposureProblems(args: CollectorExposureArgs): string[] {
    const problems: string[] = [];
    const show = (v: unknown) => JSON.stringify(v);
    if (!DOMAIN_RE.test(args.domain)) problems.push(`CollectorExposure domain: must be a lowercase DNS name with at least two labels, got ${show(args.domain)}`);
    const type = args.type ?? "loadBalancer";
    if (!(MULTI_CLUSTER.exposureTypes as readonly string[]).includes(type)) problems.push(`CollectorExposure type: must be one of ${MULTI_CLUSTER.exposureTypes.join(", ")}, got ${show(type)}`);
    if (type === "ingress" && !args.clusterIssuer) problems.push(`CollectorExposure clusterIssuer: is required with type ingress (gRPC through an Ingress needs TLS), got ${show(args.clusterIssuer)}`);
    if (type === "ingress" && (args.sourceRanges ?? []).length > 0) problems.push(`CollectorExposure sourceRanges: only applies to type loadBalancer, got ${show(args.sourceRanges)}`);
    for (const [i, cidr] of (args.sourceRanges ?? []).entries()) {
        if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) problems.push(`CollectorExposure sourceRanges[${i}]: must be an IPv4 CIDR like 10.0.0.0/16, got ${show(cidr)}`);
    }
    for (const key of ["shards", "replicas"] as const) {
        if (!Number.isInteger(args[key]) || args[key] < 1) problems.push(`CollectorExposure ${key}: must be an integer >= 1, got ${show(args[key])}`);
    }
    return problems;
}

/** The addresses a central querier dials, one per pod (pure). */
export function collectorEndpoints(args: CollectorExposureArgs): CollectorEndpoint[] {
    const type = args.type ?? "loadBalancer";
    const port = type === "ingress" ? INGRESS.httpsPort : PORTS.thanosGrpc;
    return prometheusPods(args.prometheusName, args.shards, args.replicas).map((pod) => ({
        address: `${collectorHostname(args.domain, pod)}:${port}`,
        tls: type === "ingress" || args.clusterIssuer !== undefined,
    }));
}

/** One Service per Prometheus pod, on the gRPC port: an internal NLB (`loadBalancer`) or a ClusterIP behind the Ingress. */
export function buildCollectorPodServices(args: CollectorExposureArgs, instance: string): Service[] {
    const type = args.type ?? "loadBalancer";
    return prometheusPods(args.prometheusName, args.shards, args.replicas).map((pod) => {
        const meta: ObjectMeta = objectMeta({
            name: collectorPodServiceName(args.prometheusName, pod),
            namespace: args.namespace,
            component: "prometheus",
            instance,
            ...(type === "loadBalancer"
                ? { annotations: { ...MULTI_CLUSTER.awsNlbAnnotations, [MULTI_CLUSTER.externalDnsHostnameAnnotation]: collectorHostname(args.domain, pod) } }
                : {}),
        });
        return {
            apiVersion: "v1",
            kind: "Service",
            metadata: meta,
            spec: {
                type: type === "loadBalancer" ? "LoadBalancer" : "ClusterIP",
                selector: { ...prometheusPodSelector(args.prometheusName), [MULTI_CLUSTER.podNameLabel]: pod.podName },
                ports: [{ name: THANOS.portNames.grpc, port: PORTS.thanosGrpc, targetPort: THANOS.portNames.grpc, protocol: "TCP" }],
                ...(type === "loadBalancer" && (args.sourceRanges ?? []).length > 0 ? { loadBalancerSourceRanges: [...(args.sourceRanges ?? [])] } : {}),
            },
        };
    });
}

/** The gRPC Ingress (`ingress` only): a TLS host per pod, certificate from the ClusterIssuer, plaintext gRPC to the sidecar. */
export function buildCollectorIngress(args: CollectorExposureArgs, instance: string): Ingress | undefined {
    if ((args.type ?? "loadBalancer") !== "ingress") return undefined;
    const pods = prometheusPods(args.prometheusName, args.shards, args.replicas);
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: objectMeta({
            name: `${args.prometheusName}-storeapi`,
            namespace: args.namespace,
            component: "prometheus",
            instance,
            annotations: { [INGRESS.nginx.backendProtocol]: "GRPC", [INGRESS.clusterIssuerAnnotation]: args.clusterIssuer ?? "" },
        }),
        spec: {
            ...(args.ingressClassName !== undefined ? { ingressClassName: args.ingressClassName } : {}),
            tls: [{ hosts: pods.map((p) => collectorHostname(args.domain, p)), secretName: collectorTlsSecretName(args.prometheusName) }],
            rules: pods.map((p) => ({
                host: collectorHostname(args.domain, p),
                http: {
                    paths: [
                        {
                            path: "/",
                            pathType: "Prefix",
                            backend: { service: { name: collectorPodServiceName(args.prometheusName, p), port: { name: THANOS.portNames.grpc } } },
                        },
                    ],
                },
            })),
        },
    };
}

/** A cert-manager `Certificate`. */
export interface CertificateObject {
    apiVersion: typeof INGRESS.certManagerApiVersion;
    kind: "Certificate";
    metadata: ObjectMeta;
    spec: { secretName: string; dnsNames: string[]; issuerRef: { kind: "ClusterIssuer"; name: string; group: "cert-manager.io" }; usages: string[] };
}

/** The sidecars' server certificate (`loadBalancer` with a ClusterIssuer): every pod's hostname, mounted by the sidecars. */
export function buildCollectorCertificate(args: CollectorExposureArgs, instance: string): CertificateObject | undefined {
    if ((args.type ?? "loadBalancer") !== "loadBalancer" || args.clusterIssuer === undefined) return undefined;
    return {
        apiVersion: INGRESS.certManagerApiVersion,
        kind: "Certificate",
        metadata: objectMeta({ name: collectorTlsSecretName(args.prometheusName), namespace: args.namespace, component: "prometheus", instance }),
        spec: {
            secretName: collectorTlsSecretName(args.prometheusName),
            dnsNames: prometheusPods(args.prometheusName, args.shards, args.replicas).map((p) => collectorHostname(args.domain, p)),
            issuerRef: { kind: "ClusterIssuer", name: args.clusterIssuer, group: "cert-manager.io" },
            usages: ["server auth", "digital signature", "key encipherment"],
        },
    };
}

/** Whether the sidecars themselves must serve TLS (an NLB passes TLS through to them). */
export function sidecarServesTls(args: Pick<CollectorExposureArgs, "type" | "clusterIssuer">): boolean {
    return (args.type ?? "loadBalancer") === "loadBalancer" && args.clusterIssuer !== undefined;
}

/** Exposes a collector's sidecars (every shard and replica) to a central querier in another cluster. */
export class CollectorExposure extends pulumi.ComponentResource {
    /** One StoreAPI address per Prometheus pod, for the central querier (the collector stack exports them). */
    public readonly endpoints: CollectorEndpoint[];

    constructor(name: string, args: CollectorExposureArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:CollectorExposure", name, {}, opts);
        const problems = collectorExposureProblems(args);
        refuseProblems("CollectorExposure", problems);
        this.endpoints = collectorEndpoints(args);
        const child = childOptions(this, opts);
        for (const svc of buildCollectorPodServices(args, name)) new K8sService(`${name}-${svc.metadata!.name!}`, kubeArgs(svc), child);
        const ingress = buildCollectorIngress(args, name);
        if (ingress) new K8sIngress(`${name}-ingress`, kubeArgs(ingress), child);
        const certificate = buildCollectorCertificate(args, name);
        if (certificate) new CustomResource(`${name}-certificate`, certificate, child);
        this.registerOutputs({ endpoints: this.endpoints });
    }
}

/** A remote collector as the central stack's configuration names it. */
export interface RemoteCollector {
    /** The collector's cluster name: its `cluster` external label. */
    name: string;
    /** One StoreAPI address per collector pod (`host:port`; `dns+`/`dnssrv+` only without TLS). */
    addresses: string[];
    /**
     * TLS towards the collector.
     * @default plaintext
     */
    tls?: EndpointTls;
}

const DYNAMIC_PREFIX = /^dns(srv)?(\+|noa\+)/;

/** Problems with the remote collectors, as `<key path>: <rule>, got <value>` (paths under `central.collectors`). */
export function remoteCollectorProblems(collectors: readonly RemoteCollector[], centralClusterName: string): Array<{ path: string[]; message: string; input: unknown }> {
    const problems: Array<{ path: string[]; message: string; input: unknown }> = [];
    const names = new Map<string, number>();
    const addresses = new Set<string>();
    collectors.forEach((c, i) => {
        const at = (...rest: string[]) => ["central", "collectors", String(i), ...rest];
        if (c.name === centralClusterName) problems.push({ path: at("name"), message: "must differ from cluster.name: the collector's blocks would carry the central cluster's external labels", input: c.name });
        const first = names.get(c.name);
        if (first !== undefined) problems.push({ path: at("name"), message: `must be unique (also collectors[${first}]): two collectors with one cluster label produce indistinguishable blocks`, input: c.name });
        else names.set(c.name, i);
        c.addresses.forEach((a, j) => {
            if (addresses.has(a)) problems.push({ path: at("addresses", String(j)), message: "must be unique across collectors", input: a });
            addresses.add(a);
            if (c.tls !== undefined && DYNAMIC_PREFIX.test(a)) {
                problems.push({ path: at("addresses", String(j)), message: "must be a static host:port when tls is set (Thanos dials dns+/dnssrv+ endpoints with the global client settings, not per-endpoint TLS)", input: a });
            }
        });
    });
    return problems;
}

/** The querier endpoints of a remote collector (every pod on its own: different shards hold different series). */
export function remoteCollectorEndpoints(c: RemoteCollector): StoreEndpoint[] {
    return c.addresses.map((address) => ({ address, group: false, description: `collector ${c.name} (${address})`, ...(c.tls !== undefined ? { tls: { ...c.tls } } : {}) }));
}

/** The producer identity of a remote collector's Prometheus (for the invariants). */
export function remoteCollectorProducer(c: RemoteCollector, index: number, environment: string): ProducerPlan {
    return {
        description: `collector ${c.name}`,
        path: `central.collectors[${index}]`,
        externalLabels: { [EXTERNAL_LABELS.cluster]: c.name, [EXTERNAL_LABELS.environment]: environment },
        replicaLabel: EXTERNAL_LABELS.prometheusReplica,
    };
}

/**
 * The querier endpoints of a collector stack, from its `storeApiEndpoints` output read through a StackReference.
 * Throws when the output is missing or malformed: a central querier silently missing a collector is the failure to avoid.
 */
export function stackReferenceEndpoints(stack: string, value: unknown, caSecretName?: string): StoreEndpoint[] {
    const where = `central.collectorStacks: stack ${JSON.stringify(stack)} output ${MULTI_CLUSTER.storeApiEndpointsOutput}`;
    if (!Array.isArray(value) || value.length === 0) throw new pulumi.RunError(`${where}: must be a non-empty list of {address, tls} (is the stack a collector?), got ${JSON.stringify(value)}`);
    return value.map((v: unknown, i) => {
        const e = v as Partial<CollectorEndpoint> | null;
        if (typeof e !== "object" || e === null || typeof e.address !== "string" || e.address === "" || typeof e.tls !== "boolean") {
            throw new pulumi.RunError(`${where}[${i}]: must be {address: string, tls: boolean}, got ${JSON.stringify(v)}`);
        }
        return {
            address: e.address,
            group: false,
            description: `collector stack ${stack} (${e.address})`,
            ...(e.tls ? { tls: caSecretName !== undefined ? { caSecretName } : {} } : {}),
        };
    });
}

/** A collector stack read through a StackReference. */
export interface CollectorStackRef {
    /** Fully qualified stack name `<organization>/<project>/<stack>`. */
    stack: string;
    /**
     * Secret in the namespace whose `ca.crt` signs that collector's certificate.
     * @default the image's system roots
     */
    caSecretName?: string;
}

/** The central cluster's own one-shard Prometheus. */
export interface SelfScrapeSettings {
    /**
     * Replicas of the self-scrape Prometheus.
     * @default 2
     */
    replicas?: number;
}

/** The central role's settings. */
export interface CentralSettings {
    /**
     * The central cluster's own one-shard Prometheus (always on: it scrapes the Thanos components for their alerts).
     * @default { replicas: 2 }
     */
    selfScrape?: SelfScrapeSettings;
    /**
     * Collectors given by address.
     * @default []
     */
    collectors?: RemoteCollector[];
    /**
     * Collectors read from other stacks' `storeApiEndpoints` outputs.
     * @default []
     */
    collectorStacks?: CollectorStackRef[];
}

/** The collector role's settings. */
export interface CollectorSettings {
    /** How the sidecars' StoreAPI is exposed (domain, type, TLS). */
    exposure: CollectorExposureSettings;
}

/**
 * Adapts a stack's Thanos planning context to its role (pure): which producers exist (Prometheus shards,
 * the self-scrape Prometheus, the ruler) and which remote collectors the querier must reach. Collectors read
 * from other stacks are producers whose identity is known only at deployment (a placeholder cluster label).
 */
export function roleContext<C extends { environment: string; sidecarEndpoints: StoreEndpoint[] }>(
    ctx: C,
    role: StackRole,
    central: CentralSettings | undefined,
): C & { role: StackRole; prometheus: boolean; remoteCollectors: Array<{ endpoints: StoreEndpoint[]; producer: ProducerPlan }> } {
    const parts = roleParts(role);
    const prometheus = parts.prometheusShards || parts.selfScrapePrometheus;
    const remoteCollectors =
        role === "central"
            ? [
                  ...(central?.collectors ?? []).map((c, i) => ({ endpoints: remoteCollectorEndpoints(c), producer: remoteCollectorProducer(c, i, ctx.environment) })),
                  ...(central?.collectorStacks ?? []).map((s, i) => ({
                      endpoints: [],
                      producer: {
                          description: `collector stack ${s.stack}`,
                          path: `central.collectorStacks[${i}]`,
                          externalLabels: { [EXTERNAL_LABELS.cluster]: `<cluster of ${s.stack}>`, [EXTERNAL_LABELS.environment]: ctx.environment },
                          replicaLabel: EXTERNAL_LABELS.prometheusReplica,
                      },
                  })),
              ]
            : [];
    return { ...ctx, role, prometheus, sidecarEndpoints: prometheus ? ctx.sidecarEndpoints : [], remoteCollectors };
}
