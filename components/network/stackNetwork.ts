/**
 * The network plan of a ThanosStack (pure): every workload of the namespace with the addresses it is configured
 * with, and the Services those addresses name — taken from the same plans and builders the components are created
 * from (the querier's endpoints, the ruler's query endpoints and Alertmanager addresses, the query-frontend's
 * downstream URL, the memcached client configs, Grafana's datasource, the objstore endpoint). The policies follow
 * from it in {@link buildNetworkPolicies}.
 */
import type { Deployment } from "kubernetes-types/apps/v1";
import type { PodTemplateSpec, Service } from "kubernetes-types/core/v1";
import { LABELS, PORTS, PROMETHEUS, THANOS } from "../constants";
import { DEFAULTS } from "../defaults";
import { alertmanagerPodSelector, buildAlertmanagerService, resolveAlertmanagerArgs } from "../prometheus/alertmanager";
import { buildCompactorStatefulSet, compactorPlan } from "../thanos/compactor";
import { buildMemcachedService, buildMemcachedStatefulSet, memcachedClientConfig, type MemcachedPlan } from "../thanos/memcached";
import { buildVersityBucketJob, buildVersityService, buildVersityStatefulSet, resolveVersitySpec } from "../storage/versitygw";
import { anyAddress, buildNetworkPolicies, EKS_POD_IDENTITY_AGENT, type IpFamily, type NetworkPlan, type NetworkPolicySet, type NetworkWorkload, type PeerRule } from "./networkPolicies";
import { versityEndpoint } from "../storage/objstoreConfig";
import { chartPods, type ChartPod } from "../prometheus/prometheusOperator";
import { buildPushgatewayDeployment, buildPushgatewayService, resolvePushgatewayArgs } from "../prometheus/pushgateway";
import { buildQuerierDeployment, querierPlan } from "../thanos/querier";
import { buildQueryFrontendDeployment, queryFrontendPlan } from "../thanos/queryFrontend";
import { buildRulerService, rulerPlan, rulerPodSelector } from "../thanos/ruler";
import { buildSidecarService, prometheusPodSelector, resolveShardedPrometheusArgs } from "../prometheus/shardedPrometheus";
import { buildStoreService, buildStoreStatefulSet, storeGatewayPlan } from "../thanos/storeGateway";
import type { ThanosStackPlan } from "../stack/thanosPlan";
import type { ObjstoreSecretRef } from "../lib/contracts";
import type { IdentityMechanism } from "../lib/objectStorage";
import { selectorLabels } from "../lib/meta";
import { buildThanosService } from "../lib/thanos";

/** Additional ingress into one workload of the stack (e.g. from an Ingress controller in front of a UI). */
export interface AdditionalIngress {
    /** Workload id: `query-frontend`, `query`, `grafana`, `rule`, `prometheus`, ... (the policy name minus `<stack>-`). */
    workload: string;
    /** Peers and ports, as in a NetworkPolicy ingress rule. */
    rule: PeerRule;
}

/** The stack's NetworkPolicy settings. */
export interface NetworkPolicySettings {
    /**
     * Create the NetworkPolicies (default deny plus the stack's flows).
     * @default true
     */
    enabled?: boolean;
    /**
     * CIDRs of the Kubernetes API server (its endpoints' addresses, e.g. the EKS control-plane ENIs' subnets).
     * @default every address of {@link ipFamilies} (["0.0.0.0/0"])
     */
    kubeApiServerCidrs?: string[];
    /**
     * Ports of the Kubernetes API server.
     * @default [443, 6443]
     */
    kubeApiServerPorts?: number[];
    /**
     * CIDRs bucket users may reach S3 and STS in (HTTPS). S3 has no fixed addresses a NetworkPolicy could name.
     * @default every address of {@link ipFamilies} (["0.0.0.0/0"])
     */
    objectStoreCidrs?: string[];
    /**
     * Further ingress into the stack's workloads (UI Ingress controllers, a remote central querier).
     * @default []
     */
    additionalIngress?: AdditionalIngress[];
    /**
     * Further egress from the stack's workloads (e.g. a proxy Grafana's plugins need).
     * @default []
     */
    additionalEgress?: AdditionalIngress[];
    /**
     * The pod network's IP families: what "any address" means in the policies (`0.0.0.0/0`, `::/0`, or both).
     * @default ["IPv4"]
     */
    ipFamilies?: IpFamily[];
    /**
     * Further DNS servers every pod may reach on port 53 (UDP and TCP): NodeLocal DNSCache's link-local address
     * (169.254.20.10/32) and, in its default mode that intercepts the kube-dns Service IP, that IP.
     * @default []
     */
    dnsCidrs?: string[];
}

