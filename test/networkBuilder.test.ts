/**
 * The NetworkPolicy builder's pure parts, each rule with the exact result: reading addresses (Thanos DNS SD,
 * URLs, host:port), telling in-cluster Service names from external hosts, resolving a Service's named target
 * port, merging rules per peer, and the policies a plan produces (policy types, DNS, the API server, the object
 * store, gossip, ingress from anywhere or from the cluster, scrapes).
 */
import { describe, expect, it } from "vitest";
import type { Service } from "kubernetes-types/core/v1";
import { anyAddress, buildNetworkPolicies, EKS_POD_IDENTITY_AGENT, ipFamilyOf, networkPlanProblems, parseAddress, resolveAddress, type NetworkPlan, type NetworkWorkload } from "../components/network/networkPolicies";

const NS = "monitoring";
const sel = (app: string) => ({ app });
const svc = (name: string, app: string, ports: Array<{ name: string; port: number; targetPort?: string | number; protocol?: string }>, namespace = NS): Service => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace },
    spec: { selector: sel(app), ports },
});
const w = (id: string, extra: Partial<NetworkWorkload> = {}): NetworkWorkload => ({ id, description: `the ${id}`, podSelector: sel(id), ports: [], ...extra });

function plan(workloads: NetworkWorkload[], services: Service[] = [], extra: Partial<NetworkPlan> = {}): NetworkPlan {
    return { stackName: "t", namespace: NS, workloads, services, objectStore: { kind: "s3", cidrs: ["0.0.0.0/0"] }, kubeApiServer: { cidrs: ["10.0.0.0/16"], ports: [443, 6443] }, ...extra };
}

describe("addresses", () => {
    it.each<[string, ReturnType<typeof parseAddress>]>([
        ["dnssrv+_grpc._tcp.s.monitoring.svc.cluster.local", { host: "s.monitoring.svc.cluster.local", port: undefined, portName: "grpc" }],
        ["dnssrvnoa+_memcache._tcp.m.monitoring.svc", { host: "m.monitoring.svc", port: undefined, portName: "memcache" }],
        ["http://q.monitoring.svc:10902", { host: "q.monitoring.svc", port: 10902, portName: undefined }],
        ["http://q.monitoring.svc/api/v1", { host: "q.monitoring.svc", port: 80, portName: undefined }],
        ["https://hooks.example.com/services/x", { host: "hooks.example.com", port: 443, portName: undefined }],
        ["q:10901", { host: "q", port: 10901, portName: undefined }],
        ["dns+memcached.monitoring.svc:11211", { host: "memcached.monitoring.svc", port: 11211, portName: undefined }],
    ])("reads %s", (address, expected) => {
        expect(parseAddress(address)).toEqual(expected);
    });

    it("refuses what it cannot read", () => {
        expect(() => parseAddress("just-a-host")).toThrow('network policies: cannot read a host and port from the address "just-a-host"');
        expect(() => parseAddress("ftp://x:21")).toThrow(/cannot read a host and port/);
    });

    it("tells Services of the namespace, of other namespaces and external hosts apart", () => {
        const p = plan([w("q"), w("s", { ports: [{ name: "grpc", port: 10901 }] })], [svc("s", "s", [{ name: "grpc", port: 10901, targetPort: "grpc" }])]);
        expect(resolveAddress(p, "s:10901")).toMatchObject({ kind: "service", port: 10901, protocol: "TCP", selector: { app: "s" } });
        expect(resolveAddress(p, "s.monitoring.svc.cluster.local.:10901")).toMatchObject({ kind: "service" });
        expect(resolveAddress(p, "s.monitoring.svc:10901")).toMatchObject({ kind: "service" });
        expect(resolveAddress(p, "example.com:443")).toEqual({ kind: "external", address: "example.com:443", host: "example.com", port: 443, protocol: "TCP" });
        expect(resolveAddress(p, "a.b.example.com:443")).toMatchObject({ kind: "external", host: "a.b.example.com" });
        expect(resolveAddress(p, "x.team-a.svc:8080")).toEqual({ kind: "cluster", address: "x.team-a.svc:8080", namespace: "team-a", port: 8080, protocol: "TCP" });
        expect(() => resolveAddress(p, "dnssrv+_http._tcp.x.team-a.svc")).toThrow('network policies: "dnssrv+_http._tcp.x.team-a.svc" names a port of Service team-a/x by name; its number is unknown');
        expect(() => resolveAddress(p, "s:9999")).toThrow('network policies: "s:9999": Service s has no port 9999');
        expect(() => resolveAddress(p, "dnssrv+_http._tcp.s.monitoring.svc")).toThrow('Service s has no port http');
    });

    it("resolves a named target port to the one container port of that name, a numeric one as is, and UDP as UDP", () => {
        const two = plan(
            [w("a", { ports: [{ name: "web", port: 8080 }] }), w("b", { podSelector: { app: "a", tier: "b" }, ports: [{ name: "web", port: 9090 }] })],
            [svc("a", "a", [{ name: "web", port: 80, targetPort: "web" }]), svc("n", "a", [{ name: "n", port: 81, targetPort: 7070 }]), svc("u", "a", [{ name: "dns", port: 53, protocol: "UDP" }])],
        );
        expect(() => resolveAddress(two, "a:80")).toThrow('network policies: "a:80": target port "web" of Service a is not one container port of its pods');
        expect(resolveAddress(two, "n:81")).toMatchObject({ kind: "service", port: 7070 });
        expect(resolveAddress(two, "u:53")).toMatchObject({ kind: "service", port: 53, protocol: "UDP" });
        expect(() => resolveAddress(plan([w("z")], [svc("a", "a", [{ name: "web", port: 80 }])]), "a:80")).toThrow('Service a selects {"app":"a"}, which matches no workload of the stack');
    });
});

