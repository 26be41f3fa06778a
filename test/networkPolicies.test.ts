import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { buildNetworkPolicies, parseAddress, resolveAddress, type NetworkPlan } from "../components/network/networkPolicies";
import { buildPriorityClass, monitoringPriorityClassName } from "../components/stack/priorityClass";
import { selectorLabels } from "../components/lib/meta";
import type { Service } from "kubernetes-types/core/v1";
import type { RenderResult } from "../scripts/lib/render";
import { objectsOfKind, querierEndpointDocument, renderInProcess } from "./support/harness";
import {
    argsOf,
    cacheAddresses,
    denial,
    flagValue,
    governing,
    podsOfRender,
    resolveThroughService,
    type ModelPod,
    type PolicyObject,
    type ServiceObject,
} from "./support/networkModel";

const NS = "monitoring";

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A configured connection: a source pod and an address it is configured with. */
interface Configured {
    src: ModelPod;
    address: string;
    where: string;
}

function podsOf(pods: ModelPod[], test: (p: ModelPod) => boolean, what: string): ModelPod[] {
    const found = pods.filter(test);
    if (found.length === 0) throw new Error(`no ${what} pod in the render`);
    return found;
}

/** Every address in the querier, ruler, query-frontend, store, Grafana and Prometheus configuration of a render. */
function configuredConnections(result: RenderResult, pods: ModelPod[]): Configured[] {
    const out: Configured[] = [];
    const thanosPods = (sub: string) => podsOf(pods, (p) => p.kind !== "Chart" && String(argsOf(p)[0]) === sub, `thanos ${sub}`);

    for (const q of thanosPods("query")) {
        const sd = querierEndpointDocument(result.manifests.map((m) => m.object), q.object);
        for (const e of sd.endpoints) out.push({ src: q, address: e.address, where: "querier --endpoint.sd-config-file" });
    }
    for (const qf of thanosPods("query-frontend")) {
        out.push({ src: qf, address: flagValue(argsOf(qf), "query-frontend.downstream-url")!, where: "query-frontend --query-frontend.downstream-url" });
        for (const a of cacheAddresses(flagValue(argsOf(qf), "query-range.response-cache-config"))) out.push({ src: qf, address: a, where: "query-frontend results cache" });
    }
    for (const st of thanosPods("store")) {
        for (const f of ["index-cache.config", "store.caching-bucket.config"]) for (const a of cacheAddresses(flagValue(argsOf(st), f))) out.push({ src: st, address: a, where: `store --${f}` });
    }
    const secrets = objectsOfKind<{ metadata: { name: string }; stringData?: Record<string, string> }>(result, "Secret");
    for (const ruler of podsOf(pods, (p) => p.kind === "ThanosRuler", "ruler")) {
        const spec = rec(ruler.object["spec"]);
        for (const a of arr(spec["queryEndpoints"])) out.push({ src: ruler, address: String(a), where: "ruler queryEndpoints" });
        const ref = rec(spec["alertmanagersConfig"]);
        const secret = secrets.find((s) => s.metadata.name === ref["name"]);
        const doc = parseYaml(secret?.stringData?.[String(ref["key"])] ?? "") as { alertmanagers: Array<{ static_configs: string[] }> };
        for (const am of doc.alertmanagers) for (const a of am.static_configs) out.push({ src: ruler, address: a, where: "ruler --alertmanagers.config" });
    }
    for (const prom of podsOf(pods, (p) => p.kind === "Prometheus", "prometheus")) {
        for (const am of arr(rec(rec(prom.object["spec"])["alerting"])["alertmanagers"])) {
            const a = rec(am);
            out.push({ src: prom, address: `dnssrv+_${String(a["port"])}._tcp.${String(a["name"])}.${String(a["namespace"])}.svc.cluster.local`, where: "prometheus alerting" });
        }
    }
    for (const g of pods.filter((p) => p.owner.endsWith("#grafana"))) {
        const values = rec(g.object["grafana"]);
        out.push({ src: g, address: String(rec(rec(values["sidecar"])["datasources"])["url"]), where: "grafana datasource" });
        for (const ds of arr(values["additionalDataSources"])) out.push({ src: g, address: String(rec(ds)["url"]), where: "grafana additional datasource" });
    }
    // The bucket: the objstore Secret's endpoint (the in-cluster S3 server) for every pod that mounts it, and the bucket Job.
    const objstore = secrets.find((s) => s.metadata.name.endsWith("-objstore"));
    const objstoreYaml = Object.values(objstore?.stringData ?? {})[0];
    const endpoint = objstoreYaml ? String(rec(rec(parseYaml(objstoreYaml))["config"])["endpoint"] ?? "") : "";
    if (endpoint.includes(".svc")) {
        const users = pods.filter(
            (p) =>
                JSON.stringify(p.object).includes(`"name":"${objstore!.metadata.name}"`) ||
                JSON.stringify(p.object).includes(`"secretName":"${objstore!.metadata.name}"`) ||
                p.owner.startsWith("Job/"),
        );
        for (const u of users) out.push({ src: u, address: endpoint, where: "objstore endpoint" });
    }
    return out;
}

