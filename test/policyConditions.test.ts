/**
 * Every condition of every policy, one violating object each: a compliant set of objects (written out here, not
 * built by the components) passes every check, and each row breaks exactly one condition and must produce
 * exactly one violation, from that policy, with that message. Rows that keep a set compliant pin the boundaries
 * (uid 10000, grace 120 s, 7 days, raw 40h, 5m 10d, a digest instead of a tag, ...).
 */
import { describe, expect, it } from "vitest";
import { ALL_CHECKS, evaluate, type ResourceView } from "../policy/checks";

const NS = "monitoring";
const SELECTOR = { "app.kubernetes.io/name": "thanos-query", "app.kubernetes.io/instance": "thanos-query" };
type Obj = Record<string, unknown>;

function container(over: Obj = {}): Obj {
    return {
        name: "thanos-query",
        image: "quay.io/thanos/thanos:v0.42.4",
        imagePullPolicy: "IfNotPresent",
        args: ["query", "--log.level=info"],
        env: [{ name: "GOMEMLIMIT", value: "1932735283" }],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        readinessProbe: { httpGet: { path: "/-/ready", port: "http" } },
        livenessProbe: { httpGet: { path: "/-/healthy", port: "http" } },
        ...over,
    };
}

function deployment(edit: (spec: Obj, pod: Obj, c: Obj) => void = () => undefined, kind = "Deployment"): ResourceView {
    const c = container();
    const pod: Obj = {
        serviceAccountName: "thanos-query",
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: 120,
        securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
        affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: SELECTOR } } }] } },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: SELECTOR } }],
        containers: [c],
    };
    const spec: Obj = { replicas: 2, selector: { matchLabels: SELECTOR }, template: { metadata: { labels: { ...SELECTOR } }, spec: pod } };
    edit(spec, pod, c);
    return { type: `kubernetes:apps/v1:${kind}`, name: "query", props: { apiVersion: "apps/v1", kind, metadata: { name: "thanos-query", namespace: NS }, spec } };
}

function k8s(apiVersion: string, kind: string, body: Obj, name = kind.toLowerCase()): ResourceView {
    const group = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
    return { type: `kubernetes:${group}:${kind}`, name, props: { apiVersion, kind, ...body } };
}

const PDB = k8s("policy/v1", "PodDisruptionBudget", { metadata: { name: "thanos-query", namespace: NS }, spec: { maxUnavailable: 1, selector: { matchLabels: SELECTOR } } });
const SA = k8s("v1", "ServiceAccount", { metadata: { name: "thanos-query", namespace: NS }, automountServiceAccountToken: false });
const NAMESPACE = k8s("v1", "Namespace", { metadata: { name: NS, labels: { "pod-security.kubernetes.io/enforce": "restricted" } } });
const DENY = k8s("networking.k8s.io/v1", "NetworkPolicy", { metadata: { name: "deny", namespace: NS }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } }, "deny");
const OWN = k8s(
    "networking.k8s.io/v1",
    "NetworkPolicy",
    { metadata: { name: "query", namespace: NS }, spec: { podSelector: { matchLabels: SELECTOR }, policyTypes: ["Ingress", "Egress"], ingress: [{ ports: [{ port: 10902 }] }], egress: [{ ports: [{ port: 10901 }] }] } },
    "own",
);

/** A compliant Kubernetes set around one workload. */
function kubeSet(workload: ResourceView = deployment(), extra: ResourceView[] = []): ResourceView[] {
    return [NAMESPACE, workload, PDB, SA, DENY, OWN, ...extra];
}

