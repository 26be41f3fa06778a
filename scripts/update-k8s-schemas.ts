/**
 * npm run schemas:update
 *
 * Extracts the schemas the tests validate rendered objects against into test/fixtures/schemas/: the Prometheus
 * Operator's CRDs (the `v1` `openAPIV3Schema` of each kind the stack emits) and the Kubernetes OpenAPI v3
 * definitions of the core kinds it emits (with every definition they reference), from the Go modules of the pinned
 * versions (the Operator's and the bench's Kubernetes), fetched through the Go module proxy with `go mod download`.
 * Needs Go; the tests read the committed files and need nothing but Node.js.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { VERSIONS } from "../components/constants";
import { TOOL_VERSIONS } from "../e2e/tools/versions";

const OUT = path.resolve(__dirname, "..", "test", "fixtures", "schemas");

/** The Operator kinds the stack emits, by the CRD file that defines them. */
export const CRD_FILES: Record<string, string> = {
    Prometheus: "monitoring.coreos.com_prometheuses.yaml",
    Alertmanager: "monitoring.coreos.com_alertmanagers.yaml",
    ThanosRuler: "monitoring.coreos.com_thanosrulers.yaml",
    ServiceMonitor: "monitoring.coreos.com_servicemonitors.yaml",
    PodMonitor: "monitoring.coreos.com_podmonitors.yaml",
    PrometheusRule: "monitoring.coreos.com_prometheusrules.yaml",
    Probe: "monitoring.coreos.com_probes.yaml",
};

/** The core kinds the stack emits: `apiVersion/kind` -> the OpenAPI v3 file and the definition's name. */
export const CORE_KINDS: Record<string, { file: string; definition: string }> = {
    "v1/Namespace": { file: "api__v1_openapi.json", definition: "io.k8s.api.core.v1.Namespace" },
    "v1/Service": { file: "api__v1_openapi.json", definition: "io.k8s.api.core.v1.Service" },
    "v1/ServiceAccount": { file: "api__v1_openapi.json", definition: "io.k8s.api.core.v1.ServiceAccount" },
    "v1/Secret": { file: "api__v1_openapi.json", definition: "io.k8s.api.core.v1.Secret" },
    "v1/ConfigMap": { file: "api__v1_openapi.json", definition: "io.k8s.api.core.v1.ConfigMap" },
    "apps/v1/Deployment": { file: "apis__apps__v1_openapi.json", definition: "io.k8s.api.apps.v1.Deployment" },
    "apps/v1/StatefulSet": { file: "apis__apps__v1_openapi.json", definition: "io.k8s.api.apps.v1.StatefulSet" },
    "batch/v1/Job": { file: "apis__batch__v1_openapi.json", definition: "io.k8s.api.batch.v1.Job" },
    "policy/v1/PodDisruptionBudget": { file: "apis__policy__v1_openapi.json", definition: "io.k8s.api.policy.v1.PodDisruptionBudget" },
    "networking.k8s.io/v1/NetworkPolicy": { file: "apis__networking.k8s.io__v1_openapi.json", definition: "io.k8s.api.networking.v1.NetworkPolicy" },
    "networking.k8s.io/v1/Ingress": { file: "apis__networking.k8s.io__v1_openapi.json", definition: "io.k8s.api.networking.v1.Ingress" },
    "rbac.authorization.k8s.io/v1/ClusterRole": { file: "apis__rbac.authorization.k8s.io__v1_openapi.json", definition: "io.k8s.api.rbac.v1.ClusterRole" },
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": { file: "apis__rbac.authorization.k8s.io__v1_openapi.json", definition: "io.k8s.api.rbac.v1.ClusterRoleBinding" },
    "scheduling.k8s.io/v1/PriorityClass": { file: "apis__scheduling.k8s.io__v1_openapi.json", definition: "io.k8s.api.scheduling.v1.PriorityClass" },
    "storage.k8s.io/v1/StorageClass": { file: "apis__storage.k8s.io__v1_openapi.json", definition: "io.k8s.api.storage.v1.StorageClass" },
};

