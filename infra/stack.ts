/**
 * Builds the stack from the validated configuration: explicit providers, then
 * the ThanosStack component. No resource is created before the configuration
 * has been validated.
 */
import * as pulumi from "@pulumi/pulumi";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { ThanosStack } from "../components/thanosStack";
import type { StackConfig } from "./config/schema";

/** Name of the top-level component; child names derive from it. */
export const STACK_COMPONENT_NAME = "thanos";

/** The providers of a stack: Kubernetes always, AWS only when the bucket is on S3. */
export function buildProviders(config: StackConfig): { kubernetes: KubernetesProvider; aws?: AwsProvider } {
    const kubernetes = new KubernetesProvider("kubernetes", {
        ...(config.cluster.context !== undefined ? { context: config.cluster.context } : {}),
        ...(config.cluster.kubeconfig !== undefined ? { kubeconfig: config.cluster.kubeconfig } : {}),
        enableServerSideApply: true,
    });
    if (config.objectStorage.provider !== "s3") return { kubernetes };
    const aws = new AwsProvider("aws", {
        region: config.aws.region!,
        defaultTags: { tags: { "thanos-stack:environment": config.environment, ...config.aws.tags } },
    });
    return { kubernetes, aws };
}

/** Creates every resource of the stack. */
export function buildStack(config: StackConfig): ThanosStack {
    const providers = buildProviders(config);
    const opts: pulumi.ComponentResourceOptions = { providers: { ...providers } };
    return new ThanosStack(
        STACK_COMPONENT_NAME,
        {
            environment: config.environment,
            clusterName: config.cluster.name,
            namespace: config.namespace,
            protect: config.protect,
            usesAws: providers.aws !== undefined,
            // [object-storage] args
            // [prometheus] args
            // [thanos] args
        },
        opts,
    );
}
