/**
 * What a real cluster needs from the render, with expected values written from the upstream facts (Thanos v0.42.4
 * cmd/thanos/store.go defaults, Prometheus' size units, the Operator v0.93 Prometheus CRD, the Pulumi Kubernetes
 * provider's await annotations), not from the builders:
 *
 * - the store gateway starts lazily: `--store.index-header-lazy-download-strategy` defaults to `eager` (every index
 *   header before `/-/ready`), lazy reader and lazy expanded postings default off;
 * - Pulumi waits 10 minutes for a StatefulSet unless told otherwise, and not at all for a custom resource without
 *   `pulumi.com/waitFor`; a rolling update replaces one replica at a time;
 * - replicas of one shard never share a node unless the stack says soft; zone spread never blocks scheduling;
 * - `retentionSize` (Prometheus units are base 2: 1MB = 1024 KB) below the volume;
 * - Prometheus 3.11+ writes XOR2 chunks with `xor2-encoding` (and `st-storage`), which Thanos v0.42 cannot read.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { delayedCompactionProblems, enableFeaturesProblems, parseByteSize, retentionSizeRule } from "../components/prometheus/settingsRules";
import { versionAtLeast } from "../components/lib/version";
import { RenderInputError, type RenderResult } from "../scripts/lib/render";
import { objectsOfKind, renderInProcess } from "./support/harness";

/** The render is refused with exactly these problems (one line each, in order), and so creates nothing. */
async function expectRefused(stack: string, sets: string[], lines: RegExp[]): Promise<void> {
    const error = await renderInProcess(stack, sets).then(
        () => undefined,
        (e: unknown) => e,
    );
    expect(error, "the render is refused").toBeInstanceOf(RenderInputError);
    const problems = (error as RenderInputError).problems;
    expect(problems, problems.join("\n")).toHaveLength(lines.length);
    lines.forEach((re, i) => expect(problems[i]).toMatch(re));
}

interface Workload {
    metadata: { name: string; annotations?: Record<string, string> };
    spec: {
        replicas?: number;
        template: { spec: { affinity?: Record<string, unknown>; topologySpreadConstraints?: Array<Record<string, unknown>>; containers: Array<{ args?: string[] }> } };
    };
}
interface PrometheusCr {
    metadata: { annotations?: Record<string, string> };
    spec: Record<string, unknown> & { topologySpreadConstraints: Array<Record<string, unknown>>; replicas: number };
}

const stores = (r: RenderResult) => objectsOfKind<Workload>(r, "StatefulSet").filter((s) => /^thanos-store-\d+-of-\d+$/.test(s.metadata.name));
const byKey = (constraints: Array<Record<string, unknown>>, key: string) => constraints.find((c) => c["topologyKey"] === key);

