/**
 * ThanosStack: the whole metrics stack in one component.
 */
import * as pulumi from "@pulumi/pulumi";
import { Namespace } from "@pulumi/kubernetes/core/v1";
import { DEFAULTS } from "../defaults";
import { buildNamespace } from "./namespace";
import { childOptions, requireProvider } from "../lib/providers";
import { Secret, SecretArgs } from "@pulumi/kubernetes/core/v1";
import { BucketAccess } from "../storage/bucketAccess";
import { VersityObjectStorage } from "../storage/versitygw";
import { DYNAMIC_PROVIDER_PACKAGE, DynamicProvider } from "../lib/generatedSecret";
import { buildObjstoreConfig, buildObjstoreSecret, objstoreSecretRef, renderObjstoreYaml } from "../storage/objstoreConfig";
import { ThanosBucket } from "../storage/s3Bucket";
import type { BucketUserNames, ObjstoreSecretRef } from "../lib/contracts";
import { ObjectStorageSettings, objectStorageSettingsProblems, showValue } from "../lib/objectStorage";
import { kubeArgs } from "../lib/thanos";
import { Alertmanager, alertmanagerUrl, receiverUrls, type AlertmanagerSettings } from "../prometheus/alertmanager";
import { PodMonitor, type PodMonitorArgs } from "../teams/podMonitor";
import { PrometheusOperator, type PrometheusOperatorSettings } from "../prometheus/prometheusOperator";
import { DEFAULT_RULE_SCOPE, PrometheusRule, type PrometheusRuleArgs } from "../teams/prometheusRule";
import { Pushgateway, type PushgatewayOptions } from "../prometheus/pushgateway";
import { ServiceMonitor, type ServiceMonitorArgs } from "../teams/serviceMonitor";
import { ShardedPrometheus, type ShardedPrometheusSettings } from "../prometheus/shardedPrometheus";
import { queryFrontendUrl } from "../thanos/queryFrontend";
import { ruleLabels } from "../lib/monitoringTypes";
import { ThanosSelfMonitoring, thanosScrapeTargets } from "../monitoring/thanosSelfMonitoring";
import { compactVolumeClaimRegex } from "../monitoring/thanosRules";
import { ThanosCompactor } from "../thanos/compactor";
import { ThanosQuerier } from "../thanos/querier";
import { ThanosQueryFrontend } from "../thanos/queryFrontend";
import { rulerPlan, ThanosRuler } from "../thanos/ruler";
import { storeGatewayPlan, ThanosStoreGateway } from "../thanos/storeGateway";
import { assertThanosStack, planThanosStack, thanosStackContext, type ThanosSettings, type ThanosStackPlan } from "./thanosPlan";
import type { StoreEndpoint } from "../lib/contracts";
import { StackReference } from "@pulumi/pulumi";
import { MULTI_CLUSTER } from "../constants";
import {
    CollectorExposure,
    roleContext,
    roleParts,
    sidecarServesTls,
    stackReferenceEndpoints,
    collectorTlsSecretName,
    type CentralSettings,
    type CollectorEndpoint,
    type CollectorSettings,
    type StackRole,
} from "./multiCluster";
import { UiAccess, grafanaUiTarget, thanosUiTarget, type UiAccessOptions, type UiHosts, type UiName } from "../network/uiAccess";
import { PriorityClass } from "@pulumi/kubernetes/scheduling/v1";
import { NetworkPolicy, type NetworkPolicyArgs } from "@pulumi/kubernetes/networking/v1";
import { buildPriorityClass, monitoringPriorityClassName, priorityValueProblems, type PriorityClassSettings } from "./priorityClass";
import { buildStackNetworkPolicies, workloadId, type NetworkPolicySettings, type StackNetworkInput } from "../network/stackNetwork";
import { INGRESS, PORTS } from "../constants";
import { CHART_PORTS } from "../prometheus/prometheusOperator";

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

/** The Pushgateway of a ThanosStack. */
export interface PushgatewaySettings extends PushgatewayOptions {
    /**
     * Run the Pushgateway.
     * @default true
     */
    enabled?: boolean;
}

