/**
 * Reads the stack configuration from the Pulumi config store, validates it
 * and reports every problem at once, one line each:
 * `<key.path>: <rule>, got <value>`.
 */
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { inClusterService } from "../../components/network/networkPolicies";
import { StackConfig, stackConfigSchema } from "./schema";

/**
 * Whether a config key holds a secret (`secure:` in the stack file). The SDK's own check, not in its typings: the
 * language host passes the secret keys in PULUMI_CONFIG_SECRET_KEYS, and the offline render sets them the same way.
 */
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

/** The project's config namespace. */
export const CONFIG_NAMESPACE = "thanos-stack";

/** Namespaces whose keys would configure the ambient default providers, which this program never uses. */
const AMBIENT_PROVIDER_HINTS: Record<string, string> = {
    aws: "set thanos-stack:aws.region (and aws.tags) instead",
    kubernetes: "set thanos-stack:cluster.context or thanos-stack:cluster.kubeconfig instead",
};

/** A configuration that cannot be deployed. Printed without a stack trace by the Pulumi CLI and the render. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(`invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

/** The result of validation: the typed configuration or the list of problems. */
export type ValidationResult = { ok: true; config: StackConfig } | { ok: false; problems: string[] };

/** Renders a value for an error message. */
export function show(value: unknown): string {
    if (value === undefined) return "nothing";
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0]!;
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const cur = row[j]!;
            row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
            prev = cur;
        }
    }
    return row[b.length]!;
}

interface JsonSchemaNode {
    properties?: Record<string, JsonSchemaNode>;
    additionalProperties?: unknown;
    items?: JsonSchemaNode;
    anyOf?: JsonSchemaNode[];
    /** Set on the fields whose value is a credential (`.meta({ secret: true })` in the schema). */
    secret?: boolean;
    /** A map whose keys are a fixed set (a record over an enum). */
    propertyNames?: { enum?: string[] };
}

let inputJsonSchema: JsonSchemaNode | undefined;