/** The directory of a Go module version (downloaded through the module proxy when missing). */
function moduleDir(module: string, version: string): string {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "schemas-"));
    try {
        const out = execFileSync("go", ["mod", "download", "-json", `${module}@${version}`], { cwd: work, encoding: "utf8", env: { ...process.env, GOFLAGS: "-mod=mod" } });
        const info = JSON.parse(out) as { Dir?: string; Error?: string };
        if (info.Dir === undefined) throw new Error(`go mod download ${module}@${version}: ${info.Error ?? "no directory"}`);
        return info.Dir;
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

type Schema = Record<string, unknown>;

/** A schema without its prose (`description`): the structure is what the tests check, and the prose is upstream's. */
function withoutDescriptions(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(withoutDescriptions);
    if (typeof value !== "object" || value === null) return value;
    return Object.fromEntries(Object.entries(value).filter(([k, v]) => !(k === "description" && typeof v === "string")).map(([k, v]) => [k, withoutDescriptions(v)]));
}

/** Every `#/components/schemas/<name>` a schema refers to, transitively. */
function closure(all: Record<string, Schema>, roots: string[]): Record<string, Schema> {
    const out: Record<string, Schema> = {};
    const todo = [...roots];
    while (todo.length > 0) {
        const name = todo.pop()!;
        if (out[name] !== undefined) continue;
        const schema = all[name];
        if (schema === undefined) throw new Error(`no definition ${name}`);
        out[name] = schema;
        for (const m of JSON.stringify(schema).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) todo.push(m[1]!);
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function main(): void {
    fs.mkdirSync(OUT, { recursive: true });
    const operator = moduleDir("github.com/prometheus-operator/prometheus-operator", VERSIONS.prometheusOperator);
    const crds: Record<string, Schema> = {};
    for (const [kind, file] of Object.entries(CRD_FILES)) {
        const crd = parse(fs.readFileSync(path.join(operator, "example", "prometheus-operator-crd", file), "utf8")) as { spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: Schema } }> } };
        const v1 = crd.spec.versions.find((v) => v.name === "v1");
        if (v1 === undefined) throw new Error(`${file}: no v1 version`);
        crds[kind] = withoutDescriptions(v1.schema.openAPIV3Schema) as Schema;
    }
    const crdFile = path.join(OUT, `prometheus-operator-${VERSIONS.prometheusOperator}-crds.json`);
    fs.writeFileSync(crdFile, `${JSON.stringify({ version: VERSIONS.prometheusOperator, kinds: crds })}\n`);
    process.stdout.write(`wrote ${crdFile} (${Object.keys(crds).length} kinds)\n`);

    const kubernetes = moduleDir("k8s.io/kubernetes", TOOL_VERSIONS.kubernetes);
    const definitions: Record<string, Schema> = {};
    for (const { file } of Object.values(CORE_KINDS)) {
        const spec = JSON.parse(fs.readFileSync(path.join(kubernetes, "api", "openapi-spec", "v3", file), "utf8")) as { components: { schemas: Record<string, Schema> } };
        for (const [name, schema] of Object.entries(spec.components.schemas)) definitions[name] = withoutDescriptions(schema) as Schema;
    }
    const kinds = Object.fromEntries(Object.entries(CORE_KINDS).map(([k, v]) => [k, v.definition]));
    const schemas = closure(definitions, Object.values(kinds));
    const coreFile = path.join(OUT, `kubernetes-${TOOL_VERSIONS.kubernetes}-core.json`);
    fs.writeFileSync(coreFile, `${JSON.stringify({ version: TOOL_VERSIONS.kubernetes, kinds, schemas })}\n`);
    process.stdout.write(`wrote ${coreFile} (${Object.keys(kinds).length} kinds, ${Object.keys(schemas).length} definitions)\n`);
}

if (process.argv[1] === __filename) main();
