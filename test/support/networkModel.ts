/**
 * A small model of a rendered namespace for NetworkPolicy tests: the pods (from workload templates, the
 * Operator's resources and the chart's release), hosts outside the pod network (the API server, S3, the EKS
 * Pod Identity agent), the Services, and an evaluator of NetworkPolicy semantics written from the Kubernetes
 * documentation (concepts/services-networking/network-policies and the networking.k8s.io/v1 API reference),
 * independently of the builder under test and of the policy pack:
 *
 * - a pod is isolated for a direction when a policy in its namespace selects it (`podSelector`, `{}` = every
 *   pod) and lists that direction in `policyTypes` (default: Ingress, plus Egress when egress rules exist);
 * - a connection is allowed when the source's egress and the destination's ingress both allow it; the rules of
 *   all policies that select a pod add up (a union), and a non-isolated direction allows everything;
 * - a rule matches when one of its peers matches (no `from`/`to`, or an empty one, matches every peer) and one of
 *   its ports matches (no `ports`, or an empty list, matches every port); a port's protocol defaults to TCP, no
 *   `port` means every port of the protocol, `endPort` makes a range, a named port is the destination pod's
 *   container port of that name (and matches nothing on a host);
 * - a peer with `namespaceSelector` and `podSelector` selects the pods matching both; `podSelector` alone means
 *   the policy's own namespace; `namespaceSelector` alone every pod of the selected namespaces; `ipBlock` selects
 *   addresses in `cidr` but not in `except`.
 *
 * Whether an `ipBlock` also matches pod addresses is left to the network plugin ("cluster-external" IPs are
 * what it is meant for), so the evaluator has two readings: `allowed` asserts a flow works on every plugin
 * (ipBlocks match no pod), `denied` asserts a flow is refused on every plugin (ipBlocks may match pods, whose
 * addresses are in {@link POD_CIDR}).
 */
import { parse as parseYaml } from "yaml";
import type { RenderResult } from "../../scripts/lib/render";

type Obj = Record<string, unknown>;
export type Protocol = "TCP" | "UDP";

export interface ModelPort {
    name?: string;
    port: number;
    protocol: Protocol;
}

/** One kind of pod. */
export interface ModelPod {
    kind: string;
    /** `Kind/name` of what creates it. */
    owner: string;
    namespace: string;
    labels: Record<string, string>;
    ports: ModelPort[];
    longRunning: boolean;
    /** An address of the pod (in {@link POD_CIDR}). */
    ip: string;
    /** The object that describes it (a workload, a CR) or the chart's values. */
    object: Obj;
}

/** An address outside the pod network (the API server, S3, a node-local agent). */
export interface ModelHost {
    kind: "Host";
    owner: string;
    ip: string;
}

export type Endpoint = ModelPod | ModelHost;

/** The pod network of the model. */
export const POD_CIDR = "10.244.0.0/16";

function rec(v: unknown): Obj {
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}
function arr(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
}
function strMap(v: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(rec(v))) if (typeof x === "string") out[k] = x;
    return out;
}

// ------------------------------------------------------------------------------------------- addresses

function ipv4(ip: string): bigint | undefined {
    const parts = ip.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
    return parts.reduce((n, p) => (n << 8n) | BigInt(Number(p)), 0n);
}

function ipv6(ip: string): bigint | undefined {
    const [head, tail, ...more] = ip.split("::");
    if (more.length > 0) return undefined;
    const h = head ? head.split(":") : [];
    const t = tail !== undefined && tail !== "" ? tail.split(":") : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
    if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
    return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function address(ip: string): { family: 4 | 6; value: bigint } {
    const v4 = ipv4(ip);
    if (v4 !== undefined) return { family: 4, value: v4 };
    const v6 = ipv6(ip);
    if (v6 !== undefined) return { family: 6, value: v6 };
    throw new Error(`network model: ${JSON.stringify(ip)} is not an IP address`);
}

/** Whether an address is inside a CIDR (IPv4 or IPv6). */
export function inCidr(ip: string, cidr: string): boolean {
    const [base, bits] = cidr.split("/");
    const b = address(base ?? "");
    const a = address(ip);
    const width = b.family === 4 ? 32 : 128;
    const prefix = Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > width) throw new Error(`network model: bad CIDR ${cidr}`);
    if (a.family !== b.family) return false;
    const shift = BigInt(width - prefix);
    return a.value >> shift === b.value >> shift;
}

