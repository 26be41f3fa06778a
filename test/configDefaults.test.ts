/**
 * The defaults of the stack configuration are part of its contract (docs/configuration.md, README): a user who
 * sets nothing gets these values. They are written here as the documented numbers, not read from the DEFAULTS
 * constant the schema uses, so a wrong default fails a test. Where a default is safety-relevant the reason is
 * the rule it satisfies (GUIDE invariants: Prometheus local retention >= 6h; raw >= 40h and 5m >= 10d while
 * downsampling; store --ignore-deletion-marks-delay = compactor --delete-delay / 2; incomplete multipart
 * uploads aborted within 7 days; only the compactor deletes).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { validateStackConfig } from "../infra/config/load";
import type { RenderResult } from "../scripts/lib/render";
import { objectsOfKind, renderInProcess } from "./support/harness";

const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/TEST";
function minimal(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return { environment: "dev", cluster: { name: "eks-dev", eks: { clusterName: "eks-dev", oidcProviderArn: OIDC } }, aws: { region: "eu-west-1" }, objectStorage: { provider: "s3", bucketName: "acme-thanos-dev" }, ...overrides };
}
function config(overrides: Record<string, unknown> = {}) {
    const r = validateStackConfig(minimal(overrides));
    if (!r.ok) throw new Error(r.problems.join("\n"));
    return r.config;
}

describe("documented defaults of the stack configuration", () => {
    it.each<[string, unknown]>([
        ["namespace", "monitoring"],
        ["protect", false],
        ["role", "all"],
        ["prometheus.shards", 1],
        ["prometheus.replicas", 2],
        ["prometheus.retention", "24h"],
        ["prometheus.storage.size", "50Gi"],
        ["prometheus.compaction", "disabled"],
        ["prometheus.scrapeInterval", "30s"],
        ["prometheus.evaluationInterval", "30s"],
        ["prometheus.resources.requests.cpu", "500m"],
        ["prometheus.resources.requests.memory", "2Gi"],
        ["prometheus.resources.limits.memory", "4Gi"],
        ["alertmanager.replicas", 2],
        ["alertmanager.retention", "120h"],
        ["pushgateway.enabled", true],
        ["operator.install", true],
        ["operator.grafana", true],
        ["storeGateway.shards", 1],
        ["storeGateway.replicas", 2],
        ["storeGateway.indexCache.type", "inMemory"],
        ["storeGateway.cachingBucket.enabled", false],
        ["storeGateway.limits.requestSeries", 1000000],
        ["storeGateway.limits.requestSamples", 100000000],
        ["querier.replicas", 2],
        ["querier.timeout", "2m"],
        ["querier.storeResponseTimeout", "1m"],
        ["queryFrontend.replicas", 2],
        ["queryFrontend.splitInterval", "24h"],
        ["compactor.retention.raw", "30d"],
        ["compactor.retention.fiveMinutes", "90d"],
        ["compactor.retention.oneHour", "1y"],
        ["compactor.downsampling", true],
        ["compactor.deleteDelay", "48h"],
        ["compactor.deduplication", false],
        ["ruler.replicas", 2],
        ["ruler.retention", "24h"],
        ["objectStorage.identity", "irsa"],
        ["objectStorage.encryption.type", "sse-s3"],
        ["objectStorage.encryption.createKey", false],
        ["objectStorage.versioning.enabled", false],
        ["objectStorage.versioning.noncurrentExpirationDays", 30],
        ["objectStorage.replication.enabled", false],
        ["objectStorage.lifecycle.abortIncompleteMultipartUploadDays", 7],
        ["objectStorage.lifecycle.rules", []],
        ["selfMonitoring.enabled", true],
        ["ui.enabled", false],
        ["priorityClass.value", 1000000],
        ["networkPolicies.enabled", true],
        // Unset: every address of the IP families (0.0.0.0/0 for IPv4, see test/productionReadiness.test.ts).
        ["networkPolicies.kubeApiServerCidrs", undefined],
        ["networkPolicies.kubeApiServerPorts", [443, 6443]],
        ["networkPolicies.objectStoreCidrs", undefined],
        ["networkPolicies.ipFamilies", ["IPv4"]],
        ["networkPolicies.dnsCidrs", []],
        ["networkPolicies.additionalIngress", []],
        ["networkPolicies.additionalEgress", []],
        ["ui.ingressControllerNamespace", "ingress-nginx"],
        ["operator.scrapeControlPlane", false],
        ["prometheus.replicaSpread", "hard"],
        ["storeGateway.replicaSpread", "hard"],
        ["prometheus.enableFeatures", []],
        ["querier.endpointReloadInterval", "30s"],
    ])("%s defaults to %j", (key, value) => {
        const c = config() as unknown as Record<string, unknown>;
        const got = key.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], c);
        expect(got).toEqual(value);
    });

    it("protect defaults to true in prod only", () => {
        expect(config({ environment: "prod" }).protect).toBe(true);
        expect(config({ environment: "staging" }).protect).toBe(false);
    });

    it("a default is only a default: one leaf set keeps its siblings' defaults", () => {
        const c = config({ compactor: { retention: { raw: "60d" } }, prometheus: { resources: { limits: { memory: "8Gi" } } } });
        expect(c.compactor.retention).toEqual({ raw: "60d", fiveMinutes: "90d", oneHour: "1y" });
        expect(c.prometheus.resources).toEqual({ requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "8Gi" } });
    });
});

describe("the defaults as the software receives them (dev render, nothing set)", () => {
    let result: RenderResult;
    const args = (name: string): string[] => {
        const o = result.manifests.map((m) => m.object as { kind: string; metadata: { name: string }; spec?: { template?: { spec?: { containers?: Array<{ args?: string[] }> } } } }).find((x) => x.metadata.name === name && (x.kind === "StatefulSet" || x.kind === "Deployment"));
        return o?.spec?.template?.spec?.containers?.[0]?.args ?? [];
    };
    beforeAll(async () => {
        result = await renderInProcess("dev");
    });

    it("the compactor keeps every resolution explicitly, downsamples, and deletes 48h after marking", () => {
        const a = args("thanos-compact");
        expect(a).toEqual(expect.arrayContaining(["--retention.resolution-raw=30d", "--retention.resolution-5m=90d", "--retention.resolution-1h=1y", "--delete-delay=48h", "--wait"]));
        expect(a).not.toContain("--downsampling.disable");
    });

    it("the store gateways stop reading marked blocks after 24h, half the delete delay", () => {
        const stores = result.manifests.map((m) => m.object as { kind: string; metadata: { name: string } }).filter((o) => o.kind === "StatefulSet" && /^thanos-store-\d+-of-\d+$/.test(o.metadata.name));
        expect(stores.length).toBeGreaterThan(0);
        for (const s of stores) expect(args(s.metadata.name).filter((a) => a.startsWith("--ignore-deletion-marks-delay="))).toEqual(["--ignore-deletion-marks-delay=1d"]);
    });

    it("Prometheus runs with local compaction off, so every 2h block is uploaded as written", () => {
        const [p] = objectsOfKind<{ spec: { disableCompaction?: boolean } }>(result, "Prometheus");
        expect(p!.spec.disableCompaction).toBe(true);
    });

    it("the bucket aborts incomplete multipart uploads after 7 days and is encrypted with SSE-S3", () => {
        const lifecycle = result.resources.find((r) => r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")!;
        expect(lifecycle.inputs["rules"]).toEqual([expect.objectContaining({ status: "Enabled", abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } })]);
        const sse = result.resources.find((r) => r.type === "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")!;
        expect(sse.inputs["rules"]).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
    });
});
