/**
 * The Thanos invariants (GUIDE §3) as policies over rendered objects: they
 * hold for any program that uses our components, not only for our stacks.
 */
import { parse as parseYaml } from "yaml";
import { formatDuration, parseDuration } from "../../components/lib/duration";
import { thanosArgProblems } from "./thanosFlags";
import { at, Check, isRecord, list, ResourceView, StackCheck, str } from "./types";
import { ContainerView, flagsOf, isKubernetes, PodView, podsOf, thanosComponent, thanosContainerCheck } from "./workloads";

/** The Operator's defaults for the replica labels of the producers it runs. */
const OPERATOR_REPLICA_LABEL = { Prometheus: "prometheus_replica", ThanosRuler: "thanos_ruler_replica" } as const;
const MIN_RAW_MS = 40 * 3600_000;
const MIN_5M_MS = 10 * 24 * 3600_000;

interface ThanosContainer {
    pod: PodView;
    container: ContainerView;
    component: string;
    flags: Map<string, string[]>;
}

function thanosContainers(resources: ResourceView[]): ThanosContainer[] {
    return podsOf(resources).flatMap((pod) =>
        pod.containers.flatMap((container) => {
            const component = thanosComponent(container);
            return component ? [{ pod, container, component, flags: flagsOf(container) }] : [];
        }),
    );
}

function where(t: ThanosContainer): string {
    return `${t.pod.kind} ${t.pod.name}`;
}

function crs(resources: ResourceView[], kind: string): Array<Record<string, unknown>> {
    return resources.filter((r) => isKubernetes(r) && r.props["kind"] === kind && String(r.props["apiVersion"]).startsWith("monitoring.coreos.com/")).map((r) => r.props);
}

export const thanosFlags = thanosContainerCheck(
    "thanos-flags",
    "Every Thanos flag exists in the pinned Thanos version; none is removed or deprecated, non-repeatable flags appear once, durations parse.",
    undefined,
    (c, component) => thanosArgProblems(c.args.slice(c.args.indexOf(component)), "args").map((p) => p.replace(/^args: /, "")),
);

/** The replica labels of every block producer in the stack. */
export function producerReplicaLabels(resources: ResourceView[]): Set<string> {
    const labels = new Set<string>();
    for (const p of crs(resources, "Prometheus")) labels.add(str(at(p, "spec", "replicaExternalLabelName")) ?? OPERATOR_REPLICA_LABEL.Prometheus);
    if (crs(resources, "ThanosRuler").length > 0) labels.add(OPERATOR_REPLICA_LABEL.ThanosRuler);
    for (const t of thanosContainers(resources)) {
        if (t.component !== "rule") continue;
        for (const l of t.flags.get("--label") ?? []) {
            const name = l.split("=")[0];
            if (name && /replica/.test(name)) labels.add(name);
        }
    }
    return labels;
}

export const querierReplicaLabels: StackCheck = {
    kind: "stack",
    name: "querier-replica-labels",
    description: "Each querier deduplicates on exactly the replica labels of the stack's producers (Prometheus and ruler).",
    check: (resources) => {
        const producers = producerReplicaLabels(resources);
        if (producers.size === 0) return [];
        const want = [...producers].sort();
        return thanosContainers(resources)
            .filter((t) => t.component === "query")
            .flatMap((t) => {
                const got = [...new Set(t.flags.get("--query.replica-label") ?? [])].sort();
                return JSON.stringify(got) === JSON.stringify(want) ? [] : [`${where(t)}: --query.replica-label must be exactly ${want.join(", ")}, got ${got.join(", ") || "none"}`];
            });
    },
};

/**
 * The document of a `--endpoint.sd-config-file`: the ConfigMap of the stack mounted at the file's directory (by
 * the container's volume mount and the pod's `configMap` volume), its key the file's name (or an `items` path).
 */
