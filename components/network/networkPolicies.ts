/**
 * NetworkPolicies of the stack namespace, generated from the wiring (pure).
 *
 * Default deny (ingress and egress) for every pod, DNS for every pod, then one policy per workload that allows
 * exactly the flows the stack configures. The flows are not a hand-written list: each workload carries the
 * addresses it is configured with (the querier's `--endpoint.sd-config` addresses, the ruler's query endpoints
 * and Alertmanager addresses, the query-frontend's downstream URL and memcached addresses, Grafana's datasource,
 * the in-cluster S3 server's endpoint of the objstore config), and {@link resolveAddress} follows each one to the Service it
 * names, the Service's selector to the workload whose pods it routes to, and the Service port to the container
 * port. The source gets an egress rule to exactly those pods on that port; the destination an ingress rule from
 * exactly the source's pods. An address that names a Service of the namespace but no workload of the plan is a
 * wiring bug and throws.
 *
 * What NetworkPolicies cannot express, and what we do instead:
 * - The Kubernetes API server is not a pod of the cluster network, and the `kubernetes` Service address is
 *   translated to the API server's own addresses before policies are evaluated: egress to the API server is
 *   allowed to `kubeApiServer.cidrs` on its ports (default every address; narrow it to the control plane).
 * - S3 (and STS for IRSA) cannot be named: its addresses are AWS prefixes that change (the `com.amazonaws.<region>.s3`
 *   prefix list is an AWS VPC construct, not a Kubernetes one), so bucket users may reach any address on 443.
 *   A VPC endpoint policy or a CNI with FQDN policies (Cilium, Calico Enterprise) can narrow it further.
 * - The API server calls the Operator's admission webhook from the control plane: ingress on the Operator's TLS
 *   port is allowed from any address.
 * - Prometheus scrapes targets in every namespace, on nodes (kubelet, node-exporter on the host network) and
 *   sends remote-write anywhere: its egress is open.
 *
 * Enforcement needs a CNI that implements NetworkPolicy (Calico, Cilium, the AWS VPC CNI with network policies
 * enabled). kind's default CNI, kindnet, ignores them, so the `local` stack behaves as if they were absent.
 */
import type { Service } from "kubernetes-types/core/v1";
import type { LabelSelector } from "kubernetes-types/meta/v1";
import type { NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort } from "kubernetes-types/networking/v1";
import { LABELS, PORTS } from "../constants";
import { CLUSTER_DOMAIN } from "../lib/contracts";
import { objectMeta } from "../lib/meta";

/** A transport protocol of a port. */
export const Protocol = { Tcp: "TCP", Udp: "UDP" } as const;
/** A transport protocol of a port. */
export type Protocol = (typeof Protocol)[keyof typeof Protocol];

/** A port and its protocol. */
export interface PortRef {
    port: number;
    /** @default "TCP" */
    protocol?: Protocol;
}

/** One workload of the namespace (a set of pods with one role) and what it talks to. */
export interface NetworkWorkload {
    /** Short identifier, unique in the plan; the workload's policy is `<stack>-<id>`. */
    id: string;
    /** What the workload is (an annotation on its policy). */
    description: string;
    /** Labels every pod of the workload carries: the policy's pod selector. */
    podSelector: Record<string, string>;
    /**
     * Labels by which the other workloads' rules name this one, when its pods belong to a group whose members a
     * configuration change renames (the store gateway's shard x partition instances, the compactor's streams):
     * every instance of the group carries them, so a policy updated for the new instances still lets the old
     * ones through until they are deleted. Labels every pod of the workload carries.
     * @default podSelector
     */
    peerSelector?: Record<string, string>;
    /** Container ports by name (named Service target ports resolve through them). */
    ports: Array<{ name: string; port: number; protocol?: Protocol }>;
    /** Ports Prometheus scrapes (ingress from the scrapers). @default [] */
    metricsPorts?: number[];
    /** Addresses the workload is configured to connect to: Thanos SD syntax, URLs or `host:port`. @default [] */
    connectsTo?: string[];
    /** Talks to the Kubernetes API. @default false */
    kubeApi?: boolean;
    /** Reads or writes the bucket (egress to the object store). @default false */
    bucket?: boolean;
    /** Scrapes targets anywhere (egress to every pod, namespace and address). @default false */
    scraper?: boolean;
    /** Its replicas talk to each other on these ports (cluster gossip). @default [] */
    peerPorts?: PortRef[];
    /** Egress to any address on these ports (notification receivers outside the cluster). @default [] */
    egressAnywhere?: PortRef[];
    /** Ingress from any address on these ports (callers outside the pod network, e.g. the API server). @default [] */
    ingressFromAnywhere?: PortRef[];
    /** Ingress from every pod of every namespace on these ports (cluster-wide clients). @default [] */
    ingressFromCluster?: PortRef[];
    /** Further ingress: from these peers on these ports (e.g. an Ingress controller in front of a UI). @default [] */
    extraIngress?: PeerRule[];
    /** Further egress: to these peers on these ports. @default [] */
    extraEgress?: PeerRule[];
}