/** Team ServiceMonitors, PodMonitors and PrometheusRules created with a ThanosStack, keyed by component name. */
export interface MonitoringSettings {
    /**
     * ServiceMonitors.
     * @default {}
     */
    serviceMonitors?: Record<string, ServiceMonitorArgs>;
    /**
     * PodMonitors.
     * @default {}
     */
    podMonitors?: Record<string, PodMonitorArgs>;
    /**
     * PrometheusRules.
     * @default {}
     */
    rules?: Record<string, PrometheusRuleArgs>;
}

/** The UIs of a ThanosStack exposed through Ingresses (the stack supplies each UI's Service). */
export interface UiSettings extends UiAccessOptions {
    /** Public hostname of each exposed UI; a UI without a host stays internal. */
    hosts: UiHosts;
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
    /**
     * The bucket behind Thanos: an S3 bucket with per-component IAM roles (`provider: "s3"`, needs
     * {@link usesAws} and `region`), or the in-cluster S3 server (`provider: "versitygw"`, local development).
     */
    objectStorage: ObjectStorageSettings;
    /**
     * The sharded Prometheus (shards, replicas, retention, storage, resources, compaction, external labels,
     * remote write). Cluster/environment labels, the objstore Secret, the ServiceAccount and Alertmanager are wired
     * by the stack.
     * @default production defaults (components/defaults.ts)
     */
    prometheus?: ShardedPrometheusSettings;
    /**
     * The Prometheus Operator (kube-prometheus-stack). `install: false` when an Operator already runs.
     * @default installed, Grafana on, datasource = the stack's query-frontend
     */
    operator?: PrometheusOperatorSettings;
    /**
     * Alertmanager (replicas, receivers, routes, storage, resources).
     * @default 2 replicas, a `null` receiver
     */
    alertmanager?: AlertmanagerSettings;
    /**
     * The Pushgateway; `enabled: false` leaves it out.
     * @default enabled, no persistence
     */
    pushgateway?: PushgatewaySettings;
    /**
     * Team ServiceMonitors, PodMonitors and PrometheusRules created with the stack (keyed by component name).
     * @default none
     */
    monitoring?: MonitoringSettings;
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
    /**
     * What this stack runs: `all` (everything in one cluster), `collector` (Prometheus shards, sidecars exposed to
     * a central cluster, Alertmanager, Pushgateway; no Thanos read path, no bucket: the central stack owns it) or
     * `central` (the Thanos read path, compactor, ruler, Alertmanager and Grafana over remote collectors, plus an
     * optional self-scrape Prometheus). See docs/multi-cluster.md.
     * @default "all"
     */
    role?: StackRole;
    /**
     * Role `collector`: how the sidecars' StoreAPI is exposed. Required with that role.
     * @default none
     */
    collector?: CollectorSettings;
    /**
     * Role `central`: the collectors to query and the self-scrape Prometheus.
     * @default { selfScrape: { enabled: true } }
     */
    central?: CentralSettings;
    /**
     * Expose the UIs (Grafana, the Thanos query UI through the query-frontend, the ruler UI) through Ingresses with
     * TLS and authentication; each UI with a host is exposed. Not with role `collector`.
     * @default internal-only (no Ingress)
     */
    ui?: UiSettings;
    /**
     * The PriorityClass every pod of the stack runs with (`<namespace>-<name>`, cluster-scoped, created by
     * the stack; preempts lower priorities, never the cluster default).
     * @default { value: 1000000 }
     */
    priorityClass?: PriorityClassSettings;
    /**
     * NetworkPolicies: default deny in the namespace, then exactly the flows the stack is wired with. They need a CNI
     * that enforces NetworkPolicies (kind's default kindnet ignores them).
     * @default { enabled: true }
     */
    networkPolicies?: NetworkPolicySettings;
}

/**
 * The child components of a {@link ThanosStack}, for TypeScript programs (`stack.prometheus`, `dependsOn:
 * [stack.prometheusOperator]`). They are accessors over this map rather than properties: a component package's schema
 * can reference only resources of published provider packages, not this package's own components, so Pulumi's schema
 * inference (which reads every property of the class, private ones too) must not see them.
 */
export interface ThanosStackChildren {
    /** ServiceAccounts and IAM roles of the bucket users. */
    bucketAccess?: BucketAccess;
    /** The S3 bucket (provider `s3`, roles `all` and `central`). */
    bucket?: ThanosBucket;
    /** The in-cluster S3 server (provider `versitygw`). */
    objectStore?: VersityObjectStorage;
    /** The Prometheus Operator component. */
    prometheusOperator?: PrometheusOperator;
    /** The sharded Prometheus. */
    prometheus?: ShardedPrometheus;
    /** Alertmanager. */
    alertmanager?: Alertmanager;
    /** The Pushgateway. */
    pushgateway?: Pushgateway;
}