/** "Any address" for the settings' IP families (0.0.0.0/0, ::/0 or both). */
export function anywhereOf(s: NetworkPolicySettings): string[] {
    return anyAddress(s.ipFamilies ?? [...DEFAULTS.networkPolicies.ipFamilies]);
}

/** What ThanosStack knows about its parts, by name (each part optional: a stack role may leave it out). */
export interface StackNetworkInput {
    stackName: string;
    namespace: string;
    /** The Thanos components' plan (the one the components are created from). */
    thanos?: ThanosStackPlan;
    /** The ShardedPrometheus (its name) and where it sends alerts. */
    prometheus?: { name: string; objstoreSecret: ObjstoreSecretRef; alertmanagerAddresses: string[] };
    /** The Alertmanager component's name and the receivers it notifies (see `receiverUrls`). */
    alertmanager?: { name: string; receivers: { urls: string[]; unknown: number } };
    /** The Pushgateway component's name. */
    pushgateway?: { name: string };
    /** The kube-prometheus-stack release in the namespace (absent when the Operator is installed elsewhere). */
    operator?: { release: string; grafana: boolean; grafanaDatasourceUrl: string; alertmanagerUrl?: string };
    /** The bucket: S3, or the in-cluster S3 server component (name, instance, bucket). */
    objectStorage: { provider: "s3"; identity?: IdentityMechanism } | { provider: "versitygw"; name: string; instance: string; bucketName: string };
    settings?: NetworkPolicySettings;
    /** Ingress the stack's own wiring adds (a collector's exposed sidecars, UI Ingresses). @default [] */
    extraIngress?: AdditionalIngress[];
    /** Egress the stack's own wiring adds (a central querier's collectors known only at deployment). @default [] */
    extraEgress?: AdditionalIngress[];
}

/** Workload id of an object named `<stack>-<rest>`: `<rest>` (the policy is `<stack>-<id>`). */
export function workloadId(stackName: string, objectName: string): string {
    return idOf(stackName, objectName);
}

function idOf(stackName: string, objectName: string): string {
    return objectName.startsWith(`${stackName}-`) ? objectName.slice(stackName.length + 1) : objectName;
}

/** Pod selector and container ports of a pod template we build. */
function fromTemplate(selector: Record<string, string> | undefined, template: PodTemplateSpec | undefined): Pick<NetworkWorkload, "podSelector" | "ports"> {
    const labels = template?.metadata?.labels ?? {};
    const podSelector = selector ?? { [LABELS.name]: labels[LABELS.name] ?? "", [LABELS.instance]: labels[LABELS.instance] ?? "" };
    const ports = (template?.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => ({ name: p.name ?? "", port: p.containerPort, protocol: p.protocol === "UDP" ? ("UDP" as const) : ("TCP" as const) })));
    return { podSelector, ports };
}

/**
 * The selector other policies name an instance of a renamed-by-config group by (store gateway shards x partitions,
 * compactor streams): the component and the group label of its pod template.
 */
export function groupPeer(template: PodTemplateSpec | undefined): Pick<NetworkWorkload, "peerSelector"> {
    const labels = template?.metadata?.labels ?? {};
    const name = labels[LABELS.name];
    const group = labels[THANOS.instanceOfLabel];
    if (name === undefined || group === undefined) throw new Error(`network policies: a pod template of a group has no ${LABELS.name} or ${THANOS.instanceOfLabel} label: ${JSON.stringify(labels)}`);
    return { peerSelector: { [LABELS.name]: name, [THANOS.instanceOfLabel]: group } };
}

