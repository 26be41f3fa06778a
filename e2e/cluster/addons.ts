/**
 * What the bench installs inside its cluster before the stack: RBAC for the NetworkPolicy controller, cluster
 * DNS, a default StorageClass with a pool of local volumes, and the Prometheus Operator with its CRDs (from the
 * Operator's own module, because the kube-prometheus-stack chart cannot be fetched here).
 */
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments, stringify } from "yaml";
import { ADMIN_KUBECONFIG, COREDNS_IMAGE, DIRS, NET, NODE_NAME, STORAGE_CLASS } from "./config";
import { IMAGES } from "../../components/constants";
import { capture } from "../lib/exec";
import { toolBinary, toolShare } from "../tools/installed";

type Obj = Record<string, unknown>;

/** Namespace the bench runs the Prometheus Operator in (what the chart calls its release namespace). */
export const OPERATOR_NAMESPACE = "prometheus-operator";
/** Local volumes in the pool; each PersistentVolumeClaim of the stack binds one. */
export const VOLUME_POOL_SIZE = 48;
export const VOLUME_CAPACITY = "50Gi";

export function kubectl(args: readonly string[], input?: string, allowFailure = false): string {
    return capture(toolBinary("kubectl"), [`--kubeconfig=${ADMIN_KUBECONFIG}`, ...args], { input, allowFailure });
}

export function apply(objects: readonly Obj[]): void {
    kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager=thanos-stack-e2e", "-f", "-"], objects.map((o) => `---\n${stringify(o)}`).join(""));
}

export function kubeRouterRbac(): Obj[] {
    const name = "thanos-stack-e2e:kube-router";
    return [
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name },
            rules: [
                { apiGroups: [""], resources: ["namespaces", "pods", "nodes", "services", "endpoints"], verbs: ["get", "list", "watch"] },
                { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "list", "watch"] },
                { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
                { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
            ],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name }],
        },
    ];
}

const COREFILE = `.:53 {
    errors
    health :8080
    ready :8181
    kubernetes ${NET.clusterDomain} in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    prometheus :9153
    cache 5
    loop
    reload
    loadbalance
}
`;

export function coreDns(): Obj[] {
    const labels = { "k8s-app": "kube-dns" };
    const ns = "kube-system";
    return [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "coredns", namespace: ns }, automountServiceAccountToken: true },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: "system:coredns" },
            rules: [
                { apiGroups: [""], resources: ["endpoints", "services", "pods", "namespaces"], verbs: ["list", "watch"] },
                { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
            ],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: "system:coredns" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:coredns" },
            subjects: [{ kind: "ServiceAccount", name: "coredns", namespace: ns }],
        },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "coredns", namespace: ns }, data: { Corefile: COREFILE } },
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "coredns", namespace: ns, labels },
            spec: {
                replicas: 1,
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: "coredns",
                        dnsPolicy: "Default",
                        priorityClassName: "system-cluster-critical",
                        securityContext: {
                            runAsNonRoot: true,
                            runAsUser: 65532,
                            runAsGroup: 65532,
                            seccompProfile: { type: "RuntimeDefault" },
                            // Port 53 without a capability: a namespaced, "safe" sysctl.
                            sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "53" }],
                        },
                        containers: [
                            {
                                name: "coredns",
                                image: COREDNS_IMAGE,
                                imagePullPolicy: "IfNotPresent",
                                args: ["-conf", "/etc/coredns/Corefile"],
                                ports: [
                                    { name: "dns", containerPort: 53, protocol: "UDP" },
                                    { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
                                    { name: "metrics", containerPort: 9153, protocol: "TCP" },
                                ],
                                resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                                volumeMounts: [{ name: "config", mountPath: "/etc/coredns", readOnly: true }],
                                livenessProbe: { httpGet: { path: "/health", port: 8080 }, periodSeconds: 10 },
                                readinessProbe: { httpGet: { path: "/ready", port: 8181 }, periodSeconds: 2 },
                            },
                        ],
                        volumes: [{ name: "config", configMap: { name: "coredns" } }],
                    },
                },
            },
        },
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "kube-dns", namespace: ns, labels: { ...labels, "kubernetes.io/name": "CoreDNS" } },
            spec: {
                clusterIP: NET.dnsServiceIp,
                selector: labels,
                ports: [
                    { name: "dns", port: 53, targetPort: 53, protocol: "UDP" },
                    { name: "dns-tcp", port: 53, targetPort: 53, protocol: "TCP" },
                    { name: "metrics", port: 9153, targetPort: 9153, protocol: "TCP" },
                ],
            },
        },
    ];
}