/** Peers (pods, namespaces or address blocks, as in a NetworkPolicy) and the ports they may use. */
export interface PeerRule {
    peers: NetworkPolicyPeer[];
    ports: PortRef[];
}

/** How bucket users reach the object store. */
export type ObjectStoreAccess =
    /** AWS S3 (and STS for IRSA / EKS Pod Identity) over HTTPS: any address in `cidrs` on 443. */
    | { kind: "s3"; cidrs: string[]; credentials?: CredentialsEndpoint }
    /** The in-cluster S3 server: its endpoint (`host:port`), resolved like any other address. */
    | { kind: "versitygw"; endpoint: string };

/** Where bucket users fetch their AWS credentials when that is not STS over HTTPS (a node-local agent). */
export interface CredentialsEndpoint {
    cidrs: string[];
    port: number;
}

/** The EKS Pod Identity agent: link-local on every node, IPv4 and IPv6, plain HTTP (EKS Pod Identity documentation). */
export const EKS_POD_IDENTITY_AGENT: CredentialsEndpoint = { cidrs: ["169.254.170.23/32", "fd00:ec2::23/128"], port: 80 };

/** Everything the policies are generated from. */
export interface NetworkPlan {
    /** The stack (policy name prefix and `app.kubernetes.io/instance`). */
    stackName: string;
    /** The namespace the policies govern. */
    namespace: string;
    /** Every workload with pods in the namespace. */
    workloads: NetworkWorkload[];
    /** The namespace's Services (from the same builders the components use): addresses resolve through them. */
    services: Service[];
    /** How bucket users reach the bucket. */
    objectStore: ObjectStoreAccess;
    /** Where the Kubernetes API server is reached. */
    kubeApiServer: { cidrs: string[]; ports: number[] };
    /** The cluster DNS pods. @default kube-system pods labelled k8s-app=kube-dns (CoreDNS, kube-dns) */
    dns?: { namespace: string; podSelector: Record<string, string> };
    /** Further DNS servers every pod may ask (NodeLocal DNSCache: its link-local address, and the kube-dns Service IP it intercepts). @default [] */
    dnsCidrs?: string[];
    /** What "any address" is in this cluster: `0.0.0.0/0`, `::/0` or both (dual stack). @default ["0.0.0.0/0"] */
    anywhere?: string[];
}

/** Every IPv6 address. */
export const ANY_IPV6 = "::/0";
/** An IP family of the cluster's pod network. */
export const IpFamily = { IPv4: "IPv4", IPv6: "IPv6" } as const;
/** See {@link IpFamily}. */
export type IpFamily = (typeof IpFamily)[keyof typeof IpFamily];
/** "Any address" for the pod network's IP families. */
export function anyAddress(families: readonly IpFamily[]): string[] {
    return [...(families.includes(IpFamily.IPv4) ? [ANY_IPV4] : []), ...(families.includes(IpFamily.IPv6) ? [ANY_IPV6] : [])];
}
/** The IP family of a CIDR or an address literal, or `undefined` for a host name. */
export function ipFamilyOf(address: string): IpFamily | undefined {
    const host = address.replace(/^\[|\](:\d+)?$/g, "").replace(/\/\d+$/, "");
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return IpFamily.IPv4;
    if (host.includes(":") && /^[0-9a-fA-F:.]+$/.test(host)) return IpFamily.IPv6;
    return undefined;
}

