import { describe, expect, it } from "vitest";
import { ALL_CHECKS, evaluate, ResourceView } from "../policy/checks";
import * as baseline from "../policy/checks/baseline";
import * as aws from "../policy/checks/aws";
import * as thanos from "../policy/checks/thanos";
import * as network from "../policy/checks/network";
import type { Check } from "../policy/checks/types";
import { containerResources as res, containerSecurityContext, healthProbes, hostnameAntiAffinity, podSecurityContext, zoneSpread } from "../components/lib/pod";

const NS = "monitoring";
const SELECTOR = { "app.kubernetes.io/name": "thanos-query", "app.kubernetes.io/instance": "thanos" };

/** A Deployment that meets the whole baseline; each test breaks one thing. */
function goodDeployment(): Record<string, unknown> {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "thanos-query", namespace: NS },
        spec: {
            replicas: 2,
            selector: { matchLabels: SELECTOR },
            template: {
                metadata: { labels: { ...SELECTOR, "app.kubernetes.io/component": "thanos-query" } },
                spec: {
                    serviceAccountName: "thanos-query",
                    automountServiceAccountToken: false,
                    terminationGracePeriodSeconds: 120,
                    securityContext: podSecurityContext(),
                    affinity: hostnameAntiAffinity(SELECTOR),
                    topologySpreadConstraints: zoneSpread(SELECTOR),
                    containers: [
                        {
                            name: "thanos-query",
                            image: "quay.io/thanos/thanos:v0.42.4",
                            imagePullPolicy: "IfNotPresent",
                            args: ["query", "--log.level=info"],
                            env: [{ name: "GOMEMLIMIT", value: "1000" }],
                            securityContext: containerSecurityContext(),
                            resources: res({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } }),
                            ...healthProbes("http"),
                        },
                    ],
                },
            },
        },
    };
}

function k8s(obj: Record<string, unknown>, name = "r"): ResourceView {
    return { type: `kubernetes:${String(obj["apiVersion"]).includes("/") ? String(obj["apiVersion"]) : `core/${String(obj["apiVersion"])}`}:${String(obj["kind"])}`, name, props: obj };
}

const pdb = k8s({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "thanos-query", namespace: NS }, spec: { maxUnavailable: 1, selector: { matchLabels: SELECTOR } } }, "pdb");
const sa = k8s({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "thanos-query", namespace: NS }, automountServiceAccountToken: false }, "sa");
const denyAll = k8s({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "deny", namespace: NS }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } }, "deny");
const queryPolicy = k8s(
    {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "thanos-query", namespace: NS },
        spec: { podSelector: { matchLabels: SELECTOR }, policyTypes: ["Ingress", "Egress"], ingress: [{ ports: [{ port: 10902 }] }], egress: [{ ports: [{ port: 10901 }] }] },
    },
    "query-policy",
);

function violations(check: Check, resources: ResourceView[]): string[] {
    return evaluate([check], resources).map((v) => v.message);
}

/** Deep-clones the good Deployment and edits its pod spec / first container. */
function broken(edit: (pod: Record<string, unknown>, container: Record<string, unknown>, d: Record<string, unknown>) => void): ResourceView {
    const d = structuredClone(goodDeployment());
    const pod = (d["spec"] as { template: { spec: Record<string, unknown> } }).template.spec;
    edit(pod, (pod["containers"] as Array<Record<string, unknown>>)[0]!, d);
    return k8s(d, "bad");
}

describe("policy pack: the good objects pass every check", () => {
    it("a compliant replicated Deployment with its PDB and ServiceAccount has zero violations", () => {
        expect(evaluate(ALL_CHECKS, [k8s(goodDeployment(), "good"), pdb, sa, denyAll, queryPolicy])).toEqual([]);
    });
});

