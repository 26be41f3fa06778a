/**
 * Standard Kubernetes metadata for everything the stack creates.
 */
import type { ObjectMeta } from "kubernetes-types/meta/v1";
import { LABELS, MANAGED_BY, PART_OF } from "../constants";

/** The selector labels of one component instance (stable across upgrades: no version in them). */
export function selectorLabels(component: string, instance: string): Record<string, string> {
    return {
        [LABELS.name]: component,
        [LABELS.instance]: instance,
    };
}

/** Selector labels plus the informational labels every object carries. */
export function standardLabels(component: string, instance: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
        ...selectorLabels(component, instance),
        [LABELS.component]: component,
        [LABELS.partOf]: PART_OF,
        [LABELS.managedBy]: MANAGED_BY,
        ...extra,
    };
}

/** Metadata with an explicit name, namespace and the standard labels. */
export function objectMeta(opts: {
    name: string;
    namespace?: string;
    component: string;
    instance: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}): ObjectMeta {
    const meta: ObjectMeta = {
        name: opts.name,
        labels: standardLabels(opts.component, opts.instance, opts.labels),
    };
    if (opts.namespace !== undefined) meta.namespace = opts.namespace;
    if (opts.annotations && Object.keys(opts.annotations).length > 0) meta.annotations = opts.annotations;
    return meta;
}