describe("the prod render on a real cluster", () => {
    let prod: RenderResult;
    beforeAll(async () => {
        prod = await renderInProcess("prod");
    });

    it("store gateways start lazily: index headers on first use, lazy postings", () => {
        expect(stores(prod)).toHaveLength(3);
        for (const s of stores(prod)) {
            const args = s.spec.template.spec.containers[0]!.args!;
            expect(args, s.metadata.name).toEqual(expect.arrayContaining(["--store.enable-index-header-lazy-reader", "--store.index-header-lazy-download-strategy=lazy", "--store.enable-lazy-expanded-postings"]));
        }
    });

    it("Pulumi waits as long as a rolling restart of slow starters takes: each store replica's initial sync, each Prometheus replica's WAL replay", () => {
        // prod: 2 store replicas x the 600 s startup probe + 300 s; 2 Prometheus replicas x 900 s + 300 s.
        for (const s of stores(prod)) expect(s.metadata.annotations?.["pulumi.com/timeoutSeconds"], s.metadata.name).toBe("1500");
        const [p] = objectsOfKind<PrometheusCr>(prod, "Prometheus");
        expect(p!.metadata.annotations).toMatchObject({ "pulumi.com/waitFor": "condition=Available", "pulumi.com/timeoutSeconds": "2100" });
        expect(p!.spec["maximumStartupDurationSeconds"]).toBe(900);
    });

    it("the replicas of one Prometheus shard never share a node; zones only when possible", () => {
        const [p] = objectsOfKind<PrometheusCr>(prod, "Prometheus");
        const nodes = byKey(p!.spec.topologySpreadConstraints, "kubernetes.io/hostname");
        expect(nodes).toMatchObject({ maxSkew: 1, whenUnsatisfiable: "DoNotSchedule", additionalLabelSelectors: "OnShard", labelSelector: { matchLabels: { "operator.prometheus.io/name": "thanos-prometheus" } } });
        expect(byKey(p!.spec.topologySpreadConstraints, "topology.kubernetes.io/zone")).toMatchObject({ whenUnsatisfiable: "ScheduleAnyway", additionalLabelSelectors: "OnShard" });
    });

    it("the replicas of one store shard never share a node (required anti-affinity on that shard's pods only)", () => {
        for (const s of stores(prod)) {
            const required = (s.spec.template.spec.affinity as { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution?: Array<{ topologyKey: string; labelSelector: { matchLabels: Record<string, string> } }> } }).podAntiAffinity
                .requiredDuringSchedulingIgnoredDuringExecution;
            expect(required, s.metadata.name).toEqual([{ topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { "app.kubernetes.io/name": "thanos-store", "app.kubernetes.io/instance": s.metadata.name } } }]);
            expect(byKey(s.spec.template.spec.topologySpreadConstraints!, "topology.kubernetes.io/zone")?.["whenUnsatisfiable"]).toBe("ScheduleAnyway");
        }
    });

    it("Prometheus deletes blocks by size before its 100Gi volume fills: 85% of it, 87040MB in Prometheus' base-2 units", () => {
        const [p] = objectsOfKind<PrometheusCr>(prod, "Prometheus");
        expect(p!.spec["retentionSize"]).toBe("87040MB");
        expect(parseByteSize("87040MB")).toBe(87040 * 1024 * 1024);
        expect(parseByteSize("87040MB")! < 100 * 1024 ** 3).toBe(true);
        expect(p!.spec["enableFeatures"]).toBeUndefined();
    });

    it("the ruler queries through the querier's load-balanced Service (a ClusterIP, not one pod's address)", () => {
        const [ruler] = objectsOfKind<{ spec: { queryEndpoints: string[] } }>(prod, "ThanosRuler");
        expect(ruler!.spec.queryEndpoints).toEqual(["thanos-query.monitoring.svc.cluster.local:10902"]);
        const [svc] = objectsOfKind<{ metadata: { name: string }; spec: { clusterIP?: string; selector: Record<string, string>; ports: Array<{ port: number }> } }>(prod, "Service").filter((x) => x.metadata.name === "thanos-query");
        expect(svc!.spec.clusterIP).not.toBe("None");
        expect(svc!.spec.ports.map((p) => p.port)).toContain(10902);
        const [q] = objectsOfKind<Workload & { spec: { template: { metadata: { labels: Record<string, string> } } } }>(prod, "Deployment").filter((d) => d.metadata.name === "thanos-query");
        expect(q!.spec.replicas).toBeGreaterThanOrEqual(2);
        for (const [k, v] of Object.entries(svc!.spec.selector)) expect(q!.spec.template.metadata.labels[k]).toBe(v);
    });

    it("the querier reads its endpoints from a file it re-reads, not from a flag that needs a restart", () => {
        const [q] = objectsOfKind<Workload>(prod, "Deployment").filter((d) => d.metadata.name === "thanos-query");
        const args = q!.spec.template.spec.containers[0]!.args!;
        expect(args.filter((a) => a.startsWith("--endpoint.sd-config="))).toEqual([]);
        expect(args).toEqual(expect.arrayContaining(["--endpoint.sd-config-file=/etc/thanos/endpoints/endpoints.yaml", "--endpoint.sd-config-reload-interval=30s"]));
    });
});

describe("kube-prometheus-stack on a managed control plane", () => {
    // The chart's values (88.5.x): one switch per control-plane scrape, one default rule group per alert/record set.
    const SCRAPES = ["kubeEtcd", "kubeControllerManager", "kubeScheduler", "kubeProxy"];
    const RULES = ["etcd", "kubeControllerManager", "kubeSchedulerAlerting", "kubeSchedulerRecording", "kubeProxy"];
    const values = (r: RenderResult) => r.resources.find((x) => x.type === "kubernetes:helm.sh/v3:Release")!.inputs["values"] as Record<string, { enabled?: boolean; rules?: Record<string, boolean> }>;

    it("neither scrapes nor alerts on what EKS does not expose, and keeps both where the control plane serves metrics", async () => {
        const eks = values(await renderInProcess("prod"));
        for (const k of SCRAPES) expect(eks[k], k).toEqual({ enabled: false });
        for (const g of RULES) expect(eks["defaultRules"]!.rules![g], g).toBe(false);
        // Every other default rule group stays the chart's (kubelet, apiserver, node, kube-state-metrics ...).
        expect(Object.keys(eks["defaultRules"]!.rules!).sort()).toEqual([...RULES, "alertmanager", "configReloaders", "prometheus"].sort());
        // The chart's Prometheus, Alertmanager and reloader alerts select its own job names: the stack's own replace them.
        for (const g of ["alertmanager", "configReloaders", "prometheus"]) expect(eks["defaultRules"]!.rules![g], g).toBe(false);
        const own = values(await renderInProcess("prod", ["operator.scrapeControlPlane=true"]));
        for (const k of SCRAPES) expect(own[k], k).toEqual({ enabled: true });
        for (const g of RULES) expect(own["defaultRules"]!.rules![g], g).toBe(true);
    });
});