function endpointFileDocument(t: ThanosContainer, file: string, resources: ResourceView[]): string | undefined {
    const mount = list(at(t.container.raw, "volumeMounts")).find((m) => {
        const dir = str(at(m, "mountPath"));
        return dir !== undefined && file.startsWith(`${dir.replace(/\/$/, "")}/`) && at(m, "subPath") === undefined;
    });
    if (mount === undefined) return undefined;
    const relative = file.slice(String(at(mount, "mountPath")).replace(/\/$/, "").length + 1);
    const volume = list(at(t.pod.spec, "volumes")).find((v) => at(v, "name") === at(mount, "name"));
    const configMap = str(at(volume, "configMap", "name"));
    if (configMap === undefined) return undefined;
    const key = list(at(volume, "configMap", "items")).find((i) => at(i, "path") === relative);
    const object = resources.find(
        (r) => isKubernetes(r) && r.props["kind"] === "ConfigMap" && at(r.props, "metadata", "name") === configMap && (at(r.props, "metadata", "namespace") ?? "default") === (t.pod.namespace ?? "default"),
    );
    return object === undefined ? undefined : str(at(object.props, "data", key === undefined ? relative : String(at(key, "key"))));
}

/** Addresses of a querier's `--endpoint.sd-config` and `--endpoint.sd-config-file` (read from its ConfigMap). */
export function querierEndpointAddresses(t: ThanosContainer, resources: ResourceView[] = []): string[] {
    const docs = [...(t.flags.get("--endpoint.sd-config") ?? []), ...(t.flags.get("--endpoint.sd-config-file") ?? []).flatMap((f) => endpointFileDocument(t, f, resources) ?? [])];
    return docs.flatMap((doc) => {
        try {
            return list(at(parseYaml(doc) as unknown, "endpoints")).map((e) => str(at(e, "address")) ?? "");
        } catch {
            return [];
        }
    });
}

/** Services that expose a Thanos StoreAPI (a `grpc` port on 10901). */
export function storeApiServices(resources: ResourceView[]): Array<{ name: string; namespace: string; selector: Record<string, unknown> }> {
    return resources
        .filter((r) => isKubernetes(r) && r.props["kind"] === "Service")
        .filter((r) => list(at(r.props, "spec", "ports")).some((p) => at(p, "name") === "grpc" && at(p, "port") === 10901))
        .map((r) => ({
            name: String(at(r.props, "metadata", "name")),
            namespace: String(at(r.props, "metadata", "namespace") ?? "default"),
            selector: isRecord(at(r.props, "spec", "selector")) ? (at(r.props, "spec", "selector") as Record<string, unknown>) : {},
        }));
}