/** The cluster DNS pods (CoreDNS keeps kube-dns' label). */
export const CLUSTER_DNS = { namespace: "kube-system", podSelector: { "k8s-app": "kube-dns" } } as const;
/** Every IPv4 address. */
export const ANY_IPV4 = "0.0.0.0/0";
/** The label every namespace carries with its own name (Kubernetes >= 1.22). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Where an address leads. */
export type ResolvedAddress =
    /** A Service of the namespace: the workloads behind it and the container port. */
    | { kind: "service"; address: string; service: Service; selector: Record<string, string>; workloads: NetworkWorkload[]; port: number; protocol: Protocol }
    /** A Service of another namespace of the cluster. */
    | { kind: "cluster"; address: string; namespace: string; port: number; protocol: Protocol }
    /** Something outside the cluster. */
    /** Something outside the cluster; a DNS SRV address outside the cluster has no known port (every port is allowed). */
    | { kind: "external"; address: string; host: string; port: number | undefined; protocol: Protocol };

/** The host and the port (a number, or a DNS SRV port name) of an address in Thanos/URL/`host:port` syntax. */
export function parseAddress(address: string): { host: string; port: number | undefined; portName: string | undefined } {
    const srv = /^dnssrv(?:noa)?\+_([^.]+)\._tcp\.(.+)$/.exec(address);
    if (srv) return { host: srv[2]!, port: undefined, portName: srv[1]! };
    const url = /^(https?):\/\/([^/:]+)(?::(\d+))?(?:\/.*)?$/.exec(address);
    if (url) return { host: url[2]!, port: url[3] !== undefined ? Number(url[3]) : url[1] === "https" ? PORTS.https : 80, portName: undefined };
    const hostPort = /^(?:dns\+)?([^:/]+):(\d+)$/.exec(address);
    if (hostPort) return { host: hostPort[1]!, port: Number(hostPort[2]), portName: undefined };
    const ipv6 = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(address);
    if (ipv6) return { host: ipv6[1]!, port: Number(ipv6[2]), portName: undefined };
    throw new Error(`network policies: cannot read a host and port from the address "${address}"`);
}

/** `<service>.<namespace>` of an in-cluster host name, or undefined for anything else. */
export function inClusterService(host: string, namespace: string): { name: string; namespace: string } | undefined {
    const m = new RegExp(`^([a-z0-9-]+)(?:\\.([a-z0-9-]+)(?:\\.svc(?:\\.${CLUSTER_DOMAIN.replace(/\./g, "\\.")})?)?)?\\.?$`).exec(host);
    if (!m) return undefined;
    if (m[2] === undefined) return { name: m[1]!, namespace };
    // `a.b` without `.svc` is an in-cluster name only when written in full; a two-label external host (`example.com`) is not.
    return host.includes(".svc") ? { name: m[1]!, namespace: m[2] } : undefined;
}