/** A default StorageClass bound on first consumer, and a pool of local volumes on the node for it. */
export function storage(): Obj[] {
    const volumes: Obj[] = [];
    for (let i = 0; i < VOLUME_POOL_SIZE; i++) {
        const name = `e2e-local-${String(i).padStart(2, "0")}`;
        const dir = path.join(DIRS.volumes, name);
        fs.mkdirSync(dir, { recursive: true });
        volumes.push({
            apiVersion: "v1",
            kind: "PersistentVolume",
            metadata: { name, labels: { "thanos-stack.e2e/pool": "local" } },
            spec: {
                capacity: { storage: VOLUME_CAPACITY },
                accessModes: ["ReadWriteOnce"],
                persistentVolumeReclaimPolicy: "Retain",
                storageClassName: STORAGE_CLASS,
                volumeMode: "Filesystem",
                local: { path: dir },
                nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [NODE_NAME] }] }] } },
            },
        });
    }
    return [
        {
            apiVersion: "storage.k8s.io/v1",
            kind: "StorageClass",
            metadata: { name: STORAGE_CLASS, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
            provisioner: "kubernetes.io/no-provisioner",
            volumeBindingMode: "WaitForFirstConsumer",
            reclaimPolicy: "Retain",
        },
        ...volumes,
    ];
}

/** The Operator's CRDs and its RBAC + Deployment from the module's `example/` manifests, in our namespace. */
function operator(): { crds: Obj[]; objects: Obj[] } {
    const share = toolShare("prometheus-operator");
    const load = (file: string): Obj[] => parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS() as Obj).filter(Boolean);
    const crdDir = path.join(share, "crds");
    const crds = fs.readdirSync(crdDir).filter((f) => f.endsWith(".yaml")).sort().flatMap((f) => load(path.join(crdDir, f)));
    const rbacDir = path.join(share, "rbac");
    const objects = fs
        .readdirSync(rbacDir)
        .filter((f) => f.endsWith(".yaml") && !f.includes("service-monitor"))
        .sort()
        .flatMap((f) => load(path.join(rbacDir, f)))
        .map((o) => {
            const metadata = o.metadata as Obj;
            if (metadata.namespace) metadata.namespace = OPERATOR_NAMESPACE;
            for (const s of (o.subjects as Obj[] | undefined) ?? []) if (s.namespace) s.namespace = OPERATOR_NAMESPACE;
            return o;
        });
    const deployment = objects.find((o) => o.kind === "Deployment");
    const images = JSON.stringify(deployment);
    if (!images.includes(IMAGES.prometheusOperator) || !images.includes(IMAGES.prometheusConfigReloader)) {
        throw new Error(`the Operator's example Deployment does not use ${IMAGES.prometheusOperator} with ${IMAGES.prometheusConfigReloader}; check VERSIONS.prometheusOperator`);
    }
    return { crds, objects: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: OPERATOR_NAMESPACE } }, ...objects] };
}

export function installAddons(): void {
    apply([...kubeRouterRbac(), ...coreDns(), ...storage()]);
    const { crds, objects } = operator();
    apply(crds);
    kubectl(["wait", "--for=condition=Established", "--timeout=60s", ...crds.map((c) => `crd/${(c.metadata as Obj).name as string}`)]);
    apply(objects);
}

/** Waits until cluster DNS and the Operator are available. */
export function waitForAddons(timeoutSeconds: number): void {
    kubectl(["-n", "kube-system", "rollout", "status", "deployment/coredns", `--timeout=${timeoutSeconds}s`]);
    kubectl(["-n", OPERATOR_NAMESPACE, "rollout", "status", "deployment/prometheus-operator", `--timeout=${timeoutSeconds}s`]);
}
