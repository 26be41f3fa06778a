/**
 * Field-level differences between two renders (`resources.json` arrays).
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

/** Differences between two renders. */
export interface RenderDiff {
    added: RenderedResource[];
    removed: RenderedResource[];
    changed: Array<{ resource: RenderedResource; changes: FieldChange[] }>;
    unchanged: number;
}

const ABSENT = Symbol("absent");

function key(r: RenderedResource): string {
    return `${r.type}::${r.name}`;
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
    const diff: RenderDiff = { added: [], removed: [], changed: [], unchanged: 0 };
    for (const r of head) {
        const old = baseByKey.get(key(r));
        if (!old) {
            diff.added.push(r);
            continue;
        }
        const changes = [
            ...fieldChanges({ parent: old.parent, options: old.options }, { parent: r.parent, options: r.options }),
            ...fieldChanges(old.inputs, r.inputs, "inputs"),
        ];
        if (changes.length > 0) diff.changed.push({ resource: r, changes });
        else diff.unchanged++;
    }
    for (const r of base) if (!headByKey.has(key(r))) diff.removed.push(r);
    return diff;
}


function show(v: unknown): string {
    if (v === undefined) return "(absent)";
    const s = JSON.stringify(v, (_, x: unknown) => (isSecretPlaceholder(x) ? "[secret]" : x));
    return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

/** One changed field as a line; a changed secret shows that it changed, never its value. */
function changeLine(c: FieldChange): string {
    const note = isSecretPlaceholder(c.before) && isSecretPlaceholder(c.after) ? " (secret changed)" : "";
    return `    ${c.path}: ${show(c.before)} -> ${show(c.after)}${note}`;
}

/** The one-line summary. */
export function summaryLine(d: RenderDiff): string {
    const total = d.added.length + d.changed.length + d.unchanged;
    return `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.unchanged} unchanged (${total} resources after the change)`;
}

/** A readable report: added, removed, then changed objects with their changed fields, then the summary. */
export function formatDiff(d: RenderDiff): string {
    const lines: string[] = [];
    for (const r of d.added) lines.push(`+ ${key(r)}`);
    for (const r of d.removed) lines.push(`- ${key(r)}`);
    for (const { resource, changes } of d.changed) {
        lines.push(`~ ${key(resource)}`);
        for (const c of changes) lines.push(changeLine(c));
    }
    if (lines.length === 0) lines.push("no changes");
    lines.push(summaryLine(d));
    return lines.join("\n");
}
