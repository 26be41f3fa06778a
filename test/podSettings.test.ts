/**
 * Pod settings people expect from the Helm charts: where the pods run (nodeSelector, tolerations, node affinity),
 * where their images come from (a registry mirror, pull Secrets), the chart repository, how they log, and extra
 * flags per Thanos component. The expected fields are the Kubernetes pod spec's and the Operator's; every pod of
 * a real render is walked, so a component that forgets them fails.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mirroredImage, overPodSettings, placementProblems } from "../components/lib/placement";
import { RenderInputError, type RenderResult } from "../scripts/lib/render";
import { configProblems, minimalConfig } from "./support/configFixtures";
import { renderInProcess } from "./support/harness";

interface Pod {
    nodeSelector?: Record<string, string>;
    tolerations?: Array<Record<string, unknown>>;
    imagePullSecrets?: Array<{ name: string }>;
    affinity?: { nodeAffinity?: unknown; podAntiAffinity?: unknown };
    containers?: Array<{ name: string; image?: string; args?: string[] }>;
    initContainers?: Array<{ name: string; image?: string }>;
    image?: string;
    logLevel?: string;
    thanos?: { image?: string; logLevel?: string; additionalArgs?: Array<{ name: string; value?: string }> };
    additionalArgs?: Array<{ name: string; value?: string }>;
}

/** Every pod spec of a render by `Kind/name`: workloads' templates, and the Operator's resources' specs. */
function pods(r: RenderResult): Map<string, Pod> {
    const out = new Map<string, Pod>();
    for (const { object } of r.manifests) {
        const kind = object["kind"] as string;
        const name = (object["metadata"] as { name: string }).name;
        const spec = object["spec"] as { template?: { spec: Pod } } & Pod;
        if (["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(kind)) out.set(`${kind}/${name}`, spec.template!.spec);
        if (["Prometheus", "Alertmanager", "ThanosRuler"].includes(kind)) out.set(`${kind}/${name}`, spec);
    }
    return out;
}

/** Every image a pod spec names. */
function images(p: Pod): string[] {
    return [p.image, p.thanos?.image, ...(p.containers ?? []).map((c) => c.image), ...(p.initContainers ?? []).map((c) => c.image)].filter((i): i is string => i !== undefined);
}

/** The chart values of the render's Helm release. */
function chartValues(r: RenderResult): Record<string, Record<string, unknown>> {
    const release = r.resources.find((x) => x.type === "kubernetes:helm.sh/v3:Release")!;
    return release.inputs["values"] as Record<string, Record<string, unknown>>;
}

const MIRROR = "registry.acme.internal/mirror";
const TOLERATION = { key: "dedicated", operator: "Equal", value: "monitoring", effect: "NoSchedule" };
const ZONE_AFFINITY = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["eu-west-1a", "eu-west-1b"] }] }] } };
const STACK_WIDE = [
    "placement.nodeSelector.pool=monitoring",
    `placement.tolerations=${JSON.stringify([TOLERATION])}`,
    `placement.nodeAffinity=${JSON.stringify(ZONE_AFFINITY)}`,
    `placement.imageRegistry=${MIRROR}`,
    'placement.imagePullSecrets=["regcred"]',
];

describe("mirrored images", () => {
    // Image references as the OCI distribution spec reads them: a first path part with a dot, a colon or
    // `localhost` is a registry host; otherwise the reference has none.
    it.each([
        ["quay.io/thanos/thanos:v0.42.4", "m.example/x", "m.example/x/thanos/thanos:v0.42.4"],
        ["docker.io/library/memcached:1.6.39-alpine", "m.example", "m.example/library/memcached:1.6.39-alpine"],
        ["ghcr.io/versity/versitygw:v1.8.0", "m.example:5000/proxy/", "m.example:5000/proxy/versity/versitygw:v1.8.0"],
        ["localhost/a/b:1", "m.example", "m.example/a/b:1"],
        ["localhost:5000/a:1", "m.example", "m.example/a:1"],
        ["library/busybox:1", "m.example", "m.example/library/busybox:1"],
        ["busybox:1", "m.example", "m.example/busybox:1"],
    ])("%s from %s is %s", (image, registry, expected) => {
        expect(mirroredImage(image, registry)).toBe(expected);
        expect(mirroredImage(image, undefined)).toBe(image);
    });
});

describe("a component's settings over the stack's", () => {
    it("replace field by field: a component's nodeSelector replaces the stack's, the stack's tolerations stay", () => {
        const stack = { placement: { nodeSelector: { pool: "a" }, tolerations: [TOLERATION] }, logging: { level: "debug" as const } };
        expect(overPodSettings(stack, { placement: { nodeSelector: { pool: "b" } } })).toEqual({ placement: { nodeSelector: { pool: "b" }, tolerations: [TOLERATION] }, logging: { level: "debug" } });
        expect(overPodSettings(stack, { logging: { level: "warn", format: "json" } })).toEqual({ placement: stack.placement, logging: { level: "warn", format: "json" } });
        expect(overPodSettings({}, undefined)).toEqual({});
        expect(overPodSettings(stack, { placement: { nodeSelector: undefined } })).toEqual(stack);
    });
});

