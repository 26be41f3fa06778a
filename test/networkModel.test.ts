/**
 * The NetworkPolicy evaluator of test/support/networkModel.ts against the semantics the Kubernetes documentation
 * gives (concepts/services-networking/network-policies): if the evaluator is wrong, the flow tests prove nothing.
 */
import { describe, expect, it } from "vitest";
import { denial, inCidr, isDenied, selects, type ModelHost, type ModelPod, type PolicyObject } from "./support/networkModel";

const pod = (namespace: string, labels: Record<string, string>, ports: ModelPod["ports"] = [], ip = "10.244.0.9"): ModelPod => ({
    kind: "Deployment",
    owner: `${namespace}/${JSON.stringify(labels)}`,
    namespace,
    labels,
    ports,
    longRunning: true,
    ip,
    object: {},
});
const policy = (namespace: string, spec: PolicyObject["spec"]): PolicyObject => ({ metadata: { name: "p", namespace }, spec });

const web = pod("a", { app: "web" }, [{ name: "http", port: 8080, protocol: "TCP" }], "10.244.0.10");
const db = pod("a", { app: "db" }, [{ name: "pg", port: 5432, protocol: "TCP" }], "10.244.0.11");
const other = pod("b", { app: "web" }, [], "10.244.1.10");
const external: ModelHost = { kind: "Host", owner: "example.com", ip: "93.184.216.34" };