describe("the Operator's CRDs follow the chart", () => {
    it("are applied before every install and upgrade by the chart's hook Job, with pinned images, and its pods may reach the API server", async () => {
        const r = await renderInProcess("prod");
        const values = r.resources.find((x) => x.type === "kubernetes:helm.sh/v3:Release")!.inputs["values"] as { crds: { enabled: boolean; upgradeJob: Record<string, unknown> } };
        const job = values.crds.upgradeJob as { enabled: boolean; forceConflicts: boolean; image: Record<string, { tag: string }>; podLabels: Record<string, string>; resources: { limits?: { memory?: string } } };
        expect(values.crds.enabled).toBe(true);
        expect(job.enabled).toBe(true);
        // Without it, kubectl's server-side apply leaves CRDs that Helm installed at their old schema.
        expect(job.forceConflicts).toBe(true);
        // The chart's busybox default is `latest`, and its kubectl default follows the cluster: both pinned.
        expect(job.image["busybox"]!.tag).toMatch(/^\d+\.\d+\.\d+$/);
        expect(job.image["kubectl"]!.tag).toMatch(/^v1\.\d+\.\d+$/);
        expect(job.resources.limits?.memory).toBeDefined();
        // Its pods carry only the labels set here; one NetworkPolicy selects them and lets them reach the API server.
        const policies = objectsOfKind<{ spec: { podSelector: { matchLabels?: Record<string, string> }; egress?: Array<{ ports?: Array<{ port: number }> }> } }>(r, "NetworkPolicy");
        const selecting = policies.filter((p) => {
            const sel = p.spec.podSelector.matchLabels;
            return sel !== undefined && Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => job.podLabels[k] === v);
        });
        expect(selecting).toHaveLength(1);
        expect(selecting[0]!.spec.egress!.flatMap((e) => (e.ports ?? []).map((x) => x.port))).toEqual(expect.arrayContaining([443, 6443]));
    });
});

describe("Grafana's datasource", () => {
    const datasource = (r: RenderResult) =>
        ((r.resources.find((x) => x.type === "kubernetes:helm.sh/v3:Release")!.inputs["values"] as { grafana: { sidecar: { datasources: Record<string, unknown> } } }).grafana.sidecar.datasources);

    it("waits as long as the querier may run a query, plus 30 s (Grafana's own default is 30 s)", async () => {
        expect(datasource(await renderInProcess("prod"))).toMatchObject({ timeout: 150, url: "http://thanos-query-frontend.monitoring.svc.cluster.local:10902" });
        expect(datasource(await renderInProcess("prod", ["querier.timeout=5m"]))["timeout"]).toBe(330);
    });
});

describe("a single-node cluster (the e2e stack)", () => {
    it("lets the replicas of a shard share the node when the stack says soft", async () => {
        const e2e = await renderInProcess("e2e");
        const [p] = objectsOfKind<PrometheusCr>(e2e, "Prometheus");
        expect(byKey(p!.spec.topologySpreadConstraints, "kubernetes.io/hostname")?.["whenUnsatisfiable"]).toBe("ScheduleAnyway");
        for (const s of stores(e2e)) {
            const anti = (s.spec.template.spec.affinity as { podAntiAffinity: Record<string, unknown> }).podAntiAffinity;
            expect(anti["requiredDuringSchedulingIgnoredDuringExecution"], s.metadata.name).toBeUndefined();
            expect(anti["preferredDuringSchedulingIgnoredDuringExecution"], s.metadata.name).toBeDefined();
        }
        // 2Gi x 85% = 1740.8 MiB, rounded down to whole MB.
        expect(p!.spec["retentionSize"]).toBe("1740MB");
    });
});

