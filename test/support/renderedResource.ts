/**
 * Entries of a render's resources.json, for the tests of the diff.
 */
import type { RenderedResource } from "../../scripts/lib/diff";

/** A resource of `type` with `inputs`, no parent, `protect: false`. */
export function res(name: string, inputs: Record<string, unknown>, type = "kubernetes:apps/v1:Deployment"): RenderedResource {
    return { type, name, parent: null, inputs, options: { protect: false } };
}

/** `r` with more options. */
export function withOptions(r: RenderedResource, options: Record<string, unknown>): RenderedResource {
    return { ...r, options: { ...r.options, ...options } };
}