describe("plans", () => {
    it("refuse duplicate ids and empty selectors", () => {
        expect(networkPlanProblems(plan([w("a"), w("a"), w("e", { podSelector: {} })]))).toEqual([
            'network policies: workload id "a" is used twice',
            "network policies: workload e has an empty pod selector (it would select every pod)",
        ]);
        expect(() => buildNetworkPolicies(plan([w("a"), w("a")]))).toThrow('network policies: workload id "a" is used twice');
    });
});

describe("the policies of a plan", () => {
    const byName = (p: NetworkPlan) => new Map(buildNetworkPolicies(p).policies.map((x) => [x.metadata!.name!, x]));

    it("deny everything by default and let every pod resolve names on 53 over UDP and TCP", () => {
        const policies = byName(plan([w("a")], [], { dns: { namespace: "dns-ns", podSelector: { app: "dns" } } }));
        expect(policies.get("t-default-deny")!.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        expect(policies.get("t-dns")!.spec).toEqual({
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "dns-ns" } }, podSelector: { matchLabels: { app: "dns" } } }], ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] }],
        });
        expect(byName(plan([w("a")])).get("t-dns")!.spec!.egress![0]!.to).toEqual([{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }]);
        const a = policies.get("t-a")!;
        expect(a.spec).toEqual({ podSelector: { matchLabels: { app: "a" } }, policyTypes: ["Ingress", "Egress"] });
        expect(a.metadata).toMatchObject({ namespace: NS, annotations: expect.objectContaining({}) });
        expect(Object.values(a.metadata!.annotations ?? {})).toContain("the a");
    });

    it("give API watchers the API server's CIDRs on its ports, bucket users S3 on 443 and the Pod Identity agent when asked", () => {
        const p = plan([w("op", { kubeApi: true }), w("store", { bucket: true })], [], { objectStore: { kind: "s3", cidrs: ["52.0.0.0/8"], credentials: EKS_POD_IDENTITY_AGENT } });
        const { policies, flows } = buildNetworkPolicies(p);
        const get = (n: string) => policies.find((x) => x.metadata!.name === n)!;
        expect(get("t-op").spec!.egress).toEqual([{ to: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ port: 443, protocol: "TCP" }, { port: 6443, protocol: "TCP" }] }]);
        expect(get("t-store").spec!.egress).toEqual([
            { to: [{ ipBlock: { cidr: "52.0.0.0/8" } }], ports: [{ port: 443, protocol: "TCP" }] },
            { to: [{ ipBlock: { cidr: "169.254.170.23/32" } }, { ipBlock: { cidr: "fd00:ec2::23/128" } }], ports: [{ port: 80, protocol: "TCP" }] },
        ]);
        expect(flows.map((f) => `${f.from}->${f.to}`)).toEqual(["op->kube-apiserver", "store->object-store", "store->credentials"]);
        expect(EKS_POD_IDENTITY_AGENT).toEqual({ cidrs: ["169.254.170.23/32", "fd00:ec2::23/128"], port: 80 });
    });

    it("reach the in-cluster object store through its Service", () => {
        const p = plan([w("store", { bucket: true }), w("s3", { ports: [{ name: "s3", port: 7070 }] })], [svc("s3", "s3", [{ name: "s3", port: 7070, targetPort: "s3" }])], { objectStore: { kind: "versitygw", endpoint: "s3.monitoring.svc:7070" } });
        const policies = byName(p);
        expect(policies.get("t-store")!.spec!.egress).toEqual([{ to: [{ podSelector: { matchLabels: { app: "s3" } } }], ports: [{ port: 7070, protocol: "TCP" }] }]);
        expect(policies.get("t-s3")!.spec!.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: "store" } } }], ports: [{ port: 7070, protocol: "TCP" }] }]);
    });

    it("open a scraper's egress, let it scrape every metrics port, and merge one peer's ports into one rule", () => {
        const p = plan([w("prom", { scraper: true, metricsPorts: [9090] }), w("q", { metricsPorts: [10902, 10903] })]);
        const policies = byName(p);
        expect(policies.get("t-prom")!.spec!.egress).toEqual([{ to: [{ namespaceSelector: {} }, { ipBlock: { cidr: "0.0.0.0/0" } }] }]);
        expect(policies.get("t-prom")!.spec!.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: "prom" } } }], ports: [{ port: 9090, protocol: "TCP" }] }]);
        expect(policies.get("t-q")!.spec!.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: "prom" } } }], ports: [{ port: 10902, protocol: "TCP" }, { port: 10903, protocol: "TCP" }] }]);
    });

    it("let replicas gossip, callers in from anywhere or from the cluster, and the extra rules a stack adds", () => {
        const p = plan([
            w("am", { peerPorts: [{ port: 9094 }, { port: 9094, protocol: "UDP" }], egressAnywhere: [{ port: 443 }] }),
            w("op", { ingressFromAnywhere: [{ port: 10250 }] }),
            w("pg", { ingressFromCluster: [{ port: 9091 }], extraIngress: [{ peers: [{ namespaceSelector: { matchLabels: { team: "x" } } }], ports: [{ port: 8080 }] }], extraEgress: [{ peers: [{ ipBlock: { cidr: "1.2.3.4/32" } }], ports: [{ port: 25 }] }] }),
        ]);
        const policies = byName(p);
        const peers = [{ podSelector: { matchLabels: { app: "am" } } }];
        expect(policies.get("t-am")!.spec!.ingress).toEqual([{ from: peers, ports: [{ port: 9094, protocol: "TCP" }, { port: 9094, protocol: "UDP" }] }]);
        expect(policies.get("t-am")!.spec!.egress).toEqual([
            { to: peers, ports: [{ port: 9094, protocol: "TCP" }, { port: 9094, protocol: "UDP" }] },
            { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443, protocol: "TCP" }] },
        ]);
        expect(policies.get("t-op")!.spec!.ingress).toEqual([{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 10250, protocol: "TCP" }] }]);
        expect(policies.get("t-pg")!.spec!.ingress).toEqual([
            { from: [{ namespaceSelector: {} }], ports: [{ port: 9091, protocol: "TCP" }] },
            { from: [{ namespaceSelector: { matchLabels: { team: "x" } } }], ports: [{ port: 8080, protocol: "TCP" }] },
        ]);
        expect(policies.get("t-pg")!.spec!.egress).toEqual([{ to: [{ ipBlock: { cidr: "1.2.3.4/32" } }], ports: [{ port: 25, protocol: "TCP" }] }]);
    });

    it("allow an external SRV address on every port, an external host:port on its port, another namespace's Service by namespace", () => {
        const p = plan([w("q", { connectsTo: ["dnssrv+_grpc._tcp.remote.example.com", "remote.example.com:10901", "x.team-a.svc:8080"] })]);
        const { policies, flows } = buildNetworkPolicies(p);
        expect(policies.find((x) => x.metadata!.name === "t-q")!.spec!.egress).toEqual([
            { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] },
            { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "team-a" } } }], ports: [{ port: 8080, protocol: "TCP" }] },
        ]);
        expect(flows.map((f) => [f.from, f.to, f.ports.map((x) => x.port)])).toEqual([
            ["q", "external:remote.example.com", []],
            ["q", "external:remote.example.com", [10901]],
            ["q", "namespace:team-a", [8080]],
        ]);
    });
});

