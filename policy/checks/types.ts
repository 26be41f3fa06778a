/**
 * Policies as plain functions, so the same checks run in CrossGuard
 * (`pulumi preview --policy-pack policy`) and offline over every stack's render.
 */

/** What a check sees of one resource (a Pulumi resource's type, name and inputs). */
export interface ResourceView {
    type: string;
    name: string;
    props: Record<string, unknown>;
}

/** A check over one resource; returns one message per violation. */
export interface ResourceCheck {
    kind: "resource";
    name: string;
    description: string;
    check(resource: ResourceView): string[];
}

/** A check over the whole stack; returns one message per violation, each naming the resource. */
export interface StackCheck {
    kind: "stack";
    name: string;
    description: string;
    check(resources: ResourceView[]): string[];
}

/** Any check. */
export type Check = ResourceCheck | StackCheck;

/** A check's violation, for reports. */
export interface Violation {
    policy: string;
    message: string;
}

/** Runs every check over a set of resources. */
export function evaluate(checks: readonly Check[], resources: ResourceView[]): Violation[] {
    const out: Violation[] = [];
    for (const c of checks) {
        if (c.kind === "resource") {
            for (const r of resources) for (const message of c.check(r)) out.push({ policy: c.name, message: `${r.type}::${r.name}: ${message}` });
        } else {
            for (const message of c.check(resources)) out.push({ policy: c.name, message });
        }
    }
    return out;
}

/** Narrowing helpers for untyped inputs. */
export function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `obj.a.b.c` or undefined. */
export function at(obj: unknown, ...path: string[]): unknown {
    let cur: unknown = obj;
    for (const p of path) {
        if (!isRecord(cur)) return undefined;
        cur = cur[p];
    }
    return cur;
}

/** An array (or empty). */
export function list(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
}

/** A string or undefined. */
export function str(v: unknown): string | undefined {
    return typeof v === "string" ? v : undefined;
}