describe("the NetworkPolicy model", () => {
    it("selects with matchLabels and every matchExpressions operator; {} selects everything", () => {
        expect(selects({}, { a: "1" })).toBe(true);
        expect(selects({ matchLabels: { a: "1" } }, { a: "1", b: "2" })).toBe(true);
        expect(selects({ matchLabels: { a: "1" } }, { a: "2" })).toBe(false);
        expect(selects({ matchExpressions: [{ key: "a", operator: "In", values: ["1", "3"] }] }, { a: "3" })).toBe(true);
        expect(selects({ matchExpressions: [{ key: "a", operator: "In", values: ["1"] }] }, {})).toBe(false);
        expect(selects({ matchExpressions: [{ key: "a", operator: "NotIn", values: ["1"] }] }, {})).toBe(true);
        expect(selects({ matchExpressions: [{ key: "a", operator: "NotIn", values: ["1"] }] }, { a: "1" })).toBe(false);
        expect(selects({ matchExpressions: [{ key: "a", operator: "Exists" }] }, { a: "" })).toBe(true);
        expect(selects({ matchExpressions: [{ key: "a", operator: "DoesNotExist" }] }, { a: "" })).toBe(false);
        expect(() => selects({ matchExpressions: [{ key: "a", operator: "Matches" }] }, {})).toThrow(/unknown selector operator/);
    });

    it("matches IPv4 and IPv6 CIDRs, never across families", () => {
        expect(inCidr("10.1.2.3", "10.0.0.0/8")).toBe(true);
        expect(inCidr("11.1.2.3", "10.0.0.0/8")).toBe(false);
        expect(inCidr("169.254.170.23", "169.254.170.23/32")).toBe(true);
        expect(inCidr("169.254.170.24", "169.254.170.23/32")).toBe(false);
        expect(inCidr("1.2.3.4", "0.0.0.0/0")).toBe(true);
        expect(inCidr("fd00:ec2::23", "fd00:ec2::23/128")).toBe(true);
        expect(inCidr("fd00:ec2::24", "fd00:ec2::23/128")).toBe(false);
        expect(inCidr("fd00:ec2::23", "0.0.0.0/0")).toBe(false);
        expect(() => inCidr("10.0.0.1", "10.0.0.0/33")).toThrow(/bad CIDR/);
    });

    it("a pod no policy selects is not isolated; a policy isolates only the directions of its policyTypes", () => {
        expect(denial([], web, db, 5432)).toBeUndefined();
        const ingressOnly = policy("a", { podSelector: { matchLabels: { app: "db" } } });
        expect(denial([ingressOnly], web, db, 5432)).toMatch(/^ingress of/);
        // policyTypes defaults to Ingress (plus Egress with egress rules): db's egress stays open.
        expect(denial([ingressOnly], db, external, 443)).toBeUndefined();
        const egressRules = policy("a", { podSelector: { matchLabels: { app: "web" } }, egress: [{ ports: [{ port: 5432 }] }] });
        expect(denial([egressRules], web, external, 443)).toMatch(/^egress of/);
        expect(denial([egressRules], web, db, 5432)).toBeUndefined();
    });

    it("needs both ends: the source's egress and the destination's ingress", () => {
        const denyAll = policy("a", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        const webOut = policy("a", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { app: "db" } } }], ports: [{ port: 5432 }] }] });
        const dbIn = policy("a", { podSelector: { matchLabels: { app: "db" } }, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: "pg" }] }] });
        expect(denial([denyAll, webOut], web, db, 5432)).toMatch(/^ingress of/);
        expect(denial([denyAll, dbIn], web, db, 5432)).toMatch(/^egress of/);
        expect(denial([denyAll, webOut, dbIn], web, db, 5432)).toBeUndefined();
        // Rules add up across policies, but each rule's peers and ports go together.
        expect(denial([denyAll, webOut, dbIn], web, db, 5433)).toBeDefined();
        expect(denial([denyAll, webOut, dbIn], db, web, 5432)).toBeDefined();
    });

    it("reads ports as Kubernetes does: TCP by default, a missing port is every port, endPort a range, names on the destination", () => {
        const open = (ports: unknown[]) => [policy("a", { podSelector: { matchLabels: { app: "db" } }, ingress: [{ ports: ports as Record<string, unknown>[] }] })];
        expect(denial(open([{ port: 5432 }]), web, db, 5432, "UDP")).toBeDefined();
        expect(denial(open([{ protocol: "UDP" }]), web, db, 9999, "UDP")).toBeUndefined();
        expect(denial(open([{ protocol: "UDP" }]), web, db, 9999, "TCP")).toBeDefined();
        expect(denial(open([{ port: 5000, endPort: 6000 }]), web, db, 5432)).toBeUndefined();
        expect(denial(open([{ port: 5000, endPort: 6000 }]), web, db, 6001)).toBeDefined();
        expect(denial(open([{ port: "pg" }]), web, db, 5432)).toBeUndefined();
        expect(denial(open([{ port: "http" }]), web, db, 8080)).toBeDefined();
        expect(denial(open([]), web, db, 1)).toBeUndefined();
    });

    it("reads peers as Kubernetes does: podSelector alone is the policy's namespace, both selectors in one peer are ANDed", () => {
        const from = (peers: unknown[]) => [policy("a", { podSelector: { matchLabels: { app: "db" } }, ingress: [{ from: peers as Record<string, unknown>[] }] })];
        expect(denial(from([{ podSelector: { matchLabels: { app: "web" } } }]), web, db, 5432)).toBeUndefined();
        expect(denial(from([{ podSelector: { matchLabels: { app: "web" } } }]), other, db, 5432)).toBeDefined();
        expect(denial(from([{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "b" } } }]), other, db, 5432)).toBeUndefined();
        const and = [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "b" } }, podSelector: { matchLabels: { app: "api" } } }];
        expect(denial(from(and), other, db, 5432)).toBeDefined();
        const or = [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "b" } } }, { podSelector: { matchLabels: { app: "api" } } }];
        expect(denial(from(or), other, db, 5432)).toBeUndefined();
        expect(denial(from([{ namespaceSelector: { matchLabels: { team: "x" } } }]), other, db, 5432, "TCP", { b: { team: "x" } })).toBeUndefined();
        expect(denial(from([]), other, db, 5432)).toBeUndefined();
    });

    it("ipBlocks select addresses (with except); whether they match pods is up to the plugin, so they count only for denials", () => {
        const out = (block: Record<string, unknown>) => [policy("a", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: block }], ports: [{ port: 443 }] }] })];
        expect(denial(out({ cidr: "0.0.0.0/0" }), web, external, 443)).toBeUndefined();
        expect(denial(out({ cidr: "0.0.0.0/0", except: ["93.184.0.0/16"] }), web, external, 443)).toBeDefined();
        expect(denial(out({ cidr: "10.0.0.0/8" }), web, external, 443)).toBeDefined();
        // A pod address inside the block: not guaranteed to work, and not guaranteed to be refused either.
        expect(denial(out({ cidr: "0.0.0.0/0" }), web, db, 443)).toBeDefined();
        expect(isDenied(out({ cidr: "0.0.0.0/0" }), web, db, 443)).toBe(false);
        expect(isDenied(out({ cidr: "192.168.0.0/16" }), web, db, 443)).toBe(true);
        // A named port never matches a host.
        const named = [policy("a", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ ports: [{ port: "https" }] }] })];
        expect(denial(named, web, external, 443)).toBeDefined();
    });
});
