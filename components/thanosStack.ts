/**
 * ThanosStack: the whole metrics stack in one component.
 */
import * as pulumi from "@pulumi/pulumi";
import { Namespace } from "@pulumi/kubernetes/core/v1";
import { DEFAULTS } from "./defaults";
import { buildNamespace } from "./namespace";
import { childOptions, requireProvider } from "./lib/providers";
// [object-storage] imports
import { Secret, SecretArgs } from "@pulumi/kubernetes/core/v1";
import { Provider as RandomProvider } from "@pulumi/random/provider";
import { BucketAccess } from "./bucketAccess";
import { MinioObjectStorage } from "./minio";
import { buildObjstoreConfig, buildObjstoreSecret, objstoreSecretRef, renderObjstoreYaml } from "./objstoreConfig";
import { ThanosBucket } from "./s3Bucket";
import type { BucketUser, ObjstoreSecretRef } from "./lib/contracts";
import { ObjectStorageSettings, objectStorageSettingsProblems, showValue } from "./lib/objectStorage";
import { kubeArgs } from "./lib/thanos";
// [prometheus] imports
import { Alertmanager, alertmanagerUrl, type AlertmanagerArgs } from "./alertmanager";
import { PodMonitor, type PodMonitorArgs } from "./podMonitor";
import { PrometheusOperator, type PrometheusOperatorArgs } from "./prometheusOperator";
import { PrometheusRule, type PrometheusRuleArgs } from "./prometheusRule";
import { Pushgateway, type PushgatewayArgs } from "./pushgateway";
import { ServiceMonitor, type ServiceMonitorArgs } from "./serviceMonitor";
import { ShardedPrometheus, type ShardedPrometheusArgs } from "./shardedPrometheus";
import { queryFrontendUrl } from "./queryFrontend";
import { ruleLabels } from "./lib/monitoringTypes";
// [thanos] imports
import { ThanosSelfMonitoring, thanosScrapeTargets } from "./thanosSelfMonitoring";
import { compactVolumeClaimRegex } from "./monitoring/thanosRules";
import { ThanosCompactor } from "./compactor";
import { ThanosQuerier } from "./querier";
import { ThanosQueryFrontend } from "./queryFrontend";
import { ThanosRuler } from "./ruler";
import { ThanosStoreGateway } from "./storeGateway";
import { assertThanosStack, planThanosStack, thanosStackContext, type ThanosSettings, type ThanosStackPlan } from "./thanosPlan";
import type { StoreEndpoint } from "./lib/contracts";

/** The stack's self-monitoring switches. */
export interface SelfMonitoringSettings {
    /**
     * Create the ServiceMonitors, PrometheusRules and dashboards.
     * @default true
     */
    enabled?: boolean;
    /**
     * Ship the Grafana dashboards as ConfigMaps for the chart's dashboard sidecar.
     * @default true
     */
    dashboards?: boolean;
    /**
     * Base URL of the runbooks; alert `runbook_url`s point at `<base>#<alert>`.
     * @default "docs/runbooks.md" (relative to this repository)
     */
    runbookBaseUrl?: string;
}

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
    /**
     * The bucket behind Thanos: an S3 bucket with per-component IAM roles (`provider: "s3"`, needs
     * {@link usesAws} and `region`), or in-cluster MinIO (`provider: "minio"`, local development).
     */
    objectStorage: ObjectStorageSettings;
    // [prometheus] args
    /**
     * The sharded Prometheus (shards, replicas, retention, storage, resources, compaction, external labels,
     * remote write). Cluster/environment labels, the objstore Secret, the ServiceAccount and Alertmanager are wired
     * by the stack.
     * @default production defaults (components/defaults.ts)
     */
    prometheus?: Omit<ShardedPrometheusArgs, "namespace" | "clusterName" | "environment" | "objstoreSecret" | "serviceAccountName" | "alertmanager" | "monitor">;
    /**
     * The Prometheus Operator (kube-prometheus-stack). `install: false` when an Operator already runs.
     * @default installed, Grafana on, datasource = the stack's query-frontend
     */
    operator?: Omit<PrometheusOperatorArgs, "namespace" | "monitor" | "alertmanagerUrl">;
    /**
     * Alertmanager (replicas, receivers, routes, storage, resources).
     * @default 2 replicas, a `null` receiver
     */
    alertmanager?: Omit<AlertmanagerArgs, "namespace" | "monitor">;
    /**
     * The Pushgateway; `enabled: false` leaves it out.
     * @default enabled, no persistence
     */
    pushgateway?: Omit<PushgatewayArgs, "namespace" | "monitor"> & { enabled?: boolean };
    /**
     * Team ServiceMonitors, PodMonitors and PrometheusRules created with the stack (keyed by component name).
     * @default none
     */
    monitoring?: {
        serviceMonitors?: Record<string, ServiceMonitorArgs>;
        podMonitors?: Record<string, PodMonitorArgs>;
        rules?: Record<string, PrometheusRuleArgs>;
    };
    // [thanos] args
    /**
     * The stack's own monitoring: ServiceMonitors for every Thanos component (job names matching the Thanos
     * mixin), the Thanos alerts and recording rules (each with a runbook link) and the Grafana dashboards.
     * @default { enabled: true, dashboards: true }
     */
    selfMonitoring?: SelfMonitoringSettings;
    /**
     * The Thanos read and maintenance path: store gateway, querier, query-frontend, compactor, ruler.
     * @default production defaults for every component (see components/defaults.ts)
     */
    thanos?: ThanosSettings;
}