describe("configurations that break Thanos or the volume are refused before anything is created", () => {
    it("a retentionSize at or above the volume, or not a Prometheus size", async () => {
        await expectRefused("prod", ["prometheus.retentionSize=100GB"], [/^prometheus\.retentionSize: must be below the volume size 100Gi .*, got "100GB"$/]);
        await expectRefused("prod", ["prometheus.retentionSize=90Gi"], [/^prometheus\.retentionSize: must be a Prometheus size like 80GB .*, got "90Gi"$/]);
    });

    it("feature flags whose blocks Thanos cannot read, delayed compaction behind the stack's back, and duplicates", async () => {
        await expectRefused("prod", ['prometheus.enableFeatures=["exemplar-storage","xor2-encoding","st-storage","delayed-compaction","exemplar-storage"]'], [
            /^prometheus\.enableFeatures\[1\]: is refused: xor2-encoding writes XOR2 float chunks, which Thanos v0\.42 cannot read/,
            /^prometheus\.enableFeatures\[2\]: is refused: st-storage forces XOR2 float chunks/,
            /^prometheus\.enableFeatures\[3\]: is refused: delayed-compaction turns local compaction on .*use compaction: delayed/,
            /^prometheus\.enableFeatures\[4\]: must be listed once, got "exemplar-storage"$/,
        ]);
    });

    it("a replica spread that is neither hard nor soft", async () => {
        await expectRefused("prod", ["storeGateway.replicaSpread=sometimes"], [/^storeGateway\.replicaSpread: must be one of: hard, soft, got "sometimes"$/]);
    });

    it("the rules themselves, for Args and versions the configuration does not reach", () => {
        expect(retentionSizeRule("80GB", "100Gi")).toBeUndefined();
        expect(retentionSizeRule("100GB", "100Gi")).toMatch(/must be below/);
        expect(retentionSizeRule("99.9GB", "100Gi")).toBeUndefined();
        expect(enableFeaturesProblems(["exemplar-storage", "Bad Name"])).toEqual(['enableFeatures[1]: must be a Prometheus feature name like exemplar-storage, got "Bad Name"']);
        // Delayed compaction: Prometheus >= 3.9 and a Thanos sidecar >= 0.41.
        expect(delayedCompactionProblems("delayed", "v3.13.2", "v0.42.4")).toEqual([]);
        expect(delayedCompactionProblems("delayed", "v3.9.0", "v0.41.0")).toEqual([]);
        expect(delayedCompactionProblems("disabled", "v2.55.0", "v0.30.0")).toEqual([]);
        const old = delayedCompactionProblems("delayed", "v3.8.1", "v0.40.9");
        expect(old).toHaveLength(2);
        expect(old[0]).toMatch(/^compaction: delayed needs Prometheus >= v3\.9\.0 .*, got Prometheus v3\.8\.1$/);
        expect(old[1]).toMatch(/^compaction: delayed needs a Thanos sidecar >= v0\.41\.0 .*, got Thanos v0\.40\.9$/);
        expect(versionAtLeast("v3.10.0", "v3.9.0")).toBe(true);
        expect(versionAtLeast("v3.9.0-rc.1", "v3.9.0")).toBe(true);
        expect(versionAtLeast("v2.99.99", "v3.9.0")).toBe(false);
        expect(versionAtLeast("latest", "v3.9.0")).toBe(false);
    });
});