const BUCKET = "acme-thanos";
const ARN = `arn:aws:s3:::${BUCKET}`;
function s3(type: string, name: string, props: Obj): ResourceView {
    return { type, name, props };
}
const T = {
    bucket: "aws:s3/bucket:Bucket",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    policy: "aws:iam/policy:Policy",
    user: "aws:iam/user:User",
    accessKey: "aws:iam/accessKey:AccessKey",
};
const policyDoc = (statements: Obj[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

/** A compliant bucket with every hardening resource, and a compactor role that may delete. */
function awsSet(edit: Partial<Record<"bucket" | "pab" | "ownership" | "sse" | "bucketPolicy" | "lifecycle" | "compactor", Obj | null>> = {}): ResourceView[] {
    const parts: Record<string, ResourceView> = {
        bucket: s3(T.bucket, "b", { bucket: BUCKET, forceDestroy: false }),
        pab: s3(T.pab, "pab", { bucket: BUCKET, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
        ownership: s3(T.ownership, "own", { bucket: BUCKET, rule: { objectOwnership: "BucketOwnerEnforced" } }),
        sse: s3(T.sse, "sse", { bucket: BUCKET, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }),
        bucketPolicy: s3(T.bucketPolicy, "tls", {
            bucket: BUCKET,
            policy: policyDoc([{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [ARN, `${ARN}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }]),
        }),
        lifecycle: s3(T.lifecycle, "lc", { bucket: BUCKET, rules: [{ id: "abort", status: "Enabled", filter: { prefix: "" }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }] }),
        compactor: s3(T.rolePolicy, "thanos-access-compactor-policy", { policy: policyDoc([{ Effect: "Allow", Action: ["s3:GetObject", "s3:DeleteObject"], Resource: [`${ARN}/*`] }]) }),
    };
    for (const [k, v] of Object.entries(edit)) {
        if (v === null) delete parts[k];
        else parts[k] = { ...parts[k]!, props: { ...parts[k]!.props, ...v } };
    }
    return Object.values(parts);
}

function all(resources: ResourceView[]): Array<{ policy: string; message: string }> {
    return evaluate(ALL_CHECKS, resources);
}

describe("the compliant sets pass every policy", () => {
    it("Kubernetes and AWS", () => {
        expect(all(kubeSet())).toEqual([]);
        expect(all(awsSet())).toEqual([]);
    });

    it("a StatefulSet of store gateways may delete its claims (index headers the bucket holds)", () => {
        const store = deployment((sp, _, c) => {
            c["args"] = ["store", "--data-dir=/var/thanos/store"];
            sp["volumeClaimTemplates"] = [{ metadata: { name: "data" }, spec: { storageClassName: "gp3" } }];
            sp["persistentVolumeClaimRetentionPolicy"] = { whenDeleted: "Delete", whenScaled: "Delete" };
        }, "StatefulSet");
        expect(all(kubeSet(store)).filter((v) => v.policy === "volumes-retained")).toEqual([]);
    });
});

type Row = [string, () => ResourceView[], string, RegExp];

const set = (edit: Parameters<typeof deployment>[0], extra: ResourceView[] = []) => () => kubeSet(deployment(edit), extra);
const sc = (pod: Obj) => pod["securityContext"] as Obj;
const csc = (c: Obj) => c["securityContext"] as Obj;

const KUBERNETES_ROWS: Row[] = [
    ["runAsNonRoot missing", set((_, p) => delete sc(p)["runAsNonRoot"]), "pod-security-context", /securityContext\.runAsNonRoot must be true/],
    ["runAsUser below 10000", set((_, p) => (sc(p)["runAsUser"] = 9999)), "pod-security-context", /runAsUser must be a number >= 10000, got 9999/],
    ["runAsGroup missing", set((_, p) => delete sc(p)["runAsGroup"]), "pod-security-context", /runAsGroup must be a number >= 10000, got undefined/],
    ["fsGroup as a string", set((_, p) => (sc(p)["fsGroup"] = "65534")), "pod-security-context", /fsGroup must be a number >= 10000, got "65534"/],
    ["seccomp Unconfined", set((_, p) => (sc(p)["seccompProfile"] = { type: "Unconfined" })), "pod-security-context", /seccompProfile\.type must be RuntimeDefault/],
    ["privilege escalation", set((_, __, c) => delete csc(c)["allowPrivilegeEscalation"]), "container-security-context", /container thanos-query: securityContext\.allowPrivilegeEscalation must be false/],
    ["capabilities not dropped", set((_, __, c) => (csc(c)["capabilities"] = { drop: ["NET_RAW"] })), "container-security-context", /capabilities\.drop must include ALL/],
    ["a capability added", set((_, __, c) => (csc(c)["capabilities"] = { drop: ["ALL"], add: ["NET_BIND_SERVICE"] })), "container-security-context", /capabilities\.add must be empty/],
    ["writable root filesystem", set((_, __, c) => (csc(c)["readOnlyRootFilesystem"] = false)), "container-security-context", /readOnlyRootFilesystem must be true/],
    ["privileged", set((_, __, c) => (csc(c)["privileged"] = true)), "container-security-context", /privileged must not be true/],
    [
        "an init container without the context",
        set((_, p) => (p["initContainers"] = [{ ...container({ name: "init", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }), readinessProbe: undefined }])),
        "container-security-context",
        /container init: securityContext\.readOnlyRootFilesystem must be true/,
    ],
    ["hostNetwork", set((_, p) => (p["hostNetwork"] = true)), "no-host-access", /hostNetwork must not be true/],
    ["hostPID", set((_, p) => (p["hostPID"] = true)), "no-host-access", /hostPID must not be true/],
    ["hostIPC", set((_, p) => (p["hostIPC"] = true)), "no-host-access", /hostIPC must not be true/],
    ["a hostPath volume", set((_, p) => (p["volumes"] = [{ name: "root", hostPath: { path: "/" } }])), "no-host-access", /volume root must not be a hostPath/],
    ["a hostPort", set((_, __, c) => (c["ports"] = [{ name: "http", containerPort: 10902, hostPort: 10902 }])), "no-host-access", /ports must not use hostPort/],
    ["no CPU request", set((_, __, c) => (c["resources"] = { requests: { memory: "1Gi" }, limits: { memory: "2Gi" } })), "container-resources", /resources\.requests\.cpu is required/],
    ["no memory request", set((_, __, c) => (c["resources"] = { requests: { cpu: "1" }, limits: { memory: "2Gi" } })), "container-resources", /resources\.requests\.memory is required/],
    ["no memory limit", set((_, __, c) => (c["resources"] = { requests: { cpu: "1", memory: "1Gi" }, limits: {} })), "container-resources", /resources\.limits\.memory is required/],
    ["no readiness probe", set((_, __, c) => delete c["readinessProbe"]), "probes", /readinessProbe is required/],
    ["no liveness probe", set((_, __, c) => delete c["livenessProbe"]), "probes", /livenessProbe is required/],
    ["an untagged image", set((_, __, c) => (c["image"] = "quay.io/thanos/thanos")), "images-pinned", /image quay\.io\/thanos\/thanos must be pinned to a version tag/],
    ["the latest tag", set((_, __, c) => (c["image"] = "quay.io/thanos/thanos:latest")), "images-pinned", /must be pinned to a version tag/],
    ["a registry port but no tag", set((_, __, c) => (c["image"] = "registry.local:5000/thanos/thanos")), "images-pinned", /must be pinned to a version tag/],
    ["pull policy Always", set((_, __, c) => (c["imagePullPolicy"] = "Always")), "images-pinned", /imagePullPolicy must be IfNotPresent/],
    ["a short grace period", set((_, p) => (p["terminationGracePeriodSeconds"] = 119)), "thanos-runtime", /terminationGracePeriodSeconds must be >= 120, got 119/],
    ["no grace period", set((_, p) => delete p["terminationGracePeriodSeconds"]), "thanos-runtime", /terminationGracePeriodSeconds must be >= 120, got undefined/],
    ["no Go memory limit", set((_, __, c) => delete c["env"]), "thanos-runtime", /container thanos-query: set GOMEMLIMIT or --enable-auto-gomemlimit/],
    ["no ServiceAccount", set((_, p) => delete p["serviceAccountName"]), "dedicated-service-account", /serviceAccountName must name a dedicated ServiceAccount/],
    ["the default ServiceAccount", set((_, p) => (p["serviceAccountName"] = "default")), "dedicated-service-account", /dedicated ServiceAccount/],
    ["a token mounted without API permissions", set((_, p) => (p["automountServiceAccountToken"] = true)), "service-account-token", /automountServiceAccountToken must be false \(ServiceAccount monitoring\/thanos-query has no API permissions\)/],
    ["a token mounted by the ServiceAccount's default", () => kubeSet(deployment((_, p) => delete p["automountServiceAccountToken"]), []).map((r) => (r === SA ? { ...SA, props: { ...SA.props, automountServiceAccountToken: undefined } } : r)), "service-account-token", /automountServiceAccountToken must be false/],
    ["no PodDisruptionBudget", () => kubeSet().filter((r) => r !== PDB), "replicated-availability", /Deployment thanos-query: no PodDisruptionBudget selects its pods/],
    ["a PDB with maxUnavailable 2", () => kubeSet().map((r) => (r === PDB ? { ...PDB, props: { ...PDB.props, spec: { maxUnavailable: 2, selector: { matchLabels: SELECTOR } } } } : r)), "replicated-availability", /its PodDisruptionBudget must set maxUnavailable: 1/],
    ["no hostname anti-affinity", set((_, p) => delete p["affinity"]), "replicated-availability", /needs pod anti-affinity on kubernetes\.io\/hostname/],
    ["anti-affinity on the zone only", set((_, p) => (p["affinity"] = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "topology.kubernetes.io/zone" }] } })), "replicated-availability", /needs pod anti-affinity on kubernetes\.io\/hostname/],
    ["no zone spread", set((_, p) => (p["topologySpreadConstraints"] = [{ topologyKey: "kubernetes.io/hostname" }])), "replicated-availability", /needs a topologySpreadConstraint on topology\.kubernetes\.io\/zone/],
    ["a namespace without the restricted level", () => kubeSet().map((r) => (r === NAMESPACE ? { ...NAMESPACE, props: { ...NAMESPACE.props, metadata: { name: NS, labels: { "pod-security.kubernetes.io/enforce": "baseline" } } } } : r)), "namespace-restricted", /must be 'restricted'/],
    [
        "an exception without a real reason",
        () => kubeSet().map((r) => (r === NAMESPACE ? { ...NAMESPACE, props: { ...NAMESPACE.props, metadata: { name: NS, annotations: { "thanos-stack.io/pod-security-exception": "because" } } } } : r)),
        "namespace-restricted",
        /must be 'restricted'/,
    ],
    ["a StatefulSet volume without a StorageClass", () => kubeSet(deployment((s) => { s["volumeClaimTemplates"] = [{ metadata: { name: "data" }, spec: { resources: { requests: { storage: "1Gi" } } } }]; s["persistentVolumeClaimRetentionPolicy"] = { whenDeleted: "Retain", whenScaled: "Retain" }; }, "StatefulSet")), "volumes-name-storage-class", /volumeClaimTemplates\[0\]\.spec\.storageClassName must name a StorageClass/],
    ["a PersistentVolumeClaim without a StorageClass", () => [{ type: "kubernetes:core/v1:PersistentVolumeClaim", name: "c", props: { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "c", namespace: "monitoring" }, spec: { resources: { requests: { storage: "1Gi" } } } } }], "volumes-name-storage-class", /PersistentVolumeClaim::c: spec\.storageClassName must name a StorageClass$/],
    ["a StatefulSet that deletes its claims", () => kubeSet(deployment((s) => { s["volumeClaimTemplates"] = [{ metadata: { name: "data" }, spec: { storageClassName: "gp3" } }]; s["persistentVolumeClaimRetentionPolicy"] = { whenDeleted: "Retain", whenScaled: "Delete" }; }, "StatefulSet")), "volumes-retained", /persistentVolumeClaimRetentionPolicy\.whenScaled must be Retain/],
    // Only a StatefulSet of store gateways alone may delete its (cache) claims: a store container beside another one may not.
    ["a StatefulSet of a store gateway and another container that deletes its claims", () => kubeSet(deployment((s, pod, c) => { c["args"] = ["store"]; pod["containers"] = [c, { ...c, name: "other", args: ["query"] }]; s["volumeClaimTemplates"] = [{ metadata: { name: "data" }, spec: { storageClassName: "gp3" } }]; s["persistentVolumeClaimRetentionPolicy"] = { whenDeleted: "Delete", whenScaled: "Retain" }; }, "StatefulSet")), "volumes-retained", /persistentVolumeClaimRetentionPolicy\.whenDeleted must be Retain/],
    ["no default-deny NetworkPolicy", () => kubeSet().filter((r) => r !== DENY), "network-policies", /namespace monitoring: has workloads but no default-deny NetworkPolicy/],
    ["a default deny that governs only ingress", () => kubeSet().map((r) => (r === DENY ? { ...DENY, props: { ...DENY.props, spec: { podSelector: {}, policyTypes: ["Ingress"] } } } : r)), "network-policies", /no default-deny NetworkPolicy/],
    ["a default deny that allows something", () => kubeSet().map((r) => (r === DENY ? { ...DENY, props: { ...DENY.props, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], egress: [{}] } } } : r)), "network-policies", /no default-deny NetworkPolicy/],
    ["a pod no policy of its own selects", () => kubeSet().filter((r) => r !== OWN), "network-policies", /Deployment monitoring\/thanos-query: no NetworkPolicy selects its pods/],
    [
        "a pod whose own policy governs ingress only",
        () => kubeSet().map((r) => (r === OWN ? { ...OWN, props: { ...OWN.props, spec: { podSelector: { matchLabels: SELECTOR }, policyTypes: ["Ingress"], ingress: [{}] } } } : r)),
        "network-policies",
        /must govern both Ingress and Egress/,
    ],
];

const COMPLIANT_KUBERNETES: Array<[string, () => ResourceView[]]> = [
    ["uid 10000 exactly", set((_, p) => Object.assign(sc(p), { runAsUser: 10000, runAsGroup: 10000, fsGroup: 10000 }))],
    ["an image pinned by digest", set((_, __, c) => (c["image"] = "quay.io/thanos/thanos@sha256:0123456789abcdef"))],
    ["an image on a registry with a port, tagged", set((_, __, c) => (c["image"] = "registry.local:5000/thanos/thanos:v0.42.4"))],
    ["--enable-auto-gomemlimit instead of GOMEMLIMIT", set((_, __, c) => { delete c["env"]; c["args"] = ["query", "--enable-auto-gomemlimit"]; })],
    ["required hostname anti-affinity", set((_, p) => (p["affinity"] = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: SELECTOR } }] } }))],
    ["a single replica needs no PDB", () => kubeSet(deployment((s) => (s["replicas"] = 1))).filter((r) => r !== PDB)],
    ["a token for a ServiceAccount bound to a Role", () => kubeSet(deployment((_, p) => (p["automountServiceAccountToken"] = true)), [k8s("rbac.authorization.k8s.io/v1", "RoleBinding", { metadata: { name: "rb", namespace: NS }, subjects: [{ kind: "ServiceAccount", name: "thanos-query", namespace: NS }] })])],
    ["a documented Pod Security exception", () => kubeSet().map((r) => (r === NAMESPACE ? { ...NAMESPACE, props: { ...NAMESPACE.props, metadata: { name: NS, annotations: { "thanos-stack.io/pod-security-exception": "node-exporter needs the host network and PID namespace" } } } } : r))],
    ["a Job needs no probes and no grace period", () => kubeSet(deployment((s, p, c) => { delete s["replicas"]; delete p["terminationGracePeriodSeconds"]; delete c["readinessProbe"]; delete c["livenessProbe"]; }, "Job"))],
];

describe("each Kubernetes policy condition catches its violating object", () => {
    it.each(KUBERNETES_ROWS)("%s", (_, resources, policy, message) => {
        const v = all(resources());
        expect(v.map((x) => x.policy), JSON.stringify(v)).toEqual([policy]);
        expect(v[0]!.message).toMatch(message);
    });
    it.each(COMPLIANT_KUBERNETES)("%s is compliant", (_, resources) => {
        expect(all(resources())).toEqual([]);
    });
});

describe("the singletons and Thanos invariants", () => {
    const compactor = (args: string[], edit: (spec: Obj, pod: Obj) => void = () => undefined) =>
        deployment((s, p, c) => {
            const set = new Set(args.map((a) => a.split("=")[0]));
            const defaults = ["--retention.resolution-raw=30d", "--retention.resolution-5m=90d", "--retention.resolution-1h=1y"].filter((a) => !set.has(a.split("=")[0]));
            c["args"] = ["compact", "--wait", ...defaults, ...args];
            s["replicas"] = 1;
            delete p["affinity"];
            delete p["topologySpreadConstraints"];
            edit(s, p);
        }, "StatefulSet");
    const prometheus = k8s("monitoring.coreos.com/v1", "Prometheus", { metadata: { name: "p", namespace: NS }, spec: {} });
    const rulerCr = k8s("monitoring.coreos.com/v1", "ThanosRuler", { metadata: { name: "r", namespace: NS }, spec: { alertmanagersConfig: { name: "am", key: "am.yaml" } } });
    const amSecret = (yaml: string) => k8s("v1", "Secret", { metadata: { name: "am", namespace: NS }, stringData: { "am.yaml": yaml } });
    const thanosChecks = (resources: ResourceView[]) => all(resources).filter((v) => !["network-policies", "replicated-availability", "pod-security-context"].includes(v.policy));
    const querier = (args: string[]) => deployment((_, __, c) => (c["args"] = ["query", ...args]));

    it.each<[string, ResourceView[], string, RegExp]>([
        ["a compactor with two replicas", [compactor([], (s) => (s["replicas"] = 2))], "singletons,single-compactor-per-stream", /must have exactly 1 replica, got 2/],
        ["a compactor Deployment that rolls", [{ ...compactor([]), type: "kubernetes:apps/v1:Deployment", props: { ...compactor([]).props, kind: "Deployment" } }], "singletons", /must use the Recreate strategy/],
        ["a singleton with a PDB", [compactor([]), PDB], "singletons", /a singleton must not have a PodDisruptionBudget/],
        ["raw retention unset", [compactor([]).props.spec ? deployment((s, p, c) => { c["args"] = ["compact", "--wait", "--retention.resolution-5m=90d", "--retention.resolution-1h=1y"]; s["replicas"] = 1; delete p["affinity"]; }, "StatefulSet") : compactor([])], "compactor-retention", /--retention\.resolution-raw must be set explicitly/],
        ["5m retention unset", [deployment((s, p, c) => { c["args"] = ["compact", "--wait", "--retention.resolution-raw=30d", "--retention.resolution-1h=1y"]; s["replicas"] = 1; delete p["affinity"]; }, "StatefulSet")], "compactor-retention", /--retention\.resolution-5m must be set explicitly/],
        ["1h retention unset", [deployment((s, p, c) => { c["args"] = ["compact", "--wait", "--retention.resolution-raw=30d", "--retention.resolution-5m=90d"]; s["replicas"] = 1; delete p["affinity"]; }, "StatefulSet")], "compactor-retention", /--retention\.resolution-1h must be set explicitly/],
        ["raw retention below 40h while downsampling", [compactor(["--retention.resolution-raw=39h"])], "compactor-retention", /--retention\.resolution-raw must be >= 40h while downsampling, got 1d15h/],
        ["5m retention below 10d while downsampling", [compactor(["--retention.resolution-5m=9d"])], "compactor-retention", /--retention\.resolution-5m must be >= 10d while downsampling, got 9d/],
        ["a compactor that exits after one pass", [deployment((s, p, c) => { c["args"] = ["compact", "--retention.resolution-raw=30d", "--retention.resolution-5m=90d", "--retention.resolution-1h=1y"]; s["replicas"] = 1; delete p["affinity"]; }, "StatefulSet")], "compactor-retention", /--wait must be set/],
        ["a removed querier flag", [querier(["--store=x:10901"])], "thanos-flags", /--store is removed in v0\.38/],
        ["a querier that misses the ruler's replica label", [querier(["--query.replica-label=prometheus_replica"]), prometheus, rulerCr, amSecret("alertmanagers:\n- static_configs: [x]\n  api_version: v2\n")], "querier-replica-labels", /must be exactly prometheus_replica, thanos_ruler_replica, got prometheus_replica/],
        ["a querier with an extra replica label", [querier(["--query.replica-label=prometheus_replica", "--query.replica-label=replica"]), prometheus], "querier-replica-labels", /must be exactly prometheus_replica, got prometheus_replica, replica/],
        ["a ruler on API v1", [rulerCr, amSecret("alertmanagers:\n- static_configs: [x]\n  api_version: v1\n")], "ruler-alertmanager-api-v2", /every alertmanagers entry must set api_version: v2/],
        ["a ruler with no Alertmanager entry", [rulerCr, amSecret("alertmanagers: []\n")], "ruler-alertmanager-api-v2", /every alertmanagers entry must set api_version: v2/],
        ["a ruler without alertmanagersConfig", [k8s("monitoring.coreos.com/v1", "ThanosRuler", { metadata: { name: "r", namespace: NS }, spec: {} })], "ruler-alertmanager-api-v2", /spec\.alertmanagersConfig must reference/],
        ["a store that ignores deletion marks too late", [compactor(["--delete-delay=48h"]), deployment((_, __, c) => (c["args"] = ["store", "--ignore-deletion-marks-delay=48h"]))], "deletion-mark-delays", /must be 1d \(half the compactor's --delete-delay 2d\), got 2d/],
        ["a store on Thanos' default delay against a longer delete delay", [compactor(["--delete-delay=72h"]), deployment((_, __, c) => (c["args"] = ["store"]))], "deletion-mark-delays", /must be 1d12h .*got 1d$/],
    ])("%s", (_, resources, policy, message) => {
        const v = thanosChecks(resources);
        expect(v.map((x) => x.policy), JSON.stringify(v)).toEqual(policy.split(","));
        expect(v[0]!.message).toMatch(message);
    });

    it.each<[string, ResourceView[]]>([
        ["raw 40h and 5m 10d exactly", [compactor(["--retention.resolution-raw=40h", "--retention.resolution-5m=10d"])]],
        ["short retention with downsampling off", [compactor(["--downsampling.disable", "--retention.resolution-raw=1d", "--retention.resolution-5m=1d"])]],
        ["Thanos' defaults on both sides (48h / 24h)", [compactor([]), deployment((_, __, c) => (c["args"] = ["store"]))]],
        ["the ruler's replica label from --label", [querier(["--query.replica-label=rule_replica"]), deployment((_, __, c) => (c["args"] = ["rule", '--label=rule_replica="$(POD_NAME)"']))]],
        ["a ruler configuration kept secret", [rulerCr, k8s("v1", "Secret", { metadata: { name: "am", namespace: NS }, stringData: "[secret]" })]],
    ])("%s is compliant", (_, resources) => {
        expect(thanosChecks(resources)).toEqual([]);
    });
});

describe("each S3 and IAM policy condition catches its violating object", () => {
    const iam = (type: string, name: string, statements: Obj[]) => [...awsSet(), s3(type, name, type === T.role ? { inlinePolicies: [{ name: "p", policy: policyDoc(statements) }] } : { policy: policyDoc(statements) })];
    it.each<[string, ResourceView[], string, RegExp]>([
        ["forceDestroy", awsSet({ bucket: { forceDestroy: true } }), "s3-no-force-destroy", /forceDestroy must not be true/],
        ["blockPublicAcls off", awsSet({ pab: { blockPublicAcls: false } }), "s3-public-access-block", /^.*: blockPublicAcls must be true$/],
        ["blockPublicPolicy off", awsSet({ pab: { blockPublicPolicy: false } }), "s3-public-access-block", /blockPublicPolicy must be true/],
        ["ignorePublicAcls off", awsSet({ pab: { ignorePublicAcls: false } }), "s3-public-access-block", /ignorePublicAcls must be true/],
        ["restrictPublicBuckets missing", awsSet({ pab: { restrictPublicBuckets: undefined } }), "s3-public-access-block", /restrictPublicBuckets must be true/],
        ["ownership ObjectWriter", awsSet({ ownership: { rule: { objectOwnership: "ObjectWriter" } } }), "s3-bucket-owner-enforced", /BucketOwnerEnforced/],
        ["no encryption rule", awsSet({ sse: { rules: [] } }), "s3-encryption", /sseAlgorithm AES256 or aws:kms/],
        ["an unknown algorithm", awsSet({ sse: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "none" } }] } }), "s3-encryption", /sseAlgorithm/],
        ["an expiring rule", awsSet({ lifecycle: { rules: [{ id: "abort", status: "Enabled", abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }, { id: "old", status: "Enabled", expiration: { days: 30 } }] } }), "s3-lifecycle-safe", /rule old: must not expire current objects/],
        ["an expiry date", awsSet({ lifecycle: { rules: [{ id: "abort", status: "Enabled", abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }, { id: "d", status: "Enabled", expiration: { date: "2030-01-01" } }] } }), "s3-lifecycle-safe", /rule d: must not expire current objects/],
        ["a transition", awsSet({ lifecycle: { rules: [{ id: "abort", status: "Enabled", abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }, { id: "cold", status: "Enabled", transitions: [{ days: 30, storageClass: "GLACIER" }] }] } }), "s3-lifecycle-safe", /rule cold: must not transition current objects/],
        ["aborting after 8 days", awsSet({ lifecycle: { rules: [{ id: "abort", status: "Enabled", abortIncompleteMultipartUpload: { daysAfterInitiation: 8 } }] } }), "s3-lifecycle-safe", /an enabled rule must abort incomplete multipart uploads within 7 days/],
        ["an abort rule that is disabled", awsSet({ lifecycle: { rules: [{ id: "abort", status: "Disabled", abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }] } }), "s3-lifecycle-safe", /must abort incomplete multipart uploads/],
        ["Allow *", iam(T.rolePolicy, "x-store-policy", [{ Effect: "Allow", Action: "*", Resource: `${ARN}/*` }]), "iam-no-wildcards", /Allow of wildcard action \*/],
        ["Allow s3:*", iam(T.policy, "x-store-policy", [{ Effect: "Allow", Action: ["s3:GetObject", "s3:*"], Resource: `${ARN}/*` }]), "iam-no-wildcards", /Allow of wildcard action s3:\*/],
        ["Allow with NotAction", iam(T.rolePolicy, "x-store-policy", [{ Effect: "Allow", NotAction: "iam:*", Resource: `${ARN}/*` }]), "iam-no-wildcards", /Allow with NotAction/],
        ["Allow on resource *", iam(T.rolePolicy, "x-store-policy", [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }]), "iam-no-wildcards", /Allow on resource \*/],
        ["a wildcard in a role's inline policy", iam(T.role, "x-store-role", [{ Effect: "Allow", Action: "s3:*", Resource: ARN }]), "iam-no-wildcards", /inlinePolicies\[0\]: Allow of wildcard action s3:\*/],
        ["an IAM user", [...awsSet(), s3(T.user, "u", {})], "iam-no-users-or-keys", /IAM users and access keys are not allowed/],
        ["an access key", [...awsSet(), s3(T.accessKey, "k", {})], "iam-no-users-or-keys", /not allowed/],
        ["a store role that deletes", iam(T.rolePolicy, "thanos-access-storeGateway-policy", [{ Effect: "Allow", Action: ["s3:GetObject", "s3:DeleteObject"], Resource: `${ARN}/*` }]), "only-compactor-deletes", /allows s3:DeleteObject, but only the compactor may delete/],
        ["a role that deletes versions", iam(T.rolePolicy, "thanos-access-ruler-policy", [{ Effect: "Allow", Action: "s3:DeleteObjectVersion", Resource: `${ARN}/*` }]), "only-compactor-deletes", /allows s3:DeleteObjectVersion/],
        ["a bucket without a public-access block", awsSet({ pab: null }), "s3-bucket-hardening", /bucket acme-thanos: no BucketPublicAccessBlock/],
        ["a bucket without ownership controls", awsSet({ ownership: null }), "s3-bucket-hardening", /no BucketOwnershipControls/],
        ["a bucket without default encryption", awsSet({ sse: null }), "s3-bucket-hardening", /no default encryption/],
        ["a bucket without lifecycle", awsSet({ lifecycle: null }), "s3-bucket-hardening", /no lifecycle configuration/],
        ["a bucket without a TLS-only policy", awsSet({ bucketPolicy: null }), "s3-bucket-hardening", /no bucket policy denying requests without TLS/],
        [
            "a bucket policy that allows instead of denying",
            awsSet({ bucketPolicy: { policy: policyDoc([{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:GetObject", Resource: `${ARN}/*`, Condition: { Bool: { "aws:SecureTransport": "false" } } }]) } }),
            "s3-bucket-hardening",
            /no bucket policy denying requests without TLS/,
        ],
    ])("%s", (_, resources, policy, message) => {
        const v = all(resources);
        expect(v.map((x) => x.policy), JSON.stringify(v)).toEqual([policy]);
        expect(v[0]!.message).toMatch(message);
    });

    it.each<[string, ResourceView[]]>([
        ["SSE-KMS", awsSet({ sse: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:eu-west-1:1:key/k" } }] } })],
        ["hardening resources that name the bucket by ARN", awsSet({ pab: { bucket: ARN }, sse: { bucket: ARN } })],
        ["aborting after 1 day", awsSet({ lifecycle: { rules: [{ id: "abort", status: "Enabled", abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } }] } })],
        ["removing expired delete markers", awsSet({ lifecycle: { rules: [{ id: "abort", status: "Enabled", abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }, { id: "m", status: "Enabled", expiration: { expiredObjectDeleteMarker: true } }] } })],
        ["a Deny with a wildcard (the TLS-only policy's s3:*)", iam(T.rolePolicy, "x-store-policy", [{ Effect: "Deny", Action: "s3:*", Resource: "*" }])],
        ["the compactor deleting", awsSet()],
    ])("%s is compliant", (_, resources) => {
        expect(all(resources)).toEqual([]);
    });
});