/**
 * The Thanos metrics stack. Requires explicit providers in `opts.providers`:
 * `kubernetes` always, `aws` when {@link ThanosStackArgs.usesAws} is true.
 */
export class ThanosStack extends pulumi.ComponentResource {
    /** Name of the namespace that holds the stack. */
    public readonly namespaceName: pulumi.Output<string>;
    // [object-storage] outputs
    /** The Secret (name and key) with the Thanos objstore configuration; every bucket user mounts it. */
    public readonly objstoreSecret: ObjstoreSecretRef;
    /** The ServiceAccount each bucket user must run as (its IAM role trusts exactly this one). */
    public readonly serviceAccountNames: Record<BucketUser, string>;
    /** ServiceAccounts and IAM roles of the bucket users. */
    public readonly bucketAccess: BucketAccess;
    /** The S3 bucket (provider `s3`). */
    public readonly bucket?: ThanosBucket;
    /** The in-cluster MinIO (provider `minio`). */
    public readonly minio?: MinioObjectStorage;
    // [prometheus] outputs
    /** The Prometheus Operator component (kube-prometheus-stack). */
    public readonly prometheusOperator: PrometheusOperator;
    /** The sharded Prometheus. */
    public readonly prometheus: ShardedPrometheus;
    /** Alertmanager. */
    public readonly alertmanager: Alertmanager;
    /** The Pushgateway (unless disabled). */
    public readonly pushgateway?: Pushgateway;
    /** The Prometheus replica external label: the querier deduplicates on exactly it. */
    public readonly prometheusReplicaLabel: string;
    /** The sidecars' StoreAPI (one DNS SRV name for every shard and replica; group false). */
    public readonly sidecarEndpoints: StoreEndpoint[];
    /** Alertmanager API base URL (senders use API v2). */
    public readonly alertmanagerUrl: string;
    /** Name of the Alertmanager (headless) Service (port `web`). */
    public readonly alertmanagerServiceName: string;
    /** Every Alertmanager replica as a DNS SRV address, for the ruler (`dnssrv+_web._tcp.<service>...`). */
    public readonly alertmanagerAddresses: string[];
    /** Labels of PrometheusRules evaluated in each shard (the Prometheus resource's ruleSelector). */
    public readonly shardRuleSelector: Record<string, string>;
    /** Labels of PrometheusRules the Thanos ruler must select (`global` scope). */
    public readonly globalRuleSelector: Record<string, string>;
    // [thanos] outputs
    /** In-cluster URL of the query-frontend (Grafana's datasource). */
    public readonly queryFrontendUrl: string;
    /** In-cluster URL of the querier. */
    public readonly querierUrl: string;
    /** Every StoreAPI the querier reaches. */
    public readonly querierEndpoints: StoreEndpoint[];

