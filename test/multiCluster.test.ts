import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { validateStackConfig } from "../infra/config/load";
import { ALL_CHECKS, evaluate } from "../policy/checks";
import { INGRESS, MULTI_CLUSTER, PORTS } from "../components/constants";
import {
    buildCollectorCertificate,
    buildCollectorIngress,
    buildCollectorPodServices,
    collectorEndpoints,
    collectorExposureProblems,
    prometheusPods,
    roleContext,
    stackReferenceEndpoints,
    type CollectorExposureArgs,
} from "../components/stack/multiCluster";
import { endpointCaVolumes, endpointSdConfig } from "../components/thanos/querier";
import { planThanosStack, thanosStackContext, thanosStackProblems } from "../components/stack/thanosPlan";
import { endpointProblems } from "../components/stack/invariants";
import { type EndpointDocument, objectsOfKind, querierEndpointDocument, renderInProcess } from "./support/harness";
import type { RenderResult } from "../scripts/lib/render";

interface K8sObject {
    kind: string;
    metadata: { name: string; annotations?: Record<string, string> };
    spec: Record<string, unknown>;
}

function violations(result: RenderResult) {
    return evaluate(ALL_CHECKS, result.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs })));
}

/** The endpoint document of the (one) querier Deployment. */
function querierSdConfig(result: RenderResult): EndpointDocument {
    const querier = objectsOfKind<K8sObject>(result, "Deployment").find((d) => d.metadata.name === "thanos-query");
    expect(querier, "a querier Deployment").toBeDefined();
    return querierEndpointDocument(result.manifests.map((m) => m.object), querier as unknown as Record<string, unknown>);
}

const THANOS_READ_PATH = ["thanos-query", "thanos-query-frontend", "thanos-compact", "thanos-rule"];

describe("role collector (prod --set role=collector)", () => {
    let result: RenderResult;
    beforeAll(async () => {
        result = await renderInProcess("prod", ["role=collector"]);
    });

    it("renders with zero policy violations", () => {
        expect(violations(result)).toEqual([]);
    });

    it("runs no store gateway, querier, query-frontend, compactor or ruler, and creates no bucket", () => {
        const workloads = [...objectsOfKind<K8sObject>(result, "Deployment"), ...objectsOfKind<K8sObject>(result, "StatefulSet")].map((w) => w.metadata.name);
        for (const name of THANOS_READ_PATH) expect(workloads).not.toContain(name);
        expect(workloads.some((w) => w.startsWith("thanos-store"))).toBe(false);
        expect(objectsOfKind(result, "ThanosRuler")).toEqual([]);
        expect(result.resources.filter((r) => r.type.startsWith("aws:s3"))).toEqual([]);
        // Only Prometheus writes to the bucket from here: one IAM role.
        expect(result.resources.filter((r) => r.type === "aws:iam/role:Role").map((r) => r.name)).toEqual(["thanos-access-prometheus-role"]);
        expect(objectsOfKind(result, "Prometheus")).toHaveLength(1);
    });

    it("exposes every sidecar's StoreAPI through its own internal NLB, TLS served by the sidecars", () => {
        const lbs = objectsOfKind<K8sObject>(result, "Service").filter((s) => s.spec["type"] === "LoadBalancer");
        expect(lbs).toHaveLength(4 * 2);
        for (const lb of lbs) {
            expect(lb.metadata.annotations).toMatchObject(MULTI_CLUSTER.awsNlbAnnotations);
            expect(lb.metadata.annotations?.[MULTI_CLUSTER.externalDnsHostnameAnnotation]).toMatch(/^shard-\d-replica-\d\.storeapi\.eks-prod-eu-west-1\.acme\.internal$/);
            expect(lb.spec["ports"]).toEqual([expect.objectContaining({ port: PORTS.thanosGrpc })]);
            expect((lb.spec["selector"] as Record<string, string>)[MULTI_CLUSTER.podNameLabel]).toMatch(/^prometheus-thanos-prometheus(-shard-\d)?-\d$/);
            expect(lb.spec["loadBalancerSourceRanges"]).toEqual(["10.0.0.0/8"]);
        }
        const [prom] = objectsOfKind<K8sObject>(result, "Prometheus");
        const thanos = prom!.spec["thanos"] as { grpcServerTlsConfig?: { certFile: string; keyFile: string } };
        expect(thanos.grpcServerTlsConfig?.certFile).toMatch(/tls\.crt$/);
        expect(objectsOfKind<K8sObject>(result, "Certificate")[0]?.spec["dnsNames"]).toHaveLength(8);
    });

    it("exports one StoreAPI endpoint per Prometheus pod for the central stack", () => {
        const endpoints = result.outputs[MULTI_CLUSTER.storeApiEndpointsOutput] as Array<{ address: string; tls: boolean }>;
        expect(endpoints).toHaveLength(8);
        expect(endpoints[0]).toEqual({ address: "shard-0-replica-0.storeapi.eks-prod-eu-west-1.acme.internal:10901", tls: true });
    });

    it("leaves global-scope team rules to the central stack and scrapes only the sidecars of the Thanos components", () => {
        expect(result.resources.some((r) => r.name === "thanos-example-app-global")).toBe(false);
        const jobs = objectsOfKind<{ metadata: { name: string } }>(result, "ServiceMonitor").map((s) => s.metadata.name);
        expect(jobs.some((j) => j.includes("sidecar"))).toBe(true);
        expect(jobs.some((j) => /thanos-(query|compact|store|rule)/.test(j))).toBe(false);
    });
});