describe("policy pack: each policy catches a violating object", () => {
    const cases: Array<[string, Check, () => ResourceView[], RegExp]> = [
        ["pod-security-context", baseline.podSecurityContext, () => [broken((p) => ((p["securityContext"] as Record<string, unknown>)["runAsUser"] = 0))], /runAsUser must be a number >= 10000, got 0/],
        ["container-security-context", baseline.containerSecurityContext, () => [broken((_, c) => ((c["securityContext"] as Record<string, unknown>)["readOnlyRootFilesystem"] = false))], /readOnlyRootFilesystem must be true/],
        ["no-host-access", baseline.noHostAccess, () => [broken((p) => (p["volumes"] = [{ name: "h", hostPath: { path: "/" } }]))], /hostPath/],
        ["container-resources", baseline.containerResources, () => [broken((_, c) => delete (c["resources"] as { limits?: unknown }).limits)], /limits.memory is required/],
        ["probes", baseline.probes, () => [broken((_, c) => delete c["livenessProbe"])], /livenessProbe is required/],
        ["images-pinned", baseline.imagesPinned, () => [broken((_, c) => (c["image"] = "quay.io/thanos/thanos:latest"))], /must be pinned/],
        ["thanos-runtime (grace)", baseline.thanosRuntime, () => [broken((p) => (p["terminationGracePeriodSeconds"] = 30))], /terminationGracePeriodSeconds must be >= 120/],
        ["thanos-runtime (GOMEMLIMIT)", baseline.thanosRuntime, () => [broken((_, c) => delete c["env"])], /GOMEMLIMIT/],
        ["dedicated-service-account", baseline.dedicatedServiceAccount, () => [broken((p) => (p["serviceAccountName"] = "default"))], /dedicated ServiceAccount/],
        ["namespace-restricted", baseline.namespaceRestricted, () => [k8s({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS, labels: {} } })], /restricted/],
        ["service-account-token", baseline.serviceAccountTokens, () => [broken((p) => (p["automountServiceAccountToken"] = true)), sa], /automountServiceAccountToken must be false/],
        ["replicated-availability (no PDB)", baseline.replicatedAvailability, () => [k8s(goodDeployment())], /no PodDisruptionBudget/],
        ["replicated-availability (no spread)", baseline.replicatedAvailability, () => [broken((p) => delete p["topologySpreadConstraints"]), pdb], /topology.kubernetes.io\/zone/],
        [
            "singletons",
            baseline.singletons,
            () => [
                broken((p, c, d) => {
                    c["args"] = ["compact", "--wait"];
                    (d["spec"] as Record<string, unknown>)["replicas"] = 2;
                    void p;
                }),
            ],
            /exactly 1 replica, got 2/,
        ],
        ["network-policies (no default deny)", network.networkIsolation, () => [k8s(goodDeployment()), queryPolicy], /namespace monitoring: has workloads but no default-deny NetworkPolicy/],
        [
            "network-policies (pod not selected)",
            network.networkIsolation,
            () => [k8s(goodDeployment()), denyAll, queryPolicy, k8s({ apiVersion: "monitoring.coreos.com/v1", kind: "Alertmanager", metadata: { name: "am", namespace: NS }, spec: {} })],
            /Alertmanager monitoring\/am: no NetworkPolicy selects its pods/,
        ],
        ["thanos-flags", thanos.thanosFlags, () => [broken((_, c) => (c["args"] = ["query", "--store=dnssrv+_grpc._tcp.x", "--query.timeout=soon"]))], /--store is removed in v0.38/],
        [
            "querier-replica-labels",
            thanos.querierReplicaLabels,
            () => [broken((_, c) => (c["args"] = ["query", "--query.replica-label=replica"])), k8s({ apiVersion: "monitoring.coreos.com/v1", kind: "Prometheus", metadata: { name: "p", namespace: NS }, spec: {} })],
            /--query.replica-label must be exactly prometheus_replica, got replica/,
        ],
        [
            "querier-reaches-every-storeapi",
            thanos.querierReachesEveryStore,
            () => [
                broken((_, c) => (c["args"] = ["query", "--endpoint.sd-config=endpoints: [{address: 'dnssrv+_grpc._tcp.thanos-store-0.monitoring.svc.cluster.local', group: true}]"])),
                k8s({ apiVersion: "v1", kind: "Service", metadata: { name: "thanos-store-1", namespace: NS }, spec: { selector: { app: "store" }, ports: [{ name: "grpc", port: 10901 }] } }),
            ],
            /no --endpoint.sd-config\(-file\) address reaches StoreAPI Service monitoring\/thanos-store-1/,
        ],
        [
            "querier-reaches-every-storeapi (the endpoint file: a ConfigMap mounted at its directory)",
            thanos.querierReachesEveryStore,
            () => [
                broken((pod, c) => {
                    c["args"] = ["query", "--endpoint.sd-config-file=/etc/thanos/endpoints/endpoints.yaml"];
                    c["volumeMounts"] = [{ name: "endpoints", mountPath: "/etc/thanos/endpoints", readOnly: true }];
                    pod["volumes"] = [{ name: "endpoints", configMap: { name: "q-endpoints" } }];
                }),
                k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "q-endpoints", namespace: NS }, data: { "endpoints.yaml": "endpoints: [{address: 'thanos-store-0.monitoring.svc.cluster.local:10901', group: true}]" } }),
                k8s({ apiVersion: "v1", kind: "Service", metadata: { name: "thanos-store-0", namespace: NS }, spec: { selector: { app: "store0" }, ports: [{ name: "grpc", port: 10901 }] } }),
                k8s({ apiVersion: "v1", kind: "Service", metadata: { name: "thanos-store-1", namespace: NS }, spec: { selector: { app: "store" }, ports: [{ name: "grpc", port: 10901 }] } }),
            ],
            /^Deployment thanos-query: no --endpoint.sd-config\(-file\) address reaches StoreAPI Service monitoring\/thanos-store-1$/,
        ],
        [
            "single-compactor-per-stream",
            thanos.singleCompactor,
            () => [broken((_, c) => (c["args"] = ["compact", "--wait"])), { ...broken((_, c) => (c["args"] = ["compact", "--wait"])), name: "second" }],
            /2 compactors .* select no stream/,
        ],
        [
            "deletion-mark-delays",
            thanos.deletionDelays,
            () => [broken((_, c) => (c["args"] = ["compact", "--delete-delay=48h"])), broken((_, c) => (c["args"] = ["store", "--ignore-deletion-marks-delay=12h"]))],
            /--ignore-deletion-marks-delay must be 1d .*got 12h/,
        ],
        ["compactor-retention", thanos.compactorRetention, () => [broken((_, c) => (c["args"] = ["compact", "--wait", "--retention.resolution-raw=1d", "--retention.resolution-5m=90d"]))], /resolution-1h must be set explicitly|raw must be >= 40h/],
        [
            "ruler-alertmanager-api-v2",
            thanos.rulerAlertmanagerV2,
            () => [
                k8s({ apiVersion: "monitoring.coreos.com/v1", kind: "ThanosRuler", metadata: { name: "r", namespace: NS }, spec: { alertmanagersConfig: { name: "am", key: "am.yaml" } } }),
                k8s({ apiVersion: "v1", kind: "Secret", metadata: { name: "am", namespace: NS }, stringData: { "am.yaml": "alertmanagers:\n- static_configs: [x]\n  api_version: v1\n" } }),
            ],
            /api_version: v2/,
        ],
        [
            "volumes-retained",
            baseline.volumesRetained,
            () => [k8s({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "s", namespace: NS }, spec: { volumeClaimTemplates: [{ metadata: { name: "data" } }], persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" } } })],
            /whenDeleted must be Retain/,
        ],
        [
            "volumes-name-storage-class",
            baseline.volumesNameStorageClass,
            () => [k8s({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "s", namespace: NS }, spec: { volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { storageClassName: "gp3" } }, { metadata: { name: "more" }, spec: {} }] } })],
            /StatefulSet::r: spec\.volumeClaimTemplates\[1\]\.spec\.storageClassName must name a StorageClass$/,
        ],
        [
            "volumes-name-storage-class (an Operator resource's storage)",
            baseline.volumesNameStorageClass,
            () => [k8s({ apiVersion: "monitoring.coreos.com/v1", kind: "Prometheus", metadata: { name: "p", namespace: NS }, spec: { storage: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "1Gi" } } } } } } })],
            /Prometheus::r: spec\.storage\.volumeClaimTemplate\.spec\.storageClassName must name a StorageClass$/,
        ],
        ["s3-no-force-destroy", aws.bucketNoForceDestroy, () => [{ type: aws.T.bucket, name: "b", props: { bucket: "b", forceDestroy: true } }], /forceDestroy/],
        ["s3-public-access-block", aws.publicAccessBlock, () => [{ type: aws.T.publicAccessBlock, name: "p", props: { bucket: "b", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: false } }], /restrictPublicBuckets must be true/],
        ["s3-bucket-owner-enforced", aws.ownershipEnforced, () => [{ type: aws.T.ownership, name: "o", props: { bucket: "b", rule: { objectOwnership: "ObjectWriter" } } }], /BucketOwnerEnforced/],
        ["s3-encryption", aws.encryption, () => [{ type: aws.T.encryption, name: "e", props: { bucket: "b", rules: [{}] } }], /sseAlgorithm/],
        [
            "s3-lifecycle-safe",
            aws.lifecycleSafe,
            () => [{ type: aws.T.lifecycle, name: "l", props: { bucket: "b", rules: [{ id: "old", status: "Enabled", expiration: { days: 30 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }] } }],
            /rule old: must not expire current objects/,
        ],
        ["iam-no-wildcards", aws.iamNoWildcards, () => [{ type: aws.T.rolePolicy, name: "p", props: { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b" }] }) } }], /wildcard action s3:\*/],
        ["iam-no-users-or-keys", aws.noIamUsers, () => [{ type: aws.T.accessKey, name: "k", props: {} }], /not allowed/],
        [
            "only-compactor-deletes",
            aws.onlyCompactorDeletes,
            () => [{ type: aws.T.rolePolicy, name: "thanos-store", props: { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:DeleteObject"], Resource: "arn:aws:s3:::b/*" }] }) } }],
            /only the compactor may delete/,
        ],
        ["s3-bucket-hardening", aws.bucketHardening, () => [{ type: aws.T.bucket, name: "b", props: { bucket: "b" } }], /no BucketPublicAccessBlock/],
    ];

    it("covers every policy of the pack", () => {
        const tested = new Set(cases.map(([, c]) => c.name));
        expect(ALL_CHECKS.map((c) => c.name).filter((n) => !tested.has(n))).toEqual([]);
    });

    it.each(cases)("%s", (_, check, resources, expected) => {
        const found = violations(check, resources());
        expect(found.some((m) => expected.test(m)), `expected a violation matching ${String(expected)}, got ${JSON.stringify(found)}`).toBe(true);
    });
    it("querier-reaches-every-storeapi reads the endpoint file: the store it lists there is reached, the other is not", () => {
        const [, check, resources] = cases.find(([name]) => name.startsWith("querier-reaches-every-storeapi (the endpoint file"))!;
        expect(violations(check, resources())).toEqual(["Deployment thanos-query: no --endpoint.sd-config(-file) address reaches StoreAPI Service monitoring/thanos-store-1"]);
    });
});