// ------------------------------------------------------------------------------------------- selectors

/** A Kubernetes label selector (matchLabels and matchExpressions, ANDed; `{}` selects everything). */
export function selects(selector: unknown, labels: Record<string, string>): boolean {
    const sel = rec(selector);
    for (const [k, v] of Object.entries(strMap(sel["matchLabels"]))) if (labels[k] !== v) return false;
    for (const e of arr(sel["matchExpressions"])) {
        const { key, operator, values } = rec(e) as { key?: string; operator?: string; values?: string[] };
        const has = key !== undefined && key in labels;
        const value = key !== undefined ? labels[key] : undefined;
        switch (operator) {
            case "In":
                if (!has || !(values ?? []).includes(value!)) return false;
                break;
            case "NotIn":
                if (has && (values ?? []).includes(value!)) return false;
                break;
            case "Exists":
                if (!has) return false;
                break;
            case "DoesNotExist":
                if (has) return false;
                break;
            default:
                throw new Error(`network model: unknown selector operator ${String(operator)}`);
        }
    }
    return true;
}

// ------------------------------------------------------------------------------------------- policies

/** A NetworkPolicy as rendered. */
export interface PolicyObject {
    metadata: { name: string; namespace: string };
    spec: { podSelector: Obj; policyTypes?: string[]; ingress?: Obj[]; egress?: Obj[] };
}

/** Namespace labels of the model (every namespace carries `kubernetes.io/metadata.name`). */
export type NamespaceLabels = Record<string, Record<string, string>>;

function namespaceLabels(namespaces: NamespaceLabels, name: string): Record<string, string> {
    return { ...(namespaces[name] ?? {}), "kubernetes.io/metadata.name": name };
}

function policyTypes(p: PolicyObject): string[] {
    if (p.spec.policyTypes && p.spec.policyTypes.length > 0) return p.spec.policyTypes;
    return ["Ingress", ...(p.spec.egress && p.spec.egress.length > 0 ? ["Egress"] : [])];
}

function isPod(e: Endpoint): e is ModelPod {
    return e.kind !== "Host";
}

/** Policies that select the pod and govern this direction. */
export function governing(policies: PolicyObject[], pod: ModelPod, direction: "Ingress" | "Egress"): PolicyObject[] {
    return policies.filter((p) => p.metadata.namespace === pod.namespace && selects(p.spec.podSelector, pod.labels) && policyTypes(p).includes(direction));
}

type Reading = "allowed" | "denied";

function peerMatches(peer: Obj, policyNamespace: string, other: Endpoint, namespaces: NamespaceLabels, reading: Reading): boolean {
    const block = peer["ipBlock"];
    if (block !== undefined) {
        const { cidr, except } = rec(block) as { cidr: string; except?: string[] };
        if (isPod(other) && reading === "allowed") return false;
        return inCidr(other.ip, cidr) && !(except ?? []).some((e) => inCidr(other.ip, e));
    }
    if (!isPod(other)) return false;
    const nsSel = peer["namespaceSelector"];
    const podSel = peer["podSelector"];
    const nsOk = nsSel === undefined ? other.namespace === policyNamespace : selects(nsSel, namespaceLabels(namespaces, other.namespace));
    const podOk = podSel === undefined ? true : selects(podSel, other.labels);
    return nsOk && podOk;
}