describe("placement rules (Kubernetes' own)", () => {
    it.each([
        [{ nodeSelector: { "bad key!": "x" } }, 'placement.nodeSelector: keys must be Kubernetes label keys, got "bad key!"'],
        [{ nodeSelector: { pool: "-x" } }, 'placement.nodeSelector.pool: must be a Kubernetes label value (at most 63 letters, digits, -, _ or .), got "-x"'],
        [{ nodeSelector: { pool: "x".repeat(64) } }, `placement.nodeSelector.pool: must be a Kubernetes label value (at most 63 letters, digits, -, _ or .), got "${"x".repeat(64)}"`],
        [{ tolerations: [{ key: "a", operator: "Maybe" }] }, 'placement.tolerations[0].operator: must be Exists or Equal, got "Maybe"'],
        [{ tolerations: [{ key: "a", effect: "NoRun" }] }, 'placement.tolerations[0].effect: must be one of NoSchedule, PreferNoSchedule, NoExecute, got "NoRun"'],
        [{ tolerations: [{ key: "a", operator: "Exists", value: "x" }] }, 'placement.tolerations[0].value: must be empty with operator Exists, got "x"'],
        [{ tolerations: [{ value: "x" }] }, 'placement.tolerations[0].operator: must be Exists in a toleration without a key (it tolerates every taint), got "Equal"'],
        [{ tolerations: [{ key: "a", effect: "NoSchedule", tolerationSeconds: 30 }] }, "placement.tolerations[0].tolerationSeconds: applies only with effect NoExecute, got 30"],
        [{ imagePullSecrets: ["Reg_Cred"] }, 'placement.imagePullSecrets[0]: must be a Secret name (a DNS subdomain), got "Reg_Cred"'],
        [{ imageRegistry: "https://m.example" }, 'placement.imageRegistry: must be a registry host with an optional port and path, without a scheme (like registry.example.com/mirror), got "https://m.example"'],
    ])("%j: %s", (placement, problem) => {
        expect(placementProblems(placement as never)).toEqual([problem]);
    });

    it("accepts what Kubernetes accepts", () => {
        expect(
            placementProblems({
                nodeSelector: { "node.kubernetes.io/instance-type": "m6i.xlarge", pool: "" },
                tolerations: [TOLERATION, { operator: "Exists" }, { key: "k", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }],
                imagePullSecrets: ["regcred", "acme.pull"],
                imageRegistry: "m.example:5000/proxy/quay",
            }),
        ).toEqual([]);
    });

    it("the configuration refuses each with the key, the value and the rule, before anything is created", () => {
        expect(configProblems(minimalConfig("dev", { placement: { tolerations: [{ key: "a", operator: "Exists", value: "x" }] } }))).toEqual([
            'placement.tolerations[0].value: must be empty with operator Exists, got "x"',
        ]);
        expect(configProblems(minimalConfig("dev", { querier: { placement: { imageRegistry: "https://m.example" } } }))).toEqual([
            'querier.placement.imageRegistry: must be a registry host with an optional port and path, without a scheme (like registry.example.com/mirror), got "https://m.example"',
        ]);
        expect(configProblems(minimalConfig("dev", { logging: { level: "verbose" } }))).toEqual(['logging.level: must be one of: debug, info, warn, error, got "verbose"']);
        expect(configProblems(minimalConfig("dev", { operator: { chartRepository: "charts.acme" } }))[0]).toMatch(/^operator\.chartRepository: /);
    });
});

