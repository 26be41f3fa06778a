/**
 * Builds the stack from the validated configuration: explicit providers, then
 * the ThanosStack component. No resource is created before the configuration
 * has been validated.
 */
import * as pulumi from "@pulumi/pulumi";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Provider as RandomProvider } from "@pulumi/random/provider";
import { ThanosStack } from "../components/thanosStack";
import type { StackConfig } from "./config/schema";
// [prometheus] imports
import { teamMonitoring } from "./teams";
// [multi-cluster] imports
import { centralFromConfig, collectorExposureFromConfig, uiFromConfig } from "./multiCluster";
// [thanos] imports
import { checkThanosConfig, thanosSettingsFromConfig } from "./thanos";

/** Name of the top-level component; child names derive from it. */
export const STACK_COMPONENT_NAME = "thanos";

/** The providers of a stack: Kubernetes always, AWS only when the bucket is on S3. */
export function buildProviders(config: StackConfig): { kubernetes: KubernetesProvider; aws?: AwsProvider; random?: RandomProvider } {
    const kubernetes = new KubernetesProvider("kubernetes", {
        ...(config.cluster.context !== undefined ? { context: config.cluster.context } : {}),
        ...(config.cluster.kubeconfig !== undefined ? { kubeconfig: config.cluster.kubeconfig } : {}),
        enableServerSideApply: true,
    });
    // In-cluster MinIO generates its credentials with the random provider (which has no settings).
    if (config.objectStorage.provider !== "s3") return { kubernetes, random: new RandomProvider("random", {}) };
    const aws = new AwsProvider("aws", {
        region: config.aws.region!,
        defaultTags: { tags: { "thanos-stack:environment": config.environment, ...config.aws.tags } },
    });
    return { kubernetes, aws };
}

/** Creates every resource of the stack. */
export function buildStack(config: StackConfig): ThanosStack {
    // [thanos] the Thanos components' Args and the stack invariants, before any provider exists.
    checkThanosConfig(config, STACK_COMPONENT_NAME);
    // [prometheus] team monitors and rules, every PromQL expression parsed, before any provider exists.
    const monitoring = teamMonitoring(config);
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
            objectStorage: {
                ...config.objectStorage,
                ...(config.aws.region !== undefined ? { region: config.aws.region } : {}),
                ...(config.cluster.eks !== undefined ? { eks: config.cluster.eks } : {}),
            },
            // [prometheus] args
            prometheus: {
                shards: config.prometheus.shards,
                replicas: config.prometheus.replicas,
                retention: config.prometheus.retention,
                storage: config.prometheus.storage,
                resources: config.prometheus.resources,
                sidecarResources: config.prometheus.sidecarResources,
                compaction: config.prometheus.compaction,
                externalLabels: config.prometheus.externalLabels,
                remoteWrite: config.prometheus.remoteWrite,
                scrapeInterval: config.prometheus.scrapeInterval,
                evaluationInterval: config.prometheus.evaluationInterval,
            },
            operator: {
                install: config.operator.install,
                grafana: config.operator.grafana,
                resources: config.operator.resources,
                ...(config.operator.grafanaDatasourceUrl !== undefined ? { grafanaDatasourceUrl: config.operator.grafanaDatasourceUrl } : {}),
            },
            alertmanager: {
                replicas: config.alertmanager.replicas,
                retention: config.alertmanager.retention,
                storage: config.alertmanager.storage,
                resources: config.alertmanager.resources,
                receivers: config.alertmanager.receivers,
                ...(config.alertmanager.route !== undefined ? { route: config.alertmanager.route } : {}),
            },
            pushgateway: {
                enabled: config.pushgateway.enabled,
                resources: config.pushgateway.resources,
                persistence: config.pushgateway.persistence,
            },
            monitoring,
            // [thanos] args
            thanos: thanosSettingsFromConfig(config),
            selfMonitoring: config.selfMonitoring,
            // [multi-cluster] args
            role: config.role,
            ...(config.role === "collector" ? { collector: { exposure: collectorExposureFromConfig(config) } } : {}),
            ...(config.role === "central" ? { central: centralFromConfig(config) } : {}),
            // [ui-access] args
            ...(config.ui.enabled ? { ui: uiFromConfig(config) } : {}),
            // [hardening] args
            priorityClass: config.priorityClass,
            networkPolicies: config.networkPolicies,
        },
        opts,
    );
}