function portMatches(rulePorts: unknown, port: number, protocol: Protocol, destination: Endpoint): boolean {
    const ports = arr(rulePorts);
    if (ports.length === 0) return true;
    return ports.some((rp) => {
        const r = rec(rp);
        if ((r["protocol"] ?? "TCP") !== protocol) return false;
        const p = r["port"];
        if (p === undefined) return true;
        if (typeof p === "number") return typeof r["endPort"] === "number" ? port >= p && port <= r["endPort"] : p === port;
        return isPod(destination) && destination.ports.some((cp) => cp.name === p && cp.port === port && cp.protocol === protocol);
    });
}

function ruleSetAllows(rules: Obj[], peerKey: "from" | "to", policyNamespace: string, peer: Endpoint, port: number, protocol: Protocol, destination: Endpoint, namespaces: NamespaceLabels, reading: Reading): boolean {
    return rules.some((rule) => {
        const peers = arr(rule[peerKey]);
        const peerOk = peers.length === 0 || peers.some((x) => peerMatches(rec(x), policyNamespace, peer, namespaces, reading));
        return peerOk && portMatches(rule["ports"], port, protocol, destination);
    });
}

/** Why a connection is refused under a reading, or undefined when both ends allow it. */
function refusal(policies: PolicyObject[], src: Endpoint, dst: Endpoint, port: number, protocol: Protocol, namespaces: NamespaceLabels, reading: Reading): string | undefined {
    if (isPod(src)) {
        const egress = governing(policies, src, "Egress");
        const ok = egress.length === 0 || egress.some((p) => ruleSetAllows(p.spec.egress ?? [], "to", p.metadata.namespace, dst, port, protocol, dst, namespaces, reading));
        if (!ok) return `egress of ${src.owner} does not allow ${dst.owner}:${port}/${protocol}`;
    }
    if (isPod(dst)) {
        const ingress = governing(policies, dst, "Ingress");
        const ok = ingress.length === 0 || ingress.some((p) => ruleSetAllows(p.spec.ingress ?? [], "from", p.metadata.namespace, src, port, protocol, dst, namespaces, reading));
        if (!ok) return `ingress of ${dst.owner} does not allow ${src.owner} on ${port}/${protocol}`;
    }
    return undefined;
}

/** Why a connection does not work on every network plugin, or undefined when it does. */
export function denial(policies: PolicyObject[], src: Endpoint, dst: Endpoint, port: number, protocol: Protocol = "TCP", namespaces: NamespaceLabels = {}): string | undefined {
    return refusal(policies, src, dst, port, protocol, namespaces, "allowed");
}

/** Whether a connection is refused on every network plugin (an ipBlock may also match pod addresses). */
export function isDenied(policies: PolicyObject[], src: Endpoint, dst: Endpoint, port: number, protocol: Protocol = "TCP", namespaces: NamespaceLabels = {}): boolean {
    return refusal(policies, src, dst, port, protocol, namespaces, "denied") !== undefined;
}

// ------------------------------------------------------------------------------------------- pods of a render

/**
 * Pods of the Prometheus Operator's resources (Operator v0.93): labels and container ports. The sidecar serves
 * gRPC 10901 and HTTP 10902 beside Prometheus' web port 9090; Alertmanager serves 9093 and gossips on 9094
 * over TCP and UDP; the ThanosRuler pod serves HTTP 10902 and gRPC 10901.
 */