function memcachedWorkloads(stackName: string, caches: Array<MemcachedPlan | undefined>): { workloads: NetworkWorkload[]; services: Service[] } {
    const present = caches.filter((c): c is MemcachedPlan => c !== undefined);
    return {
        workloads: present.map((c) => {
            const sts = buildMemcachedStatefulSet(c);
            return {
                id: idOf(stackName, c.name),
                description: `memcached ${c.name} (Thanos cache)`,
                ...fromTemplate(sts.spec?.selector.matchLabels, sts.spec?.template),
                ...(c.exporter ? { metricsPorts: [PORTS.memcachedExporter] } : {}),
            };
        }),
        services: present.map(buildMemcachedService),
    };
}

function memcachedAddresses(caches: Array<MemcachedPlan | undefined>): string[] {
    return caches.flatMap((c) => (c ? (memcachedClientConfig(c)["addresses"] as string[]) : []));
}

function chartWorkload(id: string, description: string, pod: ChartPod, extra: Partial<NetworkWorkload>): NetworkWorkload {
    return { id, description, podSelector: pod.labels, ports: pod.ports, ...extra };
}

/** The network plan of a stack (pure). */
export function stackNetworkPlan(input: StackNetworkInput): NetworkPlan {
    const { stackName, namespace } = input;
    const s = input.settings ?? {};
    const acc: NetworkAccumulator = { workloads: [], services: [] };
    addThanosWorkloads(input, acc);
    addPrometheusSideWorkloads(input, acc);
    addOperatorWorkloads(input, acc);
    const objectStore = addObjectStore(input, acc);
    attachExtraRules(input, acc);
    return {
        stackName,
        namespace,
        workloads: acc.workloads,
        services: acc.services,
        objectStore,
        kubeApiServer: {
            cidrs: s.kubeApiServerCidrs ?? anywhereOf(s),
            ports: s.kubeApiServerPorts ?? [...DEFAULTS.networkPolicies.kubeApiServerPorts],
        },
        anywhere: anywhereOf(s),
        dnsCidrs: s.dnsCidrs ?? [],
    };
}

/** The workloads and Services of the plan, in the order they are found. */
interface NetworkAccumulator {
    workloads: NetworkWorkload[];
    services: Service[];
}

/** The Thanos read path: querier, query-frontend, store gateways and their caches, compactors, ruler. */
function addThanosWorkloads(input: StackNetworkInput, acc: NetworkAccumulator): void {
    if (!input.thanos) return;
    const scope: ThanosScope = { stackName: input.stackName, namespace: input.namespace, t: input.thanos, metrics: [PORTS.thanosHttp] };
    addThanosFront(scope, acc);
    addThanosBucketUsers(scope, acc);
}

/** What the Thanos parts of the plan share. */
interface ThanosScope {
    stackName: string;
    namespace: string;
    t: NonNullable<StackNetworkInput["thanos"]>;
    metrics: number[];
}

/** The Thanos read path's front: the querier and the query-frontend. */
function addThanosFront(scope: ThanosScope, acc: NetworkAccumulator): void {
    const { t } = scope;
    const n = t.names;
    addThanosDeployment(scope, acc, n.query, THANOS.componentNames.query, {
        description: "Thanos querier: fans out to every StoreAPI (gRPC).",
        deployment: buildQuerierDeployment(querierPlan(n.query, t.querier)),
        connectsTo: t.querier.endpoints.map((e) => e.address),
        grpc: true,
    });
    const qf = queryFrontendPlan(n.queryFrontend, t.queryFrontend);
    addThanosDeployment(scope, acc, n.queryFrontend, THANOS.componentNames.queryFrontend, {
        description: "Thanos query-frontend: splits and caches queries for Grafana, sends them to the querier (HTTP).",
        deployment: buildQueryFrontendDeployment(qf),
        connectsTo: [t.queryFrontend.downstreamUrl, ...memcachedAddresses([qf.resultsCache])],
        grpc: false,
    });
}