describe("network flows follow the cluster's configuration", () => {
    interface Policy {
        metadata: { name: string };
        spec: { ingress?: Array<{ from?: Array<Record<string, unknown>>; ports?: Array<{ port: number; protocol: string }> }>; egress?: Array<{ to?: Array<Record<string, unknown>>; ports?: Array<{ port: number; protocol: string }> }> };
    }
    const policies = (r: RenderResult) => objectsOfKind<Policy>(r, "NetworkPolicy");
    const policy = (r: RenderResult, name: string) => policies(r).find((p) => p.metadata.name === name)!;
    const cidrs = (peers: Array<Record<string, unknown>> | undefined) => (peers ?? []).flatMap((p) => (p["ipBlock"] ? [(p["ipBlock"] as { cidr: string }).cidr] : []));
    const allCidrs = (r: RenderResult) => policies(r).flatMap((p) => [...(p.spec.ingress ?? []).flatMap((x) => cidrs(x.from)), ...(p.spec.egress ?? []).flatMap((x) => cidrs(x.to))]);

    it("dual stack: every rule open to any IPv4 address is open to any IPv6 address too; IPv6 only: no IPv4 at all", async () => {
        const v4 = allCidrs(await renderInProcess("prod"));
        expect(v4).toContain("0.0.0.0/0");
        expect(v4).not.toContain("::/0");
        const dual = allCidrs(await renderInProcess("prod", ['networkPolicies.ipFamilies=["IPv4","IPv6"]']));
        expect(dual.filter((c) => c === "::/0").length).toBe(dual.filter((c) => c === "0.0.0.0/0").length);
        expect(dual.filter((c) => c === "::/0").length).toBe(v4.filter((c) => c === "0.0.0.0/0").length);
        const v6 = allCidrs(await renderInProcess("prod", ['networkPolicies.ipFamilies=["IPv6"]']));
        expect(v6).not.toContain("0.0.0.0/0");
        expect(v6).toContain("::/0");
    });

    it("NodeLocal DNSCache: its address (and the kube-dns IP it intercepts) on 53 over UDP and TCP, for every pod", async () => {
        const r = await renderInProcess("prod", ['networkPolicies.dnsCidrs=["169.254.20.10/32","172.20.0.10/32"]']);
        const dns = policy(r, "thanos-dns");
        expect(dns.spec.egress).toHaveLength(1);
        expect(cidrs(dns.spec.egress![0]!.to)).toEqual(["169.254.20.10/32", "172.20.0.10/32"]);
        expect(dns.spec.egress![0]!.ports).toEqual([{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }]);
        expect(cidrs(policy(await renderInProcess("prod"), "thanos-dns").spec.egress![0]!.to)).toEqual([]);
    });

    it("extra ingress and egress from the configuration land on the workload they name, with exactly their peers and ports", async () => {
        const r = await renderInProcess("prod", [
            'networkPolicies.additionalEgress=[{"workload":"grafana","to":{"cidr":"10.1.2.3/32"},"ports":[{"port":3128}]}]',
            'networkPolicies.additionalIngress=[{"workload":"query","from":{"namespace":"tools","podLabels":{"app":"promxy"}},"ports":[{"port":10902}]}]',
        ]);
        expect(policy(r, "thanos-grafana").spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: "10.1.2.3/32" } }], ports: [{ port: 3128, protocol: "TCP" }] });
        expect(policy(r, "thanos-query").spec.ingress).toContainEqual({
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "tools" } }, podSelector: { matchLabels: { app: "promxy" } } }],
            ports: [{ port: 10902, protocol: "TCP" }],
        });
    });

    it("an exposed UI accepts connections from the ingress controller's namespace only", async () => {
        const r = await renderInProcess("prod", ["ui.enabled=true", "ui.tls.clusterIssuer=letsencrypt", "ui.auth.mode=oauth2-proxy", "ui.auth.oauth2Proxy.url=https://auth.acme.example", "ui.query.host=thanos.acme.example", "ui.ingressControllerNamespace=edge"]);
        const fromUi = policy(r, "thanos-query-frontend").spec.ingress!.filter((x) => (x.from ?? []).some((p) => p["namespaceSelector"] !== undefined && p["podSelector"] === undefined));
        expect(fromUi).toEqual([{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "edge" } } }], ports: [{ port: 10902, protocol: "TCP" }] }]);
        // No rule anywhere lets every namespace into a UI.
        const everyNamespace = policies(r).filter((p) => (p.spec.ingress ?? []).some((x) => (x.from ?? []).some((f) => JSON.stringify(f) === '{"namespaceSelector":{}}')));
        expect(everyNamespace.map((p) => p.metadata.name)).not.toContain("thanos-query-frontend");
    });

    it("refuses, before anything is created, an address no policy could let through and extra rules that name nothing", async () => {
        await expectRefused("prod", ['querier.extraEndpoints=[{"address":"[fd00::1]:10901"}]'], [/^ThanosStack networkPolicies\.ipFamilies: must include IPv6 for "\[fd00::1\]:10901" .*got \["IPv4"\]$/]);
        await expectRefused("prod", ['networkPolicies.additionalIngress=[{"workload":"nope","from":{"namespace":"x"},"ports":[{"port":1}]}]'], [/^ThanosStack networkPolicies\.additionalIngress\[0\]\.workload: must name a workload of the stack \(one of query, .*grafana\), got "nope"$/]);
        await expectRefused("prod", ['networkPolicies.additionalEgress=[{"workload":"grafana","to":{"namespace":"x","cidr":"10.0.0.0/8"},"ports":[{"port":1}]}]'], [/^networkPolicies\.additionalEgress\[0\]\.to: must name either a cidr or pods/]);
        await expectRefused("prod", ['networkPolicies.dnsCidrs=["fd00::1::2/128"]'], [/^networkPolicies\.dnsCidrs\[0\]: must be a CIDR like/]);
        // Names and label values the API server would refuse at apply time are refused here.
        await expectRefused("prod", ["ui.ingressControllerNamespace=Ingress_Nginx"], [/^ui\.ingressControllerNamespace: must be a DNS-1123 label.*got "Ingress_Nginx"$/]);
        await expectRefused("prod", ['networkPolicies.additionalIngress=[{"workload":"query","from":{"namespace":"tools","podLabels":{"app":"a b"}},"ports":[{"port":1}]}]'], [/^networkPolicies\.additionalIngress\[0\]\.from\.podLabels\.app: must be 1-63 characters/]);
    });
});

