/**
 * A small model of a rendered namespace for NetworkPolicy tests: the pods (from workload templates, the
 * Operator's resources and the chart's release), the Services, and an evaluator of NetworkPolicy semantics
 * (a connection is allowed when the source's egress and the destination's ingress both allow it).
 * Written from the Kubernetes NetworkPolicy semantics, independently of the builder under test.
 */
import { parse as parseYaml } from "yaml";
import { labelSelectorMatches } from "../../policy/checks/network";
import { chartPods } from "../../components/prometheusOperator";
import type { RenderResult } from "../../scripts/lib/render";

type Obj = Record<string, unknown>;

export interface ModelPort {
    name?: string;
    port: number;
    protocol: "TCP" | "UDP";
}

/** One kind of pod in the namespace. */
export interface ModelPod {
    /** `Kind/name` of what creates it. */
    owner: string;
    kind: string;
    namespace: string;
    labels: Record<string, string>;
    ports: ModelPort[];
    longRunning: boolean;
    /** The object that describes it (a workload, a CR) or the chart's values. */
    object: Obj;
}

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

function containerPorts(spec: Obj): ModelPort[] {
    return arr(spec["containers"]).flatMap((c) =>
        arr(rec(c)["ports"]).map((p) => {
            const port = rec(p);
            return { ...(typeof port["name"] === "string" ? { name: port["name"] } : {}), port: Number(port["containerPort"]), protocol: port["protocol"] === "UDP" ? "UDP" : "TCP" } as ModelPort;
        }),
    );
}

const OPERATOR = { managedBy: { "app.kubernetes.io/managed-by": "prometheus-operator" } };

/** Every pod in the stack namespace, from the render. */
export function podsOfRender(result: RenderResult, namespace: string): ModelPod[] {
    const pods: ModelPod[] = [];
    for (const m of result.manifests) {
        const o = m.object;
        const meta = rec(o["metadata"]);
        if (meta["namespace"] !== namespace) continue;
        const kind = String(o["kind"]);
        const name = String(meta["name"]);
        const spec = rec(o["spec"]);
        const owner = `${kind}/${name}`;
        if (kind === "Deployment" || kind === "StatefulSet" || kind === "DaemonSet" || kind === "Job") {
            const tpl = rec(spec["template"]);
            pods.push({ owner, kind, namespace, labels: strMap(rec(tpl["metadata"])["labels"]), ports: containerPorts(rec(tpl["spec"])), longRunning: kind !== "Job", object: o });
        } else if (kind === "Prometheus") {
            // Operator v0.93 pod labels; the sidecar serves grpc 10901 and http 10902 next to Prometheus' web port.
            const shards = Number(spec["shards"] ?? 1);
            for (let shard = 0; shard < shards; shard++) {
                pods.push({
                    owner: `${owner}#shard-${shard}`,
                    kind,
                    namespace,
                    labels: {
                        ...strMap(rec(spec["podMetadata"])["labels"]),
                        ...OPERATOR.managedBy,
                        "app.kubernetes.io/name": "prometheus",
                        "app.kubernetes.io/instance": name,
                        "operator.prometheus.io/name": name,
                        "operator.prometheus.io/shard": String(shard),
                        prometheus: name,
                    },
                    ports: [
                        { name: "web", port: 9090, protocol: "TCP" },
                        { name: "grpc", port: 10901, protocol: "TCP" },
                        { name: "http", port: 10902, protocol: "TCP" },
                        { name: "reloader-web", port: 8080, protocol: "TCP" },
                    ],
                    longRunning: true,
                    object: o,
                });
            }
        } else if (kind === "Alertmanager") {
            pods.push({
                owner,
                kind,
                namespace,
                labels: { ...strMap(rec(spec["podMetadata"])["labels"]), ...OPERATOR.managedBy, "app.kubernetes.io/name": "alertmanager", "app.kubernetes.io/instance": name, alertmanager: name },
                ports: [
                    { name: "web", port: 9093, protocol: "TCP" },
                    { name: "mesh-tcp", port: 9094, protocol: "TCP" },
                    { name: "mesh-udp", port: 9094, protocol: "UDP" },
                ],
                longRunning: true,
                object: o,
            });
        } else if (kind === "ThanosRuler") {
            pods.push({
                owner,
                kind,
                namespace,
                labels: { ...strMap(rec(spec["podMetadata"])["labels"]), ...OPERATOR.managedBy, "app.kubernetes.io/name": "thanos-ruler", "app.kubernetes.io/instance": name, "thanos-ruler": name },
                ports: [
                    { name: "web", port: 10902, protocol: "TCP" },
                    { name: "grpc", port: 10901, protocol: "TCP" },
                ],
                longRunning: true,
                object: o,
            });
        }
    }
    for (const r of result.resources) {
        if (r.type !== "kubernetes:helm.sh/v3:Release" || r.inputs["namespace"] !== namespace) continue;
        const release = String(r.inputs["name"]);
        const values = rec(r.inputs["values"]);
        const grafana = rec(values["grafana"])["enabled"] !== false;
        const chart = chartPods(release, grafana);
        const add = (what: string, p: { labels: Record<string, string>; ports: Array<{ name: string; port: number }> } | undefined, longRunning = true) => {
            if (p) pods.push({ owner: `Release/${release}#${what}`, kind: "Chart", namespace, labels: p.labels, ports: p.ports.map((x) => ({ ...x, protocol: "TCP" })), longRunning, object: values });
        };
        add("operator", chart.operator);
        add("admission-jobs", chart.admissionJobs, false);
        add("kube-state-metrics", chart.kubeStateMetrics);
        add("grafana", chart.grafana);
    }
    return pods;
}