/** A stateless Thanos component: its Deployment's pods as a workload, and its (ClusterIP) Service. */
function addThanosDeployment(
    { stackName, namespace, metrics }: ThanosScope,
    { workloads, services }: NetworkAccumulator,
    name: string,
    component: string,
    w: { description: string; deployment: Deployment; connectsTo: string[]; grpc: boolean },
): void {
    workloads.push({
        id: idOf(stackName, name),
        description: w.description,
        ...fromTemplate(w.deployment.spec?.selector.matchLabels, w.deployment.spec?.template),
        connectsTo: w.connectsTo,
        metricsPorts: metrics,
    });
    services.push(buildThanosService({ name, namespace, component, instance: name, selector: selectorLabels(component, name), grpc: w.grpc, headless: false }));
}

/** The Thanos bucket users behind the querier: store gateways with their caches, compactors, the ruler. */
function addThanosBucketUsers({ stackName, t, metrics }: ThanosScope, { workloads, services }: NetworkAccumulator): void {
    const n = t.names;
    const qf = queryFrontendPlan(n.queryFrontend, t.queryFrontend);
    const sg = storeGatewayPlan(n.store, t.storeGateway);
    for (const i of sg.instances) {
        const sts = buildStoreStatefulSet(sg, i);
        workloads.push({
            id: idOf(stackName, i.name),
            description: `Thanos store gateway ${i.name}: serves the bucket's blocks (gRPC StoreAPI).`,
            ...fromTemplate(sts.spec?.selector.matchLabels, sts.spec?.template),
            ...groupPeer(sts.spec?.template),
            connectsTo: memcachedAddresses([sg.indexCache, sg.cachingBucket]),
            bucket: true,
            metricsPorts: metrics,
        });
        services.push(buildStoreService(sg, i));
    }
    const caches = memcachedWorkloads(stackName, [sg.indexCache, sg.cachingBucket, qf.resultsCache]);
    workloads.push(...caches.workloads);
    services.push(...caches.services);

    const cp = compactorPlan(n.compact, t.compactor);
    for (const i of cp.instances) {
        const sts = buildCompactorStatefulSet(cp, i);
        workloads.push({
            id: idOf(stackName, i.name),
            description: `Thanos compactor ${i.name}: compacts, downsamples and applies retention in the bucket.`,
            ...fromTemplate(sts.spec?.selector.matchLabels, sts.spec?.template),
            ...groupPeer(sts.spec?.template),
            bucket: true,
            metricsPorts: metrics,
        });
    }

    const rp = rulerPlan(n.rule, t.ruler);
    workloads.push({
        id: idOf(stackName, n.rule),
        description: "Thanos ruler (Operator ThanosRuler): queries the querier, notifies Alertmanager, uploads its blocks, serves the StoreAPI.",
        podSelector: rulerPodSelector(n.rule),
        // The Operator names the ruler container's HTTP port "web" (as Prometheus'), its gRPC port "grpc".
        ports: [
            { name: PROMETHEUS.portNames.web, port: PORTS.thanosHttp },
            { name: THANOS.portNames.grpc, port: PORTS.thanosGrpc },
        ],
        connectsTo: [...t.ruler.queryEndpoints, ...t.ruler.alertmanagerAddresses],
        bucket: true,
        // And its config reloader's.
        metricsPorts: [...metrics, PORTS.configReloaderHttp],
    });
    services.push(buildRulerService(rp));
}