/** Whether a selector's every label is among the labels. */
function subset(selector: Record<string, string>, labels: Record<string, string>): boolean {
    const keys = Object.keys(selector);
    return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

/** Follows an address to the pods and port it reaches. Throws when it names a Service of the namespace that routes to no workload. */
export function resolveAddress(plan: NetworkPlan, address: string): ResolvedAddress {
    const { host, port, portName } = parseAddress(address);
    const target = inClusterService(host, plan.namespace);
    if (target === undefined) {
        return { kind: "external", address, host, port, protocol: "TCP" };
    }
    const service = plan.services.find((s) => s.metadata?.name === target.name && (s.metadata?.namespace ?? plan.namespace) === target.namespace);
    if (service === undefined) {
        if (target.namespace === plan.namespace) throw new Error(`network policies: "${address}" names Service ${target.namespace}/${target.name}, which the stack does not create`);
        if (port === undefined) throw new Error(`network policies: "${address}" names a port of Service ${target.namespace}/${target.name} by name; its number is unknown`);
        return { kind: "cluster", address, namespace: target.namespace, port, protocol: "TCP" };
    }
    const selector = service.spec?.selector ?? {};
    const servicePort = (service.spec?.ports ?? []).find((p) => (portName !== undefined ? p.name === portName : p.port === port));
    if (servicePort === undefined) throw new Error(`network policies: "${address}": Service ${target.name} has no port ${portName ?? String(port)}`);
    const workloads = plan.workloads.filter((w) => subset(selector, w.podSelector));
    if (workloads.length === 0) throw new Error(`network policies: "${address}": Service ${target.name} selects ${JSON.stringify(selector)}, which matches no workload of the stack`);
    const targetPort = servicePort.targetPort ?? servicePort.port;
    const protocol: Protocol = servicePort.protocol === "UDP" ? "UDP" : "TCP";
    let number: number | undefined;
    if (typeof targetPort === "number") number = targetPort;
    else {
        const numbers = new Set(workloads.flatMap((w) => w.ports.filter((p) => p.name === targetPort).map((p) => p.port)));
        if (numbers.size !== 1) throw new Error(`network policies: "${address}": target port "${targetPort}" of Service ${target.name} is not one container port of its pods`);
        number = [...numbers][0]!;
    }
    return { kind: "service", address, service, selector, workloads, port: number, protocol };
}

/** One allowed connection, for reports and tests. */
export interface NetworkFlow {
    /** Source workload id. */
    from: string;
    /** Destination: a workload id, `namespace:<ns>`, `external:<host>`, `kube-apiserver`, `object-store`, `dns` or `anywhere`. */
    to: string;
    ports: PortRef[];
    /** Why (the configured address, or the reason). */
    why: string;
}

function port(p: PortRef): NetworkPolicyPort {
    return { port: p.port, protocol: p.protocol ?? "TCP" };
}

function tcp(...ports: number[]): PortRef[] {
    return ports.map((p) => ({ port: p, protocol: "TCP" }));
}

/** Ingress/egress rules keyed by peer, so one peer gets one rule with every port. */
class RuleSet {
    private readonly rules = new Map<string, { peers: NetworkPolicyPeer[] | undefined; ports: Map<string, NetworkPolicyPort> | undefined }>();
    add(peers: NetworkPolicyPeer[] | undefined, ports: PortRef[] | undefined): void {
        const key = JSON.stringify(peers ?? null);
        const rule = this.rules.get(key) ?? { peers, ports: new Map() };
        if (ports === undefined) rule.ports = undefined;
        else if (rule.ports !== undefined) for (const p of ports) rule.ports.set(`${p.protocol ?? "TCP"}/${p.port}`, port(p));
        this.rules.set(key, rule);
    }
    ingress(): NetworkPolicyIngressRule[] {
        return [...this.rules.values()].map((r) => ({ ...(r.peers ? { from: r.peers } : {}), ...(r.ports ? { ports: [...r.ports.values()] } : {}) }));
    }
    egress(): NetworkPolicyEgressRule[] {
        return [...this.rules.values()].map((r) => ({ ...(r.peers ? { to: r.peers } : {}), ...(r.ports ? { ports: [...r.ports.values()] } : {}) }));
    }
}

function podPeer(labels: Record<string, string>): NetworkPolicyPeer {
    return { podSelector: { matchLabels: labels } };
}

/** The labels other workloads' rules name a workload by. */
function peerLabels(w: NetworkWorkload): Record<string, string> {
    return w.peerSelector ?? w.podSelector;
}

/** One pod peer per distinct label set. */
function uniquePeers(selectors: Array<Record<string, string>>): NetworkPolicyPeer[] {
    const byKey = new Map(selectors.map((s) => [JSON.stringify(Object.entries(s).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), s]));
    return [...byKey.values()].map(podPeer);
}

/** One `ipBlock` peer per CIDR. */
export function ipPeers(cidrs: readonly string[]): NetworkPolicyPeer[] {
    return cidrs.map((cidr) => ({ ipBlock: { cidr } }));
}

function namespacePeer(namespace: string): NetworkPolicyPeer {
    return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } } };
}

const EVERY_NAMESPACE: NetworkPolicyPeer = { namespaceSelector: {} };

/** Problems with a plan: duplicate ids, workloads without selectors. */
export function networkPlanProblems(plan: NetworkPlan): string[] {
    const problems: string[] = [];
    const ids = new Set<string>();
    for (const w of plan.workloads) {
        if (ids.has(w.id)) problems.push(`network policies: workload id "${w.id}" is used twice`);
        ids.add(w.id);
        if (Object.keys(w.podSelector).length === 0) problems.push(`network policies: workload ${w.id} has an empty pod selector (it would select every pod)`);
        if (w.peerSelector !== undefined && Object.keys(w.peerSelector).length === 0) problems.push(`network policies: workload ${w.id} has an empty peer selector (it would name every pod)`);
    }
    return problems;
}

