/**
 * The production baseline for every pod and container (Pod Security
 * Standards "restricted" plus the common linters).
 */
import { LABELS, THANOS } from "../../components/constants";
import { PUSHGATEWAY_COMPONENT } from "../../components/prometheus/pushgateway";
import { HOSTNAME_KEY, ZONE_KEY } from "../../components/lib/pod";
import { POD_SECURITY_LEVEL } from "../../components/stack/namespace";
import { at, Check, isRecord, list, ResourceCheck, ResourceView, StackCheck, str } from "./types";
import { ContainerView, isKubernetes, podCheck, PodView, podsOf, selects, thanosComponent } from "./workloads";

const MIN_UID = 10000;
const MIN_THANOS_GRACE = 120;

function eachContainer(pod: PodView, fn: (c: ContainerView) => string[]): string[] {
    return pod.containers.flatMap((c) => fn(c).map((m) => `container ${c.name}: ${m}`));
}

export const podSecurityContext = podCheck(
    "pod-security-context",
    "Pods run as non-root with a fixed uid/gid >= 10000, an fsGroup and the RuntimeDefault seccomp profile.",
    (pod) => {
        const sc = at(pod.spec, "securityContext");
        const out: string[] = [];
        if (at(sc, "runAsNonRoot") !== true) out.push("securityContext.runAsNonRoot must be true");
        for (const k of ["runAsUser", "runAsGroup", "fsGroup"]) {
            const v = at(sc, k);
            if (typeof v !== "number" || v < MIN_UID) out.push(`securityContext.${k} must be a number >= ${MIN_UID}, got ${JSON.stringify(v)}`);
        }
        if (at(sc, "seccompProfile", "type") !== "RuntimeDefault") out.push("securityContext.seccompProfile.type must be RuntimeDefault");
        return out;
    },
);

export const containerSecurityContext = podCheck(
    "container-security-context",
    "Containers cannot escalate privileges, drop every capability and have a read-only root filesystem.",
    (pod) =>
        eachContainer(pod, (c) => {
            const sc = c.raw["securityContext"];
            const out: string[] = [];
            if (at(sc, "allowPrivilegeEscalation") !== false) out.push("securityContext.allowPrivilegeEscalation must be false");
            if (!list(at(sc, "capabilities", "drop")).includes("ALL")) out.push("securityContext.capabilities.drop must include ALL");
            if (list(at(sc, "capabilities", "add")).length > 0) out.push("securityContext.capabilities.add must be empty");
            if (at(sc, "readOnlyRootFilesystem") !== true) out.push("securityContext.readOnlyRootFilesystem must be true");
            if (at(sc, "privileged") === true) out.push("securityContext.privileged must not be true");
            return out;
        }),
);

export const noHostAccess = podCheck("no-host-access", "No host namespaces, hostPath volumes or hostPorts.", (pod) => {
    const out: string[] = [];
    for (const k of ["hostNetwork", "hostPID", "hostIPC"]) if (pod.spec[k] === true) out.push(`${k} must not be true`);
    for (const v of list(pod.spec["volumes"])) if (isRecord(v) && v["hostPath"] !== undefined) out.push(`volume ${String(v["name"])} must not be a hostPath`);
    out.push(
        ...eachContainer(pod, (c) =>
            list(c.raw["ports"])
                .filter((p) => isRecord(p) && p["hostPort"] !== undefined)
                .map(() => "ports must not use hostPort"),
        ),
    );
    return out;
});

export const containerResources = podCheck("container-resources", "Every container requests CPU and memory and has a memory limit.", (pod) =>
    eachContainer(pod, (c) => {
        const out: string[] = [];
        if (at(c.raw, "resources", "requests", "cpu") === undefined) out.push("resources.requests.cpu is required");
        if (at(c.raw, "resources", "requests", "memory") === undefined) out.push("resources.requests.memory is required");
        if (at(c.raw, "resources", "limits", "memory") === undefined) out.push("resources.limits.memory is required");
        return out;
    }),
);

