import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { PodSpec } from "kubernetes-types/core/v1";
import { EXTERNAL_LABELS, IMAGES, LABELS } from "../components/constants";
import { buildCompactorStatefulSet, compactorArgs, compactorPlan, ThanosCompactor } from "../components/thanos/compactor";
import { buildMemcachedService, buildMemcachedStatefulSet, memcachedAddress, memcachedPlan } from "../components/thanos/memcached";
import { buildEndpointsConfigMap, buildQuerierDeployment, endpointSdConfig, querierArgs, querierPlan, querierProblems, ThanosQuerier } from "../components/thanos/querier";
import { buildQueryFrontendDeployment, queryFrontendArgs, queryFrontendPlan, queryFrontendProblems } from "../components/thanos/queryFrontend";
import { alertmanagersConfig, buildRulerService, buildThanosRuler, rulerPlan, ThanosRuler } from "../components/thanos/ruler";
import { buildStoreStatefulSet, storeArgs, storeEndpointsOf, storeGatewayPlan, ThanosStoreGateway } from "../components/thanos/storeGateway";
import { captureComponent, find, ofType, querierEndpointDocument } from "./support/harness";

const objstoreSecret = { name: "thanos-objstore", key: "objstore.yml" };

/** The value of `--name=` in args (the first one). */
function flagValue(args: string[], name: string): string | undefined {
    const a = args.find((x) => x.startsWith(`--${name}=`));
    return a?.slice(name.length + 3);
}

function expectBaseline(spec: PodSpec | undefined): void {
    expect(spec?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } });
    expect(spec?.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(120);
    expect(spec?.automountServiceAccountToken).toBe(false);
    for (const c of spec?.containers ?? []) {
        expect(c.image).toBe(IMAGES.thanos);
        expect(c.imagePullPolicy).toBe("IfNotPresent");
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        expect(c.readinessProbe?.httpGet?.path).toBe("/-/ready");
        expect(c.livenessProbe?.httpGet?.path).toBe("/-/healthy");
        expect(c.resources?.limits?.["memory"]).toBeDefined();
        expect(c.env?.find((e) => e.name === "GOMEMLIMIT")?.value).toMatch(/^\d+$/);
    }
}