/** The policies and the flow matrix they implement. */
export interface NetworkPolicySet {
    policies: NetworkPolicy[];
    flows: NetworkFlow[];
}

/** Name of the default-deny policy of a stack. */
export function defaultDenyPolicyName(stackName: string): string {
    return `${stackName}-default-deny`;
}

/** Builds every NetworkPolicy of the namespace from the plan (pure). Throws on a wiring bug (an address that leads nowhere). */
export function buildNetworkPolicies(plan: NetworkPlan): NetworkPolicySet {
    const problems = networkPlanProblems(plan);
    if (problems.length > 0) throw new Error(problems.join("\n"));
    const dns = plan.dns ?? CLUSTER_DNS;
    const anywhere = plan.anywhere ?? [ANY_IPV4];
    const meta = (name: string, description: string) =>
        objectMeta({ name, namespace: plan.namespace, component: "network-policy", instance: plan.stackName, annotations: { [LABELS.description]: description } });
    const ingress = new Map(plan.workloads.map((w) => [w.id, new RuleSet()]));
    const egress = new Map(plan.workloads.map((w) => [w.id, new RuleSet()]));
    const flows: NetworkFlow[] = [];
    const scrapers = plan.workloads.filter((w) => w.scraper);

    const connect = (from: NetworkWorkload, address: string, why: string) => {
        const r = resolveAddress(plan, address);
        const ports: PortRef[] = r.port === undefined ? [] : [{ port: r.port, protocol: r.protocol }];
        if (r.kind === "service") {
            // Egress to exactly the pods the Service routes to (or their group); ingress on each of them from exactly
            // the source's pods (or its group).
            egress.get(from.id)!.add(r.workloads.some((w) => w.peerSelector !== undefined) ? uniquePeers(r.workloads.map(peerLabels)) : [podPeer(r.selector)], ports);
            for (const to of r.workloads) {
                ingress.get(to.id)!.add([podPeer(peerLabels(from))], ports);
                flows.push({ from: from.id, to: to.id, ports, why });
            }
        } else if (r.kind === "cluster") {
            egress.get(from.id)!.add([namespacePeer(r.namespace)], ports);
            flows.push({ from: from.id, to: `namespace:${r.namespace}`, ports, why });
        } else {
            // An address literal of a family the pod network does not have: no policy could let it through.
            const family = ipFamilyOf(r.host);
            if (family !== undefined && !anywhere.some((cidr) => ipFamilyOf(cidr) === family)) {
                const families = anywhere.map((cidr) => ipFamilyOf(cidr));
                throw new Error(`networkPolicies.ipFamilies: must include ${family} for "${address}" (${why === address ? "a configured address" : why}; no policy would let it through), got ${JSON.stringify(families)}`);
            }
            egress.get(from.id)!.add(ipPeers(family === undefined ? anywhere : anywhere.filter((cidr) => ipFamilyOf(cidr) === family)), r.port === undefined ? undefined : ports);
            flows.push({ from: from.id, to: `external:${r.host}`, ports, why });
        }
    };

    for (const w of plan.workloads) {
        for (const address of w.connectsTo ?? []) connect(w, address, address);
        if (w.bucket) {
            if (plan.objectStore.kind === "versitygw") connect(w, plan.objectStore.endpoint, `object store (in-cluster S3 server ${plan.objectStore.endpoint})`);
            else {
                // S3 and STS (IRSA / Pod Identity) have no stable addresses a NetworkPolicy could name: HTTPS to the configured CIDRs.
                egress.get(w.id)!.add(ipPeers(plan.objectStore.cidrs), tcp(PORTS.https));
                flows.push({ from: w.id, to: "object-store", ports: tcp(PORTS.https), why: "S3 and STS over HTTPS (addresses not nameable in a NetworkPolicy)" });
                const credentials = plan.objectStore.credentials;
                if (credentials !== undefined) {
                    egress.get(w.id)!.add(ipPeers(credentials.cidrs), tcp(credentials.port));
                    flows.push({ from: w.id, to: "credentials", ports: tcp(credentials.port), why: "AWS credentials from the node-local agent (EKS Pod Identity)" });
                }
            }
        }
        if (w.kubeApi) {
            egress.get(w.id)!.add(ipPeers(plan.kubeApiServer.cidrs), tcp(...plan.kubeApiServer.ports));
            flows.push({ from: w.id, to: "kube-apiserver", ports: tcp(...plan.kubeApiServer.ports), why: "Kubernetes API" });
        }
        if (w.scraper) {
            // Scrape targets live in every namespace, on nodes and outside the cluster (remote write): open egress.
            egress.get(w.id)!.add([EVERY_NAMESPACE, ...ipPeers(anywhere)], undefined);
            flows.push({ from: w.id, to: "anywhere", ports: [], why: "scrape targets in every namespace and on nodes, remote write" });
        }
        if (w.peerPorts?.length) {
            ingress.get(w.id)!.add([podPeer(w.podSelector)], w.peerPorts);
            egress.get(w.id)!.add([podPeer(w.podSelector)], w.peerPorts);
            flows.push({ from: w.id, to: w.id, ports: w.peerPorts, why: "replicas of one cluster talk to each other" });
        }
        if (w.egressAnywhere?.length) {
            egress.get(w.id)!.add(ipPeers(anywhere), w.egressAnywhere);
            flows.push({ from: w.id, to: "anywhere", ports: w.egressAnywhere, why: "destinations outside the cluster" });
        }
        if (w.ingressFromAnywhere?.length) {
            ingress.get(w.id)!.add(ipPeers(anywhere), w.ingressFromAnywhere);
            flows.push({ from: "anywhere", to: w.id, ports: w.ingressFromAnywhere, why: "callers outside the pod network (the API server)" });
        }
        if (w.ingressFromCluster?.length) {
            ingress.get(w.id)!.add([EVERY_NAMESPACE], w.ingressFromCluster);
            flows.push({ from: "cluster", to: w.id, ports: w.ingressFromCluster, why: "clients in every namespace" });
        }
        if (w.metricsPorts?.length) {
            for (const s of scrapers) {
                const ports = tcp(...w.metricsPorts);
                ingress.get(w.id)!.add([podPeer(s.podSelector)], ports);
                flows.push({ from: s.id, to: w.id, ports, why: "metrics scrape" });
            }
        }
    }

    const everyPod: LabelSelector = {};
    const policies: NetworkPolicy[] = [
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta(defaultDenyPolicyName(plan.stackName), "Default deny: no pod of the namespace sends or receives anything the other policies do not allow."),
            spec: { podSelector: everyPod, policyTypes: ["Ingress", "Egress"] },
        },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta(`${plan.stackName}-dns`, "Every pod resolves names through the cluster DNS."),
            spec: {
                podSelector: everyPod,
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: dns.namespace } }, podSelector: { matchLabels: { ...dns.podSelector } } }, ...ipPeers(plan.dnsCidrs ?? [])],
                        ports: [port({ port: PORTS.dns, protocol: "UDP" }), port({ port: PORTS.dns, protocol: "TCP" })],
                    },
                ],
            },
        },
    ];
    for (const w of plan.workloads) {
        const rulesIn = ingress.get(w.id)!;
        const rulesOut = egress.get(w.id)!;
        for (const r of w.extraIngress ?? []) {
            rulesIn.add(r.peers, r.ports);
            flows.push({ from: "extra", to: w.id, ports: r.ports, why: "additional ingress" });
        }
        for (const r of w.extraEgress ?? []) {
            rulesOut.add(r.peers, r.ports);
            flows.push({ from: w.id, to: "extra", ports: r.ports, why: "additional egress" });
        }
        const ingressRules = rulesIn.ingress();
        const egressRules = rulesOut.egress();
        policies.push({
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta(`${plan.stackName}-${w.id}`, w.description),
            spec: {
                podSelector: { matchLabels: { ...w.podSelector } },
                policyTypes: ["Ingress", "Egress"],
                ...(ingressRules.length > 0 ? { ingress: ingressRules } : {}),
                ...(egressRules.length > 0 ? { egress: egressRules } : {}),
            },
        });
    }
    return { policies, flows };
}