export const probes = podCheck("probes", "Long-running containers have readiness and liveness probes.", (pod) =>
    pod.longRunning
        ? eachContainer(pod, (c) => {
              if (c.init) return [];
              const out: string[] = [];
              if (!isRecord(c.raw["readinessProbe"])) out.push("readinessProbe is required");
              if (!isRecord(c.raw["livenessProbe"])) out.push("livenessProbe is required");
              return out;
          })
        : [],
);

export const imagesPinned = podCheck("images-pinned", "Images are pinned by version tag (or digest) and pulled IfNotPresent.", (pod) =>
    eachContainer(pod, (c) => {
        const out: string[] = [];
        const last = c.image.split("/").pop() ?? "";
        const tag = last.includes("@") ? "digest" : last.split(":")[1];
        if (!tag || tag === "latest") out.push(`image ${c.image} must be pinned to a version tag`);
        if (c.raw["imagePullPolicy"] !== "IfNotPresent") out.push("imagePullPolicy must be IfNotPresent");
        return out;
    }),
);

export const thanosRuntime = podCheck(
    "thanos-runtime",
    "Thanos pods get >= 120s to terminate, and every Thanos container with a memory limit sets a Go memory limit.",
    (pod) => {
        const thanos = pod.containers.filter((c) => thanosComponent(c) !== undefined);
        if (thanos.length === 0) return [];
        const out: string[] = [];
        const grace = pod.spec["terminationGracePeriodSeconds"];
        if (pod.longRunning && (typeof grace !== "number" || grace < MIN_THANOS_GRACE)) {
            out.push(`terminationGracePeriodSeconds must be >= ${MIN_THANOS_GRACE}, got ${JSON.stringify(grace)}`);
        }
        for (const c of thanos) {
            const hasEnv = list(c.raw["env"]).some((e) => isRecord(e) && e["name"] === "GOMEMLIMIT");
            const hasFlag = c.args.some((a) => a === "--enable-auto-gomemlimit" || a.startsWith("--enable-auto-gomemlimit="));
            if (at(c.raw, "resources", "limits", "memory") !== undefined && !hasEnv && !hasFlag) {
                out.push(`container ${c.name}: set GOMEMLIMIT or --enable-auto-gomemlimit`);
            }
        }
        return out;
    },
);

export const dedicatedServiceAccount = podCheck("dedicated-service-account", "Every pod runs as its own ServiceAccount, never `default`.", (pod) => {
    const sa = str(pod.spec["serviceAccountName"]);
    return !sa || sa === "default" ? ["serviceAccountName must name a dedicated ServiceAccount"] : [];
});

export const namespaceRestricted: ResourceCheck = {
    kind: "resource",
    name: "namespace-restricted",
    description: "Namespaces enforce the Pod Security Standards 'restricted' level, unless an annotation states the reason for an exception.",
    check: (r) => {
        if (!isKubernetes(r) || r.props["kind"] !== "Namespace") return [];
        if (at(r.props, "metadata", "labels", LABELS.podSecurityEnforce) === POD_SECURITY_LEVEL) return [];
        const reason = str(at(r.props, "metadata", "annotations", LABELS.podSecurityException));
        return reason && reason.trim().length >= 20
            ? []
            : ["metadata.labels['pod-security.kubernetes.io/enforce'] must be 'restricted' (or annotate thanos-stack.io/pod-security-exception with the reason)"];
    },
};

/** ServiceAccounts that are bound to a Role/ClusterRole in the stack (they talk to the Kubernetes API). */
function boundServiceAccounts(resources: ResourceView[]): Set<string> {
    const out = new Set<string>();
    for (const r of resources) {
        if (!isKubernetes(r) || !/^(Cluster)?RoleBinding$/.test(String(r.props["kind"]))) continue;
        for (const s of list(r.props["subjects"])) if (isRecord(s) && s["kind"] === "ServiceAccount") out.add(`${String(s["namespace"] ?? "")}/${String(s["name"])}`);
    }
    return out;
}