describe("role central (prod --set role=central)", () => {
    let result: RenderResult;
    beforeAll(async () => {
        result = await renderInProcess("prod", ["role=central", 'central.collectorStacks=[{"stack":"acme/thanos-stack/prod-ap"}]']);
    });

    it("renders with zero policy violations", () => {
        expect(violations(result)).toEqual([]);
    });

    it("the querier lists every collector pod (from config and from the stack reference) with per-endpoint TLS", () => {
        const sd = querierSdConfig(result);
        const addresses = sd.endpoints.map((e) => e.address);
        expect(addresses).toEqual(
            expect.arrayContaining([
                "shard-0-replica-0.storeapi.eks-prod-us-east-1.acme.internal:10901",
                "shard-1-replica-1.storeapi.eks-prod-us-east-1.acme.internal:10901",
                "shard-0-replica-1.storeapi.prod-ap.mock.invalid:10901",
            ]),
        );
        const remote = sd.endpoints.find((e) => e.address.startsWith("shard-0-replica-0.storeapi.eks-prod-us-east-1"))!;
        expect(remote.group).toBe(false);
        expect(remote.client_config?.tls_config).toEqual({ enabled: true, ca_file: "/etc/thanos/endpoint-ca/acme-internal-ca/ca.crt" });
        // Local StoreAPIs stay plaintext.
        expect(sd.endpoints.find((e) => e.address.includes("thanos-store-0"))?.client_config).toBeUndefined();
        const querier = objectsOfKind<K8sObject>(result, "Deployment").find((d) => d.metadata.name === "thanos-query")!;
        expect(JSON.stringify(querier.spec)).toContain('"secretName":"acme-internal-ca"');
    });

    it("runs the read path, exactly one compactor and the bucket, and only a one-shard self-scrape Prometheus", () => {
        const [prom] = objectsOfKind<K8sObject>(result, "Prometheus");
        expect(prom!.spec["shards"]).toBe(1);
        expect(objectsOfKind<K8sObject>(result, "StatefulSet").filter((s) => s.metadata.name.startsWith("thanos-compact"))).toHaveLength(1);
        expect(objectsOfKind(result, "ThanosRuler")).toHaveLength(1);
        expect(result.resources.some((r) => r.type === "aws:s3/bucket:Bucket" || r.type === "aws:s3/bucketV2:BucketV2")).toBe(true);
        expect(objectsOfKind<K8sObject>(result, "Service").filter((s) => s.spec["type"] === "LoadBalancer")).toEqual([]);
        expect(objectsOfKind<K8sObject>(result, "Deployment").some((d) => d.metadata.name.includes("pushgateway"))).toBe(false);
    });
});