describe.each(["prod", "local"])("NetworkPolicies of the %s render", (stack) => {
    let result: RenderResult;
    let pods: ModelPod[];
    let policies: PolicyObject[];
    let services: ServiceObject[];
    beforeAll(async () => {
        result = await renderInProcess(stack, [], true);
        pods = podsOfRender(result, NS);
        policies = objectsOfKind<PolicyObject>(result, "NetworkPolicy");
        services = objectsOfKind<ServiceObject>(result, "Service");
    });

    it("allow every address the querier, ruler, query-frontend, store, Prometheus and Grafana are configured with", () => {
        const connections = configuredConnections(result, pods);
        const blocked: string[] = [];
        let checked = 0;
        for (const c of connections) {
            const { service, targets } = resolveThroughService(c.address, services, pods);
            for (const t of targets) {
                checked++;
                const why = denial(policies, c.src, t.pod, t.port);
                if (why) blocked.push(`${c.where} ${c.address} (Service ${service}): ${why}`);
            }
        }
        expect(blocked).toEqual([]);
        // Every querier endpoint kind was followed: sidecars, every store instance, the ruler.
        const querierAddresses = connections.filter((c) => c.where.startsWith("querier")).map((c) => c.address);
        expect(querierAddresses.some((a) => a.includes("-prometheus-sidecar."))).toBe(true);
        expect(querierAddresses.some((a) => a.includes("-store-"))).toBe(true);
        expect(querierAddresses.some((a) => a.includes("-rule."))).toBe(true);
        expect(checked).toBeGreaterThanOrEqual(connections.length);
        if (stack === "local") expect(connections.some((c) => c.where === "objstore endpoint")).toBe(true);
        if (stack === "prod") expect(connections.some((c) => c.where === "query-frontend results cache" || c.where.startsWith("store --index-cache"))).toBe(true);
    });

    it("put every pod under default deny and under a policy of its own with ingress and egress rules", () => {
        const deny = policies.filter((p) => Object.keys(p.spec.podSelector).length === 0 && !p.spec.ingress && !p.spec.egress);
        expect(deny.map((p) => p.spec.policyTypes)).toEqual([["Ingress", "Egress"]]);
        expect(pods.length).toBeGreaterThan(8);
        for (const pod of pods) {
            const own = (dir: "Ingress" | "Egress") => governing(policies, pod, dir).filter((p) => Object.keys(rec(p.spec.podSelector["matchLabels"])).length > 0);
            expect(own("Ingress").length, `${pod.owner}: a policy of its own governs ingress`).toBeGreaterThan(0);
            expect(own("Egress").length, `${pod.owner}: a policy of its own governs egress`).toBeGreaterThan(0);
            const egressRules = governing(policies, pod, "Egress").flatMap((p) => p.spec.egress ?? []);
            expect(egressRules.length, `${pod.owner} has egress rules (at least DNS)`).toBeGreaterThan(0);
            const ingressRules = own("Ingress").flatMap((p) => p.spec.ingress ?? []);
            if (pod.longRunning) expect(ingressRules.length, `${pod.owner} accepts something (at least the scrape)`).toBeGreaterThan(0);
        }
    });

    it("deny flows the stack does not use", () => {
        const one = (test: (p: ModelPod) => boolean, what: string) => podsOf(pods, test, what)[0]!;
        const queryFrontend = one((p) => p.kind === "Deployment" && String(argsOf(p)[0]) === "query-frontend", "query-frontend");
        const querier = one((p) => p.kind === "Deployment" && String(argsOf(p)[0]) === "query", "querier");
        const store = one((p) => p.kind === "StatefulSet" && String(argsOf(p)[0]) === "store", "store");
        const compactor = one((p) => p.kind === "StatefulSet" && String(argsOf(p)[0]) === "compact", "compactor");
        const alertmanager = one((p) => p.kind === "Alertmanager", "alertmanager");
        const prometheus = one((p) => p.kind === "Prometheus", "prometheus");
        expect(denial(policies, queryFrontend, store, 10901)).toMatch(/does not allow/);
        expect(denial(policies, queryFrontend, prometheus, 10901)).toMatch(/does not allow/);
        expect(denial(policies, store, alertmanager, 9093)).toMatch(/does not allow/);
        expect(denial(policies, compactor, querier, 10902)).toMatch(/does not allow/);
        expect(denial(policies, querier, store, 10902)).toMatch(/does not allow/); // the querier speaks gRPC to stores, never HTTP
        const stranger: ModelPod = { owner: "Deployment/elsewhere", kind: "Deployment", namespace: "team-a", labels: { app: "x" }, ports: [], longRunning: true, ip: "10.244.9.9", object: {} };
        expect(denial(policies, stranger, querier, 10902)).toMatch(/ingress of/);
        expect(denial(policies, stranger, store, 10901)).toMatch(/ingress of/);
        // DNS works for every pod.
        const coredns: ModelPod = { owner: "coredns", kind: "Deployment", namespace: "kube-system", labels: { "k8s-app": "kube-dns" }, ports: [{ port: 53, protocol: "UDP" }], longRunning: true, ip: "10.244.9.10", object: {} };
        for (const pod of pods) expect(denial(policies, pod, coredns, 53, "UDP"), pod.owner).toBeUndefined();
    });

    it("a blocked configured flow is reported (the check can fail)", () => {
        const withoutQuerierEgress = policies.map((p) => (p.metadata.name.endsWith("-query") ? { ...p, spec: { ...p.spec, egress: [] } } : p));
        const querier = pods.find((p) => p.kind === "Deployment" && String(argsOf(p)[0]) === "query")!;
        const store = pods.find((p) => p.kind === "StatefulSet" && String(argsOf(p)[0]) === "store")!;
        expect(denial(policies, querier, store, 10901)).toBeUndefined();
        expect(denial(withoutQuerierEgress, querier, store, 10901)).toMatch(/egress of Deployment\/thanos-query/);
    });

    it("give every pod the stack's PriorityClass", () => {
        const [pc] = objectsOfKind<{ metadata: { name: string }; value: number; globalDefault: boolean; preemptionPolicy: string }>(result, "PriorityClass");
        expect(pc).toMatchObject({ metadata: { name: monitoringPriorityClassName("thanos", NS) }, value: 1000000, globalDefault: false, preemptionPolicy: "PreemptLowerPriority" });
        for (const pod of pods) {
            const spec = rec(pod.object["spec"]);
            const name = pod.kind === "Chart" ? undefined : ["Prometheus", "Alertmanager", "ThanosRuler"].includes(pod.kind) ? spec["priorityClassName"] : rec(rec(spec["template"])["spec"])["priorityClassName"];
            if (pod.kind !== "Chart") expect(name, pod.owner).toBe(pc!.metadata.name);
        }
        const values = rec(result.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!.inputs["values"]);
        const po = rec(values["prometheusOperator"]);
        for (const v of [po, rec(rec(po["admissionWebhooks"])["patch"]), rec(values["grafana"]), rec(values["kube-state-metrics"]), rec(values["prometheus-node-exporter"])]) {
            expect(v["priorityClassName"]).toBe(pc!.metadata.name);
        }
    });
});