export const serviceAccountTokens: StackCheck = {
    kind: "stack",
    name: "service-account-token",
    description: "Pods mount a ServiceAccount token only when their ServiceAccount is bound to Kubernetes API permissions.",
    check: (resources) => {
        const bound = boundServiceAccounts(resources);
        const accounts = new Map<string, Record<string, unknown>>();
        for (const r of resources) {
            if (isKubernetes(r) && r.props["kind"] === "ServiceAccount") {
                accounts.set(`${String(at(r.props, "metadata", "namespace") ?? "")}/${String(at(r.props, "metadata", "name"))}`, r.props);
            }
        }
        const out: string[] = [];
        for (const pod of podsOf(resources)) {
            const key = `${pod.namespace ?? ""}/${String(pod.spec["serviceAccountName"] ?? "default")}`;
            const podSetting = pod.spec["automountServiceAccountToken"];
            const saSetting = at(accounts.get(key), "automountServiceAccountToken");
            const mounts = podSetting !== undefined ? podSetting !== false : saSetting !== false;
            if (mounts && !bound.has(key)) out.push(`${pod.kind} ${pod.name}: automountServiceAccountToken must be false (ServiceAccount ${key} has no API permissions)`);
        }
        return out;
    },
};

function pdbsSelecting(resources: ResourceView[], pod: PodView): Array<Record<string, unknown>> {
    return resources
        .filter((r) => isKubernetes(r) && r.props["kind"] === "PodDisruptionBudget" && at(r.props, "metadata", "namespace") === pod.namespace)
        .map((r) => r.props)
        .filter((pdb) => selects(at(pdb, "spec", "selector"), pod.labels));
}

/** Workloads that must never run twice (by the component label). */
export const SINGLETON_COMPONENTS: readonly string[] = [THANOS.componentNames.compact, PUSHGATEWAY_COMPONENT];

function isSingleton(pod: PodView): boolean {
    const component = pod.labels[LABELS.component] ?? pod.labels[LABELS.name] ?? "";
    return SINGLETON_COMPONENTS.some((s) => component === s || component.endsWith(`-${s}`)) || pod.containers.some((c) => thanosComponent(c) === "compact");
}

export const replicatedAvailability: StackCheck = {
    kind: "stack",
    name: "replicated-availability",
    description: "Replicated workloads have a PodDisruptionBudget (maxUnavailable 1), hostname anti-affinity and zone spread.",
    check: (resources) => {
        const out: string[] = [];
        for (const pod of podsOf(resources)) {
            if (!pod.longRunning || (pod.replicas ?? 1) < 2) continue;
            const where = `${pod.kind} ${pod.name}`;
            const pdbs = pdbsSelecting(resources, pod);
            if (pdbs.length === 0) out.push(`${where}: no PodDisruptionBudget selects its pods`);
            for (const pdb of pdbs) if (at(pdb, "spec", "maxUnavailable") !== 1) out.push(`${where}: its PodDisruptionBudget must set maxUnavailable: 1`);
            const anti = at(pod.spec, "affinity", "podAntiAffinity");
            const terms = [
                ...list(at(anti, "requiredDuringSchedulingIgnoredDuringExecution")),
                ...list(at(anti, "preferredDuringSchedulingIgnoredDuringExecution")).map((t) => at(t, "podAffinityTerm")),
            ];
            if (!terms.some((t) => at(t, "topologyKey") === HOSTNAME_KEY)) out.push(`${where}: needs pod anti-affinity on ${HOSTNAME_KEY}`);
            if (!list(pod.spec["topologySpreadConstraints"]).some((t) => at(t, "topologyKey") === ZONE_KEY)) {
                out.push(`${where}: needs a topologySpreadConstraint on ${ZONE_KEY}`);
            }
        }
        return out;
    },
};

