/**
 * Small helpers for resource options.
 */
import * as pulumi from "@pulumi/pulumi";

/** Options with extra dependencies, keeping the `dependsOn` the options already carry. */
export function withDependencies(o: pulumi.CustomResourceOptions, deps: pulumi.Input<pulumi.Resource>[]): pulumi.CustomResourceOptions {
    const own = o.dependsOn;
    if (own === undefined) return { ...o, dependsOn: deps };
    return { ...o, dependsOn: pulumi.output(own).apply((d) => [...(Array.isArray(d) ? d : [d]), ...deps]) as pulumi.Input<pulumi.Input<pulumi.Resource>[]> };
}
