/**
 * The network plan of a stack (components/network/stackNetwork.ts) against what the stack really creates: the
 * Services the plan resolves addresses through are the rendered Services, port for port; every port a workload
 * declares is a container port of its pods (the Operator's and the chart's pods as their sources build them,
 * test/support/networkModel.ts); every policy says what it is for. And the plan's own rules, each with its exact
 * result: the defaults (IPv4 only; the API server on 443 for EKS and 6443 for kubeadm), who watches the API, what
 * is scraped on which port, the credentials agent only with EKS Pod Identity, HTTPS anywhere for a receiver only
 * known at deployment, and the messages for extra rules that name no workload.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { PodTemplateSpec } from "kubernetes-types/core/v1";
import type { RenderResult } from "../scripts/lib/render";
import { stackPlanOf } from "../scripts/lib/topology";
import { buildStackNetworkPolicies, groupPeer, stackNetworkPlan, workloadId, type StackNetworkInput } from "../components/network/stackNetwork";
import { objectsOfKind, renderInProcess } from "./support/harness";
import { podsOfRender, selects, type ModelPod, type PolicyObject, type ServiceObject } from "./support/networkModel";

const NS = "monitoring";
const DESCRIPTION = "thanos-stack.io/description";

describe.each(["prod", "local"])("the network plan of the %s stack", (stack) => {
    let result: RenderResult;
    let input: StackNetworkInput;
    let pods: ModelPod[];
    beforeAll(async () => {
        result = await renderInProcess(stack);
        input = stackPlanOf(stack).network.input;
        pods = podsOfRender(result, NS);
    });

    it("resolves addresses through the Services the stack creates: same selector, ports, target ports and headlessness", () => {
        const rendered = new Map(objectsOfKind<ServiceObject & { spec: { clusterIP?: string } }>(result, "Service").map((s) => [s.metadata.name, s]));
        const planned = stackNetworkPlan(input).services;
        expect(planned.length).toBeGreaterThanOrEqual(stack === "prod" ? 10 : 8);
        for (const s of planned) {
            const r = rendered.get(s.metadata!.name!);
            expect(r, `Service ${s.metadata!.name!} of the plan is not rendered`).toBeDefined();
            expect(s.spec!.selector, s.metadata!.name).toEqual(r!.spec.selector);
            expect(s.spec!.clusterIP ?? "", s.metadata!.name).toEqual(r!.spec.clusterIP ?? "");
            const ports = (x: Array<{ name?: string; port: number; targetPort?: number | string; protocol?: string }>) => x.map((p) => `${p.name ?? ""} ${p.port}->${String(p.targetPort ?? p.port)}/${p.protocol ?? "TCP"}`);
            expect(ports(s.spec!.ports ?? []), s.metadata!.name).toEqual(ports(r!.spec.ports ?? []));
        }
    });

    it("declares for each workload only ports its pods have, with their names and protocols", () => {
        let matched = 0;
        const unmodelled: string[] = [];
        for (const w of stackNetworkPlan(input).workloads) {
            const own = pods.filter((p) => selects({ matchLabels: w.podSelector }, p.labels));
            if (own.length === 0) unmodelled.push(w.id);
            for (const port of w.ports) {
                for (const p of own) {
                    expect(p.ports, `${w.id} ${JSON.stringify(port)} on ${p.owner}`).toContainEqual(expect.objectContaining({ name: port.name, port: port.port, protocol: port.protocol ?? "TCP" }));
                    matched++;
                }
            }
        }
        expect(matched).toBeGreaterThanOrEqual(15);
        // The model has every pod of the stack but the chart's CRD upgrade Job (a Helm hook it does not render).
        expect(unmodelled).toEqual(["operator-crd-upgrade"]);
    });

    it("describes every policy: one description per policy, each its own, and policy names <stack>-<workload>", () => {
        const policies = objectsOfKind<PolicyObject & { metadata: { annotations?: Record<string, string> } }>(result, "NetworkPolicy");
        const descriptions = policies.map((p) => p.metadata.annotations?.[DESCRIPTION] ?? "");
        expect(descriptions.filter((d) => d.trim().length < 20)).toEqual([]);
        expect(new Set(descriptions).size).toBe(policies.length);
        const ids = stackNetworkPlan(input).workloads.map((w) => w.id);
        expect(ids.filter((id) => !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(id))).toEqual([]);
        expect(policies.map((p) => p.metadata.name).sort()).toEqual(["thanos-default-deny", "thanos-dns", ...ids.map((id) => `thanos-${id}`)].sort());
    });

    it("lets exactly the pods that watch the API reach it: Prometheus (Kubernetes SD), the Operator, its Jobs, kube-state-metrics, Grafana's sidecar", () => {
        const watchers = buildStackNetworkPolicies(input)
            .flows.filter((f) => f.to === "kube-apiserver")
            .map((f) => f.from)
            .sort();
        expect(watchers).toEqual(["grafana", "kube-state-metrics", "operator", "operator-admission-jobs", "operator-crd-upgrade", "prometheus"]);
    });

    it("lets Prometheus scrape each component on its metrics ports (the upstream defaults)", () => {
        const scrapes = new Map(
            buildStackNetworkPolicies(input)
                .flows.filter((f) => f.from === "prometheus" && f.why === "metrics scrape")
                .map((f) => [f.to, f.ports.map((p) => p.port)]),
        );
        expect(scrapes.get("query")).toEqual([10902]);
        expect(scrapes.get("query-frontend")).toEqual([10902]);
        expect(scrapes.get("rule")).toEqual([10902, 8080]);
        expect(scrapes.get("prometheus")).toEqual([9090, 10902, 8080]);
        expect(scrapes.get("alertmanager")).toEqual([9093, 8080]);
        expect(scrapes.get("pushgateway")).toEqual([9091]);
        expect(scrapes.get("kube-state-metrics")).toEqual([8080]);
        expect(scrapes.get("grafana")).toEqual([3000]);
        expect(scrapes.get("operator")).toEqual([10250]);
        // Store gateways and compactors on Thanos' HTTP port, the caches' memcached exporters on 9150.
        const instances = [...scrapes.keys()].filter((k) => /^(store-\d|compact)/.test(k));
        expect(instances.length).toBeGreaterThan(1);
        for (const k of instances) expect(scrapes.get(k), k).toEqual([10902]);
        const caches = [...scrapes.keys()].filter((k) => k.endsWith("-cache"));
        if (stack === "prod") expect(caches.length).toBeGreaterThanOrEqual(2);
        for (const k of caches) expect(scrapes.get(k), k).toEqual([9150]);
    });
});

describe("the network plan's rules", () => {
    const prod = () => stackPlanOf("prod").network.input;

    it("default to IPv4 only, the API server anywhere on 443 (EKS) and 6443 (kubeadm), no extra DNS servers", () => {
        const plan = stackNetworkPlan({ ...prod(), settings: {} });
        expect(plan.anywhere).toEqual(["0.0.0.0/0"]);
        expect(plan.kubeApiServer).toEqual({ cidrs: ["0.0.0.0/0"], ports: [443, 6443] });
        expect(plan.dnsCidrs).toEqual([]);
        expect(stackNetworkPlan({ ...prod(), settings: { ipFamilies: ["IPv4", "IPv6"], dnsCidrs: ["169.254.20.10/32"] } })).toMatchObject({ anywhere: ["0.0.0.0/0", "::/0"], kubeApiServer: { cidrs: ["0.0.0.0/0", "::/0"] }, dnsCidrs: ["169.254.20.10/32"] });
    });

    it("give bucket users the EKS Pod Identity agent only with Pod Identity; IRSA uses STS over HTTPS", () => {
        const agentFlows = (identity: "irsa" | "podIdentity") => buildStackNetworkPolicies({ ...prod(), objectStorage: { provider: "s3", identity } }).flows.filter((f) => f.to === "credentials");
        expect(agentFlows("irsa")).toEqual([]);
        expect(agentFlows("podIdentity").map((f) => `${f.from} ${f.ports.map((p) => p.port).join()}`).sort()).toEqual(["compact 80", "prometheus 80", "rule 80", "store-0-of-3 80", "store-1-of-3 80", "store-2-of-3 80"].sort());
    });

    it("open HTTPS to any address for Alertmanager only while a receiver's URL is unknown", () => {
        const anywhere443 = (unknown: number) =>
            buildStackNetworkPolicies({ ...prod(), alertmanager: { name: "thanos-alertmanager", receivers: { urls: [], unknown } } }).flows.filter((f) => f.from === "alertmanager" && f.to === "anywhere");
        expect(anywhere443(0)).toEqual([]);
        expect(anywhere443(1).map((f) => f.ports)).toEqual([[{ port: 443, protocol: "TCP" }]]);
    });

    it("let Grafana reach Alertmanager only when it has Alertmanager's URL", () => {
        const input = prod();
        const grafanaTo = (i: StackNetworkInput) =>
            buildStackNetworkPolicies(i)
                .flows.filter((f) => f.from === "grafana" && f.to !== "kube-apiserver")
                .map((f) => f.to);
        expect(grafanaTo(input)).toEqual(["query-frontend", "alertmanager"]);
        const { alertmanagerUrl: _dropped, ...operator } = input.operator!;
        expect(grafanaTo({ ...input, operator })).toEqual(["query-frontend"]);
    });

    it("refuse extra rules that name no workload, naming the setting or the stack's own rule", () => {
        const rule = { peers: [{ namespaceSelector: {} }], ports: [{ port: 80 }] };
        const ids = stackNetworkPlan(prod()).workloads.map((w) => w.id).join(", ");
        expect(() => stackNetworkPlan({ ...prod(), settings: { additionalEgress: [{ workload: "nope", rule }] } })).toThrow(`networkPolicies.additionalEgress[0].workload: must name a workload of the stack (one of ${ids}), got "nope"`);
        expect(() => stackNetworkPlan({ ...prod(), settings: { additionalIngress: [{ workload: "query", rule }, { workload: "nope", rule }] } })).toThrow('networkPolicies.additionalIngress[1].workload: must name');
        expect(() => stackNetworkPlan({ ...prod(), extraIngress: [{ workload: "nope", rule }] })).toThrow(`network policies: the stack's own additionalIngress rule 0.workload: must name a workload of the stack`);
        expect(() => stackNetworkPlan({ ...prod(), extraEgress: [{ workload: "query", rule }, { workload: "nope", rule }] })).toThrow(`network policies: the stack's own additionalEgress rule 1.workload`);
    });

    it("name an object's workload by what follows the stack's name, and keep other names whole", () => {
        expect(workloadId("thanos", "thanos-store-0-of-3")).toBe("store-0-of-3");
        expect(workloadId("thanos", "other-store")).toBe("other-store");
        expect(workloadId("thanos", "thanosx-query")).toBe("thanosx-query");
    });

    it("name a group's instances by component and group label, and refuse a template without them", () => {
        const template = (labels: Record<string, string>): PodTemplateSpec => ({ metadata: { labels } });
        expect(groupPeer(template({ "app.kubernetes.io/name": "thanos-store", "thanos-stack.io/instance-of": "thanos-store", other: "x" }))).toEqual({
            peerSelector: { "app.kubernetes.io/name": "thanos-store", "thanos-stack.io/instance-of": "thanos-store" },
        });
        expect(() => groupPeer(template({ "app.kubernetes.io/name": "thanos-store" }))).toThrow(
            'network policies: a pod template of a group has no app.kubernetes.io/name or thanos-stack.io/instance-of label: {"app.kubernetes.io/name":"thanos-store"}',
        );
        expect(() => groupPeer(template({ "thanos-stack.io/instance-of": "thanos-store" }))).toThrow("has no app.kubernetes.io/name or thanos-stack.io/instance-of label");
        expect(() => groupPeer(undefined)).toThrow("label: {}");
    });
});
