/**
 * The NetworkPolicies of rendered stacks, as flows between real endpoints: a source pod, the Service or host it
 * connects to, the port and protocol. The expected ports are the upstream defaults (Thanos `--grpc-address`
 * 10901 and `--http-address` 10902, Prometheus 9090, Alertmanager 9093 and cluster 9094 over TCP and UDP,
 * Pushgateway 9091, memcached 11211, CoreDNS 53 over UDP and TCP, the API server on 443 (EKS) or 6443
 * (kubeadm, kind), the EKS Pod Identity agent on 169.254.170.23:80 and [fd00:ec2::23]:80), written here from
 * the upstream documentation, not read from the builders. Each flow is asserted both ways: what must work on
 * every network plugin, and what must be refused on every network plugin.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { RenderResult } from "../scripts/lib/render";
import { objectsOfKind, querierEndpointDocument, renderInProcess } from "./support/harness";
import {
    argsOf,
    denial,
    isDenied,
    podsOfRender,
    resolveThroughService,
    type Endpoint,
    type ModelHost,
    type ModelPod,
    type NamespaceLabels,
    type PolicyObject,
    type Protocol,
    type ServiceObject,
} from "./support/networkModel";

const NS = "monitoring";

/** Hosts outside the pod network. */
const HOSTS = {
    apiServerEks: { kind: "Host", owner: "kube-apiserver (EKS control-plane ENI)", ip: "10.0.12.34" },
    apiServerKind: { kind: "Host", owner: "kube-apiserver (kind node)", ip: "172.18.0.2" },
    s3: { kind: "Host", owner: "s3.eu-west-1.amazonaws.com", ip: "52.218.16.10" },
    sts: { kind: "Host", owner: "sts.eu-west-1.amazonaws.com", ip: "99.80.0.10" },
    podIdentityAgent: { kind: "Host", owner: "EKS Pod Identity agent", ip: "169.254.170.23" },
    podIdentityAgentV6: { kind: "Host", owner: "EKS Pod Identity agent (IPv6)", ip: "fd00:ec2::23" },
} satisfies Record<string, ModelHost>;

/** CoreDNS as every cluster runs it: kube-system pods labelled k8s-app=kube-dns. */
const COREDNS: ModelPod = {
    kind: "Deployment",
    owner: "Deployment/kube-system/coredns",
    namespace: "kube-system",
    labels: { "k8s-app": "kube-dns" },
    ports: [
        { name: "dns", port: 53, protocol: "UDP" },
        { name: "dns-tcp", port: 53, protocol: "TCP" },
        { name: "metrics", port: 9153, protocol: "TCP" },
    ],
    longRunning: true,
    ip: "10.244.200.10",
    object: {},
};

/** A pod of another team's namespace. */
const STRANGER: ModelPod = { kind: "Deployment", owner: "Deployment/team-a/app", namespace: "team-a", labels: { app: "x" }, ports: [{ name: "http", port: 8080, protocol: "TCP" }], longRunning: true, ip: "10.244.201.10", object: {} };

interface Model {
    result: RenderResult;
    pods: ModelPod[];
    policies: PolicyObject[];
    services: ServiceObject[];
    namespaces: NamespaceLabels;
}

/** One render per stack and overrides, shared by the describes of this file (a render is most of a test's time). */
const models = new Map<string, Promise<Model>>();

function model(stack: string, sets: string[] = []): Promise<Model> {
    const key = JSON.stringify([stack, sets]);
    const cached = models.get(key);
    if (cached !== undefined) return cached;
    const made = renderModel(stack, sets);
    models.set(key, made);
    return made;
}

async function renderModel(stack: string, sets: string[]): Promise<Model> {
    const result = await renderInProcess(stack, sets, true);
    const namespaces: NamespaceLabels = {};
    for (const n of objectsOfKind<{ metadata: { name: string; labels?: Record<string, string> } }>(result, "Namespace")) namespaces[n.metadata.name] = n.metadata.labels ?? {};
    return { result, pods: podsOfRender(result, NS), policies: objectsOfKind<PolicyObject>(result, "NetworkPolicy"), services: objectsOfKind<ServiceObject>(result, "Service"), namespaces };
}

