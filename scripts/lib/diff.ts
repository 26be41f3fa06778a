/**
 * Field-level differences between two renders (`resources.json` arrays), and the warnings a reviewer needs:
 * a change the cluster cannot make in place (Pulumi replaces the object), and a change of the external labels
 * that name a block stream.
 */
import { isSecretPlaceholder } from "./secrets";

/** One entry of `resources.json`. */
export interface RenderedResource {
    type: string;
    name: string;
    parent: string | null;
    inputs: Record<string, unknown>;
    options: Record<string, unknown>;
}

/** One changed field. */
export interface FieldChange {
    path: string;
    before: unknown;
    after: unknown;
}

/** A change a reviewer must not miss: a replacement, or a new block stream. */
export interface DiffWarning {
    /** `type::name` of the object. */
    resource: string;
    kind: "replacement" | "block-stream";
    /** The changed fields that cause it. */
    paths: string[];
    message: string;
}

/** Differences between two renders. */
export interface RenderDiff {
    added: RenderedResource[];
    removed: RenderedResource[];
    changed: Array<{ resource: RenderedResource; changes: FieldChange[] }>;
    unchanged: number;
    warnings: DiffWarning[];
}

/**
 * Fields the Kubernetes provider cannot update in place, by kind (`apiVersion` group/version:Kind as Pulumi's
 * type token has it): a change replaces the object (pulumi-kubernetes v4, provider/pkg/provider/diff.go), and
 * an object that keeps its `metadata.name` is deleted before it is created again (provider.go). ConfigMap and Secret data changes replace them too, harmlessly (a
 * mounting pod keeps the old content until the new object exists), and are not warned about. For the
 * Operator's kinds, `spec.storage` becomes their StatefulSets' `volumeClaimTemplates`.
 */
export const IMMUTABLE_FIELDS: Readonly<Record<string, readonly string[]>> = {
    "apps/v1:StatefulSet": ["spec.podManagementPolicy", "spec.revisionHistoryLimit", "spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"],
    "apps/v1:Deployment": ["spec.selector"],
    "apps/v1:DaemonSet": ["spec.selector"],
    "batch/v1:Job": ["spec.completions", "spec.parallelism", "spec.selector", "spec.template"],
    "core/v1:PersistentVolumeClaim": ["spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"],
    "core/v1:Service": ["spec.clusterIP"],
    "core/v1:Secret": ["type"],
    "storage.k8s.io/v1:StorageClass": ["parameters", "provisioner"],
    "rbac.authorization.k8s.io/v1:RoleBinding": ["roleRef"],
    "rbac.authorization.k8s.io/v1:ClusterRoleBinding": ["roleRef"],
    // The Operator's kinds: their StatefulSets' volumeClaimTemplates.
    "monitoring.coreos.com/v1:Prometheus": ["spec.storage"],
    "monitoring.coreos.com/v1:Alertmanager": ["spec.storage"],
    "monitoring.coreos.com/v1:ThanosRuler": ["spec.storage"],
};
/** A change of these replaces an object of any kind, creating the new one before deleting the old. */
const RENAMING_FIELDS = ["metadata.name", "metadata.namespace"];
/** Kinds renamed on purpose (a name with a digest of the content rolls the pods that mount it): no warning. */
const RENAMED_FREELY = ["core/v1:ConfigMap", "core/v1:Secret"];

/** What a replacement does, by kind (a StatefulSet: `statefulSetReplacement`); other kinds are deleted and created again. */
const KEPT_VOLUMES = "the existing PersistentVolumeClaims stay and are reused by name, unchanged: a new size or class reaches no existing volume (docs/operations.md, \"Growing a volume\")";
// prometheus-operator v0.93 pkg/k8s/statefulset.go ForceUpdateStatefulSet: a foreground delete, then a create.
const OPERATOR_RECREATES = `the Operator deletes its StatefulSets with their pods and creates them again (every replica restarts at once: an outage of these pods); ${KEPT_VOLUMES}`;
const REPLACEMENT_EFFECT: Readonly<Record<string, string>> = {
    "apps/v1:Deployment": "Pulumi deletes the Deployment with all its pods and creates it again (an outage of these pods)",
    "core/v1:PersistentVolumeClaim": "Pulumi deletes the claim and creates it again: the data on its volume is lost unless the volume is retained",
    "storage.k8s.io/v1:StorageClass": "Pulumi deletes the StorageClass and creates it again: existing volumes keep their old parameters",
    "monitoring.coreos.com/v1:Prometheus": OPERATOR_RECREATES,
    "monitoring.coreos.com/v1:Alertmanager": OPERATOR_RECREATES,
    "monitoring.coreos.com/v1:ThanosRuler": OPERATOR_RECREATES,
};