function inputSchema(): JsonSchemaNode {
    inputJsonSchema ??= z.toJSONSchema(stackConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchemaNode;
    return inputJsonSchema;
}

/** The keys the schema allows at a path (empty when the path has no fixed keys). */
export function allowedKeys(path: readonly PropertyKey[]): string[] {
    let node: JsonSchemaNode | undefined = inputSchema();
    for (const key of path) {
        // Through a list's items, a map's values, or a union's one object branch.
        const n: JsonSchemaNode | undefined = node?.anyOf?.find((b) => b.properties !== undefined || b.additionalProperties !== undefined) ?? node;
        if (typeof key === "number") node = n?.items;
        else node = n?.properties?.[String(key)] ?? (typeof n?.additionalProperties === "object" ? (n.additionalProperties as JsonSchemaNode) : undefined);
    }
    return node?.properties !== undefined ? Object.keys(node.properties) : (node?.propertyNames?.enum ?? []);
}

/** The allowed key nearest to a mistyped one, if one is near enough to be what was meant. */
function nearestKey(parent: readonly PropertyKey[], key: string): string | undefined {
    return allowedKeys(parent)
        .map((k) => ({ k, d: editDistance(k, key) }))
        .filter(({ d }) => d <= Math.max(2, Math.floor(key.length / 3)))
        .sort((x, y) => x.d - y.d)[0]?.k;
}

function unknownKeyMessage(parent: readonly PropertyKey[], key: string, required: boolean): string {
    const best = nearestKey(parent, key);
    const allowed = allowedKeys(parent);
    const hint = best ? ` (did you mean '${best}'?${required ? ` It is required` : ""})` : allowed.length ? ` (allowed: ${allowed.join(", ")})` : "";
    return `unknown key${hint}`;
}

/**
 * `["objectStorage", "lifecycle", "rules", 0, "id"]` -> `objectStorage.lifecycle.rules[0].id`; a map key that is not a
 * plain name (`querier.replicas` under `production.singlePointsAllowed`, a user name with a dot) is quoted in brackets.
 */
export function keyPath(path: readonly PropertyKey[]): string {
    const step = (out: string, seg: PropertyKey) => {
        if (typeof seg === "number") return `${out}[${seg}]`;
        const name = String(seg);
        if (out !== "" && !/^[A-Za-z_][\w-]*$/.test(name)) return `${out}[${JSON.stringify(name)}]`;
        return out ? `${out}.${name}` : name;
    };
    return path.reduce<string>(step, "") || "(root)";
}

/** Validates a raw configuration object (keys relative to the project namespace). */
export function validateStackConfig(raw: unknown): ValidationResult {
    const result = stackConfigSchema.safeParse(raw, { reportInput: true });
    if (!result.success) {
        const lines: string[] = [];
        const missing = new Set(result.error.issues.filter((i) => i.code === "invalid_type" && i.input === undefined).map((i) => keyPath(i.path)));
        // A misspelt required key is one problem: the unknown key, with the name it should have.
        const meant = new Set<string>();
        for (const issue of result.error.issues) {
            if (issue.code !== "unrecognized_keys") continue;
            for (const key of issue.keys) {
                const best = nearestKey(issue.path, key);
                if (best !== undefined && missing.has(keyPath([...issue.path, best]))) meant.add(keyPath([...issue.path, best]));
            }
        }
        for (const issue of result.error.issues) {
            if (issue.code === "unrecognized_keys") {
                for (const key of issue.keys) {
                    const best = nearestKey(issue.path, key);
                    lines.push(`${keyPath([...issue.path, key])}: ${unknownKeyMessage(issue.path, key, best !== undefined && meant.has(keyPath([...issue.path, best])))}`);
                }
            } else if (issue.code === "invalid_type" && issue.input === undefined) {
                if (!meant.has(keyPath(issue.path))) lines.push(`${keyPath(issue.path)}: is required`);
            } else {
                lines.push(`${keyPath(issue.path)}: ${issue.message}, got ${show(issue.input)}`);
            }
        }
        return { ok: false, problems: [...new Set(lines)] };
    }
    const parsed = result.data;
    return { ok: true, config: { ...parsed, protect: parsed.protect ?? parsed.environment === "prod" } };
}

/** The schema nodes a value may be checked against (a union's branches). */
function branches(node: JsonSchemaNode | undefined): JsonSchemaNode[] {
    if (node === undefined) return [];
    return node.anyOf !== undefined ? node.anyOf.flatMap(branches) : [node];
}

/** Every credential field present in a raw value: its key path and value. */
function secretFields(value: unknown, node: JsonSchemaNode | undefined, path: PropertyKey[]): Array<{ path: PropertyKey[]; value: string }> {
    const out: Array<{ path: PropertyKey[]; value: string }> = [];
    for (const n of branches(node)) {
        if (n.secret === true && typeof value === "string") return [{ path, value }];
        if (Array.isArray(value) && n.items !== undefined) value.forEach((v, i) => out.push(...secretFields(v, n.items, [...path, i])));
        else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            for (const [k, v] of Object.entries(value)) {
                const child = n.properties?.[k] ?? (typeof n.additionalProperties === "object" ? (n.additionalProperties as JsonSchemaNode) : undefined);
                out.push(...secretFields(v, child, [...path, k]));
            }
        }
        if (out.length > 0) return out;
    }
    return out;
}

/**
 * A webhook address inside the cluster, by its Service name, without user, password or query: an address, not a
 * credential (the bench's receiver, a team's in-cluster relay). Anything else in a credential field is a secret.
 */
function isCredentialFreeClusterUrl(value: string): boolean {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return false;
    }
    return inClusterService(url.hostname, "") !== undefined && url.username === "" && url.password === "" && url.search === "";
}

/**
 * Credentials written in plaintext: every credential field (Slack and webhook URLs, PagerDuty keys, UI password
 * hashes) whose top-level key is not a Pulumi secret. The value is never repeated; the message gives the command
 * that stores it encrypted.
 */