describe("address literals and malformed addresses", () => {
    it.each<[string, "IPv4" | "IPv6" | undefined]>([
        ["10.0.0.1", "IPv4"],
        ["192.168.10.20", "IPv4"],
        ["10.0.0.0/8", "IPv4"],
        ["10.0.0.0/16", "IPv4"],
        ["0.0.0.0/0", "IPv4"],
        ["::/0", "IPv6"],
        ["fd00:ec2::23/128", "IPv6"],
        ["[::1]", "IPv6"],
        ["[fd00::1]:80", "IPv6"],
        ["[fd00::1]:8080", "IPv6"],
        // Host names and things that only look like literals.
        ["cafe", undefined],
        ["1234", undefined],
        ["1.2.3", undefined],
        ["1234.0.0.1", undefined],
        ["x1.2.3.4", undefined],
        ["1.2.3.4x", undefined],
        ["example:8080", undefined],
        ["::1g", undefined],
        ["[::1]a", undefined],
        ["fd00::/8:1", undefined],
        ["fe80::1[", undefined],
    ])("ipFamilyOf(%s) is %s", (address, family) => {
        expect(ipFamilyOf(address)).toBe(family);
    });

    it("reads an IPv6 literal with its port", () => {
        expect(parseAddress("[fd00::1]:9000")).toEqual({ host: "fd00::1", port: 9000, portName: undefined });
    });

    it.each(["xdnssrv+_grpc._tcp.s.monitoring.svc", "dnssrv+_grpc._tcp.s\nx", "http://q:80x", "xhttp://q:80", "q:80x", "x[::1]:80", "[::1]:80x", "q:", ":80"])("refuses %j", (address) => {
        expect(() => parseAddress(address)).toThrow(`network policies: cannot read a host and port from the address "${address}"`);
    });
});

