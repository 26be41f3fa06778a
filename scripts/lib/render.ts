/**
 * The offline render: runs the real program under the mock runtime for one
 * stack and turns the captured resources into `resources.json`, one YAML file
 * per Kubernetes object, and a short summary.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { ConfigError } from "../../infra/config/load";
import { CapturedResource, captureResources } from "./capture";
import { applySets, InputError, readStackFile, STACKS_DIR } from "./stackConfig";

/** Options of {@link renderStack}. */
export interface RenderOptions {
    stack: string;
    sets?: string[];
    /** Overrides stored as secrets (`--set-secret`, like `pulumi config set --secret --path`). @default [] */
    secretSets?: string[];
    showSecrets?: boolean;
    /** Render as the first preview of a new stack (see {@link captureResources}). */
    preview?: boolean;
    /** Runs the program; e.g. `() => require("../infra")`. */
    program: () => unknown;
    stacksDir?: string;
}

/** One Kubernetes object and the file it is written to (relative to `manifests/`). */
export interface Manifest {
    file: string;
    object: Record<string, unknown>;
}

/** Everything a render produces, in memory. */
export interface RenderResult {
    resources: CapturedResource[];
    manifests: Manifest[];
    outputs: Record<string, unknown>;
}

/** A render that failed because of its inputs: the problems, one line each. */
export class RenderInputError extends Error {
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "RenderInputError";
    }
}

/** Renders one stack in memory. Throws {@link RenderInputError} for any configuration mistake. */
export async function renderStack(opts: RenderOptions): Promise<RenderResult> {
    let flat;
    try {
        flat = applySets(readStackFile(opts.stack, opts.stacksDir ?? STACKS_DIR), opts.sets ?? [], opts.secretSets ?? []);
    } catch (e) {
        if (e instanceof InputError) throw new RenderInputError(e.problems);
        throw e;
    }
    try {
        const { resources, outputs } = await captureResources(opts.program, {
            stack: opts.stack,
            config: flat.config,
            secretKeys: flat.secretKeys,
            showSecrets: opts.showSecrets ?? false,
            preview: opts.preview ?? false,
        });
        return { resources, manifests: kubernetesManifests(resources), outputs };
    } catch (e) {
        // Errors the program raises on purpose (pulumi.RunError, e.g. ConfigError) are for a person: no stack trace.
        if (pulumi.RunError.isInstance(e)) {
            const problems = (e as Partial<ConfigError>).problems;
            throw new RenderInputError(Array.isArray(problems) ? problems : [e.message]);
        }
        throw e;
    }
}

const KEY_ORDER = ["apiVersion", "kind", "metadata"];

/** Kubernetes objects among the captured resources (anything with apiVersion, kind and metadata.name). */
export function kubernetesManifests(resources: CapturedResource[]): Manifest[] {
    const manifests: Manifest[] = [];
    for (const r of resources) {
        if (!r.custom || !r.type.startsWith("kubernetes:")) continue;
        const { apiVersion, kind, metadata } = r.inputs as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
        if (!apiVersion || !kind || !metadata?.name) continue;
        const object: Record<string, unknown> = {};
        for (const k of KEY_ORDER) if (k in r.inputs) object[k] = r.inputs[k];
        for (const [k, v] of Object.entries(r.inputs)) if (!KEY_ORDER.includes(k)) object[k] = v;
        const scope = metadata.namespace ?? "_cluster";
        manifests.push({ file: `${scope}/${kind.toLowerCase()}-${metadata.name}.yaml`, object });
    }
    manifests.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    const seen = new Set<string>();
    for (const m of manifests) {
        if (seen.has(m.file)) throw new Error(`two Kubernetes objects render to ${m.file}; object names must be unique per kind and namespace`);
        seen.add(m.file);
    }
    return manifests;
}

/**
 * YAML that a YAML 1.1 reader (kubectl, PyYAML) reads exactly as a YAML 1.2
 * reader does: no anchors, no folding, strings that look like 1.1 booleans or
 * numbers quoted.
 */
export function toYaml(value: unknown): string {
    return stringify(value, {
        version: "1.1",
        aliasDuplicateObjects: false,
        lineWidth: 0,
        minContentWidth: 0,
        blockQuote: "literal",
        sortMapEntries: false,
    });
}

/** Writes a render to `outDir`: `resources.json` and `manifests/`; replaces what a previous render wrote there. */
export function writeRender(result: RenderResult, outDir: string): void {
    fs.mkdirSync(outDir, { recursive: true });
    const manifestsDir = path.join(outDir, "manifests");
    fs.rmSync(manifestsDir, { recursive: true, force: true });
    const entries = result.resources.map(({ type, name, parent, inputs, options }) => ({ type, name, parent, inputs, options }));
    fs.writeFileSync(path.join(outDir, "resources.json"), `${JSON.stringify(entries, null, 2)}\n`);
    for (const m of result.manifests) {
        const file = path.join(manifestsDir, m.file);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, toYaml(m.object));
    }
}

/** The summary a person reads at a glance: the component tree with child counts, then totals per type. */
export function summarize(stack: string, result: RenderResult): string {
    const lines: string[] = [];
    const children = new Map<string | null, CapturedResource[]>();
    for (const r of result.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const countBelow = (key: string): number => (children.get(key) ?? []).reduce((n, c) => n + 1 + countBelow(`${c.type}::${c.name}`), 0);
    const walk = (parent: string | null, indent: string) => {
        for (const r of children.get(parent) ?? []) {
            if (r.custom) continue;
            const key = `${r.type}::${r.name}`;
            const direct = (children.get(key) ?? []).filter((c) => c.custom).length;
            lines.push(`${indent}${r.name} (${r.type}): ${direct} resource${direct === 1 ? "" : "s"}, ${countBelow(key)} in all`);
            walk(key, `${indent}  `);
        }
    };
    lines.push(`stack ${stack}: ${result.resources.length} resources, ${result.manifests.length} Kubernetes objects`);
    walk(null, "  ");
    const totals = new Map<string, number>();
    for (const r of result.resources) totals.set(r.type, (totals.get(r.type) ?? 0) + 1);
    lines.push("by type:");
    for (const [type, n] of [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) lines.push(`  ${String(n).padStart(4)}  ${type}`);
    return lines.join("\n");
}
