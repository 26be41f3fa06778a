/**
 * Validates Prometheus Operator objects against the Operator's CRD schemas
 * (from `@kubernetes-models/prometheus-operator`) WITH unknown fields rejected.
 *
 * The package ships its schemas as compiled validators
 * (`_schemas/ComGithubPrometheusOperatorPrometheusOperatorPkgApisMonitoringV1<Kind>.js`),
 * which check the fields they know and silently accept any other key. The
 * strictness pass therefore walks the schema through the validator itself: the
 * object is wrapped in proxies that record, per object path, which keys the
 * validator looked up (a compiled schema reads exactly the properties it
 * declares) and whether it enumerated the keys (what `additionalProperties`
 * maps such as labels do). Every key of the object that the schema neither
 * declared nor covers with `additionalProperties` is reported as unknown.
 *
 * The model's schema version: `@kubernetes-models/prometheus-operator` 6.0.0
 * predates Operator v0.92 (it lacks e.g. `tsdb.staleSeriesCompactionThreshold`
 * (v0.92) and `tsdb.chunkEncoding` (v0.93)). Every field our components emit
 * (`shards`, `disableCompaction`, `replicaExternalLabelName`, `walCompression`,
 * `topologySpreadConstraints[].additionalLabelSelectors`, `thanos.*`, ...) is
 * known to it, so no unknown-field whitelist is needed today; pass `allowUnknown`
 * with exact JSON-pointer paths (documented at the call) if a newer field is
 * ever used.
 *
 * One defect of the model is tolerated, precisely ({@link MODEL_DEFECTS}): it
 * compiles `storage.volumeClaimTemplate` (the Operator's
 * `EmbeddedPersistentVolumeClaim`) as if it were a top-level object, requiring
 * `apiVersion: monitoring.coreos.com/v1` and `kind: EmbeddedPersistentVolumeClaim`.
 * The Operator's CRD has both as optional plain strings (and those values
 * would be wrong), so exactly these two `required` errors at that path are
 * ignored.
 */

import * as path from "path";
import { pathToFileURL } from "url";
/** Repository root. */
const ROOT = path.resolve(__dirname, "..", "..");

/** An ajv-style compiled validator. */
interface CompiledValidator {
    (data: unknown): boolean;
    errors?: Array<{ instancePath: string; message?: string; keyword: string; params?: Record<string, unknown> }> | null;
}

/** The kinds this helper validates. */
export type OperatorKind = "Prometheus" | "Alertmanager" | "ServiceMonitor" | "PodMonitor" | "PrometheusRule" | "Probe" | "ThanosRuler";

/** The package's `_schemas` directory (not in its `exports`, so it is imported by file URL). */
const SCHEMA_DIR = path.join(ROOT, "node_modules", "@kubernetes-models", "prometheus-operator", "_schemas");
const SCHEMA_PREFIX = "ComGithubPrometheusOperatorPrometheusOperatorPkgApisMonitoringV1";

const cache = new Map<string, CompiledValidator>();

async function validatorFor(kind: OperatorKind): Promise<CompiledValidator> {
    const hit = cache.get(kind);
    if (hit) return hit;
    const specifier = pathToFileURL(path.join(SCHEMA_DIR, `${SCHEMA_PREFIX}${kind}.js`)).href;
    const mod = (await import(specifier)) as { validate: CompiledValidator };
    cache.set(kind, mod.validate);
    return mod.validate;
}

/** A validator error the model raises wrongly (see the file comment). */
interface ModelDefect {
    /** Matches the error's instancePath. */
    path: RegExp;
    keyword: string;
    missingProperty: string;
}

/** Known defects of `@kubernetes-models/prometheus-operator` 6.0.0 against the Operator v0.93 CRDs. */
export const MODEL_DEFECTS: readonly ModelDefect[] = [
    { path: /^\/spec\/storage\/volumeClaimTemplate$/, keyword: "required", missingProperty: "apiVersion" },
    { path: /^\/spec\/storage\/volumeClaimTemplate$/, keyword: "required", missingProperty: "kind" },
];

function isModelDefect(e: { instancePath: string; keyword: string; params?: Record<string, unknown> }): boolean {
    return MODEL_DEFECTS.some((d) => d.path.test(e.instancePath) && d.keyword === e.keyword && e.params?.["missingProperty"] === d.missingProperty);
}

/** What the validator touched, per JSON-pointer path of an object. */
interface Trace {
    read: Map<string, Set<string>>;
    enumerated: Set<string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null;
}

function traced(value: unknown, path: string, trace: Trace): unknown {
    if (!isObject(value)) return value;
    const note = (key: string | symbol) => {
        if (typeof key !== "string") return;
        const set = trace.read.get(path) ?? new Set<string>();
        set.add(key);
        trace.read.set(path, set);
    };
    return new Proxy(value, {
        get(target, key, receiver) {
            note(key);
            const v = Reflect.get(target, key, receiver) as unknown;
            return typeof key === "string" && Object.prototype.hasOwnProperty.call(target, key) ? traced(v, `${path}/${key}`, trace) : v;
        },
        has(target, key) {
            note(key);
            return Reflect.has(target, key);
        },
        getOwnPropertyDescriptor(target, key) {
            note(key);
            return Reflect.getOwnPropertyDescriptor(target, key);
        },
        ownKeys(target) {
            trace.enumerated.add(path);
            return Reflect.ownKeys(target);
        },
    });
}

