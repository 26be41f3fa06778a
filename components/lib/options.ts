/**
 * Small helpers for resource options.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * Options with extra dependencies, keeping the `dependsOn` the options already carry (a list, one resource, or an
 * output of either).
 */
export function withDependencies(o: pulumi.CustomResourceOptions, deps: pulumi.Input<pulumi.Resource>[]): pulumi.CustomResourceOptions {
    const own = o.dependsOn;
    if (own === undefined) return { ...o, dependsOn: deps };
    if (Array.isArray(own)) return { ...o, dependsOn: [...(own as pulumi.Input<pulumi.Resource>[]), ...deps] };
    if (pulumi.Resource.isInstance(own)) return { ...o, dependsOn: [own, ...deps] };
    return { ...o, dependsOn: pulumi.output(o.dependsOn).apply((d) => [...(Array.isArray(d) ? d : [d]), ...deps]) as pulumi.Input<pulumi.Input<pulumi.Resource>[]> };
}