/**
 * Fields of the objects whose labels name a block stream (the external labels a Prometheus or a ruler writes
 * into every block it uploads), by kind. A change starts a new stream: the compactor compacts and downsamples
 * it apart from the old one, and the querier deduplicates only series whose other labels are equal.
 */
export const STREAM_LABELS: Readonly<Record<string, readonly string[]>> = {
    "monitoring.coreos.com/v1:Prometheus": ["spec.externalLabels", "spec.replicaExternalLabelName", "spec.prometheusExternalLabelName"],
    "monitoring.coreos.com/v1:ThanosRuler": ["spec.labels"],
};

const ABSENT = Symbol("absent");

function key(r: RenderedResource): string {
    return `${r.type}::${r.name}`;
}

/** The `group/version:Kind` of a Kubernetes type token (`kubernetes:apps/v1:StatefulSet`), or null. */
function kubernetesKind(type: string): string | null {
    return type.startsWith("kubernetes:") ? type.slice("kubernetes:".length) : null;
}

/**
 * A component (this package's, or the stack): its inputs reach the cluster only through its objects, so only its
 * parent and options are compared; the objects show each change once.
 */
function isComponent(r: RenderedResource): boolean {
    return r.type.startsWith("thanos-stack:") || r.type === "pulumi:pulumi:Stack";
}

/** Whether `path` (an `inputs.…` change path) is `field` or lies under it. */
function under(path: string, field: string): boolean {
    const full = `inputs.${field}`;
    return path === full || path.startsWith(`${full}.`) || path.startsWith(`${full}[`);
}

function dependencies(options: Record<string, unknown>): string[] {
    const d = options["dependsOn"];
    return Array.isArray(d) ? d.map(String) : [];
}

/** Dependencies compared as a set: one change per dependency added (before absent) or dropped (after absent). */
function dependencyChanges(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
    const b = new Set(dependencies(before));
    const a = new Set(dependencies(after));
    return [
        ...[...b].filter((x) => !a.has(x)).sort().map((x) => ({ path: "options.dependsOn", before: x, after: undefined })),
        ...[...a].filter((x) => !b.has(x)).sort().map((x) => ({ path: "options.dependsOn", before: undefined, after: x })),
    ];
}

function withoutDependencies(options: Record<string, unknown>): Record<string, unknown> {
    const { dependsOn: _dependsOn, ...rest } = options;
    return rest;
}

/** What replacing a StatefulSet does to its pods and, by its retention policy, to its volumes. */
function statefulSetReplacement(r: RenderedResource): string {
    const spec = r.inputs["spec"];
    const policy = isObject(spec) ? spec["persistentVolumeClaimRetentionPolicy"] : undefined;
    const volumes =
        isObject(policy) && policy["whenDeleted"] === "Delete"
            ? "its PersistentVolumeClaims are deleted with it (whenDeleted: Delete) and created again empty"
            : KEPT_VOLUMES;
    return `Pulumi deletes the StatefulSet with all its pods and creates it again (an outage of these pods); ${volumes}`;
}

