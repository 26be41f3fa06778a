/**
 * ThanosStack: the whole metrics stack in one component.
 */
import * as pulumi from "@pulumi/pulumi";
import { Namespace } from "@pulumi/kubernetes/core/v1";
import { DEFAULTS } from "./defaults";
import { buildNamespace } from "./namespace";
import { childOptions, requireProvider } from "./lib/providers";
// [object-storage] imports
// [prometheus] imports
// [thanos] imports

/** Arguments of {@link ThanosStack}. */
export interface ThanosStackArgs {
    /** Environment name (`dev`, `prod`, ...); the `environment` external label on every block. */
    environment: string;
    /** Cluster name; the `cluster` external label on every block. */
    clusterName: string;
    /**
     * Namespace that holds every object of the stack. It is created by the component and labelled
     * for Pod Security Admission "restricted" enforcement.
     * @default "monitoring"
     */
    namespace?: string;
    /**
     * Protect stateful resources (the bucket, volumes) from `pulumi destroy`.
     * @default false
     */
    protect?: boolean;
    /**
     * Whether the stack uses AWS (an S3 bucket and IAM roles). When true, an explicit `aws` provider
     * must be passed in `opts.providers`.
     * @default false
     */
    usesAws?: boolean;
    // [object-storage] args
    // [prometheus] args
    // [thanos] args
}

/**
 * The Thanos metrics stack. Requires explicit providers in `opts.providers`:
 * `kubernetes` always, `aws` when {@link ThanosStackArgs.usesAws} is true.
 */
export class ThanosStack extends pulumi.ComponentResource {
    /** Name of the namespace that holds the stack. */
    public readonly namespaceName: pulumi.Output<string>;
    // [object-storage] outputs
    // [prometheus] outputs
    // [thanos] outputs

    constructor(name: string, args: ThanosStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:ThanosStack", name, args, opts);
        requireProvider(this, "kubernetes", "ThanosStack");
        if (args.usesAws) requireProvider(this, "aws", "ThanosStack");

        const namespaceName = args.namespace ?? DEFAULTS.namespace;
        const namespace = new Namespace(`${name}-namespace`, buildNamespace(namespaceName, name), { parent: this });
        this.namespaceName = namespace.metadata.name;
        /** Options for child components: everything waits for the namespace. */
        const inNamespace: pulumi.ComponentResourceOptions = { parent: this, dependsOn: [namespace] };
        void childOptions;
        void inNamespace;

        // [object-storage] wiring

        // [prometheus] wiring

        // [thanos] wiring

        this.registerOutputs({ namespaceName: this.namespaceName });
    }
}