export const singletons: StackCheck = {
    kind: "stack",
    name: "singletons",
    description: "The compactor and the Pushgateway run exactly one pod and never two at once.",
    check: (resources) => {
        const out: string[] = [];
        for (const pod of podsOf(resources)) {
            if (!isSingleton(pod)) continue;
            const where = `${pod.kind} ${pod.name}`;
            if (pod.replicas !== 1) out.push(`${where}: must have exactly 1 replica, got ${String(pod.replicas)}`);
            if (pod.kind === "Deployment" && at(pod.object, "spec", "strategy", "type") !== "Recreate") out.push(`${where}: must use the Recreate strategy`);
            if (pdbsSelecting(resources, pod).length > 0) out.push(`${where}: a singleton must not have a PodDisruptionBudget`);
        }
        return out;
    },
};

export const volumesRetained: ResourceCheck = {
    kind: "resource",
    name: "volumes-retained",
    description:
        "StatefulSet volumes outlive the StatefulSet: a deleted, replaced or scaled-down StatefulSet never deletes its claims. Only the Thanos store gateway's may go: its data directory caches index headers the bucket holds.",
    check: (r) => {
        if (!isKubernetes(r) || r.props["kind"] !== "StatefulSet" || list(at(r.props, "spec", "volumeClaimTemplates")).length === 0) return [];
        const containers = list(at(r.props, "spec", "template", "spec", "containers"));
        if (containers.length > 0 && containers.every((c) => list(at(c, "args"))[0] === "store")) return [];
        const policy = at(r.props, "spec", "persistentVolumeClaimRetentionPolicy");
        return ["whenDeleted", "whenScaled"].filter((k) => at(policy, k) === "Delete").map((k) => `spec.persistentVolumeClaimRetentionPolicy.${k} must be Retain`);
    },
};

/** The volume claims a resource asks for: a StatefulSet's templates, an Operator resource's `storage`, a PVC itself. */
function volumeClaims(props: Record<string, unknown>): Array<{ path: string; spec: unknown }> {
    const kind = String(props["kind"]);
    if (kind === "StatefulSet") return list(at(props, "spec", "volumeClaimTemplates")).map((t, i) => ({ path: `spec.volumeClaimTemplates[${i}].spec`, spec: at(t, "spec") }));
    if (kind === "PersistentVolumeClaim") return [{ path: "spec", spec: at(props, "spec") }];
    if (["Prometheus", "Alertmanager", "ThanosRuler"].includes(kind) && String(props["apiVersion"]).startsWith("monitoring.coreos.com/")) {
        const t = at(props, "spec", "storage", "volumeClaimTemplate");
        return t === undefined ? [] : [{ path: "spec.storage.volumeClaimTemplate.spec", spec: at(t, "spec") }];
    }
    return [];
}

export const volumesNameStorageClass: ResourceCheck = {
    kind: "resource",
    name: "volumes-name-storage-class",
    description: "Every volume names its StorageClass (EKS >= 1.30 has no default class: a volume without one stays Pending, or lands on whatever a cluster marks default).",
    check: (r) => {
        if (!isKubernetes(r)) return [];
        return volumeClaims(r.props)
            .filter((c) => !str(at(c.spec, "storageClassName")))
            .map((c) => `${c.path}.storageClassName must name a StorageClass`);
    },
};

/** Every baseline check. */
export const BASELINE_CHECKS: readonly Check[] = [
    podSecurityContext,
    containerSecurityContext,
    noHostAccess,
    containerResources,
    probes,
    imagesPinned,
    thanosRuntime,
    dedicatedServiceAccount,
    namespaceRestricted,
    serviceAccountTokens,
    replicatedAvailability,
    singletons,
    volumesRetained,
    volumesNameStorageClass,
];