describe("every volume names a StorageClass", () => {
    /** The storageClassName of every volume claim in a render: StatefulSet templates and the Operator resources' storage. */
    const volumeClasses = (r: RenderResult) =>
        r.manifests.flatMap((m) => {
            const o = m.object as { kind: string; metadata: { name: string }; spec?: Record<string, unknown> };
            const templates = o.kind === "StatefulSet" ? ((o.spec?.["volumeClaimTemplates"] ?? []) as Array<{ spec?: { storageClassName?: string } }>).map((t) => t.spec) : [];
            const cr = ["Prometheus", "Alertmanager", "ThanosRuler"].includes(o.kind) ? [(o.spec?.["storage"] as { volumeClaimTemplate?: { spec?: { storageClassName?: string } } } | undefined)?.volumeClaimTemplate?.spec] : [];
            return [...templates, ...cr].filter((s) => s !== undefined).map((s) => `${o.kind}/${o.metadata.name}=${s.storageClassName ?? "(none)"}`);
        });

    it("on EKS the stack creates an encrypted, expandable gp3 class bound on first consumer, before the namespace, and every volume names it", async () => {
        const r = await renderInProcess("prod");
        const classes = objectsOfKind<Record<string, unknown>>(r, "StorageClass");
        expect(classes).toHaveLength(1);
        expect(classes[0]).toMatchObject({
            metadata: { name: "thanos-gp3" },
            provisioner: "ebs.csi.aws.com",
            parameters: { type: "gp3", encrypted: "true" },
            allowVolumeExpansion: true,
            volumeBindingMode: "WaitForFirstConsumer",
            reclaimPolicy: "Retain",
        });
        const volumes = volumeClasses(r);
        // Prometheus, Alertmanager, the ruler, the compactor and 3 store shards.
        expect(volumes).toHaveLength(7);
        expect(volumes.filter((v) => !v.endsWith("=thanos-gp3"))).toEqual([]);
        const ns = r.resources.find((x) => x.type === "kubernetes:core/v1:Namespace" && x.name === "thanos-namespace")!;
        expect(ns.options.dependsOn).toContain("kubernetes:storage.k8s.io/v1:StorageClass::thanos-storage-class");
    });

    it("with create false, names the cluster's class; a volume's own class wins; a KMS key only with a created class", async () => {
        const e2e = await renderInProcess("e2e");
        expect(objectsOfKind(e2e, "StorageClass")).toEqual([]);
        expect(volumeClasses(e2e).filter((v) => !v.endsWith("=e2e-local"))).toEqual([]);
        const own = await renderInProcess("prod", ["prometheus.storage.storageClass=io2", "storageClass.kmsKeyArn=arn:aws:kms:eu-west-1:123456789012:key/abcd"]);
        expect(volumeClasses(own).filter((v) => v.startsWith("Prometheus/"))).toEqual(["Prometheus/thanos-prometheus=io2"]);
        expect(objectsOfKind<{ parameters: Record<string, string> }>(own, "StorageClass")[0]!.parameters["kmsKeyId"]).toBe("arn:aws:kms:eu-west-1:123456789012:key/abcd");
        await expectRefused("prod", ["storageClass.create=false", "storageClass.kmsKeyArn=arn:aws:kms:eu-west-1:123456789012:key/abcd"], [/^ThanosStack storageClass\.kmsKeyArn: only applies to a class the stack creates/]);
        await expectRefused("prod", ["storageClass.name=Not_A_Name"], [/^storageClass\.name: must be a Kubernetes object name, got "Not_A_Name"$/]);
    });
});