function operatorPods(kind: string, name: string, spec: Obj): Array<Pick<ModelPod, "owner" | "labels" | "ports">> {
    const own = strMap(rec(spec["podMetadata"])["labels"]);
    const managed = { "app.kubernetes.io/managed-by": "prometheus-operator", "app.kubernetes.io/instance": name };
    if (kind === "Prometheus") {
        return Array.from({ length: Number(spec["shards"] ?? 1) }, (_, shard) => ({
            owner: `Prometheus/${name}#shard-${shard}`,
            labels: { ...own, ...managed, "app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": name, "operator.prometheus.io/shard": String(shard), prometheus: name },
            ports: [
                { name: "web", port: 9090, protocol: "TCP" },
                { name: "grpc", port: 10901, protocol: "TCP" },
                { name: "http", port: 10902, protocol: "TCP" },
                { name: "reloader-web", port: 8080, protocol: "TCP" },
            ],
        }));
    }
    if (kind === "Alertmanager") {
        return [
            {
                owner: `Alertmanager/${name}`,
                labels: { ...own, ...managed, "app.kubernetes.io/name": "alertmanager", alertmanager: name },
                ports: [
                    { name: "web", port: 9093, protocol: "TCP" },
                    { name: "mesh-tcp", port: 9094, protocol: "TCP" },
                    { name: "mesh-udp", port: 9094, protocol: "UDP" },
                    { name: "reloader-web", port: 8080, protocol: "TCP" },
                ],
            },
        ];
    }
    if (kind === "ThanosRuler") {
        return [
            {
                owner: `ThanosRuler/${name}`,
                labels: { ...own, ...managed, "app.kubernetes.io/name": "thanos-ruler", "thanos-ruler": name },
                ports: [
                    { name: "web", port: 10902, protocol: "TCP" },
                    { name: "grpc", port: 10901, protocol: "TCP" },
                    { name: "reloader-web", port: 8080, protocol: "TCP" },
                ],
            },
        ];
    }
    return [];
}

/**
 * Pods of the kube-prometheus-stack release (chart 88.5 templates: the Operator Deployment, the admission
 * webhook's certificate Jobs, and the kube-state-metrics and Grafana subcharts' Deployments).
 */