/** Prometheus with its sidecars, Alertmanager and the Pushgateway. */
function addPrometheusSideWorkloads(input: StackNetworkInput, acc: NetworkAccumulator): void {
    const { stackName, namespace } = input;
    const { workloads, services } = acc;
    if (input.prometheus) {
        const p = input.prometheus;
        const resolved = resolveShardedPrometheusArgs(p.name, { namespace, clusterName: "-", environment: "-", objstoreSecret: p.objstoreSecret });
        workloads.push({
            id: idOf(stackName, p.name),
            description: "Prometheus shards with the Thanos sidecar: scrape everything, alert to Alertmanager, upload blocks, serve the StoreAPI.",
            podSelector: prometheusPodSelector(p.name),
            ports: [
                { name: PROMETHEUS.portNames.web, port: PORTS.prometheusHttp },
                { name: THANOS.portNames.grpc, port: PORTS.thanosGrpc },
                { name: THANOS.portNames.http, port: PORTS.thanosHttp },
            ],
            connectsTo: p.alertmanagerAddresses,
            scraper: true,
            kubeApi: true,
            bucket: true,
            metricsPorts: [PORTS.prometheusHttp, PORTS.thanosHttp, PORTS.configReloaderHttp],
        });
        services.push(buildSidecarService(resolved));
    }

    if (input.alertmanager) {
        const am = resolveAlertmanagerArgs(input.alertmanager.name, { namespace });
        workloads.push({
            id: idOf(stackName, am.name),
            description: "Alertmanager (Operator): receives alerts, gossips with its replicas, notifies its receivers.",
            podSelector: alertmanagerPodSelector(am.name),
            ports: [{ name: "web", port: PORTS.alertmanagerHttp }],
            metricsPorts: [PORTS.alertmanagerHttp, PORTS.configReloaderHttp],
            peerPorts: [
                { port: PORTS.alertmanagerCluster, protocol: "TCP" },
                { port: PORTS.alertmanagerCluster, protocol: "UDP" },
            ],
            // Exactly the receivers' hosts and ports (an in-cluster receiver: its namespace and port; an external one:
            // its port, any address). A receiver URL only known at deployment (an Output) leaves HTTPS open to any address.
            connectsTo: input.alertmanager.receivers.urls,
            ...(input.alertmanager.receivers.unknown > 0 ? { egressAnywhere: [{ port: PORTS.https, protocol: "TCP" as const }] } : {}),
        });
        services.push(buildAlertmanagerService(am));
    }

    if (input.pushgateway) {
        const pg = resolvePushgatewayArgs(input.pushgateway.name, { namespace });
        const d = buildPushgatewayDeployment(pg);
        workloads.push({
            id: idOf(stackName, pg.name),
            description: "Pushgateway: batch jobs in any namespace push to it; Prometheus scrapes it.",
            ...fromTemplate(d.spec?.selector.matchLabels, d.spec?.template),
            metricsPorts: [PORTS.pushgatewayHttp],
            ingressFromCluster: [{ port: PORTS.pushgatewayHttp, protocol: "TCP" }],
        });
        services.push(buildPushgatewayService(pg));
    }
}

/** The kube-prometheus-stack chart's pods: the Operator, its admission Jobs, kube-state-metrics, Grafana. */
function addOperatorWorkloads(input: StackNetworkInput, acc: NetworkAccumulator): void {
    const { workloads } = acc;
    if (input.operator) {
        const o = input.operator;
        const pods = chartPods(o.release, o.grafana);
        workloads.push(
            chartWorkload("operator", "Prometheus Operator (chart): watches the API; the API server calls its admission webhooks.", pods.operator, {
                kubeApi: true,
                // The API server calls the admission webhook from the control plane, outside the pod network.
                ingressFromAnywhere: pods.operator.ports.map((p) => ({ port: p.port, protocol: "TCP" as const })),
                metricsPorts: pods.operator.ports.map((p) => p.port),
            }),
            chartWorkload("operator-admission-jobs", "The chart's Helm-hook Jobs that create and patch the admission webhook certificate.", pods.admissionJobs, { kubeApi: true }),
            chartWorkload("operator-crd-upgrade", "The chart's Helm-hook Job that applies the Operator's CRDs before every install and upgrade.", pods.crdUpgradeJob, { kubeApi: true }),
            chartWorkload("kube-state-metrics", "kube-state-metrics (chart): reads the API, scraped by Prometheus.", pods.kubeStateMetrics, {
                kubeApi: true,
                metricsPorts: pods.kubeStateMetrics.ports.map((p) => p.port),
            }),
        );
        if (pods.grafana) {
            workloads.push(
                chartWorkload("grafana", "Grafana (chart): queries the query-frontend and Alertmanager; its sidecar reads dashboards from the API.", pods.grafana, {
                    kubeApi: true,
                    connectsTo: [o.grafanaDatasourceUrl, ...(o.alertmanagerUrl !== undefined ? [o.alertmanagerUrl] : [])],
                    metricsPorts: pods.grafana.ports.map((p) => p.port),
                }),
            );
        }
    }
}

