/**
 * Helpers for adding dependencies to a child on top of the component's own `dependsOn`.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Options for a child that also waits for `extra` (besides everything in `base.dependsOn`). */
export function withExtraDependencies(base: pulumi.CustomResourceOptions, extra: pulumi.Resource[]): pulumi.CustomResourceOptions {
    const own = base.dependsOn;
    const list: pulumi.Input<pulumi.Resource>[] = own === undefined ? [] : Array.isArray(own) ? [...(own as pulumi.Input<pulumi.Resource>[])] : [own as pulumi.Input<pulumi.Resource>];
    return { ...base, dependsOn: [...list, ...extra] };
}