const STACK_CHILDREN = new WeakMap<ThanosStack, ThanosStackChildren>();

/** A child component that every stack creates in its constructor. */
function requiredChild<K extends "bucketAccess" | "prometheusOperator" | "prometheus" | "alertmanager">(stack: ThanosStack, key: K): NonNullable<ThanosStackChildren[K]> {
    const child = STACK_CHILDREN.get(stack)?.[key];
    if (child === undefined) throw new Error(`ThanosStack ${key}: read before the stack created it`);
    return child;
}

/**
 * The Thanos metrics stack. Requires explicit providers in `opts.providers`:
 * `kubernetes` always, `aws` when {@link ThanosStackArgs.usesAws} is true.
 */
export class ThanosStack extends pulumi.ComponentResource {
    /** Name of the namespace that holds the stack. */
    public readonly namespaceName: pulumi.Output<string>;
    /** The Secret (name and key) with the Thanos objstore configuration; every bucket user mounts it. */
    public readonly objstoreSecret: ObjstoreSecretRef;
    /** The ServiceAccount each bucket user must run as (its IAM role trusts exactly this one). */
    public readonly serviceAccountNames: BucketUserNames;
    /** ServiceAccounts and IAM roles of the bucket users. TypeScript only (see {@link ThanosStackChildren}). */
    public get bucketAccess(): BucketAccess {
        return requiredChild(this, "bucketAccess");
    }
    /** The S3 bucket (provider `s3`). TypeScript only (see {@link ThanosStackChildren}). */
    public get bucket(): ThanosBucket | undefined {
        return STACK_CHILDREN.get(this)?.bucket;
    }
    /** The in-cluster S3 server (provider `versitygw`). TypeScript only (see {@link ThanosStackChildren}). */
    public get objectStore(): VersityObjectStorage | undefined {
        return STACK_CHILDREN.get(this)?.objectStore;
    }
    /** The Prometheus Operator component (kube-prometheus-stack). TypeScript only (see {@link ThanosStackChildren}). */
    public get prometheusOperator(): PrometheusOperator {
        return requiredChild(this, "prometheusOperator");
    }
    /** The sharded Prometheus. TypeScript only (see {@link ThanosStackChildren}). */
    public get prometheus(): ShardedPrometheus {
        return requiredChild(this, "prometheus");
    }
    /** Alertmanager. TypeScript only (see {@link ThanosStackChildren}). */
    public get alertmanager(): Alertmanager {
        return requiredChild(this, "alertmanager");
    }
    /** The Pushgateway (unless disabled). TypeScript only (see {@link ThanosStackChildren}). */
    public get pushgateway(): Pushgateway | undefined {
        return STACK_CHILDREN.get(this)?.pushgateway;
    }
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
    /** In-cluster URL of the query-frontend (Grafana's datasource); none in a collector. */
    public readonly queryFrontendUrl?: string;
    /** In-cluster URL of the querier; none in a collector. */
    public readonly querierUrl?: string;
    /** Every StoreAPI the querier reaches. */
    public readonly querierEndpoints: StoreEndpoint[];
    /** The stack's role. */
    public readonly role: StackRole;
    /** Role `collector`: one StoreAPI address per Prometheus pod, for the central querier (exported as a stack output). */
    public readonly storeApiEndpoints?: CollectorEndpoint[];
    /** Public URLs of the exposed UIs. */
    public readonly uiUrls?: UiHosts;
    /** The PriorityClass of every pod of the stack. */
    public readonly priorityClassName: string;
    /** Names of the NetworkPolicies of the namespace (empty when disabled). */
    public readonly networkPolicyNames: string[];