describe("multi-cluster configuration rules", () => {
    const base = (overrides: Record<string, unknown> = {}) => ({
        environment: "prod",
        cluster: { name: "eks-central", eks: { clusterName: "eks-central", oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X" } },
        aws: { region: "eu-west-1" },
        objectStorage: { provider: "s3", bucketName: "acme-thanos" },
        ...overrides,
    });
    const problems = (raw: unknown) => {
        const r = validateStackConfig(raw);
        return r.ok ? [] : r.problems;
    };

    it("defaults to role all", () => {
        const r = validateStackConfig(base());
        expect(r.ok && r.config.role).toBe("all");
    });

    it("a collector needs a domain, and an Ingress exposure needs a ClusterIssuer", () => {
        expect(problems(base({ role: "collector" }))).toContain("collector.exposure.domain: is required with role collector (the central querier dials shard-<s>-replica-<r>.<domain>), got nothing");
        expect(problems(base({ role: "collector", collector: { exposure: { domain: "a.example.internal", type: "ingress" } } }))).toEqual([
            "collector.exposure.clusterIssuer: is required with exposure type ingress (gRPC through an Ingress needs TLS), got nothing",
        ]);
        expect(problems(base({ role: "collektor" }))[0]).toMatch(/^role: must be one of: all, collector, central, got "collektor"$/);
    });

    it("a central stack needs collectors with unique names other than its own, and static addresses for TLS", () => {
        expect(problems(base({ role: "central" }))).toEqual([expect.stringMatching(/^central\.collectors: must name at least one collector/)]);
        const p = problems(
            base({
                role: "central",
                central: {
                    collectors: [
                        { name: "eks-central", addresses: ["a.example:10901"] },
                        { name: "eks-eu", addresses: ["dnssrv+_grpc._tcp.x.example"], tls: {} },
                        { name: "eks-eu", addresses: ["a.example:10901"] },
                    ],
                },
            }),
        );
        expect(p).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/^central\.collectors\[0\]\.name: must differ from cluster\.name.*got "eks-central"$/),
                expect.stringMatching(/^central\.collectors\[1\]\.addresses\[0\]: must be a static host:port when tls is set.*got "dnssrv\+_grpc\._tcp\.x\.example"$/),
                expect.stringMatching(/^central\.collectors\[2\]\.name: must be unique/),
                expect.stringMatching(/^central\.collectors\[2\]\.addresses\[0\]: must be unique across collectors/),
            ]),
        );
    });

    it("roles other than all need the shared S3 bucket", () => {
        expect(problems(base({ role: "central", objectStorage: { provider: "versitygw", bucketName: "thanos" }, central: { collectors: [{ name: "x", addresses: ["a:1"] }] } }))).toContain(
            'objectStorage.provider: must be s3 with role central: collectors and the central cluster share one bucket, and the in-cluster S3 server is reachable from one cluster only, got "versitygw"',
        );
    });
});