function thanos(m: Model, subcommand: string): ModelPod[] {
    return m.pods.filter((p) => p.kind !== "Chart" && String(argsOf(p)[0]) === subcommand);
}
function ofKind(m: Model, kind: string): ModelPod[] {
    return m.pods.filter((p) => p.kind === kind);
}
function chart(m: Model, part: string): ModelPod[] {
    return m.pods.filter((p) => p.owner.endsWith(`#${part}`));
}
function byImage(m: Model, image: RegExp): ModelPod[] {
    return m.pods.filter((p) => JSON.stringify(p.object).match(image) !== null && p.kind !== "Chart");
}
function some(pods: ModelPod[], what: string): ModelPod[] {
    if (pods.length === 0) throw new Error(`no ${what} pod in the render`);
    return pods;
}

function expectAllowed(m: Model, from: Endpoint[], to: Endpoint[], port: number, protocol: Protocol = "TCP") {
    const refused = from.flatMap((s) => to.map((d) => denial(m.policies, s, d, port, protocol, m.namespaces)).filter((x): x is string => x !== undefined));
    expect(refused, `${port}/${protocol} must be allowed`).toEqual([]);
}

function expectDenied(m: Model, from: Endpoint[], to: Endpoint[], port: number, protocol: Protocol = "TCP") {
    const allowed = from.flatMap((s) => to.filter((d) => !isDenied(m.policies, s, d, port, protocol, m.namespaces)).map((d) => `${s.owner} -> ${d.owner}:${port}/${protocol}`));
    expect(allowed, `${port}/${protocol} must be refused`).toEqual([]);
}