describe("resolving through Services", () => {
    const s = (ports = [{ name: "http", port: 80 }]) => svc("s", "s", ports);

    it("a Service with no selector, or one its pods' labels only partly match, routes to no workload", () => {
        const empty: Service = { ...s(), spec: { ports: [{ name: "http", port: 80 }] } };
        expect(() => resolveAddress(plan([w("s")], [empty]), "s:80")).toThrow('network policies: "s:80": Service s selects {}, which matches no workload of the stack');
        const two: Service = { ...s(), spec: { selector: { app: "s", tier: "web" }, ports: [{ name: "http", port: 80 }] } };
        expect(() => resolveAddress(plan([w("s")], [two]), "s:80")).toThrow('selects {"app":"s","tier":"web"}, which matches no workload');
        expect(resolveAddress(plan([w("s", { podSelector: { app: "s", tier: "web", shard: "0" } })], [two]), "s:80")).toMatchObject({ kind: "service", port: 80 });
    });

    it("a Service without a namespace is the plan's; one of another namespace is not, whatever its name", () => {
        const bare: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { selector: { app: "s" }, ports: [{ name: "http", port: 80 }] } };
        expect(resolveAddress(plan([w("s")], [bare]), "s:80")).toMatchObject({ kind: "service", port: 80 });
        expect(() => resolveAddress(plan([w("s")], [svc("s", "s", [{ name: "http", port: 80 }], "other")]), "s:80")).toThrow('network policies: "s:80" names Service monitoring/s, which the stack does not create');
        const nameless: Service = { apiVersion: "v1", kind: "Service", spec: {} };
        expect(resolveAddress(plan([w("s")], [nameless, bare]), "s:80")).toMatchObject({ kind: "service" });
    });
});