describe("stack-wide placement on every pod", () => {
    let plain: RenderResult;
    let placed: RenderResult;
    beforeAll(async () => {
        // One render at a time: each runs the program in this process.
        plain = await renderInProcess("prod");
        placed = await renderInProcess("prod", STACK_WIDE);
    });

    it("is on every workload and every Operator resource, beside the stack's own anti-affinity", () => {
        const all = pods(placed);
        expect(all.size).toBeGreaterThanOrEqual(12);
        expect([...all.keys()].sort()).toEqual([...pods(plain).keys()].sort());
        for (const [name, p] of all) {
            expect(p.nodeSelector, name).toEqual({ pool: "monitoring" });
            expect(p.tolerations, name).toEqual([TOLERATION]);
            expect(p.imagePullSecrets, name).toEqual([{ name: "regcred" }]);
            expect(p.affinity?.nodeAffinity, name).toEqual(ZONE_AFFINITY);
            expect(p.affinity?.podAntiAffinity, name).toEqual(pods(plain).get(name)!.affinity?.podAntiAffinity);
        }
    });

    it("takes every image from the mirror, under its own path", () => {
        for (const [name, p] of pods(placed)) {
            const before = images(pods(plain).get(name)!);
            expect(images(p), name).toEqual(before.map((i) => `${MIRROR}/${i.split("/").slice(1).join("/")}`));
        }
    });

    it("reaches the chart: global mirror and pull Secrets; the Operator, kube-state-metrics, Grafana and the chart's Jobs placed; node-exporter only mirrored", () => {
        const v = chartValues(placed);
        expect(v["global"]).toEqual({ imageRegistry: MIRROR, imagePullSecrets: [{ name: "regcred" }] });
        for (const section of [v["prometheusOperator"], v["kube-state-metrics"], v["grafana"], (v["prometheusOperator"]!["admissionWebhooks"] as Record<string, unknown>)["patch"], (v["crds"]!["upgradeJob"] as Record<string, unknown>)]) {
            expect(section).toMatchObject({ nodeSelector: { pool: "monitoring" }, tolerations: [TOLERATION], affinity: { nodeAffinity: ZONE_AFFINITY } });
        }
        expect(v["prometheus-node-exporter"]).not.toHaveProperty("nodeSelector");
        expect(v["prometheus-node-exporter"]).not.toHaveProperty("tolerations");
        const job = (v["crds"]!["upgradeJob"] as { image: Record<string, { registry: string }> }).image;
        expect([job["busybox"]!.registry, job["kubectl"]!.registry]).toEqual([MIRROR, MIRROR]);
        expect(chartValues(plain)).not.toHaveProperty("global");
    });

    it("a component's own placement replaces the stack's field by field, for its pods and its caches only", async () => {
        const r = await renderInProcess("prod", [...STACK_WIDE, "storeGateway.placement.nodeSelector.pool=store"]);
        for (const [name, p] of pods(r)) {
            const store = /^StatefulSet\/thanos-store-/.test(name);
            expect(p.nodeSelector, name).toEqual({ pool: store ? "store" : "monitoring" });
            expect(p.tolerations, name).toEqual([TOLERATION]);
        }
        expect([...pods(r).keys()].filter((n) => n.startsWith("StatefulSet/thanos-store-index-cache"))).toHaveLength(1);
    });

    it("the chart repository is the configured mirror", async () => {
        const r = await renderInProcess("prod", ["operator.chartRepository=https://charts.acme.internal/prometheus-community"]);
        const release = r.resources.find((x) => x.type === "kubernetes:helm.sh/v3:Release")!;
        expect(release.inputs["repositoryOpts"]).toEqual({ repo: "https://charts.acme.internal/prometheus-community" });
        const release0 = plain.resources.find((x) => x.type === "kubernetes:helm.sh/v3:Release")!;
        expect(release0.inputs["repositoryOpts"]).toEqual({ repo: "https://prometheus-community.github.io/helm-charts" });
    });
});

describe("logging", () => {
    it("a stack-wide level reaches every Thanos, Prometheus, Alertmanager and Pushgateway process; a component's own replaces it", async () => {
        const plain = await renderInProcess("prod");
        const debug = await renderInProcess("prod", ["logging.level=debug", "logging.format=json", "querier.logging.level=warn"]);
        let thanosContainers = 0;
        for (const [name, p] of pods(debug)) {
            if (["Prometheus", "Alertmanager", "ThanosRuler"].some((k) => name.startsWith(`${k}/`))) {
                expect([p.logLevel, (p as { logFormat?: string }).logFormat], name).toEqual(["debug", "json"]);
                continue;
            }
            for (const c of p.containers ?? []) {
                const thanos = c.args?.[0] !== undefined && ["query", "query-frontend", "store", "compact"].includes(c.args[0]);
                if (thanos) thanosContainers++;
                if (thanos) expect(c.args!.filter((a) => a.startsWith("--log.")), `${name} ${c.name}`).toEqual(["--log.format=json", `--log.level=${name === "Deployment/thanos-query" ? "warn" : "debug"}`]);
                if (c.name === "pushgateway") expect(c.args, name).toEqual(expect.arrayContaining(["--log.level=debug", "--log.format=json"]));
            }
        }
        // The querier, the query-frontend, three store shards and the compactor.
        expect(thanosContainers).toBe(6);
        const sidecar = [...pods(debug)].find(([n]) => n.startsWith("Prometheus/"))![1].thanos!;
        expect(sidecar.logLevel).toBe("debug");
        expect(chartValues(debug)["prometheusOperator"]).toMatchObject({ logLevel: "debug", logFormat: "json" });
        // Unset: Thanos' own default level (no flag) and the logfmt format the stack always sets.
        for (const [name, p] of pods(plain)) for (const c of p.containers ?? []) if (c.args?.[0] === "query") expect(c.args.filter((a) => a.startsWith("--log.")), name).toEqual(["--log.format=logfmt"]);
    });
});