export function plaintextSecretProblems(raw: Record<string, unknown>, isSecretKey: (key: string) => boolean): string[] {
    const problems: string[] = [];
    const root = inputSchema();
    for (const [top, value] of Object.entries(raw)) {
        if (isSecretKey(`${CONFIG_NAMESPACE}:${top}`)) continue;
        for (const f of secretFields(value, root.properties?.[top], [top])) {
            if (isCredentialFreeClusterUrl(f.value)) continue;
            const key = keyPath(f.path);
            problems.push(`${key}: is a credential written in plaintext (anyone who can read the stack file can use it); it must be a Pulumi secret: pulumi config set --secret --path '${CONFIG_NAMESPACE}:${key}' <value>`);
        }
    }
    return problems;
}

/** Parses one raw Pulumi config value: objects arrive as JSON, scalars as strings. */
export function parseConfigValue(value: string): unknown {
    const trimmed = value.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return value;
        }
    }
    try {
        return parseYaml(value) ?? value;
    } catch {
        return value;
    }
}

/**
 * A namespace that is almost the project's (`thanos-stak`, `thanos_stack`, `Thanos-Stack`): a typo whose keys would
 * silently configure nothing. Other namespaces (`pulumi`, a policy pack's, another program's) are left alone.
 */
function isNearMissNamespace(ns: string): boolean {
    const normalized = ns.toLowerCase().replace(/[_.\s]+/g, "-");
    return normalized === CONFIG_NAMESPACE || editDistance(ns, CONFIG_NAMESPACE) <= 2;
}

/**
 * `thanos-stack:prometheus.shards` is one top-level key with a dot in its name (what `pulumi config set` writes
 * without `--path`), not `shards` under `prometheus`; no key of the schema has a dot, so say how to write it. The
 * value is not repeated (it may be a secret).
 */
function flatDottedKeyProblem(name: string): string {
    const key = `${CONFIG_NAMESPACE}:${name}`;
    return `${key}: is one key named "${name}" (pulumi config set without --path), not a path; a key must not contain ".": run pulumi config rm ${key} && pulumi config set --path ${key} <value> (add --secret for a secret)`;
}

/**
 * Turns the flat Pulumi config map (`<namespace>:<key>` -> string) into the
 * raw configuration object, and reports keys that this program would ignore.
 */
export function collectProjectConfig(all: Record<string, string>): { raw: Record<string, unknown>; problems: string[] } {
    const raw: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const key of Object.keys(all).sort()) {
        const idx = key.indexOf(":");
        const ns = idx < 0 ? CONFIG_NAMESPACE : key.slice(0, idx);
        const name = idx < 0 ? key : key.slice(idx + 1);
        if (ns === CONFIG_NAMESPACE) {
            if (name.includes(".")) problems.push(flatDottedKeyProblem(name));
            else raw[name] = parseConfigValue(all[key]!);
        } else if (ns in AMBIENT_PROVIDER_HINTS) {
            problems.push(`${key}: is ignored, because this program builds its providers explicitly and never uses the default ${ns} provider; ${AMBIENT_PROVIDER_HINTS[ns]}`);
        } else if (isNearMissNamespace(ns)) {
            problems.push(`${key}: config namespace "${ns}" is not this project's, so the key would be ignored; the namespace must be "${CONFIG_NAMESPACE}" (did you mean ${CONFIG_NAMESPACE}:${name}?)`);
        }
    }
    return { raw, problems };
}

/**
 * Reads and validates the configuration of the running stack. Throws
 * {@link ConfigError} (every problem, one line each) before any resource exists.
 */
export function loadStackConfig(): StackConfig {
    const { raw, problems } = collectProjectConfig(pulumi.runtime.allConfig());
    const result = validateStackConfig(raw);
    const all = [...problems, ...(result.ok ? [] : result.problems), ...plaintextSecretProblems(raw, isConfigSecret)];
    if (all.length > 0 || !result.ok) throw new ConfigError(all);
    return result.config;
}