describe("peers, families and problems", () => {
    const grpc = [{ name: "grpc", port: 10901 }];

    it("names a group of instances once, whatever the order of its labels", () => {
        const p = plan(
            [
                w("q", { connectsTo: ["s:10901"] }),
                w("s-0", { podSelector: { app: "s", shard: "0" }, peerSelector: { app: "s", group: "s" }, ports: grpc }),
                w("s-1", { podSelector: { app: "s", shard: "1" }, peerSelector: { group: "s", app: "s" }, ports: grpc }),
            ],
            [svc("s", "s", [{ name: "grpc", port: 10901, targetPort: "grpc" }])],
        );
        const q = buildNetworkPolicies(p).policies.find((x) => x.metadata!.name === "t-q")!;
        expect(q.spec!.egress).toEqual([{ to: [{ podSelector: { matchLabels: { app: "s", group: "s" } } }], ports: [{ port: 10901, protocol: "TCP" }] }]);
    });

    it("names ungrouped pods behind a Service by the Service's selector, and grouped ones by their group", () => {
        const shards = [w("s-0", { podSelector: { app: "s", shard: "0" }, ports: grpc }), w("s-1", { podSelector: { app: "s", shard: "1" }, ports: grpc })];
        const services = [svc("s", "s", [{ name: "grpc", port: 10901, targetPort: "grpc" }])];
        const egressOf = (workloads: NetworkWorkload[]) => buildNetworkPolicies(plan([w("q", { connectsTo: ["s:10901"] }), ...workloads], services)).policies.find((x) => x.metadata!.name === "t-q")!.spec!.egress![0]!.to;
        expect(egressOf(shards)).toEqual([{ podSelector: { matchLabels: { app: "s" } } }]);
        const mixed = [shards[0]!, { ...shards[1]!, peerSelector: { app: "s", group: "g" } }];
        expect(egressOf(mixed)).toEqual([{ podSelector: { matchLabels: { app: "s", shard: "0" } } }, { podSelector: { matchLabels: { app: "s", group: "g" } } }]);
    });

    it("refuses an empty peer selector", () => {
        expect(networkPlanProblems(plan([w("a", { peerSelector: {} })]))).toEqual(["network policies: workload a has an empty peer selector (it would name every pod)"]);
        expect(networkPlanProblems(plan([w("a", { peerSelector: { app: "a" } })]))).toEqual([]);
    });

    it("lets an address literal through on its own family only, and refuses one of a family the pod network lacks", () => {
        const egress = (extra: Partial<NetworkPlan>, address: string) => buildNetworkPolicies(plan([w("q", { connectsTo: [address] })], [], extra)).policies.find((x) => x.metadata!.name === "t-q")!.spec!.egress;
        expect(egress({}, "10.1.2.3:9000")).toEqual([{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 9000, protocol: "TCP" }] }]);
        const dual = { anywhere: ["0.0.0.0/0", "::/0"] };
        expect(egress(dual, "10.1.2.3:9000")).toEqual([{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 9000, protocol: "TCP" }] }]);
        expect(egress(dual, "[fd00::5]:9000")).toEqual([{ to: [{ ipBlock: { cidr: "::/0" } }], ports: [{ port: 9000, protocol: "TCP" }] }]);
        expect(egress(dual, "hooks.example.com:443")).toEqual([{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }], ports: [{ port: 443, protocol: "TCP" }] }]);
        expect(() => egress({}, "[fd00::5]:9000")).toThrow('networkPolicies.ipFamilies: must include IPv6 for "[fd00::5]:9000" (a configured address; no policy would let it through), got ["IPv4"]');
        expect(() => egress({ anywhere: ["::/0"] }, "10.1.2.3:9000")).toThrow('networkPolicies.ipFamilies: must include IPv4 for "10.1.2.3:9000" (a configured address; no policy would let it through), got ["IPv6"]');
        const store = plan([w("store", { bucket: true })], [], { objectStore: { kind: "versitygw", endpoint: "[fd00::7]:7070" } });
        expect(() => buildNetworkPolicies(store)).toThrow('networkPolicies.ipFamilies: must include IPv6 for "[fd00::7]:7070" (object store (in-cluster S3 server [fd00::7]:7070); no policy would let it through), got ["IPv4"]');
    });

    it("says why each flow exists", () => {
        const p = plan(
            [
                w("prom", { scraper: true, kubeApi: true, bucket: true, metricsPorts: [9090], connectsTo: ["am:9093"] }),
                w("am", { ports: [{ name: "web", port: 9093 }], peerPorts: [{ port: 9094 }], egressAnywhere: [{ port: 443 }] }),
                w("op", { ingressFromAnywhere: [{ port: 10250 }] }),
                w("pg", { ingressFromCluster: [{ port: 9091 }], extraIngress: [{ peers: [], ports: [{ port: 1 }] }], extraEgress: [{ peers: [], ports: [{ port: 2 }] }] }),
            ],
            [svc("am", "am", [{ name: "web", port: 9093 }])],
            { objectStore: { kind: "s3", cidrs: ["0.0.0.0/0"], credentials: EKS_POD_IDENTITY_AGENT } },
        );
        expect(buildNetworkPolicies(p).flows.map((f) => `${f.from} -> ${f.to}: ${f.why}`)).toEqual([
            "prom -> am: am:9093",
            "prom -> object-store: S3 and STS over HTTPS (addresses not nameable in a NetworkPolicy)",
            "prom -> credentials: AWS credentials from the node-local agent (EKS Pod Identity)",
            "prom -> kube-apiserver: Kubernetes API",
            "prom -> anywhere: scrape targets in every namespace and on nodes, remote write",
            "prom -> prom: metrics scrape",
            "am -> am: replicas of one cluster talk to each other",
            "am -> anywhere: destinations outside the cluster",
            "anywhere -> op: callers outside the pod network (the API server)",
            "cluster -> pg: clients in every namespace",
            "extra -> pg: additional ingress",
            "pg -> extra: additional egress",
        ]);
        const local = plan([w("store", { bucket: true }), w("s3", { ports: [{ name: "s3", port: 7070 }] })], [svc("s3", "s3", [{ name: "s3", port: 7070 }])], { objectStore: { kind: "versitygw", endpoint: "s3:7070" } });
        expect(buildNetworkPolicies(local).flows.map((f) => f.why)).toEqual(["object store (in-cluster S3 server s3:7070)"]);
    });
});