/** Whether a Service's selector picks these pod labels (the querier's own Service is not one of its stores). */
function serviceSelects(selector: Record<string, unknown>, labels: Record<string, string>): boolean {
    const keys = Object.keys(selector);
    return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

export const querierReachesEveryStore: StackCheck = {
    kind: "stack",
    name: "querier-reaches-every-storeapi",
    description: "Each querier's endpoints cover every StoreAPI Service of the stack (sidecars, store shards, rulers).",
    check: (resources) => {
        const services = storeApiServices(resources);
        return thanosContainers(resources)
            .filter((t) => t.component === "query")
            .flatMap((t) => {
                const addresses = querierEndpointAddresses(t, resources);
                return services
                    .filter((s) => !serviceSelects(s.selector, t.pod.labels))
                    .filter((s) => !addresses.some((a) => a.includes(`${s.name}.${s.namespace}.svc`)))
                    .map((s) => `${where(t)}: no --endpoint.sd-config(-file) address reaches StoreAPI Service ${s.namespace}/${s.name}`);
            });
    },
};

export const singleCompactor: StackCheck = {
    kind: "stack",
    name: "single-compactor-per-stream",
    description: "Exactly one compactor per bucket stream: one replica, and several compactors only when each selects a disjoint stream.",
    check: (resources) => {
        const compactors = thanosContainers(resources).filter((t) => t.component === "compact");
        const out: string[] = [];
        for (const t of compactors) if (t.pod.replicas !== 1) out.push(`${where(t)}: a compactor must run exactly 1 replica, got ${String(t.pod.replicas)}`);
        const unsharded = compactors.filter((t) => !t.flags.has("--selector.relabel-config"));
        if (compactors.length > 1 && unsharded.length > 0) {
            out.push(`${compactors.length} compactors (${compactors.map(where).join(", ")}), but ${unsharded.map(where).join(", ")} select no stream: two compactors on one stream corrupt the bucket`);
        }
        return out;
    },
};

function durationFlag(t: ThanosContainer, flag: string): number | undefined {
    return flagDuration(t.flags, flag);
}

export const deletionDelays: StackCheck = {
    kind: "stack",
    name: "deletion-mark-delays",
    description: "Store gateways ignore deletion marks after half the compactor's --delete-delay, so no block vanishes while a store still serves it.",
    check: (resources) => {
        const all = thanosContainers(resources);
        const compactor = all.find((t) => t.component === "compact");
        if (!compactor) return [];
        const deleteDelay = durationFlag(compactor, "--delete-delay") ?? 48 * 3600_000;
        return all
            .filter((t) => t.component === "store")
            .flatMap((t) => {
                const ignore = durationFlag(t, "--ignore-deletion-marks-delay") ?? 24 * 3600_000;
                return ignore * 2 === deleteDelay ? [] : [`${where(t)}: --ignore-deletion-marks-delay must be ${formatDuration(deleteDelay / 2)} (half the compactor's --delete-delay ${formatDuration(deleteDelay)}), got ${formatDuration(ignore)}`];
            });
    },
};

function flagDuration(flags: Map<string, string[]>, flag: string): number | undefined {
    const v = flags.get(flag)?.[0];
    return v === undefined ? undefined : parseDuration(v);
}

export const compactorRetention = thanosContainerCheck(
    "compactor-retention",
    "The compactor sets every resolution's retention explicitly (Thanos' default is forever), coherent with downsampling (raw >= 40h, 5m >= 10d).",
    "compact",
    (_, __, flags) => {
        const out: string[] = [];
        for (const res of ["raw", "5m", "1h"]) if (!flags.has(`--retention.resolution-${res}`)) out.push(`--retention.resolution-${res} must be set explicitly`);
        if (!flags.has("--downsampling.disable")) {
            const raw = flagDuration(flags, "--retention.resolution-raw");
            const five = flagDuration(flags, "--retention.resolution-5m");
            if (raw !== undefined && raw !== 0 && raw < MIN_RAW_MS) out.push(`--retention.resolution-raw must be >= 40h while downsampling, got ${formatDuration(raw)}`);
            if (five !== undefined && five !== 0 && five < MIN_5M_MS) out.push(`--retention.resolution-5m must be >= 10d while downsampling, got ${formatDuration(five)}`);
        }
        if (!flags.has("--wait")) out.push("--wait must be set (run continuously as one long-lived singleton)");
        return out;
    },
);

export const rulerAlertmanagerV2: StackCheck = {
    kind: "stack",
    name: "ruler-alertmanager-api-v2",
    description: "The ruler talks to Alertmanager with API v2 (v1 is gone since Alertmanager 0.27).",
    check: (resources) => {
        const out: string[] = [];
        const secrets = resources.filter((r) => isKubernetes(r) && r.props["kind"] === "Secret");
        for (const ruler of crs(resources, "ThanosRuler")) {
            const ref = at(ruler, "spec", "alertmanagersConfig");
            const name = str(at(ruler, "metadata", "name"));
            if (!isRecord(ref)) {
                out.push(`ThanosRuler ${name}: spec.alertmanagersConfig must reference an alertmanagers configuration`);
                continue;
            }
            const secret = secrets.find((s) => at(s.props, "metadata", "name") === ref["name"]);
            const text = str(at(secret?.props, "stringData", String(ref["key"])));
            if (text === undefined) continue; // kept secret or created elsewhere: cannot be read here
            const configs = list(at(parseYaml(text) as unknown, "alertmanagers"));
            if (configs.length === 0 || configs.some((c) => at(c, "api_version") !== "v2")) out.push(`ThanosRuler ${name}: every alertmanagers entry must set api_version: v2`);
        }
        return out;
    },
};

/** Every Thanos invariant check. */
export const THANOS_CHECKS: readonly Check[] = [thanosFlags, querierReplicaLabels, querierReachesEveryStore, singleCompactor, deletionDelays, compactorRetention, rulerAlertmanagerV2];