describe.each(["prod", "local"])("network flows of the %s render", (stack) => {
    let m: Model;
    let roles: Record<"querier" | "frontend" | "store" | "compactor" | "ruler" | "prometheus" | "alertmanager" | "pushgateway" | "operator" | "admission" | "ksm" | "grafana", ModelPod[]>;
    beforeAll(async () => {
        m = await model(stack);
        roles = {
            querier: some(thanos(m, "query"), "querier"),
            frontend: some(thanos(m, "query-frontend"), "query-frontend"),
            store: some(thanos(m, "store"), "store gateway"),
            compactor: some(thanos(m, "compact"), "compactor"),
            ruler: some(ofKind(m, "ThanosRuler"), "ruler"),
            prometheus: some(ofKind(m, "Prometheus"), "Prometheus"),
            alertmanager: some(ofKind(m, "Alertmanager"), "Alertmanager"),
            pushgateway: some(byImage(m, /prometheus\/pushgateway:/), "Pushgateway"),
            operator: some(chart(m, "operator"), "Operator"),
            admission: some(chart(m, "admission-jobs"), "admission Job"),
            ksm: some(chart(m, "kube-state-metrics"), "kube-state-metrics"),
            grafana: some(chart(m, "grafana"), "Grafana"),
        };
    });

    it("every pod resolves names: CoreDNS on 53 over UDP and TCP, and nothing else of it", () => {
        expectAllowed(m, m.pods, [COREDNS], 53, "UDP");
        expectAllowed(m, m.pods, [COREDNS], 53, "TCP");
        // Prometheus' egress is open (scrape targets live everywhere); every other pod gets DNS and nothing more of CoreDNS.
        const confined = m.pods.filter((p) => p.kind !== "Prometheus");
        expectDenied(m, confined, [COREDNS], 9153, "TCP");
        expectDenied(m, confined, [COREDNS], 54, "UDP");
        // A pod labelled like CoreDNS in another namespace is not the cluster DNS.
        expectDenied(m, confined, [{ ...COREDNS, owner: "impostor", namespace: "team-a" }], 53, "UDP");
    });

    it("the querier reaches every StoreAPI on gRPC 10901 and nothing else of them", () => {
        const storeApis = [...roles.prometheus, ...roles.store, ...roles.ruler];
        expectAllowed(m, roles.querier, storeApis, 10901);
        expectDenied(m, roles.querier, storeApis, 10902);
        expectDenied(m, roles.querier, roles.prometheus, 9090);
        expectDenied(m, roles.querier, roles.prometheus, 10901, "UDP");
    });

    it("the StoreAPI is served to the querier only", () => {
        const storeApis = [...roles.prometheus, ...roles.store, ...roles.ruler];
        expectDenied(m, [...roles.frontend, ...roles.compactor, ...roles.alertmanager, ...roles.pushgateway, ...roles.grafana, STRANGER], storeApis, 10901);
    });

    it("Grafana -> query-frontend -> querier over HTTP 10902, no shortcuts", () => {
        expectAllowed(m, roles.grafana, roles.frontend, 10902);
        expectAllowed(m, roles.frontend, roles.querier, 10902);
        expectDenied(m, roles.frontend, roles.querier, 10901);
        expectDenied(m, roles.frontend, [...roles.store, ...roles.prometheus], 10902);
        expectDenied(m, [STRANGER], [...roles.frontend, ...roles.querier], 10902);
    });

    it("the ruler queries the querier and notifies Alertmanager; Prometheus notifies Alertmanager; nobody else does", () => {
        expectAllowed(m, roles.ruler, roles.querier, 10902);
        expectAllowed(m, [...roles.ruler, ...roles.prometheus], roles.alertmanager, 9093);
        expectDenied(m, [...roles.store, ...roles.compactor, ...roles.querier, ...roles.frontend, ...roles.pushgateway, STRANGER], roles.alertmanager, 9093);
    });

    it("Alertmanager replicas gossip on 9094 over TCP and UDP, with each other only", () => {
        expectAllowed(m, roles.alertmanager, roles.alertmanager, 9094, "TCP");
        expectAllowed(m, roles.alertmanager, roles.alertmanager, 9094, "UDP");
        expectDenied(m, [...roles.querier, ...roles.prometheus, STRANGER], roles.alertmanager, 9094, "UDP");
        expectDenied(m, [...roles.querier, ...roles.prometheus, STRANGER], roles.alertmanager, 9094, "TCP");
    });

    it("the pods that watch the API server reach it on 443 and 6443; the others cannot", () => {
        const watchers = [...roles.prometheus, ...roles.operator, ...roles.admission, ...roles.ksm, ...roles.grafana];
        expectAllowed(m, watchers, [HOSTS.apiServerEks], 443);
        expectAllowed(m, watchers, [HOSTS.apiServerKind], 6443);
        const others = [...roles.querier, ...roles.frontend, ...roles.store, ...roles.compactor, ...roles.ruler, ...roles.alertmanager, ...roles.pushgateway];
        expectDenied(m, others, [HOSTS.apiServerKind], 6443);
    });

    it("the API server calls the Operator's admission webhook on 10250", () => {
        expectAllowed(m, [HOSTS.apiServerEks], roles.operator, 10250);
        expectDenied(m, [HOSTS.apiServerEks], [...roles.querier, ...roles.store], 10902);
    });

    it("Prometheus scrapes every component's metrics port; other pods cannot", () => {
        const thanosPods = [...roles.querier, ...roles.frontend, ...roles.store, ...roles.compactor, ...roles.ruler];
        expectAllowed(m, roles.prometheus, thanosPods, 10902);
        expectAllowed(m, roles.prometheus, roles.alertmanager, 9093);
        expectAllowed(m, roles.prometheus, roles.pushgateway, 9091);
        expectAllowed(m, roles.prometheus, roles.ksm, 8080);
        expectAllowed(m, roles.prometheus, roles.prometheus, 9090);
        expectAllowed(m, roles.prometheus, roles.prometheus, 10902);
        expectDenied(m, [...roles.store, ...roles.grafana, STRANGER], roles.ksm, 8080);
        expectDenied(m, [...roles.compactor, STRANGER], roles.prometheus, 9090);
        // The Operator's config reloader (8080, `reloader-web`) in every Prometheus, Alertmanager and ruler pod.
        expectAllowed(m, roles.prometheus, [...roles.prometheus, ...roles.alertmanager, ...roles.ruler], 8080);
        expectDenied(m, [...roles.compactor, ...roles.querier, STRANGER], [...roles.alertmanager, ...roles.ruler], 8080);
    });

    it("every port a ServiceMonitor of the namespace scrapes resolves to pods that Prometheus may reach there", () => {
        type Monitor = { metadata: { name: string; namespace: string }; spec: { selector: { matchLabels?: Record<string, string> }; endpoints: Array<{ port?: string }> } };
        // The stack's own (the local stack's example team monitor scrapes an app that is not part of the render).
        const monitors = objectsOfKind<Monitor>(m.result, "ServiceMonitor").filter((x) => x.metadata.namespace === NS && x.metadata.name.startsWith("thanos-"));
        expect(monitors.length).toBeGreaterThan(5);
        const flows: string[] = [];
        for (const sm of monitors) {
            const services = m.services.filter((s) => s.metadata.namespace === NS && Object.entries(sm.spec.selector.matchLabels ?? {}).every(([k, v]) => (s as { metadata: { labels?: Record<string, string> } }).metadata.labels?.[k] === v));
            expect(services.length, `ServiceMonitor ${sm.metadata.name} selects a Service`).toBeGreaterThan(0);
            for (const e of sm.spec.endpoints) {
                for (const svc of services) {
                    const { targets, protocol } = resolveThroughService(`dnssrv+_${e.port}._tcp.${svc.metadata.name}.${NS}.svc`, m.services, m.pods);
                    for (const t of targets) {
                        expectAllowed(m, roles.prometheus, [t.pod], t.port, protocol);
                        flows.push(`${e.port}:${t.port}`);
                    }
                }
            }
        }
        // Prometheus' own, the sidecars', Alertmanager's, the reloaders' (Prometheus, Alertmanager, ruler) and every Thanos component's.
        for (const f of ["web:9090", "http:10902", "reloader-web:8080"]) expect(flows, f).toContain(f);
        // The memcached exporters beside prod's caches.
        if (stack === "prod") expect(flows).toContain("metrics:9150");
        expect(flows.filter((f) => f === "reloader-web:8080").length).toBeGreaterThanOrEqual(3);
    });

    it("batch jobs of every namespace push to the Pushgateway on 9091, and only there", () => {
        expectAllowed(m, [STRANGER], roles.pushgateway, 9091);
        expectDenied(m, [STRANGER], roles.pushgateway, 9092);
    });

    it("only bucket users reach the object store", () => {
        const users = [...roles.prometheus, ...roles.store, ...roles.compactor, ...roles.ruler];
        const notUsers = [...roles.querier, ...roles.frontend, ...roles.alertmanager, ...roles.pushgateway, ...roles.grafana, ...roles.ksm];
        if (stack === "prod") {
            expectAllowed(m, users, [HOSTS.s3, HOSTS.sts], 443);
            // (The API watchers reach every address on 443 while networkPolicies.kubeApiServerCidrs is the default 0.0.0.0/0.)
            expectDenied(m, [...roles.querier, ...roles.frontend, ...roles.pushgateway], [HOSTS.s3], 443);
            expectDenied(m, users.filter((p) => p.kind !== "Prometheus"), [HOSTS.s3], 80);
        } else {
            const secret = objectsOfKind<{ metadata: { name: string }; stringData?: Record<string, string> }>(m.result, "Secret").find((s) => s.metadata.name.endsWith("-objstore"))!;
            const endpoint = String((parseYaml(Object.values(secret.stringData ?? {})[0] ?? "") as { config: { endpoint: string } }).config.endpoint);
            const { targets, protocol } = resolveThroughService(endpoint, m.services, m.pods);
            for (const t of targets) {
                expectAllowed(m, users, [t.pod], t.port, protocol);
                expectDenied(m, notUsers, [t.pod], t.port, protocol);
            }
        }
    });

    it("the caches serve their Thanos clients only", () => {
        const caches = byImage(m, /memcached:/);
        if (stack === "local") return expect(caches).toEqual([]);
        expect(caches.length).toBeGreaterThan(0);
        const clients = [...roles.store, ...roles.frontend];
        for (const cache of caches) {
            const allowed = clients.filter((c) => denial(m.policies, c, cache, 11211, "TCP", m.namespaces) === undefined);
            expect(allowed.length, `${cache.owner} has a client`).toBeGreaterThan(0);
        }
        expectDenied(m, [...roles.querier, ...roles.compactor, ...roles.alertmanager, STRANGER], caches, 11211);
    });

    it("the querier's configured endpoints are the StoreAPI Services, and each resolves to pods the policies let it reach", () => {
        for (const q of roles.querier) {
            const sd = querierEndpointDocument(m.result.manifests.map((x) => x.object), q.object);
            expect(sd.endpoints.length).toBeGreaterThan(0);
            for (const e of sd.endpoints) {
                const { targets, protocol } = resolveThroughService(e.address, m.services, m.pods);
                for (const t of targets) {
                    expect(t.port, e.address).toBe(10901);
                    expect(denial(m.policies, q, t.pod, t.port, protocol, m.namespaces), e.address).toBeUndefined();
                }
            }
        }
    });
});