    constructor(name: string, args: ThanosStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:ThanosStack", name, args, opts);
        const children: ThanosStackChildren = {};
        STACK_CHILDREN.set(this, children);
        requireProvider(this, "kubernetes", "ThanosStack");
        if (args.usesAws) requireProvider(this, "aws", "ThanosStack");
        // Invariants: every Thanos component's Args and the GUIDE §3 invariants, before any child exists.
        // What the role deploys; the invariants adapt to it (remote collectors are StoreAPIs and producers).
        const role: StackRole = args.role ?? "all";
        if (!(MULTI_CLUSTER.roles as readonly string[]).includes(role)) throw new pulumi.RunError(`ThanosStack role: must be one of ${MULTI_CLUSTER.roles.join(", ")}, got ${JSON.stringify(role)}`);
        const parts = roleParts(role);
        if (role === "collector" && args.collector === undefined) throw new pulumi.RunError("ThanosStack collector: is required with role collector (at least collector.exposure.domain), got undefined");
        if (role !== "all" && args.objectStorage.provider !== "s3") throw new pulumi.RunError(`ThanosStack objectStorage.provider: must be s3 with role ${role} (one bucket shared across clusters), got "${args.objectStorage.provider}"`);
        if (role === "collector" && args.ui !== undefined) throw new pulumi.RunError("ThanosStack ui: a collector runs no query-frontend, ruler or Grafana to expose, got a ui setting");
        this.role = role;
        const thanosPlan: ThanosStackPlan = planThanosStack(
            roleContext(thanosStackContext(name, { environment: args.environment, clusterName: args.clusterName, namespace: args.namespace ?? DEFAULTS.namespace }), role, args.central),
            args.thanos,
        );
        assertThanosStack(thanosPlan);
        // Invariants: the NetworkPolicies follow from the wiring; an address that leads nowhere fails here.
        const networkPolicySettings: NetworkPolicySettings = args.networkPolicies ?? {};
        const idOfStack = (objectName: string) => workloadId(name, objectName);
        const uiWorkload: Record<UiName, string> = { grafana: "grafana", query: idOfStack(thanosPlan.names.queryFrontend), ruler: idOfStack(thanosPlan.names.rule) };
        const uiPort: Record<UiName, number> = { grafana: CHART_PORTS.grafana, query: PORTS.thanosHttp, ruler: PORTS.thanosHttp };
        const networkInput = (wiring: {
            thanos: ThanosStackPlan;
            prometheusName: string;
            alertmanagerName: string;
            alertmanagerAddresses: string[];
            alertmanagerUrl: string;
            pushgatewayName: string | undefined;
            operatorInstalled: boolean;
            grafanaDatasourceUrl: string;
            objectStoreName: string | undefined;
        }): StackNetworkInput => ({
            stackName: name,
            namespace: args.namespace ?? DEFAULTS.namespace,
            ...(parts.thanosReadPath ? { thanos: wiring.thanos } : {}),
            prometheus: { name: wiring.prometheusName, objstoreSecret: wiring.thanos.context.objstoreSecret, alertmanagerAddresses: wiring.alertmanagerAddresses },
            alertmanager: { name: wiring.alertmanagerName, receivers: receiverUrls(args.alertmanager?.receivers ?? []) },
            ...(wiring.pushgatewayName !== undefined ? { pushgateway: { name: wiring.pushgatewayName } } : {}),
            ...(wiring.operatorInstalled
                ? {
                      operator: {
                          release: `${name}-operator`,
                          grafana: parts.grafana && (args.operator?.grafana ?? DEFAULTS.operator.grafana.enabled),
                          grafanaDatasourceUrl: wiring.grafanaDatasourceUrl,
                          alertmanagerUrl: wiring.alertmanagerUrl,
                      },
                  }
                : {}),
            objectStorage:
                args.objectStorage.provider === "versitygw"
                    ? { provider: "versitygw", name: wiring.objectStoreName ?? `${name}-versitygw`, instance: name, bucketName: args.objectStorage.bucketName }
                    : { provider: "s3", identity: args.objectStorage.identity ?? DEFAULTS.objectStorage.identity },
            settings: networkPolicySettings,
            // Flows that enter or leave the cluster: derived from the role and the UI hosts.
            extraIngress: [
                ...(role === "collector" ? [{ workload: idOfStack(`${name}-prometheus`), rule: { peers: [{ namespaceSelector: {} }, { ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: PORTS.thanosGrpc }] } }] : []),
                ...(Object.entries(args.ui?.hosts ?? {}) as Array<[UiName, string | undefined]>)
                    .filter(([, host]) => host !== undefined)
                    .map(([ui]) => ({ workload: uiWorkload[ui], rule: { peers: [{ namespaceSelector: {} }], ports: [{ port: uiPort[ui] }] } })),
            ],
            extraEgress:
                role === "central" && (args.central?.collectorStacks ?? []).length > 0
                    ? [{ workload: idOfStack(`${name}-query`), rule: { peers: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: INGRESS.httpsPort }, { port: PORTS.thanosGrpc }] } }]
                    : [],
        });
        if (networkPolicySettings.enabled ?? DEFAULTS.networkPolicies.enabled) {
            const ns = args.namespace ?? DEFAULTS.namespace;
            try {
                buildStackNetworkPolicies(
                    networkInput({
                        thanos: thanosPlan,
                        prometheusName: `${name}-prometheus`,
                        alertmanagerName: `${name}-alertmanager`,
                        alertmanagerAddresses: thanosPlan.context.alertmanagerAddresses,
                        alertmanagerUrl: alertmanagerUrl(`${name}-alertmanager`, ns),
                        pushgatewayName: (args.pushgateway?.enabled ?? true) && parts.pushgateway ? `${name}-pushgateway` : undefined,
                        operatorInstalled: args.operator?.install ?? DEFAULTS.operator.install,
                        grafanaDatasourceUrl: args.operator?.grafanaDatasourceUrl ?? queryFrontendUrl(thanosPlan.names.queryFrontend, ns),
                        objectStoreName: undefined,
                    }),
                );
            } catch (e) {
                throw new pulumi.RunError(`ThanosStack networkPolicies: ${e instanceof Error ? e.message : String(e)}`);
            }
        }

        // Arguments: checked with every other argument, before the first child exists.
        const priorityValue = args.priorityClass?.value ?? DEFAULTS.priorityClass.value;
        const priorityProblem = priorityValueProblems(priorityValue)[0];
        if (priorityProblem) throw new pulumi.RunError(`ThanosStack priorityClass.value: ${priorityProblem}`);
        const storage = args.objectStorage;
        const storageProblem = objectStorageSettingsProblems(storage)[0];
        if (storageProblem) {
            throw new pulumi.RunError(`ThanosStack objectStorage.${storageProblem.path.join(".")}: ${storageProblem.message}, got ${showValue(storageProblem.input)}`);
        }
        if (storage.provider === "s3" && !args.usesAws) {
            throw new pulumi.RunError(`ThanosStack objectStorage.provider: s3 needs usesAws true and an explicit aws provider, got "s3"`);
        }

        const namespaceName = args.namespace ?? DEFAULTS.namespace;
        // The PriorityClass exists before the namespace, so every pod in it (ours and the Operator's) can use it.
        this.priorityClassName = monitoringPriorityClassName(name, namespaceName);
        const priorityClass = new PriorityClass(`${name}-priority-class`, buildPriorityClass({ name: this.priorityClassName, instance: name, value: priorityValue }), { parent: this });
        // Retained on delete (and protected in protected stacks): deleting the namespace would delete every
        // PersistentVolumeClaim in it, and with the usual `Delete` reclaim policy the volumes and the data not yet
        // uploaded (Prometheus' last two hours, the in-cluster bucket) with them. `pulumi destroy` leaves it.
        const namespace = new Namespace(`${name}-namespace`, buildNamespace(namespaceName, name), { parent: this, dependsOn: [priorityClass], retainOnDelete: true, protect: args.protect ?? false });
        this.namespaceName = namespace.metadata.name;
        /** Options for child components: everything waits for the namespace. */
        const inNamespace: pulumi.ComponentResourceOptions = { parent: this, dependsOn: [namespace] };

        // The bucket (its arguments were checked before the first child)
        this.objstoreSecret = objstoreSecretRef(name);
        let objstoreYaml: pulumi.Output<string>;
        if (storage.provider === "s3") {
            const region = storage.region!;
            // One stack owns the bucket (central or all); a collector only writes to it.
            if (parts.ownsBucket) children.bucket = new ThanosBucket(
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
            const bucketKmsKeyArn: pulumi.Input<string> | undefined = this.bucket ? this.bucket.kmsKeyArn : storage.encryption?.kmsKeyArn;
            children.bucketAccess = new BucketAccess(
                `${name}-access`,
                {
                    stackName: name,
                    namespace: namespaceName,
                    users: parts.bucketUsers,
                    aws: {
                        bucketArn: this.bucket?.bucketArn ?? `arn:aws:s3:::${storage.bucketName}`,
                        ...(bucketKmsKeyArn !== undefined ? { kmsKeyArn: bucketKmsKeyArn } : {}),
                        identity: storage.identity ?? DEFAULTS.objectStorage.identity,
                        eks: storage.eks ?? {},
                        tags: storage.tags ?? {},
                    },
                },
                inNamespace,
            );
            objstoreYaml = pulumi.output(bucketKmsKeyArn ?? "").apply((kmsKeyArn) =>
                renderObjstoreYaml(buildObjstoreConfig({ kind: "aws", bucket: storage.bucketName, region, ...(kmsKeyArn ? { kmsKeyArn } : {}) })),
            );
        } else {
            // The dynamic-resource provider (generated credentials) has no settings: an explicit one is made here unless the caller passed one.
            const dynamic = this.getProvider(`${DYNAMIC_PROVIDER_PACKAGE}::`) ?? new DynamicProvider(`${name}-dynamic`, { parent: this });
            const server = new VersityObjectStorage(
                `${name}-versitygw`,
                {
                    namespace: namespaceName,
                    bucketName: storage.bucketName,
                    instance: name,
                    versioning: storage.versioning?.enabled ?? false,
                    priorityClassName: this.priorityClassName,
                    ...(storage.versitygw?.storage !== undefined ? { storage: storage.versitygw.storage } : {}),
                    ...(storage.versitygw?.resources !== undefined ? { resources: storage.versitygw.resources } : {}),
                },
                { ...inNamespace, providers: { [DYNAMIC_PROVIDER_PACKAGE]: dynamic } },
            );
            children.objectStore = server;
            children.bucketAccess = new BucketAccess(`${name}-access`, { stackName: name, namespace: namespaceName }, inNamespace);
            objstoreYaml = pulumi
                .all([server.accessKey, server.secretKey])
                .apply(([accessKey, secretKey]) =>
                    renderObjstoreYaml(buildObjstoreConfig({ kind: "versitygw", bucket: storage.bucketName, service: server.serviceName, namespace: namespaceName, accessKey, secretKey })),
                );
        }
        this.serviceAccountNames = this.bucketAccess.serviceAccountNames;
        new Secret(
            `${name}-objstore-secret`,
            kubeArgs<SecretArgs>(buildObjstoreSecret({ ref: this.objstoreSecret, namespace: namespaceName, instance: name, yaml: pulumi.secret(objstoreYaml) })),
            { ...childOptions(this, inNamespace), additionalSecretOutputs: ["data", "stringData"] },
        );

        {
            const monitoring = args.monitoring ?? {};
            children.prometheusOperator = new PrometheusOperator(
                `${name}-operator`,
                {
                    namespace: namespaceName,
                    grafanaDatasourceUrl: queryFrontendUrl(thanosPlan.names.queryFrontend, namespaceName),
                    ...args.operator,
                    // Grafana's datasource is the query-frontend: none in a collector.
                    ...(parts.grafana ? {} : { grafana: false }),
                    alertmanagerUrl: alertmanagerUrl(`${name}-alertmanager`, namespaceName),
                    priorityClassName: this.priorityClassName,
                },
                inNamespace,
            );
            // Custom resources wait for the Operator's CRDs; the Prometheus pods for their ServiceAccount and Secret.
            const afterOperator: pulumi.ComponentResourceOptions = { parent: this, dependsOn: [namespace, this.prometheusOperator] };
            children.alertmanager = new Alertmanager(`${name}-alertmanager`, { namespace: namespaceName, ...args.alertmanager, priorityClassName: this.priorityClassName }, afterOperator);
            this.alertmanagerUrl = this.alertmanager.url;
            this.alertmanagerServiceName = this.alertmanager.serviceName;
            this.alertmanagerAddresses = [this.alertmanager.srvAddress];
            children.prometheus = new ShardedPrometheus(
                `${name}-prometheus`,
                {
                    ...args.prometheus,
                    // The central cluster's self-scrape Prometheus is one shard; a collector's sidecars may serve TLS.
                    ...(parts.selfScrapePrometheus ? { shards: 1, replicas: args.central?.selfScrape?.replicas ?? MULTI_CLUSTER.selfScrapeReplicas } : {}),
                    ...(role === "collector" && sidecarServesTls(args.collector!.exposure) ? { grpcServerTls: { secretName: collectorTlsSecretName(`${name}-prometheus`) } } : {}),
                    namespace: namespaceName,
                    priorityClassName: this.priorityClassName,
                    clusterName: args.clusterName,
                    environment: args.environment,
                    objstoreSecret: this.objstoreSecret,
                    serviceAccountName: this.serviceAccountNames.prometheus,
                    alertmanager: { namespace: namespaceName, serviceName: this.alertmanager.serviceName, port: this.alertmanager.portName },
                },
                { parent: this, dependsOn: [namespace, this.prometheusOperator, this.bucketAccess] },
            );
            // A collector exposes every sidecar's StoreAPI (one address per pod) to the central cluster.
            if (role === "collector") {
                const exposure = new CollectorExposure(
                    `${name}-storeapi`,
                    { ...args.collector!.exposure, namespace: namespaceName, prometheusName: this.prometheus.prometheusName, shards: this.prometheus.shards, replicas: this.prometheus.replicas },
                    inNamespace,
                );
                this.storeApiEndpoints = exposure.endpoints;
            }
            this.prometheusReplicaLabel = this.prometheus.replicaLabel;
            this.sidecarEndpoints = this.prometheus.storeEndpoints;
            this.shardRuleSelector = this.prometheus.ruleSelector;
            this.globalRuleSelector = ruleLabels("global");
            const { enabled: pushgatewayEnabled = true, ...pushgateway } = args.pushgateway ?? {};
            if (pushgatewayEnabled && parts.pushgateway) children.pushgateway = new Pushgateway(`${name}-pushgateway`, { namespace: namespaceName, ...pushgateway, priorityClassName: this.priorityClassName }, afterOperator);
            // Team objects keep their key as Kubernetes name; the Pulumi names derive from the stack's.
            for (const [key, sm] of Object.entries(monitoring.serviceMonitors ?? {})) new ServiceMonitor(`${name}-${key}`, { name: key, ...sm }, afterOperator);
            for (const [key, pm] of Object.entries(monitoring.podMonitors ?? {})) new PodMonitor(`${name}-${key}`, { name: key, ...pm }, afterOperator);
            for (const [key, rule] of Object.entries(monitoring.rules ?? {})) {
                // A collector runs no ruler: `global` rules belong to the central stack (its ruler sees every cluster).
                if (!parts.thanosReadPath && (rule.scope ?? DEFAULT_RULE_SCOPE) === "global") {
                    pulumi.log.warn(`rule ${key}: scope global is evaluated by the central stack's ruler; not created in a collector (deploy it with the central stack)`, this);
                    continue;
                }
                new PrometheusRule(`${name}-${key}`, { name: key, ...rule }, afterOperator);
            }
        }

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
        // A collector runs none of the read path; central and all run all of it (one compactor per bucket).
        this.querierEndpoints = [];
        if (parts.thanosReadPath) {
            // Bucket users start after their ServiceAccounts (and IAM roles) exist: a pod created before its
            // ServiceAccount is refused, and one created before its role has no bucket credentials.
            const afterBucketAccess: pulumi.ComponentResourceOptions = { parent: this, dependsOn: [namespace, this.bucketAccess] };
            new ThanosCompactor(thanos.names.compact, thanos.compactor, afterBucketAccess);
            new ThanosStoreGateway(thanos.names.store, thanos.storeGateway, afterBucketAccess);
            // Collectors from other stacks: their `storeApiEndpoints` outputs, appended to the querier's endpoints at deployment.
            const stackRefs = role === "central" ? (args.central?.collectorStacks ?? []) : [];
            const remoteEndpoints = stackRefs.map((ref, i) =>
                new StackReference(`${name}-collector-stack-${i}`, { name: ref.stack }, { parent: this })
                    .getOutput(MULTI_CLUSTER.storeApiEndpointsOutput)
                    .apply((value: unknown) => stackReferenceEndpoints(ref.stack, value, ref.caSecretName)),
            );
            const thanosQuerier = new ThanosQuerier(
                thanos.names.query,
                { ...thanos.querier, ...(remoteEndpoints.length > 0 ? { remoteEndpoints: pulumi.all(remoteEndpoints).apply((lists) => lists.flat()) } : {}) },
                inNamespace,
            );
            const thanosQueryFrontend = new ThanosQueryFrontend(thanos.names.queryFrontend, thanos.queryFrontend, inNamespace);
            // The ThanosRuler resource needs the Operator's CRDs.
            new ThanosRuler(thanos.names.rule, thanos.ruler, { parent: this, dependsOn: [namespace, this.prometheusOperator, this.bucketAccess] });
            this.queryFrontendUrl = thanosQueryFrontend.url;
            this.querierUrl = thanosQuerier.url;
            this.querierEndpoints = thanos.querier.endpoints;
        }

        // Ingresses with TLS and authentication in front of the UIs that have a host (none by default).
        if (args.ui !== undefined) {
            const { hosts, ...access } = args.ui;
            const targets: Record<UiName, { serviceName: string; servicePort: number }> = {
                grafana: grafanaUiTarget(`${name}-operator`),
                query: thanosUiTarget(thanos.names.queryFrontend),
                ruler: thanosUiTarget(thanos.names.rule),
            };
            const routes = Object.fromEntries(
                (Object.keys(targets) as UiName[]).flatMap((ui) => (hosts[ui] !== undefined ? [[ui, { host: hosts[ui], ...targets[ui] }]] : [])),
            ) as Partial<Record<UiName, { host: string; serviceName: string; servicePort: number }>>;
            this.uiUrls = new UiAccess(`${name}-ui`, { ...access, namespace: namespaceName, ...routes }, { parent: this, dependsOn: [namespace, this.prometheusOperator] }).urls;
        }

        // Self-monitoring: after the Thanos components, whose job names it scrapes, and the Operator's CRDs.
        if (args.selfMonitoring?.enabled ?? true) {
            new ThanosSelfMonitoring(
                `${name}-selfmon`,
                {
                    namespace: namespaceName,
                    // Only what runs here: a collector has no Thanos read path (its absent() alerts would fire forever).
                    targets: thanosScrapeTargets({ ...(parts.thanosReadPath ? {} : { components: [] }), sidecarSelector: this.prometheus.sidecarServiceSelector }),
                    compactVolumeClaimRegex: compactVolumeClaimRegex(thanos.names.compact),
                    // What the querier must stay connected to, from the plan (collectors read from other stacks' outputs
                    // are known only at deployment and not counted: more endpoints never alert).
                    ...(parts.thanosReadPath
                        ? {
                              expectedStoreApis: {
                                  sidecar: this.prometheus.shards * this.prometheus.replicas + (thanos.context.remoteCollectors ?? []).reduce((n, c) => n + c.endpoints.length, 0),
                                  store: storeGatewayPlan(thanos.names.store, thanos.storeGateway).instances.length,
                                  rule: rulerPlan(thanos.names.rule, thanos.ruler).replicas,
                              },
                          }
                        : {}),
                    dashboards: args.selfMonitoring?.dashboards ?? true,
                    ...(args.selfMonitoring?.runbookBaseUrl ? { runbookBaseUrl: args.selfMonitoring.runbookBaseUrl } : {}),
                },
                { parent: this, dependsOn: [namespace, this.prometheusOperator] },
            );
        }

        // NetworkPolicies from the wiring the components were created with (the plan was checked
        // before any resource existed, from the derived names; here it is rebuilt from what the components expose).
        this.networkPolicyNames = [];
        if (networkPolicySettings.enabled ?? DEFAULTS.networkPolicies.enabled) {
            const { policies } = buildStackNetworkPolicies(
                networkInput({
                    thanos,
                    prometheusName: this.prometheus.prometheusName,
                    alertmanagerName: this.alertmanager.serviceName,
                    alertmanagerAddresses: this.alertmanagerAddresses,
                    alertmanagerUrl: this.alertmanagerUrl,
                    pushgatewayName: this.pushgateway?.serviceName,
                    operatorInstalled: this.prometheusOperator.installed,
                    grafanaDatasourceUrl: this.prometheusOperator.grafanaDatasourceUrl,
                    objectStoreName: this.objectStore?.serviceName,
                }),
            );
            for (const policy of policies) {
                const policyName = policy.metadata?.name ?? "";
                this.networkPolicyNames.push(policyName);
                new NetworkPolicy(`${name}-netpol-${policyName.startsWith(`${name}-`) ? policyName.slice(name.length + 1) : policyName}`, kubeArgs<NetworkPolicyArgs>(policy), inNamespace);
            }
        }

        this.registerOutputs({ namespaceName: this.namespaceName });
    }
}
