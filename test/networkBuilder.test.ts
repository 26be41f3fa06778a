/**
 * The NetworkPolicy builder's pure parts, each rule with the exact result: reading addresses (Thanos DNS SD,
 * URLs, host:port), telling in-cluster Service names from external hosts, resolving a Service's named target
 * port, merging rules per peer, and the policies a plan produces (policy types, DNS, the API server, the object
 * store, gossip, ingress from anywhere or from the cluster, scrapes).
 */
import { describe, expect, it } from "vitest";
import type { Service } from "kubernetes-types/core/v1";
import { buildNetworkPolicies, EKS_POD_IDENTITY_AGENT, networkPlanProblems, parseAddress, resolveAddress, type NetworkPlan, type NetworkWorkload } from "../components/network/networkPolicies";

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