function chartReleasePods(release: string, grafana: boolean): Array<Pick<ModelPod, "owner" | "labels" | "ports" | "longRunning">> {
    return [
        { owner: `Release/${release}#operator`, labels: { app: "kube-prometheus-stack-operator", release }, ports: [{ name: "https", port: 10250, protocol: "TCP" }], longRunning: true },
        {
            owner: `Release/${release}#admission-jobs`,
            labels: { app: "kube-prometheus-stack-admission-patch", "app.kubernetes.io/component": "prometheus-operator-webhook", release },
            ports: [],
            longRunning: false,
        },
        {
            owner: `Release/${release}#kube-state-metrics`,
            labels: { "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": release },
            ports: [{ name: "http", port: 8080, protocol: "TCP" }],
            longRunning: true,
        },
        ...(grafana
            ? [{ owner: `Release/${release}#grafana`, labels: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": release }, ports: [{ name: "grafana", port: 3000, protocol: "TCP" as const }], longRunning: true }]
            : []),
    ];
}

function containerPorts(spec: Obj): ModelPort[] {
    return arr(spec["containers"]).flatMap((c) =>
        arr(rec(c)["ports"]).map((p) => {
            const port = rec(p);
            return { ...(typeof port["name"] === "string" ? { name: port["name"] } : {}), port: Number(port["containerPort"]), protocol: port["protocol"] === "UDP" ? "UDP" : "TCP" } as ModelPort;
        }),
    );
}

/** Every pod in a namespace of the render. */
export function podsOfRender(result: RenderResult, namespace: string): ModelPod[] {
    const pods: ModelPod[] = [];
    const add = (p: Omit<ModelPod, "ip" | "namespace">) => pods.push({ ...p, namespace, ip: `10.244.${Math.floor(pods.length / 250)}.${(pods.length % 250) + 2}` });
    for (const m of result.manifests) {
        const o = m.object;
        const meta = rec(o["metadata"]);
        if (meta["namespace"] !== namespace) continue;
        const kind = String(o["kind"]);
        const name = String(meta["name"]);
        const spec = rec(o["spec"]);
        if (kind === "Deployment" || kind === "StatefulSet" || kind === "DaemonSet" || kind === "Job") {
            const tpl = rec(spec["template"]);
            add({ owner: `${kind}/${name}`, kind, labels: strMap(rec(tpl["metadata"])["labels"]), ports: containerPorts(rec(tpl["spec"])), longRunning: kind !== "Job", object: o });
        } else {
            for (const p of operatorPods(kind, name, spec)) add({ ...p, kind, longRunning: true, object: o });
        }
    }
    for (const r of result.resources) {
        if (r.type !== "kubernetes:helm.sh/v3:Release" || r.inputs["namespace"] !== namespace) continue;
        const values = rec(r.inputs["values"]);
        for (const p of chartReleasePods(String(r.inputs["name"]), rec(values["grafana"])["enabled"] !== false)) add({ ...p, kind: "Chart", object: values });
    }
    return pods;
}

// ------------------------------------------------------------------------------------------- services

/** A Service as rendered. */
export interface ServiceObject {
    metadata: { name: string; namespace: string };
    spec: { selector?: Record<string, string>; ports?: Array<{ name?: string; port: number; targetPort?: number | string; protocol?: string }> };
}

/** The pods and container port an address (Thanos SD, URL or host:port) reaches through a rendered Service. */
export function resolveThroughService(address: string, services: ServiceObject[], pods: ModelPod[]): { service: string; protocol: Protocol; targets: Array<{ pod: ModelPod; port: number }> } {
    let host: string;
    let portName: string | undefined;
    let portNumber: number | undefined;
    const srv = /^dnssrv(?:noa)?\+_([^.]+)\._(tcp|udp)\.(.+)$/.exec(address);
    const url = /^(https?):\/\/([^/:]+)(?::(\d+))?/.exec(address);
    const hostPort = /^(?:dns\+)?([^:/]+):(\d+)$/.exec(address);
    if (srv) [host, portName] = [srv[3]!, srv[1]!];
    else if (url) [host, portNumber] = [url[2]!, Number(url[3] ?? (url[1] === "https" ? 443 : 80))];
    else if (hostPort) [host, portNumber] = [hostPort[1]!, Number(hostPort[2])];
    else throw new Error(`unreadable address ${address}`);
    const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(host);
    if (!m) throw new Error(`${address} is not an in-cluster Service name`);
    const service = services.find((s) => s.metadata.name === m[1] && s.metadata.namespace === m[2]);
    if (!service) throw new Error(`${address}: no Service ${m[2]}/${m[1]} in the render`);
    const sp = (service.spec.ports ?? []).find((p) => (portName !== undefined ? p.name === portName : p.port === portNumber));
    if (!sp) throw new Error(`${address}: Service ${m[1]} has no port ${portName ?? portNumber}`);
    const protocol: Protocol = sp.protocol === "UDP" ? "UDP" : "TCP";
    const selector = service.spec.selector ?? {};
    const selected = pods.filter((p) => p.namespace === m[2] && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => p.labels[k] === v));
    const targetPort = sp.targetPort ?? sp.port;
    const targets = selected.map((pod) => {
        const port = typeof targetPort === "number" ? targetPort : pod.ports.find((p) => p.name === targetPort && p.protocol === protocol)?.port;
        if (port === undefined) throw new Error(`${address}: ${pod.owner} has no container port named ${targetPort}`);
        return { pod, port };
    });
    if (targets.length === 0) throw new Error(`${address}: Service ${m[1]} selects no pod of the render`);
    return { service: `${m[2]}/${m[1]}`, protocol, targets };
}

// ------------------------------------------------------------------------------------------- configuration readers

/** The value of `--<flag>=` in a container's args. */
export function flagValue(args: unknown[], flag: string): string | undefined {
    const prefix = `--${flag}=`;
    const a = args.find((x): x is string => typeof x === "string" && x.startsWith(prefix));
    return a?.slice(prefix.length);
}

/** Addresses in a Thanos cache config (`type: MEMCACHED`), or none. */
export function cacheAddresses(config: string | undefined): string[] {
    if (config === undefined) return [];
    const doc = rec(parseYaml(config));
    return doc["type"] === "MEMCACHED" ? arr(rec(doc["config"])["addresses"]).map(String) : [];
}

/** The first container's args of a pod. */
export function argsOf(pod: ModelPod): unknown[] {
    const tpl = rec(rec(pod.object["spec"])["template"]);
    return arr(rec(arr(rec(tpl["spec"])["containers"])[0])["args"]);
}