/** The warnings of one changed object. */
function warningsOf(r: RenderedResource, changes: FieldChange[]): DiffWarning[] {
    const kind = kubernetesKind(r.type);
    if (kind === null) return [];
    const out: DiffWarning[] = [];
    const hit = (fields: readonly string[]) => changes.map((c) => c.path).filter((p) => fields.some((f) => under(p, f)));
    const renamed = hit(RENAMING_FIELDS);
    const replaced = hit(IMMUTABLE_FIELDS[kind] ?? []);
    if (renamed.length > 0 && !RENAMED_FREELY.includes(kind)) {
        const volumes = kind === "apps/v1:StatefulSet" ? "; its pods get new, empty PersistentVolumeClaims and the old claims are left behind" : "";
        out.push({ resource: key(r), kind: "replacement", paths: renamed, message: `${fieldList(renamed)} change: Pulumi creates the object under its new name, then deletes the old one${volumes}` });
    } else if (renamed.length === 0 && replaced.length > 0) {
        const effect = kind === "apps/v1:StatefulSet" ? statefulSetReplacement(r) : (REPLACEMENT_EFFECT[kind] ?? "Pulumi deletes the object and creates it again");
        out.push({ resource: key(r), kind: "replacement", paths: replaced, message: `the cluster cannot change ${fieldList(replaced)} in place: ${effect}` });
    }
    const stream = hit(STREAM_LABELS[kind] ?? []);
    if (stream.length > 0) {
        out.push({
            resource: key(r),
            kind: "block-stream",
            paths: stream,
            message: `${fieldList(stream)} name the block stream: new blocks start a new stream, which the compactor compacts and downsamples apart from the old one, and the querier does not deduplicate old and new series against each other`,
        });
    }
    return out;
}