/** The object store the bucket users reach: the in-cluster S3 server's pods, or S3 itself. */
function addObjectStore(input: StackNetworkInput, acc: NetworkAccumulator): NetworkPlan["objectStore"] {
    const { stackName, namespace } = input;
    const { workloads, services } = acc;
    const s = input.settings ?? {};
    let objectStore: NetworkPlan["objectStore"];
    const storage = input.objectStorage;
    if (storage.provider === "versitygw") {
        const spec = resolveVersitySpec(storage.name, { namespace, bucketName: storage.bucketName, instance: storage.instance });
        const sts = buildVersityStatefulSet(spec);
        const job = buildVersityBucketJob(spec);
        const endpoint = versityEndpoint(storage.name, namespace);
        workloads.push(
            { id: idOf(stackName, storage.name), description: "The in-cluster S3 server (versitygw, the local object store).", ...fromTemplate(sts.spec?.selector.matchLabels, sts.spec?.template) },
            {
                id: `${idOf(stackName, storage.name)}-make-bucket`,
                description: "The Job that creates the bucket on the in-cluster S3 server.",
                ...fromTemplate(undefined, job.spec?.template),
                connectsTo: [endpoint],
            },
        );
        services.push(buildVersityService(spec));
        objectStore = { kind: "versitygw", endpoint };
    } else {
        objectStore = {
            kind: "s3",
            cidrs: s.objectStoreCidrs ?? anywhereOf(s),
            // IRSA exchanges the token with STS over HTTPS (the CIDRs above); Pod Identity asks the node's agent.
            ...(storage.identity === "podIdentity" ? { credentials: EKS_POD_IDENTITY_AGENT } : {}),
        };
    }
    return objectStore;
}

/** The extra ingress and egress rules (settings, role, UI hosts), each on the workload it names. */
function attachExtraRules(input: StackNetworkInput, acc: NetworkAccumulator): void {
    const { workloads } = acc;
    const s = input.settings ?? {};
    const find = (extra: AdditionalIngress, key: string) => {
        const w = workloads.find((x) => x.id === extra.workload);
        if (w === undefined) throw new Error(`${key}.workload: must name a workload of the stack (one of ${workloads.map((x) => x.id).join(", ")}), got "${extra.workload}"`);
        return w;
    };
    const rules = (setting: AdditionalIngress[] | undefined, own: AdditionalIngress[] | undefined, key: string) => [
        ...(setting ?? []).map((extra, i) => ({ extra, key: `networkPolicies.${key}[${i}]` })),
        ...(own ?? []).map((extra, i) => ({ extra, key: `network policies: the stack's own ${key} rule ${i}` })),
    ];
    for (const { extra, key } of rules(s.additionalIngress, input.extraIngress, "additionalIngress")) {
        const w = find(extra, key);
        w.extraIngress = [...(w.extraIngress ?? []), extra.rule];
    }
    for (const { extra, key } of rules(s.additionalEgress, input.extraEgress, "additionalEgress")) {
        const w = find(extra, key);
        w.extraEgress = [...(w.extraEgress ?? []), extra.rule];
    }
}

/** The stack's NetworkPolicies (pure). */
export function buildStackNetworkPolicies(input: StackNetworkInput): NetworkPolicySet {
    return buildNetworkPolicies(stackNetworkPlan(input));
}