describe("any address, merged ports and labels", () => {
    it("is 0.0.0.0/0 for IPv4, ::/0 for IPv6, both (IPv4 first) for dual stack, nothing for no family", () => {
        expect(anyAddress(["IPv4"])).toEqual(["0.0.0.0/0"]);
        expect(anyAddress(["IPv6"])).toEqual(["::/0"]);
        expect(anyAddress(["IPv6", "IPv4"])).toEqual(["0.0.0.0/0", "::/0"]);
        expect(anyAddress([])).toEqual([]);
    });

    it("merges a port given without a protocol with the same port given as TCP, and keeps UDP apart", () => {
        const p = plan([w("a", { extraEgress: [{ peers: [{ ipBlock: { cidr: "1.2.3.4/32" } }], ports: [{ port: 25 }, { port: 25, protocol: "TCP" }, { port: 25, protocol: "UDP" }] }] })]);
        const a = buildNetworkPolicies(p).policies.find((x) => x.metadata!.name === "t-a")!;
        expect(a.spec!.egress).toEqual([{ to: [{ ipBlock: { cidr: "1.2.3.4/32" } }], ports: [{ port: 25, protocol: "TCP" }, { port: 25, protocol: "UDP" }] }]);
    });

    it("lets a rule for every port of a peer win over that peer's rules for some ports, in either order", () => {
        for (const connectsTo of [["remote.example.com:10901", "dnssrv+_grpc._tcp.remote.example.com"], ["dnssrv+_grpc._tcp.remote.example.com", "remote.example.com:10901"]]) {
            const q = buildNetworkPolicies(plan([w("q", { connectsTo })])).policies.find((x) => x.metadata!.name === "t-q")!;
            expect(q.spec!.egress).toEqual([{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }]);
        }
    });

    it("names a group of three labels once whatever their order", () => {
        const grpc = [{ name: "grpc", port: 10901 }];
        const orders = [
            { app: "s", group: "g", role: "r" },
            { role: "r", app: "s", group: "g" },
            { group: "g", role: "r", app: "s" },
        ];
        const p = plan(
            [w("q", { connectsTo: ["s:10901"] }), ...orders.map((peerSelector, i) => w(`s-${i}`, { podSelector: { app: "s", shard: String(i) }, peerSelector, ports: grpc }))],
            [svc("s", "s", [{ name: "grpc", port: 10901, targetPort: "grpc" }])],
        );
        const q = buildNetworkPolicies(p).policies.find((x) => x.metadata!.name === "t-q")!;
        expect(q.spec!.egress![0]!.to).toHaveLength(1);
    });

    it("refuses a plan with every problem it has, one per line", () => {
        expect(() => buildNetworkPolicies(plan([w("a"), w("a"), w("e", { podSelector: {} })]))).toThrow(
            'network policies: workload id "a" is used twice\nnetwork policies: workload e has an empty pod selector (it would select every pod)',
        );
    });

    it("labels every policy as the stack's network policy, in the plan's namespace", () => {
        for (const policy of buildNetworkPolicies(plan([w("a"), w("b")])).policies) {
            expect(policy.metadata).toMatchObject({ namespace: NS, labels: { "app.kubernetes.io/component": "network-policy", "app.kubernetes.io/instance": "t" } });
            expect(policy.apiVersion).toBe("networking.k8s.io/v1");
            expect(policy.kind).toBe("NetworkPolicy");
        }
    });
});