describe("multi-cluster builders (pure)", () => {
    const args: CollectorExposureArgs = { namespace: "monitoring", prometheusName: "p", shards: 2, replicas: 2, domain: "s.example.internal" };

    it("names the pods like the Operator", () => {
        expect(prometheusPods("p", 2, 2).map((p) => p.podName)).toEqual(["prometheus-p-0", "prometheus-p-1", "prometheus-p-shard-1-0", "prometheus-p-shard-1-1"]);
    });

    it("an Ingress exposure terminates TLS at the Ingress with one host per pod, addresses on 443", () => {
        const ingressArgs: CollectorExposureArgs = { ...args, type: "ingress", clusterIssuer: "ca", ingressClassName: "nginx" };
        const ingress = buildCollectorIngress(ingressArgs, "i")!;
        expect(ingress.metadata?.annotations).toMatchObject({ [INGRESS.nginx.backendProtocol]: "GRPC", [INGRESS.clusterIssuerAnnotation]: "ca" });
        expect(ingress.spec?.tls?.[0]?.hosts).toHaveLength(4);
        expect(ingress.spec?.rules).toHaveLength(4);
        expect(buildCollectorPodServices(ingressArgs, "i").every((s) => s.spec?.type === "ClusterIP")).toBe(true);
        expect(buildCollectorCertificate(ingressArgs, "i")).toBeUndefined();
        expect(collectorEndpoints(ingressArgs)[3]).toEqual({ address: "shard-1-replica-1.s.example.internal:443", tls: true });
        expect(collectorExposureProblems({ ...ingressArgs, clusterIssuer: undefined as unknown as string })).toEqual([
            "CollectorExposure clusterIssuer: is required with type ingress (gRPC through an Ingress needs TLS), got undefined",
        ]);
    });

    it("a plaintext NLB exposure has no certificate and plain endpoints", () => {
        expect(buildCollectorCertificate(args, "i")).toBeUndefined();
        expect(collectorEndpoints(args).every((e) => !e.tls && e.address.endsWith(":10901"))).toBe(true);
    });

    it("per-endpoint TLS renders as client_config and mounts each CA once", () => {
        const endpoints = [
            { address: "a:10901", group: false, description: "a", tls: { caSecretName: "ca1", serverName: "a.example" } },
            { address: "b:10901", group: false, description: "b", tls: { caSecretName: "ca1" } },
            { address: "c:10901", group: false, description: "c" },
        ];
        const doc = parseYaml(endpointSdConfig(endpoints)) as { endpoints: Array<Record<string, unknown>> };
        expect(doc.endpoints[0]).toEqual({ address: "a:10901", group: false, client_config: { tls_config: { enabled: true, ca_file: "/etc/thanos/endpoint-ca/ca1/ca.crt" }, server_name: "a.example" } });
        expect(doc.endpoints[2]).toEqual({ address: "c:10901", group: false });
        expect(endpointCaVolumes(endpoints).volumes).toHaveLength(1);
    });

    it("refuses a stack reference without the collector output", () => {
        expect(() => stackReferenceEndpoints("o/p/s", undefined)).toThrow(/central\.collectorStacks: stack "o\/p\/s" output storeApiEndpoints: must be a non-empty list/);
        expect(() => stackReferenceEndpoints("o/p/s", [{ address: 1 }])).toThrow(/\[0\]: must be \{address: string, tls: boolean\}/);
        expect(stackReferenceEndpoints("o/p/s", [{ address: "x:1", tls: true }], "ca")).toEqual([{ address: "x:1", group: false, description: "collector stack o/p/s (x:1)", tls: { caSecretName: "ca" } }]);
    });

    it("the invariants include the remote collectors: a querier that misses one fails, a collector checks only its producers", () => {
        const ctx = thanosStackContext("thanos", { environment: "prod", clusterName: "central", namespace: "monitoring" });
        const central = planThanosStack(roleContext(ctx, "central", { collectors: [{ name: "eu", addresses: ["a:10901", "b:10901"] }] }));
        expect(thanosStackProblems(central)).toEqual([]);
        expect(central.querier.endpoints.map((e) => e.address)).toEqual(expect.arrayContaining(["a:10901", "b:10901"]));
        const broken = { ...central.invariants, querier: { ...central.invariants.querier, endpoints: central.invariants.querier.endpoints.filter((e) => e.address !== "b:10901") } };
        expect(endpointProblems(broken)).toEqual(['querier.endpoints: missing collector eu (b:10901) at "b:10901"; the querier must reach every StoreAPI of the stack']);
        const collector = planThanosStack(roleContext(ctx, "collector", undefined));
        expect(collector.invariants.producers.map((p) => p.description)).toEqual(["prometheus"]);
        expect(thanosStackProblems(collector)).toEqual([]);
    });
});