describe("network flows with EKS Pod Identity (prod --set objectStorage.identity=podIdentity)", () => {
    let m: Model;
    beforeAll(async () => {
        m = await model("prod", ["objectStorage.identity=podIdentity"]);
    });

    it("bucket users reach the Pod Identity agent on 80 (IPv4 and IPv6) for their credentials; others do not", () => {
        const users = [...ofKind(m, "Prometheus"), ...thanos(m, "store"), ...thanos(m, "compact"), ...ofKind(m, "ThanosRuler")];
        expect(users.length).toBeGreaterThan(3);
        expectAllowed(m, users, [HOSTS.podIdentityAgent, HOSTS.podIdentityAgentV6], 80);
        expectAllowed(m, users, [HOSTS.s3], 443);
        expectDenied(m, [...thanos(m, "query"), ...thanos(m, "query-frontend")], [HOSTS.podIdentityAgent], 80);
    });
});

/**
 * A layout change renames instances: new store gateway StatefulSets start beside the old ones, and Pulumi deletes
 * the old ones (and their own policies) only at the end of the update, while every other workload's policy is
 * updated at its start. In between, the old pods must keep every flow they had: the queriers still on the old
 * endpoints reach them, and they reach their caches and the bucket. The policies in force are the new ones plus
 * the old ones not yet deleted.
 */
