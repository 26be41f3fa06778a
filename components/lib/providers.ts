/**
 * Components never fall back to Pulumi's ambient default providers: the
 * program passes explicit providers (built from the stack configuration).
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * Returns the explicit provider for `pkg` that `resource` received through
 * `opts.providers` (directly or from a parent), or fails with a clear error.
 */
export function requireProvider(resource: pulumi.Resource, pkg: string, component: string): pulumi.ProviderResource {
    const provider = resource.getProvider(`${pkg}::`);
    if (!provider) {
        throw new pulumi.RunError(
            `${component}: no explicit '${pkg}' provider. Pass one in opts.providers ` +
                `(e.g. { providers: { ${pkg}: myProvider } }); the ambient default provider is never used.`,
        );
    }
    return provider;
}

/**
 * Options for the children of a component: `{ parent }`, plus the component's
 * own `dependsOn` so that everything it creates waits for the same resources
 * (e.g. the namespace).
 */
export function childOptions(parent: pulumi.ComponentResource, opts?: pulumi.ComponentResourceOptions): pulumi.CustomResourceOptions {
    return opts?.dependsOn !== undefined ? { parent, dependsOn: opts.dependsOn } : { parent };
}

/**
 * Refuses a component's arguments before it creates anything: one line per problem, each naming the
 * component (`ThanosQuerier endpoints: must ..., got ...`), like the stack configuration's errors.
 */
export function refuseProblems(component: string, problems: readonly string[]): void {
    if (problems.length === 0) return;
    throw new pulumi.RunError(problems.map((p) => (p.startsWith(`${component} `) ? p : `${component} ${p}`)).join("\n"));
}