    constructor(name: string, args: ThanosStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:ThanosStack", name, args, opts);
        requireProvider(this, "kubernetes", "ThanosStack");
        if (args.usesAws) requireProvider(this, "aws", "ThanosStack");
        // [thanos] invariants: every Thanos component's Args and the GUIDE §3 invariants, before any child exists.
        const thanosPlan: ThanosStackPlan = planThanosStack(
            thanosStackContext(name, { environment: args.environment, clusterName: args.clusterName, namespace: args.namespace ?? DEFAULTS.namespace }),
            args.thanos,
        );
        assertThanosStack(thanosPlan);

        const namespaceName = args.namespace ?? DEFAULTS.namespace;
        const namespace = new Namespace(`${name}-namespace`, buildNamespace(namespaceName, name), { parent: this });
        this.namespaceName = namespace.metadata.name;
        /** Options for child components: everything waits for the namespace. */
        const inNamespace: pulumi.ComponentResourceOptions = { parent: this, dependsOn: [namespace] };
        void childOptions;
        void inNamespace;

        // [object-storage] wiring
        const storage = args.objectStorage;
        const storageProblem = objectStorageSettingsProblems(storage)[0];
        if (storageProblem) {
            throw new pulumi.RunError(`ThanosStack objectStorage.${storageProblem.path.join(".")}: ${storageProblem.message}, got ${showValue(storageProblem.input)}`);
        }
        if (storage.provider === "s3" && !args.usesAws) {
            throw new pulumi.RunError(`ThanosStack objectStorage.provider: s3 needs usesAws true and an explicit aws provider, got "s3"`);
        }
        this.objstoreSecret = objstoreSecretRef(name);
        let objstoreYaml: pulumi.Output<string>;
        if (storage.provider === "s3") {
            const region = storage.region!;
            this.bucket = new ThanosBucket(
                `${name}-storage`,
                {
                    bucketName: storage.bucketName,
                    region,
                    protect: args.protect ?? false,
                    ...(storage.encryption !== undefined ? { encryption: storage.encryption } : {}),
                    ...(storage.versioning !== undefined ? { versioning: storage.versioning } : {}),
                    ...(storage.lifecycle !== undefined ? { lifecycle: storage.lifecycle } : {}),
                    ...(storage.replication !== undefined ? { replication: storage.replication } : {}),
                    ...(storage.accessLogging !== undefined ? { accessLogging: storage.accessLogging } : {}),
                    ...(storage.tags !== undefined ? { tags: storage.tags } : {}),
                },
                { parent: this },
            );
            this.bucketAccess = new BucketAccess(
                `${name}-access`,
                {
                    stackName: name,
                    namespace: namespaceName,
                    aws: {
                        bucketArn: this.bucket.bucketArn,
                        ...(this.bucket.kmsKeyArn !== undefined ? { kmsKeyArn: this.bucket.kmsKeyArn } : {}),
                        identity: storage.identity ?? DEFAULTS.objectStorage.identity,
                        eks: storage.eks ?? {},
                        tags: storage.tags ?? {},
                    },
                },
                inNamespace,
            );
            objstoreYaml = (this.bucket.kmsKeyArn ?? pulumi.output("")).apply((kmsKeyArn) =>
                renderObjstoreYaml(buildObjstoreConfig({ kind: "aws", bucket: storage.bucketName, region, ...(kmsKeyArn ? { kmsKeyArn } : {}) })),
            );
        } else {
            // The random provider has no settings: an explicit one is made here unless the caller passed one.
            const random = this.getProvider("random::") ?? new RandomProvider(`${name}-random`, {}, { parent: this });
            const minio = new MinioObjectStorage(
                `${name}-minio`,
                {
                    namespace: namespaceName,
                    bucketName: storage.bucketName,
                    instance: name,
                    ...(storage.minio?.storage !== undefined ? { storage: storage.minio.storage } : {}),
                    ...(storage.minio?.resources !== undefined ? { resources: storage.minio.resources } : {}),
                },
                { ...inNamespace, providers: { random } },
            );
            this.minio = minio;
            this.bucketAccess = new BucketAccess(`${name}-access`, { stackName: name, namespace: namespaceName }, inNamespace);
            objstoreYaml = pulumi
                .all([minio.accessKey, minio.secretKey])
                .apply(([accessKey, secretKey]) =>
                    renderObjstoreYaml(buildObjstoreConfig({ kind: "minio", bucket: storage.bucketName, service: minio.serviceName, namespace: namespaceName, accessKey, secretKey })),
                );
        }
        this.serviceAccountNames = this.bucketAccess.serviceAccountNames;
        new Secret(
            `${name}-objstore-secret`,
            kubeArgs<SecretArgs>(buildObjstoreSecret({ ref: this.objstoreSecret, namespace: namespaceName, instance: name, yaml: pulumi.secret(objstoreYaml) })),
            { ...childOptions(this, inNamespace), additionalSecretOutputs: ["data", "stringData"] },
        );

        // [prometheus] wiring
        {
            const monitoring = args.monitoring ?? {};
            this.prometheusOperator = new PrometheusOperator(
                `${name}-operator`,
                {
                    namespace: namespaceName,
                    grafanaDatasourceUrl: queryFrontendUrl(thanosPlan.names.queryFrontend, namespaceName),
                    ...args.operator,
                    alertmanagerUrl: alertmanagerUrl(`${name}-alertmanager`, namespaceName),
                },
                inNamespace,
            );
            // Custom resources wait for the Operator's CRDs; the Prometheus pods for their ServiceAccount and Secret.
            const afterOperator: pulumi.ComponentResourceOptions = { parent: this, dependsOn: [namespace, this.prometheusOperator] };
            this.alertmanager = new Alertmanager(`${name}-alertmanager`, { namespace: namespaceName, ...args.alertmanager }, afterOperator);
            this.alertmanagerUrl = this.alertmanager.url;
            this.alertmanagerServiceName = this.alertmanager.serviceName;
            this.alertmanagerAddresses = [this.alertmanager.srvAddress];
            this.prometheus = new ShardedPrometheus(
                `${name}-prometheus`,
                {
                    ...args.prometheus,
                    namespace: namespaceName,
                    clusterName: args.clusterName,
                    environment: args.environment,
                    objstoreSecret: this.objstoreSecret,
                    serviceAccountName: this.serviceAccountNames.prometheus,
                    alertmanager: { namespace: namespaceName, serviceName: this.alertmanager.serviceName, port: this.alertmanager.portName },
                },
                { parent: this, dependsOn: [namespace, this.prometheusOperator, this.bucketAccess] },
            );
            this.prometheusReplicaLabel = this.prometheus.replicaLabel;
            this.sidecarEndpoints = this.prometheus.storeEndpoints;
            this.shardRuleSelector = this.prometheus.ruleSelector;
            this.globalRuleSelector = ruleLabels("global");
            const { enabled: pushgatewayEnabled = true, ...pushgateway } = args.pushgateway ?? {};
            if (pushgatewayEnabled) this.pushgateway = new Pushgateway(`${name}-pushgateway`, { namespace: namespaceName, ...pushgateway }, afterOperator);
            // Team objects keep their key as Kubernetes name; the Pulumi names derive from the stack's.
            for (const [key, sm] of Object.entries(monitoring.serviceMonitors ?? {})) new ServiceMonitor(`${name}-${key}`, { name: key, ...sm }, afterOperator);
            for (const [key, pm] of Object.entries(monitoring.podMonitors ?? {})) new PodMonitor(`${name}-${key}`, { name: key, ...pm }, afterOperator);
            for (const [key, rule] of Object.entries(monitoring.rules ?? {})) new PrometheusRule(`${name}-${key}`, { name: key, ...rule }, afterOperator);
        }

        // [thanos] wiring
        // Re-plan with what the other parts actually expose and check again (the early plan derived the same names).
        const thanos = planThanosStack(
            {
                ...thanosPlan.context,
                objstoreSecret: this.objstoreSecret,
                serviceAccountNames: this.serviceAccountNames,
                sidecarEndpoints: this.sidecarEndpoints,
                prometheusReplicaLabel: this.prometheusReplicaLabel,
                prometheusExternalLabels: this.prometheus.externalLabels,
                alertmanagerAddresses: this.alertmanagerAddresses,
            },
            args.thanos,
        );
        assertThanosStack(thanos);
        new ThanosCompactor(thanos.names.compact, thanos.compactor, inNamespace);
        new ThanosStoreGateway(thanos.names.store, thanos.storeGateway, inNamespace);
        const thanosQuerier = new ThanosQuerier(thanos.names.query, thanos.querier, inNamespace);
        const thanosQueryFrontend = new ThanosQueryFrontend(thanos.names.queryFrontend, thanos.queryFrontend, inNamespace);
        // The ThanosRuler resource needs the Operator's CRDs.
        new ThanosRuler(thanos.names.rule, thanos.ruler, { parent: this, dependsOn: [namespace, this.prometheusOperator] });
        this.queryFrontendUrl = thanosQueryFrontend.url;
        this.querierUrl = thanosQuerier.url;
        this.querierEndpoints = thanos.querier.endpoints;

        // Self-monitoring: after the Thanos components, whose job names it scrapes, and the Operator's CRDs.
        if (args.selfMonitoring?.enabled ?? true) {
            new ThanosSelfMonitoring(
                `${name}-selfmon`,
                {
                    namespace: namespaceName,
                    targets: thanosScrapeTargets({ sidecarSelector: this.prometheus.sidecarServiceSelector }),
                    compactVolumeClaimRegex: compactVolumeClaimRegex(thanos.names.compact),
                    dashboards: args.selfMonitoring?.dashboards ?? true,
                    ...(args.selfMonitoring?.runbookBaseUrl ? { runbookBaseUrl: args.selfMonitoring.runbookBaseUrl } : {}),
                },
                { parent: this, dependsOn: [namespace, this.prometheusOperator] },
            );
        }

        this.registerOutputs({ namespaceName: this.namespaceName });
    }
}