describe.each([
    ["prod", "store gateway shards 2 -> 3 (the stack's)", ["storeGateway.shards=2"], []],
    ["local", "store gateway shards 1 (the stack's) -> 2", [], ["storeGateway.shards=2"]],
    ["prod", "store gateway time partitions added", [], ['storeGateway.timePartitions=[{"maxTime":"-30d"},{"minTime":"-31d"}]']],
    ["local", "compactor sharded by cluster", [], ['compactor.sharding={"label":"cluster","groups":[["a"],["b"]]}']],
])("network flows of the %s render while a layout change rolls out (%s)", (stack, _change, before, after) => {
    let old: Model;
    let next: Model;
    let inForce: PolicyObject[];
    beforeAll(async () => {
        [old, next] = [await model(stack, before), await model(stack, after)];
        const names = new Set(next.policies.map((p) => p.metadata.name));
        inForce = [...next.policies, ...old.policies.filter((p) => !names.has(p.metadata.name))];
    });
    const allowedDuring = (from: Endpoint[], to: Endpoint[], port: number, protocol: Protocol = "TCP") =>
        from.flatMap((s) => to.map((d) => denial(inForce, s, d, port, protocol, next.namespaces)).filter((x): x is string => x !== undefined));
    const gone = (pods: ModelPod[]) => pods.filter((p) => !next.pods.some((n) => n.owner === p.owner));

    it("the change renames instances (otherwise it proves nothing)", () => {
        expect(gone([...thanos(old, "store"), ...thanos(old, "compact")]).length).toBeGreaterThan(0);
    });

    it("the queriers still reach the old store gateways on 10901, as the new ones", () => {
        const stores = [...gone(thanos(old, "store")), ...thanos(next, "store")];
        expect(allowedDuring(some(thanos(next, "query"), "querier"), some(stores, "store gateway"), 10901)).toEqual([]);
    });

    it("the old store gateways still reach their caches, and the old bucket users the bucket", () => {
        const oldStores = gone(thanos(old, "store"));
        for (const cache of byImage(next, /memcached:/).filter((c) => c.owner.includes("store"))) expect(allowedDuring(oldStores, [cache], 11211), cache.owner).toEqual([]);
        const oldUsers = [...oldStores, ...gone(thanos(old, "compact"))];
        if (stack === "prod") return expect(allowedDuring(oldUsers, [HOSTS.s3], 443)).toEqual([]);
        const secret = objectsOfKind<{ metadata: { name: string }; stringData?: Record<string, string> }>(next.result, "Secret").find((s) => s.metadata.name.endsWith("-objstore"))!;
        const endpoint = String((parseYaml(Object.values(secret.stringData ?? {})[0] ?? "") as { config: { endpoint: string } }).config.endpoint);
        const { targets, protocol } = resolveThroughService(endpoint, next.services, next.pods);
        for (const t of targets) expect(allowedDuring(oldUsers, [t.pod], t.port, protocol)).toEqual([]);
    });

    it("Prometheus still scrapes the old instances", () => {
        const scrapers = ofKind(next, "Prometheus");
        expect(allowedDuring(scrapers, [...gone(thanos(old, "store")), ...gone(thanos(old, "compact"))], 10902)).toEqual([]);
    });
});