describe("ThanosStoreGateway", () => {
    it("makes one StatefulSet per shard x partition with hashmod selection and partition bounds", () => {
        const plan = storeGatewayPlan("thanos-store", { namespace: "m", objstoreSecret, shards: 3, timePartitions: [{ maxTime: "-30d" }, { minTime: "-31d" }] });
        expect(plan.instances.map((i) => i.name)).toEqual(["thanos-store-t0-0-of-3", "thanos-store-t0-1-of-3", "thanos-store-t0-2-of-3", "thanos-store-t1-0-of-3", "thanos-store-t1-1-of-3", "thanos-store-t1-2-of-3"]);
        const args = storeArgs(plan, plan.instances[4]!);
        expect(parseYaml(flagValue(args, "selector.relabel-config")!)).toEqual([
            { action: "hashmod", source_labels: ["__block_id"], target_label: "__tmp_shard", modulus: 3 },
            { action: "keep", source_labels: ["__tmp_shard"], regex: "1" },
        ]);
        expect(flagValue(args, "min-time")).toBe("-31d");
        expect(args.some((a) => a.startsWith("--max-time"))).toBe(false);
        expect(storeEndpointsOf(plan).every((e) => e.group && e.strict === true)).toBe(true);
        // A static address (strict is refused for dns+/dnssrv+): the headless Service's name and the gRPC port.
        expect(storeEndpointsOf(plan)[0]!.address).toBe("thanos-store-t0-0-of-3.m.svc.cluster.local:10901");
    });

    it("sizes the in-memory index cache and chunk pool inside the memory limit, and derives the deletion-mark delay", () => {
        const plan = storeGatewayPlan("s", { namespace: "m", objstoreSecret, compactorDeleteDelay: "72h" });
        const args = storeArgs(plan, plan.instances[0]!);
        expect(flagValue(args, "index-cache-size")).toBe("1024MB"); // 25% of 4Gi
        expect(flagValue(args, "chunk-pool-size")).toBe("1433MB"); // 35% of 4Gi
        expect(flagValue(args, "ignore-deletion-marks-delay")).toBe("1d12h");
        expect(args).toEqual(expect.arrayContaining(["--store.enable-index-header-lazy-reader", "--disable-admin-operations", "--store.limits.request-series=1000000"]));
        expect(args.some((a) => a.startsWith("--selector.relabel-config"))).toBe(false);
        const sts = buildStoreStatefulSet(plan, plan.instances[0]!);
        expectBaseline(sts.spec?.template.spec);
        expect(sts.spec?.template.spec?.containers[0]?.startupProbe).toBeDefined();
        expect(sts.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.["storage"]).toBe("20Gi");
    });

    it("points the index cache and caching bucket at memcached clusters it deploys", async () => {
        const plan = storeGatewayPlan("s", { namespace: "m", objstoreSecret, indexCache: { type: "memcached" }, cachingBucket: { enabled: true } });
        const args = storeArgs(plan, plan.instances[0]!);
        const index = parseYaml(flagValue(args, "index-cache.config")!) as { type: string; config: { addresses: string[] } };
        expect(index.type).toBe("MEMCACHED");
        expect(index.config.addresses).toEqual(["dnssrvnoa+_memcache._tcp.s-index-cache.m.svc.cluster.local"]);
        expect(args.some((a) => a.startsWith("--index-cache-size"))).toBe(false);
        const bucket = parseYaml(flagValue(args, "store.caching-bucket.config")!) as { type: string; config: { addresses: string[] } };
        expect(bucket.config.addresses).toEqual([memcachedAddress("s-bucket-cache", "m")]);

        const resources = await captureComponent((p) => {
            new ThanosStoreGateway("s", { namespace: "m", objstoreSecret, indexCache: { type: "memcached" } }, { providers: { kubernetes: p.kubernetes } });
        });
        expect(ofType(resources, "thanos-stack:index:Memcached").map((r) => r.name)).toEqual(["s-index-cache"]);
    });

    it("creates a PDB and headless Service per shard, and a ServiceAccount only when none is given", async () => {
        const own = await captureComponent((p) => {
            new ThanosStoreGateway("st", { namespace: "m", objstoreSecret, shards: 2 }, { providers: { kubernetes: p.kubernetes } });
        });
        expect(ofType(own, "kubernetes:policy/v1:PodDisruptionBudget")).toHaveLength(2);
        expect(ofType(own, "kubernetes:core/v1:Service").map((s) => (s.inputs["spec"] as { clusterIP: string }).clusterIP)).toEqual(["None", "None"]);
        expect(ofType(own, "kubernetes:core/v1:ServiceAccount")).toHaveLength(1);
        const given = await captureComponent((p) => {
            new ThanosStoreGateway("st", { namespace: "m", objstoreSecret, serviceAccountName: "thanos-store-irsa" }, { providers: { kubernetes: p.kubernetes } });
        });
        expect(ofType(given, "kubernetes:core/v1:ServiceAccount")).toHaveLength(0);
        const sts = find(given, "kubernetes:apps/v1:StatefulSet");
        expect(sts.inputs).toMatchObject({ spec: { template: { spec: { serviceAccountName: "thanos-store-irsa" } } } });
    });

    it("refuses a time partition gap before creating anything", async () => {
        await expect(
            captureComponent((p) => {
                new ThanosStoreGateway("s", { namespace: "m", objstoreSecret, timePartitions: [{ maxTime: "-30d" }, { minTime: "-20d" }] }, { providers: { kubernetes: p.kubernetes } });
            }),
        ).rejects.toThrow(/timePartitions\[1\]\.minTime: leaves a gap after partition 0's maxTime -30d/);
    });
});

describe("Memcached", () => {
    it("is a StatefulSet behind a headless Service with a memcache SRV port and TCP probes", () => {
        const plan = memcachedPlan("c", { namespace: "m" });
        const svc = buildMemcachedService(plan);
        expect(svc.spec?.clusterIP).toBe("None");
        expect(svc.spec?.ports?.[0]?.name).toBe("memcache");
        const sts = buildMemcachedStatefulSet(plan);
        const c = sts.spec!.template.spec!.containers[0]!;
        expect(c.args).toEqual(expect.arrayContaining(["-m", "1024", "-I", "1m"]));
        expect(c.readinessProbe?.tcpSocket?.port).toBe("memcache");
        expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
        expect(sts.spec?.template.spec?.securityContext?.runAsNonRoot).toBe(true);
    });
});

describe("ThanosQuerier", () => {
    const endpoints = [
        { address: "dnssrv+_grpc._tcp.sidecars.m.svc.cluster.local", group: false, description: "sidecars" },
        { address: "dnssrv+_grpc._tcp.store-0.m.svc.cluster.local", group: true, description: "store 0" },
    ];

    it("discovers endpoints only through its endpoint file (a ConfigMap it re-reads) and deduplicates on every replica label", () => {
        const plan = querierPlan("q", { namespace: "m", endpoints, replicaLabels: ["prometheus_replica", "thanos_ruler_replica"] });
        const args = querierArgs(plan);
        const deployment = buildQuerierDeployment(plan) as unknown as Record<string, unknown>;
        expect(querierEndpointDocument([buildEndpointsConfigMap(plan) as unknown as Record<string, unknown>], deployment)).toEqual({ endpoints: endpoints.map(({ address, group }) => ({ address, group })) });
        expect(flagValue(args, "endpoint.sd-config")).toBeUndefined();
        // Thanos polls the file: 30s by default, so a changed ConfigMap applies within about a minute and a half.
        expect(flagValue(args, "endpoint.sd-config-reload-interval")).toBe("30s");
        expect(args.filter((a) => /^--(store|endpoint|endpoint-group|rule)=/.test(a))).toEqual([]);
        expect(args.filter((a) => a.startsWith("--query.replica-label="))).toEqual(["--query.replica-label=prometheus_replica", "--query.replica-label=thanos_ruler_replica"]);
        expect(args).toEqual(expect.arrayContaining(["--query.auto-downsampling", "--query.partial-response", "--query.timeout=2m"]));
        expect(endpointSdConfig([])).toContain("endpoints: []");
    });

    it("writes strict: true only for strict endpoints, and refuses a strict service-discovery address", () => {
        const strict = { address: "store-0.m.svc.cluster.local:10901", group: true, strict: true, description: "store 0" };
        expect(parseYaml(endpointSdConfig([...endpoints, strict]))).toEqual({
            endpoints: [...endpoints.map(({ address, group }) => ({ address, group })), { address: strict.address, group: true, strict: true }],
        });
        expect(querierProblems({ namespace: "m", endpoints: [strict], replicaLabels: ["r"] })).toEqual([]);
        expect(querierProblems({ namespace: "m", endpoints: [{ ...endpoints[1]!, strict: true }], replicaLabels: ["r"] })).toEqual([
            'ThanosQuerier endpoints[0].strict: a strict endpoint must be a static host:port (Thanos refuses strict service discovery), got "dnssrv+_grpc._tcp.store-0.m.svc.cluster.local"',
        ]);
    });

    it("is a replicated Deployment with anti-affinity, zone spread, a PDB and its own ServiceAccount", async () => {
        const d = buildQuerierDeployment(querierPlan("q", { namespace: "m", endpoints, replicaLabels: ["r"] }));
        expect(d.spec?.replicas).toBe(2);
        expectBaseline(d.spec?.template.spec);
        expect(d.spec?.template.spec?.affinity?.podAntiAffinity).toBeDefined();
        expect(d.spec?.template.spec?.topologySpreadConstraints?.[0]?.topologyKey).toBe("topology.kubernetes.io/zone");
        const resources = await captureComponent((p) => {
            new ThanosQuerier("thanos-query", { namespace: "m", endpoints, replicaLabels: ["r"] }, { providers: { kubernetes: p.kubernetes } });
        });
        expect(find(resources, "kubernetes:policy/v1:PodDisruptionBudget").inputs).toMatchObject({ spec: { maxUnavailable: 1 } });
        expect(find(resources, "kubernetes:core/v1:ServiceAccount").inputs).toMatchObject({ automountServiceAccountToken: false, metadata: { name: "thanos-query" } });
    });

    it("refuses no endpoints and no replica labels", async () => {
        await expect(
            captureComponent((p) => {
                new ThanosQuerier("q", { namespace: "m", endpoints: [], replicaLabels: [] }, { providers: { kubernetes: p.kubernetes } });
            }),
        ).rejects.toThrow(/ThanosQuerier endpoints: must list at least one StoreAPI, got \[\]\nThanosQuerier replicaLabels/);
    });
});

describe("ThanosQueryFrontend", () => {
    it("splits by 24h, retries, caches results and labels, compresses, and opens a connection per request to the querier (or keeps >= 100 with keep-alive)", () => {
        const plan = queryFrontendPlan("qf", { namespace: "m", downstreamUrl: "http://thanos-query.m.svc.cluster.local:10902" });
        const args = queryFrontendArgs(plan);
        expect(args[0]).toBe("query-frontend");
        expect(flagValue(args, "query-range.split-interval")).toBe("24h");
        expect(flagValue(args, "query-range.max-retries-per-request")).toBe("5");
        expect(flagValue(args, "query-frontend.downstream-url")).toBe("http://thanos-query.m.svc.cluster.local:10902");
        expect(args).toContain("--query-frontend.compress-responses");
        const tripper = parseYaml(flagValue(args, "query-frontend.downstream-tripper-config")!) as { max_idle_conns_per_host: number };
        // Go's HTTP transport: a negative max idle connections per host is keep-alive off.
        expect(tripper.max_idle_conns_per_host).toBe(-1);
        const kept = queryFrontendArgs(queryFrontendPlan("qf", { namespace: "m", downstreamUrl: "http://q:10902", downstreamKeepAlive: true }));
        expect((parseYaml(flagValue(kept, "query-frontend.downstream-tripper-config")!) as { max_idle_conns_per_host: number }).max_idle_conns_per_host).toBeGreaterThanOrEqual(100);
        expect(queryFrontendProblems({ namespace: "m", downstreamUrl: "http://q:10902", downstreamKeepAlive: true, maxIdleConnsPerHost: 200 })).toEqual([]);
        expect(queryFrontendProblems({ namespace: "m", downstreamUrl: "http://q:10902", maxIdleConnsPerHost: 200 })).toEqual([
            "ThanosQueryFrontend maxIdleConnsPerHost: applies only with downstreamKeepAlive: true (keep-alive to the querier is off by default, so no connection is kept), got 200",
        ]);
        expect(parseYaml(flagValue(args, "query-range.response-cache-config")!)).toMatchObject({ type: "IN-MEMORY", config: { max_size: "307MB" } });
        expect(parseYaml(flagValue(args, "labels.response-cache-config")!)).toMatchObject({ type: "IN-MEMORY" });
        const memcached = queryFrontendArgs(queryFrontendPlan("qf", { namespace: "m", downstreamUrl: "http://q:10902", resultsCache: { type: "memcached" } }));
        expect(parseYaml(flagValue(memcached, "query-range.response-cache-config")!)).toMatchObject({
            type: "MEMCACHED",
            config: { addresses: ["dnssrvnoa+_memcache._tcp.qf-results-cache.m.svc.cluster.local"] },
        });
        expectBaseline(buildQueryFrontendDeployment(plan).spec?.template.spec);
    });
});

describe("ThanosCompactor", () => {
    it("is a single-replica StatefulSet with explicit retention, delete delay, --wait and concurrency from its CPU", () => {
        const plan = compactorPlan("thanos-compact", { namespace: "m", objstoreSecret, resources: { requests: { cpu: "2500m", memory: "2Gi" }, limits: { memory: "4Gi" } } });
        const args = compactorArgs(plan, plan.instances[0]!);
        expect(args).toEqual(
            expect.arrayContaining([
                "--wait",
                "--retention.resolution-raw=30d",
                "--retention.resolution-5m=90d",
                "--retention.resolution-1h=1y",
                "--delete-delay=48h",
                "--compact.concurrency=2",
            ]),
        );
        expect(args.some((a) => a.startsWith("--deduplication") || a.startsWith("--downsampling.disable") || a === "--compact.enable-vertical-compaction")).toBe(false);
        const sts = buildCompactorStatefulSet(plan, plan.instances[0]!);
        expect(sts.spec?.replicas).toBe(1);
        expect(sts.spec?.updateStrategy?.type).toBe("RollingUpdate");
        expect(sts.spec?.podManagementPolicy).toBe("OrderedReady");
        expectBaseline(sts.spec?.template.spec);
        expect(sts.spec?.template.spec?.affinity).toBeUndefined();
    });

    it("deduplicates offline only when asked, with the penalty function", () => {
        const plan = compactorPlan("c", { namespace: "m", objstoreSecret, deduplicationReplicaLabels: ["prometheus_replica"], downsampling: false });
        const args = compactorArgs(plan, plan.instances[0]!);
        expect(args).toEqual(expect.arrayContaining(["--compact.enable-vertical-compaction", "--deduplication.replica-label=prometheus_replica", "--deduplication.func=penalty", "--downsampling.disable"]));
    });

    it("shards by an external label into disjoint keep groups plus the rest", () => {
        const plan = compactorPlan("c", { namespace: "m", objstoreSecret, sharding: { label: "cluster", groups: [["eu.1"], ["us"]] } });
        expect(plan.instances.map((i) => i.name)).toEqual(["c-0", "c-1", "c-2"]);
        expect(parseYaml(flagValue(compactorArgs(plan, plan.instances[0]!), "selector.relabel-config")!)).toEqual([{ action: "keep", source_labels: ["cluster"], regex: "eu\\.1" }]);
        expect(parseYaml(flagValue(compactorArgs(plan, plan.instances[2]!), "selector.relabel-config")!)).toEqual([{ action: "drop", source_labels: ["cluster"], regex: "eu\\.1|us" }]);
    });

    it("has no PDB, and refuses overlapping shards", async () => {
        const resources = await captureComponent((p) => {
            new ThanosCompactor("c", { namespace: "m", objstoreSecret, serviceAccountName: "thanos-compact" }, { providers: { kubernetes: p.kubernetes } });
        });
        expect(ofType(resources, "kubernetes:policy/v1:PodDisruptionBudget")).toHaveLength(0);
        expect(ofType(resources, "kubernetes:apps/v1:StatefulSet")).toHaveLength(1);
        await expect(
            captureComponent((p) => {
                new ThanosCompactor("c", { namespace: "m", objstoreSecret, sharding: { label: "cluster", groups: [["a"], ["a", "b"]] } }, { providers: { kubernetes: p.kubernetes } });
            }),
        ).rejects.toThrow(/groups\[1\]: value "a" is also in groups\[0\]/);
    });
});

describe("ThanosRuler", () => {
    const args = {
        namespace: "m",
        objstoreSecret,
        externalLabels: { cluster: "c", environment: "prod" },
        queryEndpoints: ["thanos-query.m.svc.cluster.local:10902"],
        alertmanagerAddresses: ["dnssrv+_http-web._tcp.alertmanager-operated.m.svc.cluster.local"],
        serviceAccountName: "thanos-rule",
    };

    it("is an Operator ThanosRuler selecting global rules, querying the querier, with probes and the baseline", () => {
        const plan = rulerPlan("thanos-rule", args);
        const tr = buildThanosRuler(plan);
        expect(tr.spec).toMatchObject({
            image: IMAGES.thanos,
            replicas: 2,
            serviceAccountName: "thanos-rule",
            ruleSelector: { matchLabels: { [LABELS.ruleScope]: "global" } },
            queryEndpoints: ["thanos-query.m.svc.cluster.local:10902"],
            alertDropLabels: [EXTERNAL_LABELS.rulerReplica],
            objectStorageConfig: objstoreSecret,
            terminationGracePeriodSeconds: 120,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        });
        const containers = tr.spec["containers"] as Array<{ name: string; readinessProbe?: { httpGet: { path: string } }; livenessProbe?: { httpGet: { path: string } } }>;
        const main = containers.find((c) => c.name === "thanos-ruler")!;
        expect(main.readinessProbe?.httpGet.path).toBe("/-/ready");
        expect(main.livenessProbe?.httpGet.path).toBe("/-/healthy");
        expect(parseYaml(alertmanagersConfig(args.alertmanagerAddresses))).toEqual({
            alertmanagers: [{ static_configs: args.alertmanagerAddresses, scheme: "http", timeout: "10s", api_version: "v2" }],
        });
        const svc = buildRulerService(plan);
        expect(svc.spec?.selector).toEqual({ [LABELS.name]: "thanos-ruler", "thanos-ruler": "thanos-rule" });
        expect(svc.spec?.ports?.map((p) => p.name)).toEqual(["http", "grpc", "reloader-web"]);
        // The Operator's config reloader listens on 8080 in every ruler pod.
        expect(svc.spec?.ports?.find((p) => p.name === "reloader-web")?.port).toBe(8080);
    });

    it("creates the Alertmanager Secret, the CR, its Service and PDB; refuses a retention below 6h", async () => {
        const resources = await captureComponent((p) => {
            new ThanosRuler("thanos-rule", args, { providers: { kubernetes: p.kubernetes } });
        });
        expect(find(resources, "kubernetes:monitoring.coreos.com/v1:ThanosRuler").options.dependsOn).toContain("kubernetes:core/v1:Secret::thanos-rule-alertmanagers");
        expect(ofType(resources, "kubernetes:policy/v1:PodDisruptionBudget")).toHaveLength(1);
        await expect(
            captureComponent((p) => {
                new ThanosRuler("r", { ...args, retention: "2h" }, { providers: { kubernetes: p.kubernetes } });
            }),
        ).rejects.toThrow('ThanosRuler retention: must keep at least three 2h blocks (6h) so each is uploaded, got "2h"');
    });
});

describe("the ThanosRuler resource against the Operator's CRD schema", () => {
    it("has only fields the schema knows, with valid values", async () => {
        const { crdProblems } = await import("./support/crdSchema");
        const tr = buildThanosRuler(
            rulerPlan("thanos-rule", {
                namespace: "m",
                objstoreSecret,
                externalLabels: { cluster: "c" },
                queryEndpoints: ["q:10902"],
                alertmanagerAddresses: ["am:9093"],
                storage: { size: "5Gi", storageClass: "gp3" },
            }),
        );
        expect(await crdProblems(tr)).toEqual([]);
        expect(await crdProblems({ ...tr, spec: { ...tr.spec, rulerReplicaLabel: "x" } })).not.toEqual([]);
    });
});