/** A NetworkPolicy as rendered. */
export interface PolicyObject {
    metadata: { name: string; namespace: string };
    spec: { podSelector: Obj; policyTypes?: string[]; ingress?: Obj[]; egress?: Obj[] };
}

function policyTypes(p: PolicyObject): string[] {
    if (p.spec.policyTypes && p.spec.policyTypes.length > 0) return p.spec.policyTypes;
    return ["Ingress", ...(p.spec.egress && p.spec.egress.length > 0 ? ["Egress"] : [])];
}

/** Policies that select the pod and govern this direction. */
export function governing(policies: PolicyObject[], pod: ModelPod, direction: "Ingress" | "Egress"): PolicyObject[] {
    return policies.filter((p) => p.metadata.namespace === pod.namespace && labelSelectorMatches(p.spec.podSelector, pod.labels) && policyTypes(p).includes(direction));
}

/** Whether a peer (podSelector / namespaceSelector; ipBlocks never match pods here) matches a pod. */
function peerMatches(peer: Obj, policyNamespace: string, pod: ModelPod): boolean {
    if (peer["ipBlock"] !== undefined) return false;
    const nsSel = peer["namespaceSelector"];
    const podSel = peer["podSelector"];
    const nsOk = nsSel === undefined ? pod.namespace === policyNamespace : labelSelectorMatches(nsSel, { "kubernetes.io/metadata.name": pod.namespace });
    const podOk = podSel === undefined ? true : labelSelectorMatches(podSel, pod.labels);
    return nsOk && podOk;
}

function portMatches(rulePorts: unknown[] | undefined, port: number, protocol: "TCP" | "UDP", target: ModelPod): boolean {
    if (rulePorts === undefined || rulePorts.length === 0) return true;
    return rulePorts.some((rp) => {
        const r = rec(rp);
        if ((r["protocol"] ?? "TCP") !== protocol) return false;
        if (r["port"] === undefined) return true;
        if (typeof r["port"] === "number") return typeof r["endPort"] === "number" ? port >= r["port"] && port <= r["endPort"] : r["port"] === port;
        return target.ports.some((p) => p.name === r["port"] && p.port === port && p.protocol === protocol);
    });
}