function unknownKeys(value: unknown, path: string, trace: Trace, allow: ReadonlySet<string>, out: string[]): void {
    if (!isObject(value)) return;
    if (Array.isArray(value)) {
        value.forEach((v, i) => unknownKeys(v, `${path}/${i}`, trace, allow, out));
        return;
    }
    const covered = trace.enumerated.has(path);
    const read = trace.read.get(path) ?? new Set<string>();
    for (const [k, v] of Object.entries(value)) {
        const child = `${path}/${k}`;
        if (!covered && !read.has(k) && !allow.has(child)) {
            out.push(`${child || "/"}: unknown field "${k}" (not in the schema)`);
            continue;
        }
        unknownKeys(v, child, trace, allow, out);
    }
}

/**
 * Every schema problem of a Prometheus Operator object: the validator's own
 * errors (types, enums, required fields) and unknown fields. Empty when valid.
 */
export async function crdProblems(object: unknown, opts: { allowUnknown?: string[] } = {}): Promise<string[]> {
    if (!isObject(object) || typeof object["kind"] !== "string") return ["/kind: missing"];
    const kind = object["kind"] as OperatorKind;
    return strictProblems(object, await validatorFor(kind), opts);
}

/** The core Kubernetes kinds the stack emits, by `apiVersion/kind`, with their kubernetes-models schema module. */
const CORE_SCHEMAS: Record<string, string> = {
    "v1/Namespace": "IoK8sApiCoreV1Namespace",
    "v1/Service": "IoK8sApiCoreV1Service",
    "v1/ServiceAccount": "IoK8sApiCoreV1ServiceAccount",
    "v1/Secret": "IoK8sApiCoreV1Secret",
    "v1/ConfigMap": "IoK8sApiCoreV1ConfigMap",
    "apps/v1/Deployment": "IoK8sApiAppsV1Deployment",
    "apps/v1/StatefulSet": "IoK8sApiAppsV1StatefulSet",
    "batch/v1/Job": "IoK8sApiBatchV1Job",
    "policy/v1/PodDisruptionBudget": "IoK8sApiPolicyV1PodDisruptionBudget",
    "networking.k8s.io/v1/NetworkPolicy": "IoK8sApiNetworkingV1NetworkPolicy",
    "networking.k8s.io/v1/Ingress": "IoK8sApiNetworkingV1Ingress",
    "rbac.authorization.k8s.io/v1/ClusterRole": "IoK8sApiRbacV1ClusterRole",
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": "IoK8sApiRbacV1ClusterRoleBinding",
    "scheduling.k8s.io/v1/PriorityClass": "IoK8sApiSchedulingV1PriorityClass",
    "storage.k8s.io/v1/StorageClass": "IoK8sApiStorageV1StorageClass",
};

/**
 * Fields the compiled validators never read although the Kubernetes schema has them (ajv emits no code for
 * an unconstrained string), so the read-tracking pass would call them unknown: exact paths per kind.
 */
const VALIDATOR_BLIND_SPOTS: Record<string, string[]> = {
    "scheduling.k8s.io/v1/PriorityClass": ["/description"],
};

const OPERATOR_KINDS = new Set<string>(["Prometheus", "Alertmanager", "ServiceMonitor", "PodMonitor", "PrometheusRule", "Probe", "ThanosRuler"]);

/** Whether {@link kubernetesProblems} knows the schema of this object's kind. */
export function hasKnownSchema(object: { apiVersion?: unknown; kind?: unknown }): boolean {
    const key = `${String(object.apiVersion)}/${String(object.kind)}`;
    return key in CORE_SCHEMAS || (String(object.apiVersion).startsWith("monitoring.coreos.com/") && OPERATOR_KINDS.has(String(object.kind)));
}

/**
 * Schema problems of any object the stack renders: core kinds against the
 * Kubernetes OpenAPI schemas of `kubernetes-models`, Operator kinds against
 * their CRDs; unknown fields rejected in both. Throws for a kind it has no schema for.
 */
export async function kubernetesProblems(object: Record<string, unknown>): Promise<string[]> {
    const key = `${String(object["apiVersion"])}/${String(object["kind"])}`;
    if (String(object["apiVersion"]).startsWith("monitoring.coreos.com/")) return crdProblems(object);
    const module = CORE_SCHEMAS[key];
    if (!module) throw new Error(`no schema for ${key}; add it to CORE_SCHEMAS`);
    const hit = cache.get(key);
    const validate = hit ?? ((await import(pathToFileURL(path.join(CORE_SCHEMA_DIR, `${module}.js`)).href)) as { validate: CompiledValidator }).validate;
    cache.set(key, validate);
    return strictProblems(unmasked(object), validate, { allowUnknown: VALIDATOR_BLIND_SPOTS[key] ?? [] });
}

/** The render masks whole secret fields as "[secret]": check a masked Secret's data maps as empty maps. */
function unmasked(object: Record<string, unknown>): Record<string, unknown> {
    if (object["kind"] !== "Secret") return object;
    const out = { ...object };
    for (const k of ["data", "stringData"]) if (out[k] === "[secret]") out[k] = {};
    return out;
}

const CORE_SCHEMA_DIR = path.join(ROOT, "node_modules", "kubernetes-models", "_schemas");

function strictProblems(object: Record<string, unknown>, validate: CompiledValidator, opts: { allowUnknown?: string[] }): string[] {
    const trace: Trace = { read: new Map(), enumerated: new Set() };
    // A JSON copy: the object as the API server would receive it (no undefined members, no class instances).
    const plain = JSON.parse(JSON.stringify(object)) as unknown;
    const ok = validate(traced(plain, "", trace));
    const problems = ok ? [] : (validate.errors ?? []).filter((e) => !isModelDefect(e)).map((e) => `${e.instancePath || "/"}: ${e.keyword} ${JSON.stringify(e.params ?? {})}`);
    unknownKeys(plain, "", trace, new Set(opts.allowUnknown ?? []), problems);
    return problems;
}
