/**
 * Validates rendered objects against the schemas the cluster itself uses, WITH unknown fields rejected (as
 * kubeconform's strict mode does): the Prometheus Operator's CRDs of the pinned Operator (the `v1`
 * `openAPIV3Schema` of each kind) and the Kubernetes OpenAPI v3 definitions of the core kinds of the bench's
 * Kubernetes. Both are extracted from the upstream Go modules by `npm run schemas:update` into
 * test/fixtures/schemas/ (structure only, without the upstream prose), and compiled here with ajv.
 *
 * Unknown fields: every object schema that lists `properties` and neither `additionalProperties` nor
 * `x-kubernetes-preserve-unknown-fields` accepts no other key, which is what the API server's field validation
 * (`strict`) refuses. Formats (`int32`, `int-or-string`, ...) are not checked: the API server parses them.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import * as fs from "fs";
import * as path from "path";
import { VERSIONS } from "../../components/constants";
import { TOOL_VERSIONS } from "../../e2e/tools/versions";

const SCHEMAS = path.resolve(__dirname, "..", "fixtures", "schemas");

/** The kinds this helper validates. */
export type OperatorKind = "Prometheus" | "Alertmanager" | "ServiceMonitor" | "PodMonitor" | "PrometheusRule" | "Probe" | "ThanosRuler";

type Schema = Record<string, unknown>;

interface CrdFile {
    version: string;
    kinds: Record<string, Schema>;
}

interface CoreFile {
    version: string;
    /** `apiVersion/kind` -> definition name. */
    kinds: Record<string, string>;
    schemas: Record<string, Schema>;
}

function readJson<T>(file: string): T {
    return JSON.parse(fs.readFileSync(path.join(SCHEMAS, file), "utf8")) as T;
}

let crds: CrdFile | undefined;
let core: CoreFile | undefined;
const crdFile = (): CrdFile => (crds ??= readJson<CrdFile>(`prometheus-operator-${VERSIONS.prometheusOperator}-crds.json`));
const coreFile = (): CoreFile => (core ??= readJson<CoreFile>(`kubernetes-${TOOL_VERSIONS.kubernetes}-core.json`));

/** A schema with unknown fields refused wherever the API server refuses them. */
export function strict(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(strict);
    if (typeof value !== "object" || value === null) return value;
    const s = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "properties" && typeof v === "object" && v !== null ? Object.fromEntries(Object.entries(v).map(([p, ps]) => [p, strict(ps)])) : strict(v)])) as Schema;
    const closed = s["properties"] !== undefined && s["additionalProperties"] === undefined && s["x-kubernetes-preserve-unknown-fields"] !== true;
    return closed ? { ...s, additionalProperties: false } : s;
}

/**
 * The CRDs' patterns are Go (RE2) expressions: an inline `(?i)` (which RE2 allows anywhere, the CRDs put after
 * `^`) becomes JavaScript's `i` flag; the rest of the syntax they use is the same in both.
 */
function goPattern(pattern: string, flags: string): RegExp {
    const insensitive = pattern.includes("(?i)");
    return new RegExp(pattern.replaceAll("(?i)", ""), `${flags}${insensitive ? "i" : ""}`);
}
goPattern.code = 'new RegExp';

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { regExp: goPattern } });
const cache = new Map<string, ValidateFunction>();

function compiled(key: string, make: () => Schema): ValidateFunction {
    let v = cache.get(key);
    if (v === undefined) {
        v = ajv.compile(make());
        cache.set(key, v);
    }
    return v;
}

/** One line per error: the JSON pointer of the offending value, then the rule. */
function describe(e: ErrorObject): string {
    if (e.keyword === "additionalProperties") {
        const field = String((e.params as { additionalProperty: string }).additionalProperty);
        return `${e.instancePath}/${field}: unknown field "${field}" (not in the schema)`;
    }
    if (e.keyword === "required") return `${e.instancePath || "/"}: required property "${String((e.params as { missingProperty: string }).missingProperty)}" is missing`;
    return `${e.instancePath || "/"}: ${e.keyword} ${e.message ?? ""}`.trim();
}

function problemsOf(validate: ValidateFunction, object: unknown): string[] {
    if (validate(object)) return [];
    // A failed `anyOf`/`oneOf` also reports each branch's errors; the branch errors say what is wrong.
    const errors = (validate.errors ?? []).filter((e) => e.keyword !== "anyOf" && e.keyword !== "oneOf");
    return [...new Set(errors.map(describe))];
}

/** Every schema problem of a Prometheus Operator object against its CRD: types, enums, required and unknown fields. */
export async function crdProblems(object: unknown): Promise<string[]> {
    if (typeof object !== "object" || object === null || typeof (object as Schema)["kind"] !== "string") return ["/kind: missing"];
    const kind = (object as Schema)["kind"] as string;
    const schema = crdFile().kinds[kind];
    if (schema === undefined) return [`/kind: no CRD for ${kind} in the Operator ${crdFile().version} schemas`];
    return problemsOf(
        compiled(`crd/${kind}`, () => strict(schema) as Schema),
        object,
    );
}

const OPERATOR_KINDS = new Set<string>(["Prometheus", "Alertmanager", "ServiceMonitor", "PodMonitor", "PrometheusRule", "Probe", "ThanosRuler"]);

/** Whether {@link kubernetesProblems} knows the schema of this object's kind. */
export function hasKnownSchema(object: { apiVersion?: unknown; kind?: unknown }): boolean {
    const key = `${String(object.apiVersion)}/${String(object.kind)}`;
    return key in coreFile().kinds || (String(object.apiVersion).startsWith("monitoring.coreos.com/") && OPERATOR_KINDS.has(String(object.kind)));
}

/** The render masks whole secret fields as "[secret]": check a masked Secret's data maps as empty maps. */
function unmasked(object: Record<string, unknown>): Record<string, unknown> {
    if (object["kind"] !== "Secret") return object;
    const out = { ...object };
    for (const k of ["data", "stringData"]) if (out[k] === "[secret]") out[k] = {};
    return out;
}

/**
 * Schema problems of any object the stack renders: core kinds against the Kubernetes OpenAPI v3 definitions,
 * Operator kinds against their CRDs; unknown fields rejected in both. Throws for a kind it has no schema for.
 */
export async function kubernetesProblems(object: Record<string, unknown>): Promise<string[]> {
    const key = `${String(object["apiVersion"])}/${String(object["kind"])}`;
    if (String(object["apiVersion"]).startsWith("monitoring.coreos.com/")) return crdProblems(object);
    const c = coreFile();
    const definition = c.kinds[key];
    if (definition === undefined) throw new Error(`no schema for ${key}; add it to CORE_KINDS in scripts/update-k8s-schemas.ts and run npm run schemas:update`);
    const validate = compiled(`core/${key}`, () => ({ $ref: `#/components/schemas/${definition}`, components: { schemas: strict(c.schemas) } }));
    return problemsOf(validate, unmasked(object));
}