describe("extra flags per Thanos component", () => {
    it("come after the stack's own flags, as the Operator's additionalArgs for the ruler and the sidecar", async () => {
        const r = await renderInProcess("prod", [
            'querier.extraArgs=["--query.lookback-delta=10m", "--query.promql-engine=thanos"]',
            'storeGateway.extraArgs=["--store.grpc.downloaded-bytes-limit=0"]',
            'compactor.extraArgs=["--compact.blocks-fetch-concurrency=2"]',
            'queryFrontend.extraArgs=["--query-frontend.slow-query-logs-user-header=X-User"]',
            'ruler.extraArgs=["--query.http-method=GET"]',
            'prometheus.sidecarExtraArgs=["--shipper.upload-concurrency=2"]',
        ]);
        const all = pods(r);
        const argsOf = (prefix: string) => [...all].filter(([n]) => n.startsWith(prefix)).map(([, p]) => p.containers![0]!.args!);
        expect(argsOf("Deployment/thanos-query").find((a) => a[0] === "query")!.slice(-2)).toEqual(["--query.lookback-delta=10m", "--query.promql-engine=thanos"]);
        expect(argsOf("Deployment/thanos-query-frontend")[0]!.slice(-1)).toEqual(["--query-frontend.slow-query-logs-user-header=X-User"]);
        const stores = argsOf("StatefulSet/thanos-store-").filter((a) => a[0] === "store");
        expect(stores.map((a) => a[a.length - 1])).toEqual(Array(3).fill("--store.grpc.downloaded-bytes-limit=0"));
        expect(argsOf("StatefulSet/thanos-compact")[0]!.slice(-1)).toEqual(["--compact.blocks-fetch-concurrency=2"]);
        const ruler = [...all].find(([n]) => n.startsWith("ThanosRuler/"))![1];
        expect(ruler.additionalArgs).toEqual([{ name: "query.http-method", value: "GET" }]);
        const prometheus = [...all].find(([n]) => n.startsWith("Prometheus/"))![1];
        expect(prometheus.thanos!.additionalArgs).toEqual([{ name: "shipper.upload-concurrency", value: "2" }]);
    });

    it.each([
        ['querier.extraArgs=["--query.timeout=1m"]', 'ThanosQuerier extraArgs[0]: --query.timeout is set by the stack (use the component\'s own setting), got "--query.timeout=1m"'],
        ['querier.extraArgs=["--query.replica-label=x"]', 'ThanosQuerier extraArgs[0]: --query.replica-label is set by the stack (use the component\'s own setting), got "--query.replica-label=x"'],
        ['storeGateway.extraArgs=["--selector.relabel-config-file=/x"]', 'ThanosStoreGateway extraArgs[0]: --selector.relabel-config-file is set by the stack (use the component\'s own setting), got "--selector.relabel-config-file=/x"'],
        ['compactor.extraArgs=["--retention.resolution-raw=0d"]', 'ThanosCompactor extraArgs[0]: --retention.resolution-raw is set by the stack (use the component\'s own setting), got "--retention.resolution-raw=0d"'],
        ['ruler.extraArgs=["--eval-interval=1m"]', 'ThanosRuler extraArgs[0]: --eval-interval is set by the stack (use the component\'s own setting), got "--eval-interval=1m"'],
        ['prometheus.sidecarExtraArgs=["--objstore.config-file=/x"]', 'ShardedPrometheus sidecarExtraArgs[0]: --objstore.config-file is set by the stack (use the component\'s own setting), got "--objstore.config-file=/x"'],
        ['querier.extraArgs=["--no-such-flag=1"]', 'querier.extraArgs[0]: query has no flag --no-such-flag in Thanos v0.42.4, got "--no-such-flag=1"'],
        ['compactor.extraArgs=["--wait-interval=often"]', 'compactor.extraArgs[0]: compact --wait-interval takes a duration, got "--wait-interval=often"'],
        ['querier.extraArgs=["--query.auto-downsampling=yes"]', 'querier.extraArgs[0]: query --query.auto-downsampling is a boolean flag and takes no value, got "--query.auto-downsampling=yes"'],
        ['querier.extraArgs=["query.timeout=1m"]', 'querier.extraArgs[0]: query takes no positional argument, got "query.timeout=1m"'],
        ['storeGateway.extraArgs=["--store"]', 'storeGateway.extraArgs[0]: store has no flag --store in Thanos v0.42.4, got "--store"'],
    ])("%s is refused before anything is created: %s", async (set, problem) => {
        const failure = await renderInProcess("prod", [set]).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(failure).toBeInstanceOf(RenderInputError);
        expect((failure as RenderInputError).problems).toEqual([problem]);
    });
});