/** Why a connection from `src` to `dst` on a port is refused, or undefined when both ends allow it. */
export function denial(policies: PolicyObject[], src: ModelPod, dst: ModelPod, port: number, protocol: "TCP" | "UDP" = "TCP"): string | undefined {
    const egress = governing(policies, src, "Egress");
    const egressOk =
        egress.length === 0 ||
        egress.some((p) =>
            (p.spec.egress ?? []).some((rule) => {
                const to = rule["to"] as unknown[] | undefined;
                const peerOk = to === undefined || to.length === 0 || to.some((peer) => peerMatches(rec(peer), p.metadata.namespace, dst));
                return peerOk && portMatches(rule["ports"] as unknown[] | undefined, port, protocol, dst);
            }),
        );
    if (!egressOk) return `egress of ${src.owner} does not allow ${dst.owner}:${port}/${protocol}`;
    const ingress = governing(policies, dst, "Ingress");
    const ingressOk =
        ingress.length === 0 ||
        ingress.some((p) =>
            (p.spec.ingress ?? []).some((rule) => {
                const from = rule["from"] as unknown[] | undefined;
                const peerOk = from === undefined || from.length === 0 || from.some((peer) => peerMatches(rec(peer), p.metadata.namespace, src));
                return peerOk && portMatches(rule["ports"] as unknown[] | undefined, port, protocol, dst);
            }),
        );
    return ingressOk ? undefined : `ingress of ${dst.owner} does not allow ${src.owner} on ${port}/${protocol}`;
}

/** A Service as rendered. */
export interface ServiceObject {
    metadata: { name: string; namespace: string };
    spec: { selector?: Record<string, string>; ports?: Array<{ name?: string; port: number; targetPort?: number | string; protocol?: string }> };
}

/** The pods and container port an address (Thanos SD, URL or host:port) reaches through a rendered Service. */
export function resolveThroughService(
    address: string,
    services: ServiceObject[],
    pods: ModelPod[],
): { service: string; targets: Array<{ pod: ModelPod; port: number }> } {
    let host: string;
    let portName: string | undefined;
    let portNumber: number | undefined;
    const srv = /^dnssrv(?:noa)?\+_([^.]+)\._tcp\.(.+)$/.exec(address);
    const url = /^https?:\/\/([^/:]+)(?::(\d+))?/.exec(address);
    const hostPort = /^([^:/]+):(\d+)$/.exec(address);
    if (srv) [host, portName] = [srv[2]!, srv[1]!];
    else if (url) [host, portNumber] = [url[1]!, Number(url[2] ?? 80)];
    else if (hostPort) [host, portNumber] = [hostPort[1]!, Number(hostPort[2])];
    else throw new Error(`unreadable address ${address}`);
    const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(host);
    if (!m) throw new Error(`${address} is not an in-cluster Service name`);
    const service = services.find((s) => s.metadata.name === m[1] && s.metadata.namespace === m[2]);
    if (!service) throw new Error(`${address}: no Service ${m[2]}/${m[1]} in the render`);
    const sp = (service.spec.ports ?? []).find((p) => (portName !== undefined ? p.name === portName : p.port === portNumber));
    if (!sp) throw new Error(`${address}: Service ${m[1]} has no port ${portName ?? portNumber}`);
    const selector = service.spec.selector ?? {};
    const selected = pods.filter((p) => p.namespace === m[2] && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => p.labels[k] === v));
    const targetPort = sp.targetPort ?? sp.port;
    const targets = selected.map((pod) => {
        const port = typeof targetPort === "number" ? targetPort : pod.ports.find((p) => p.name === targetPort)?.port;
        if (port === undefined) throw new Error(`${address}: ${pod.owner} has no container port named ${targetPort}`);
        return { pod, port };
    });
    if (targets.length === 0) throw new Error(`${address}: Service ${m[1]} selects no pod of the render`);
    return { service: `${m[2]}/${m[1]}`, targets };
}

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