describe("the network builder (pure)", () => {
    const sel = (name: string) => selectorLabels(name, name);
    const service = (name: string, ports: Array<{ name: string; port: number; targetPort: string | number }>): Service => ({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: NS },
        spec: { selector: sel(name), ports },
    });
    const plan = (): NetworkPlan => ({
        stackName: "t",
        namespace: NS,
        objectStore: { kind: "s3", cidrs: ["0.0.0.0/0"] },
        kubeApiServer: { cidrs: ["10.0.0.0/16"], ports: [443] },
        services: [service("q", [{ name: "http", port: 10902, targetPort: "http" }]), service("s", [{ name: "grpc", port: 10901, targetPort: "grpc" }])],
        workloads: [
            { id: "q", description: "q", podSelector: sel("q"), ports: [{ name: "http", port: 10902 }], connectsTo: ["dnssrv+_grpc._tcp.s.monitoring.svc.cluster.local", "remote.example.com:443"] },
            { id: "s", description: "s", podSelector: sel("s"), ports: [{ name: "grpc", port: 10901 }], bucket: true },
        ],
    });

    it("reads Thanos SD, URL and host:port addresses", () => {
        expect(parseAddress("dnssrvnoa+_memcache._tcp.m.monitoring.svc.cluster.local")).toEqual({ host: "m.monitoring.svc.cluster.local", port: undefined, portName: "memcache" });
        expect(parseAddress("http://q.monitoring.svc.cluster.local:10902")).toEqual({ host: "q.monitoring.svc.cluster.local", port: 10902, portName: undefined });
        expect(parseAddress("https://hooks.example.com/x")).toMatchObject({ host: "hooks.example.com", port: 443 });
        expect(parseAddress("q.monitoring.svc.cluster.local:10902")).toMatchObject({ port: 10902 });
    });

    it("resolves a named target port through the destination's container ports, and external hosts as external", () => {
        expect(resolveAddress(plan(), "dnssrv+_grpc._tcp.s.monitoring.svc.cluster.local")).toMatchObject({ kind: "service", port: 10901, workloads: [{ id: "s" }] });
        expect(resolveAddress(plan(), "remote.example.com:443")).toMatchObject({ kind: "external", port: 443 });
        expect(resolveAddress(plan(), "http://other.team-a.svc.cluster.local:8080")).toMatchObject({ kind: "cluster", namespace: "team-a", port: 8080 });
    });

    it("refuses an address that names a Service of the namespace the stack does not create, or one that routes to no workload", () => {
        const p = plan();
        p.workloads[0]!.connectsTo = ["dnssrv+_grpc._tcp.missing.monitoring.svc.cluster.local"];
        expect(() => buildNetworkPolicies(p)).toThrow(/names Service monitoring\/missing, which the stack does not create/);
        const q = plan();
        q.workloads = q.workloads.filter((w) => w.id !== "s");
        expect(() => buildNetworkPolicies(q)).toThrow(/matches no workload of the stack/);
    });

    it("generates egress on the source and ingress on the destination from the same address, nothing more", () => {
        const { policies, flows } = buildNetworkPolicies(plan());
        expect(policies.map((p) => p.metadata?.name)).toEqual(["t-default-deny", "t-dns", "t-q", "t-s"]);
        const q = policies.find((p) => p.metadata?.name === "t-q")!;
        const s = policies.find((p) => p.metadata?.name === "t-s")!;
        expect(q.spec?.egress).toEqual([
            { to: [{ podSelector: { matchLabels: sel("s") } }], ports: [{ port: 10901, protocol: "TCP" }] },
            { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443, protocol: "TCP" }] },
        ]);
        expect(q.spec?.ingress).toBeUndefined();
        expect(s.spec?.ingress).toEqual([{ from: [{ podSelector: { matchLabels: sel("q") } }], ports: [{ port: 10901, protocol: "TCP" }] }]);
        // The bucket user reaches S3/STS on 443 only.
        expect(s.spec?.egress).toEqual([{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443, protocol: "TCP" }] }]);
        expect(flows.map((f) => `${f.from}->${f.to}`)).toEqual(["q->s", "q->external:remote.example.com", "s->object-store"]);
    });

    it("builds a PriorityClass that preempts but is never the default", () => {
        expect(buildPriorityClass({ name: "monitoring-thanos", instance: "thanos" })).toMatchObject({
            apiVersion: "scheduling.k8s.io/v1",
            kind: "PriorityClass",
            value: 1000000,
            globalDefault: false,
            preemptionPolicy: "PreemptLowerPriority",
        });
    });
});

describe("configuration", () => {
    it("networkPolicies.enabled=false leaves the policies out; a bad CIDR or priority is refused with its key path", async () => {
        const off = await renderInProcess("local", ["networkPolicies.enabled=false"]);
        expect(objectsOfKind(off, "NetworkPolicy")).toEqual([]);
        await expect(renderInProcess("local", ["networkPolicies.kubeApiServerCidrs=[10.0.0.0/33]", "priorityClass.value=0"])).rejects.toMatchObject({
            problems: expect.arrayContaining([
                'networkPolicies.kubeApiServerCidrs[0]: must be a CIDR like 10.0.0.0/16, 0.0.0.0/0, fd00::/8 or ::/0, got "10.0.0.0/33"',
                "priorityClass.value: must be an integer between 1 and 1000000000, got 0",
            ]),
        });
    });
});