/** The distinct fields (without `inputs.` and array indexes below the field) of a list of change paths. */
function fieldList(paths: string[]): string {
    return [...new Set(paths.map((p) => p.replace(/^inputs\./, "")))].join(", ");
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function join(path: string, k: string | number): string {
    if (typeof k === "number") return `${path}[${k}]`;
    return /^[A-Za-z_$][\w$-]*$/.test(k) ? (path ? `${path}.${k}` : k) : `${path}[${JSON.stringify(k)}]`;
}

/** Field-level changes between two JSON values. */
export function fieldChanges(before: unknown, after: unknown, path = ""): FieldChange[] {
    if (isObject(before) && isObject(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((k) => fieldChanges(k in before ? before[k] : ABSENT, k in after ? after[k] : ABSENT, join(path, k)));
    }
    if (Array.isArray(before) && Array.isArray(after)) {
        const n = Math.max(before.length, after.length);
        const out: FieldChange[] = [];
        for (let i = 0; i < n; i++) out.push(...fieldChanges(i < before.length ? before[i] : ABSENT, i < after.length ? after[i] : ABSENT, join(path, i)));
        return out;
    }
    if (JSON.stringify(before) === JSON.stringify(after) && before !== ABSENT && after !== ABSENT) return [];
    if (before === ABSENT && after === ABSENT) return [];
    return [{ path, before: before === ABSENT ? undefined : before, after: after === ABSENT ? undefined : after }];
}

/** Compares two renders resource by resource (matched by type and name). */
export function diffRenders(base: RenderedResource[], head: RenderedResource[]): RenderDiff {
    const baseByKey = new Map(base.map((r) => [key(r), r]));
    const headByKey = new Map(head.map((r) => [key(r), r]));
    const diff: RenderDiff = { added: [], removed: [], changed: [], unchanged: 0, warnings: [] };
    for (const r of head) {
        const old = baseByKey.get(key(r));
        if (!old) {
            diff.added.push(r);
            continue;
        }
        const changes = [
            ...fieldChanges({ parent: old.parent, options: withoutDependencies(old.options) }, { parent: r.parent, options: withoutDependencies(r.options) }),
            ...dependencyChanges(old.options, r.options),
            ...(isComponent(r) ? [] : fieldChanges(old.inputs, r.inputs, "inputs")),
        ];
        if (changes.length > 0) {
            diff.changed.push({ resource: r, changes });
            diff.warnings.push(...warningsOf(r, changes));
        } else diff.unchanged++;
    }
    for (const r of base) if (!headByKey.has(key(r))) diff.removed.push(r);
    return diff;
}


/** How values are shown. */
export interface FormatOptions {
    /** Show long values whole instead of cut to 160 characters. @default false */
    full?: boolean;
}

function show(v: unknown, o: FormatOptions): string {
    if (v === undefined) return "(absent)";
    const s = JSON.stringify(v, (_, x: unknown) => (isSecretPlaceholder(x) ? "[secret]" : x));
    return s.length > 160 && !o.full ? `${s.slice(0, 157)}...` : s;
}

/** One changed field as a line; a changed secret shows that it changed, never its value. */
function changeLine(c: FieldChange, o: FormatOptions): string {
    const note = isSecretPlaceholder(c.before) && isSecretPlaceholder(c.after) ? " (secret changed)" : "";
    return `    ${c.path}: ${show(c.before, o)} -> ${show(c.after, o)}${note}`;
}

/** The one-line summary. */
export function summaryLine(d: RenderDiff): string {
    const total = d.added.length + d.changed.length + d.unchanged;
    return `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.unchanged} unchanged (${total} resources after the change)`;
}

/**
 * A readable report: added, removed, then changed objects with their changed fields; objects whose only change
 * is one same set of dependencies are one entry listing them; then a `!` line per warning, then the summary.
 */
export function formatDiff(d: RenderDiff, o: FormatOptions = {}): string {
    const lines: string[] = [];
    for (const r of d.added) lines.push(`+ ${key(r)}`);
    for (const r of d.removed) lines.push(`- ${key(r)}`);
    const addedKeys = new Set(d.added.map(key));
    const removedKeys = new Set(d.removed.map(key));
    // Objects whose only change is one same set of dependencies: one entry, keyed by that set.
    const byDependencies = new Map<string, string[]>();
    for (const { resource, changes } of d.changed) {
        const shown = dependencyLines(changes, addedKeys, removedKeys);
        const fields = changes.filter((c) => c.path !== "options.dependsOn").map((c) => changeLine(c, o));
        if (fields.length === 0) {
            const delta = shown.join(", ");
            byDependencies.set(delta, [...(byDependencies.get(delta) ?? []), key(resource)]);
            continue;
        }
        lines.push(`~ ${key(resource)}`, ...shown.map((l) => `    options.dependsOn ${l}`), ...fields);
    }
    for (const [delta, keys] of byDependencies) {
        if (keys.length === 1) lines.push(`~ ${keys[0]!}`, ...delta.split(", ").map((l) => `    options.dependsOn ${l}`));
        // Only the create order around the objects added and removed above: counted, listed with --full.
        else if (!o.full && delta.split(", ").every((l) => / (added|removed) objects?$/.test(l))) lines.push(`~ ${keys.length} objects, options.dependsOn ${delta} (--full lists them)`);
        else lines.push(`~ ${keys.length} objects, options.dependsOn ${delta}:`, ...keys.map((k) => `    ${k}`));
    }
    for (const w of d.warnings) lines.push(`! ${w.resource}: ${w.message}`);
    if (lines.length === 0) lines.push("no changes");
    lines.push(summaryLine(d));
    return lines.join("\n");
}

/**
 * The dependency changes of one object, `+ key` / `- key`; dependencies on objects this diff adds or removes
 * are counted on one line each (they are listed above with their objects).
 */
function dependencyLines(changes: FieldChange[], addedKeys: Set<string>, removedKeys: Set<string>): string[] {
    const deps = changes.filter((c) => c.path === "options.dependsOn");
    const gained = deps.filter((c) => c.after !== undefined).map((c) => String(c.after));
    const dropped = deps.filter((c) => c.before !== undefined).map((c) => String(c.before));
    const onAdded = gained.filter((k) => addedKeys.has(k)).length;
    const onRemoved = dropped.filter((k) => removedKeys.has(k)).length;
    return [
        ...dropped.filter((k) => !removedKeys.has(k)).map((k) => `- ${k}`),
        ...(onRemoved > 0 ? [`- ${onRemoved} removed object${onRemoved === 1 ? "" : "s"}`] : []),
        ...gained.filter((k) => !addedKeys.has(k)).map((k) => `+ ${k}`),
        ...(onAdded > 0 ? [`+ ${onAdded} added object${onAdded === 1 ? "" : "s"}`] : []),
    ];
}
