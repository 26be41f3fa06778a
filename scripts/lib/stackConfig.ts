/**
 * Reads `stacks/Pulumi.<stack>.yaml` into the flat config map the Pulumi CLI
 * would hand the program, and applies `--set key.path=value` overrides.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { CONFIG_NAMESPACE } from "../../infra/config/load";
import { SECRET_PLACEHOLDER } from "./capture";

/** A problem in the render's own inputs (stack file, `--set`), reported like a config error. */
export class InputError extends Error {
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "InputError";
    }
}

/** The flat config of a stack: `namespace:key` -> raw value, plus the secret keys. */
export interface FlatConfig {
    config: Record<string, string>;
    secretKeys: string[];
}

/** Directory of the stack files. */
export const STACKS_DIR = path.resolve(__dirname, "..", "..", "stacks");

/** Names of the stacks that have a `stacks/Pulumi.<name>.yaml`. */
export function listStacks(dir = STACKS_DIR): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((n): n is string => n !== undefined)
        .sort();
}

/** Replaces `{ secure: ... }` leaves (which only the CLI can decrypt) with the secret placeholder. */
function stripSecure(value: unknown): { value: unknown; secret: boolean } {
    if (Array.isArray(value)) {
        const items = value.map(stripSecure);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (Object.keys(obj).length === 1 && typeof obj["secure"] === "string") return { value: SECRET_PLACEHOLDER, secret: true };
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) {
            const r = stripSecure(v);
            out[k] = r.value;
            secret ||= r.secret;
        }
        return { value: out, secret };
    }
    return { value, secret: false };
}

function qualify(key: string): string {
    return key.includes(":") ? key : `${CONFIG_NAMESPACE}:${key}`;
}

function encode(value: unknown): string {
    return typeof value === "string" ? value : value !== null && typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** Reads a stack file. Throws {@link InputError} when it is missing or malformed. */
export function readStackFile(stack: string, dir = STACKS_DIR): FlatConfig {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new InputError([`--stack ${stack}: no such stack file ${path.relative(process.cwd(), file)} (stacks: ${listStacks(dir).join(", ")})`]);
    }
    let doc: unknown;
    try {
        doc = parseYaml(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new InputError([yamlProblem(path.basename(file), e as Error)]);
    }
    const configSection = (doc as { config?: unknown } | null)?.config ?? {};
    if (typeof configSection !== "object" || configSection === null || Array.isArray(configSection)) {
        throw new InputError([`${path.basename(file)}: 'config' must be a map`]);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, raw] of Object.entries(configSection)) {
        const { value, secret } = stripSecure(raw);
        const k = qualify(key);
        config[k] = encode(value);
        if (secret) secretKeys.push(k);
    }
    return { config, secretKeys };
}

/** Parses `key.path=value` (value as a YAML scalar or flow collection). */
export function parseSet(expr: string): { path: string[]; value: unknown } {
    const eq = expr.indexOf("=");
    if (eq <= 0) throw new InputError([`--set ${expr}: expected <key.path>=<value>, e.g. prometheus.shards=8`]);
    const keyPath = expr.slice(0, eq);
    const path = keyPath.split(".");
    if (path.some((p) => p.length === 0) || keyPath.includes(":")) {
        throw new InputError([`--set ${expr}: '${keyPath}' is not a key path relative to the ${CONFIG_NAMESPACE} namespace (like prometheus.shards)`]);
    }
    const text = expr.slice(eq + 1);
    try {
        return { path, value: text === "" ? "" : parseYaml(text) };
    } catch {
        return { path, value: text };
    }
}

/**
 * A YAML error as one problem: the file, line and column, the parser's rule, and its code frame (the offending
 * line with a caret under the column), indented under the problem.
 */
export function yamlProblem(file: string, e: Error & { linePos?: Array<{ line: number; col: number }> }): string {
    const [first = "", ...frame] = e.message.split("\n");
    const at = e.linePos?.[0];
    const rule = first.replace(/ at line \d+, column \d+:?$/, "");
    const where = at !== undefined ? `${file}:${at.line}:${at.col}` : file;
    const lines = frame.filter((l) => l.trim() !== "").map((l) => `    ${l}`);
    return [`${where}: not valid YAML: ${rule}`, ...lines].join("\n");
}

/**
 * Applies `--set` overrides to a flat config, returning a new one. `secretSets` (`--set-secret`) are applied the
 * same way and make their top-level key a secret, as `pulumi config set --secret --path` does.
 */
export function applySets(flat: FlatConfig, sets: string[], secretSets: string[] = []): FlatConfig {
    const config = { ...flat.config };
    const secretKeys = new Set(flat.secretKeys);
    const problems: string[] = [];
    const secret = new Set(secretSets);
    for (const expr of [...sets, ...secretSets]) {
        let parsed: { path: string[]; value: unknown };
        try {
            parsed = parseSet(expr);
        } catch (e) {
            problems.push(...(e as InputError).problems);
            continue;
        }
        const [top, ...rest] = parsed.path as [string, ...string[]];
        const key = qualify(top);
        if (secret.has(expr)) secretKeys.add(key);
        if (rest.length === 0) {
            config[key] = encode(parsed.value);
            continue;
        }
        let root: unknown = {};
        if (config[key] !== undefined) {
            try {
                root = JSON.parse(config[key]!);
            } catch {
                root = config[key];
            }
        }
        if (typeof root !== "object" || root === null || Array.isArray(root)) {
            problems.push(`--set ${expr}: '${top}' is ${JSON.stringify(root)}, not a map, so '${parsed.path.join(".")}' cannot be set`);
            continue;
        }
        let node = root as Record<string, unknown>;
        let ok = true;
        for (const [i, seg] of rest.slice(0, -1).entries()) {
            const next = node[seg] ?? {};
            if (typeof next !== "object" || next === null || Array.isArray(next)) {
                problems.push(`--set ${expr}: '${[top, ...rest.slice(0, i + 1)].join(".")}' is ${JSON.stringify(next)}, not a map`);
                ok = false;
                break;
            }
            node[seg] = next;
            node = next as Record<string, unknown>;
        }
        if (!ok) continue;
        node[rest[rest.length - 1]!] = parsed.value;
        config[key] = JSON.stringify(root);
    }
    if (problems.length > 0) throw new InputError(problems);
    return { config, secretKeys: [...secretKeys] };
}
