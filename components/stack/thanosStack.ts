/**
 * ThanosStack: the whole metrics stack in one component. Its plan (stackPlan.ts) lists every child with its Args;
 * the constructor creates them in dependency order: PriorityClass, namespace, object storage and bucket access,
 * the Operator, Alertmanager, Prometheus, the Pushgateway and team objects, the Thanos read path, the UIs,
 * self-monitoring, and the NetworkPolicies.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackReference } from "@pulumi/pulumi";
import { Namespace, Secret, type SecretArgs } from "@pulumi/kubernetes/core/v1";
import { NetworkPolicy, type NetworkPolicyArgs } from "@pulumi/kubernetes/networking/v1";
import { PriorityClass } from "@pulumi/kubernetes/scheduling/v1";
import { StorageClass } from "@pulumi/kubernetes/storage/v1";
import { MULTI_CLUSTER } from "../constants";
import { DEFAULTS } from "../defaults";
import type { BucketUserNames, ObjstoreSecretRef, StoreEndpoint } from "../lib/contracts";
import { DYNAMIC_PROVIDER_PACKAGE, DynamicProvider } from "../lib/generatedSecret";
import type { ObjectStorageSettings } from "../lib/objectStorage";
import { childOptions, requireProvider } from "../lib/providers";
import { withDependencies } from "../lib/options";
import { kubeArgs } from "../lib/thanos";
import type { LogSettings, PodPlacement } from "../lib/placement";
import { ThanosSelfMonitoring } from "../monitoring/thanosSelfMonitoring";
import type { NetworkPolicySettings } from "../network/stackNetwork";
import { UiAccess, type UiAccessOptions, type UiHosts } from "../network/uiAccess";
import { Alertmanager, type AlertmanagerSettings } from "../prometheus/alertmanager";
import { PrometheusOperator, type PrometheusOperatorSettings } from "../prometheus/prometheusOperator";
import { Pushgateway, type PushgatewayOptions } from "../prometheus/pushgateway";
import { ShardedPrometheus, type ShardedPrometheusSettings } from "../prometheus/shardedPrometheus";
import { BucketAccess } from "../storage/bucketAccess";
import { buildObjstoreConfig, buildObjstoreSecret, renderObjstoreYaml } from "../storage/objstoreConfig";
import { ThanosBucket, type ThanosBucketArgs } from "../storage/s3Bucket";
import { VersityObjectStorage } from "../storage/versitygw";
import { PodMonitor, type PodMonitorArgs } from "../teams/podMonitor";
import { DEFAULT_RULE_SCOPE, PrometheusRule, type PrometheusRuleArgs } from "../teams/prometheusRule";
import { ServiceMonitor, type ServiceMonitorArgs } from "../teams/serviceMonitor";
import { ThanosCompactor } from "../thanos/compactor";
import { ThanosQuerier } from "../thanos/querier";
import { ThanosQueryFrontend } from "../thanos/queryFrontend";
import { ThanosRuler } from "../thanos/ruler";
import { ThanosStoreGateway } from "../thanos/storeGateway";
import { CollectorExposure, stackReferenceEndpoints, type CentralSettings, type CollectorEndpoint, type CollectorSettings, type StackRole } from "./multiCluster";
import { buildNamespace } from "./namespace";
import { buildPriorityClass, type PriorityClassSettings } from "./priorityClass";
import { buildStorageClass, type StorageClassSettings } from "../storage/storageClass";
import { bucketAccessName, operatorReleaseName, planStack, type StackPlan } from "./stackPlan";
import type { ThanosSettings } from "./thanosPlan";

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

/** Arguments of `ThanosStack`. */
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
     * `usesAws` and `region`), or the in-cluster S3 server (`provider: "versitygw"`, local development).
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
     * The StorageClass every volume without its own `storageClass` names: created by the stack (an encrypted gp3
     * class of the EBS CSI driver, `WaitForFirstConsumer`, expandable) or, with `create: false`, one that exists.
     * @default volumes name no class (the cluster's default class, if it has one)
     */
    storageClass?: StorageClassSettings;
    /**
     * NetworkPolicies: default deny in the namespace, then exactly the flows the stack is wired with. They need a CNI
     * that enforces NetworkPolicies (kind's default kindnet ignores them).
     * @default { enabled: true }
     */
    networkPolicies?: NetworkPolicySettings;
    /**
     * Node selector, tolerations, node affinity, image pull Secrets and registry mirror of every pod of the stack
     * (node-exporter takes only the pull Secrets and the mirror: it runs on every node). A component's own
     * `placement` replaces these field by field.
     * @default none (any node, the images' own registries)
     */
    placement?: PodPlacement;
    /**
     * Log level and format of every Thanos, Prometheus, Alertmanager and Pushgateway process and of the Operator;
     * a component's own `logging` replaces these field by field.
     * @default level info, format logfmt
     */
    logging?: LogSettings;
}

/**
 * The child components of a `ThanosStack`, for TypeScript programs (`stack.prometheus`, `dependsOn:
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
 * The inputs the engine records for the component (its state, and what `pulumi preview` diffs): the Args with the
 * credentials in them — the receivers' URLs and keys, the UI's password hashes — as secrets, so that the state never
 * holds them in plaintext. The component itself builds from `args`.
 */
function recordedInputs(args: ThanosStackArgs): pulumi.Inputs {
    const receivers = args.alertmanager?.receivers;
    const users = args.ui?.basicAuthUsers;
    return {
        ...args,
        ...(receivers !== undefined && receivers.length > 0 ? { alertmanager: { ...args.alertmanager, receivers: pulumi.secret(receivers) } } : {}),
        ...(users !== undefined && Object.keys(users).length > 0 ? { ui: { ...args.ui, basicAuthUsers: pulumi.secret(users) } } : {}),
    };
}

/**
 * The Thanos metrics stack. Requires explicit providers in `opts.providers`:
 * `kubernetes` always, `aws` when `ThanosStackArgs.usesAws` is true.
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
        super("thanos-stack:index:ThanosStack", name, recordedInputs(args), opts);
        const children: ThanosStackChildren = {};
        STACK_CHILDREN.set(this, children);
        requireProvider(this, "kubernetes", "ThanosStack");
        if (args.usesAws) requireProvider(this, "aws", "ThanosStack");
        // Every problem is thrown by the plan, before the first child.
        const plan = planStack(name, args);
        this.role = plan.role;
        this.priorityClassName = plan.priorityClass.name;
        // The PriorityClass exists before the namespace, so every pod in it (ours and the Operator's) can use it.
        const priorityClass = new PriorityClass(`${name}-priority-class`, buildPriorityClass({ name: plan.priorityClass.name, instance: name, value: plan.priorityClass.value }), { parent: this });
        // Retained on delete (and protected in protected stacks): deleting the namespace would delete every
        // PersistentVolumeClaim in it, and with the usual `Delete` reclaim policy the volumes and the data not yet
        // uploaded (Prometheus' last two hours, the in-cluster bucket) with them. `pulumi destroy` leaves it.
        // The StorageClass too, before any volume names it; retained like the volumes it made.
        const storageClass = plan.storageClass?.create ? [new StorageClass(`${name}-storage-class`, buildStorageClass(plan.storageClass, name), { parent: this, retainOnDelete: true })] : [];
        const namespace = new Namespace(`${name}-namespace`, buildNamespace(plan.namespace, name), { parent: this, dependsOn: [priorityClass, ...storageClass], retainOnDelete: true, protect: args.protect ?? false });
        this.namespaceName = namespace.metadata.name;
        // The NetworkPolicies (default deny and every allowed flow) exist before anything runs in the namespace: a
        // pod started before its policies would get open traffic first, or no traffic once the deny lands first.
        const networkPolicies = plan.network.policies.map((policy) => {
            const policyName = policy.metadata?.name ?? "";
            const key = policyName.startsWith(`${name}-`) ? policyName.slice(name.length + 1) : policyName;
            return { name: policyName, resource: new NetworkPolicy(`${name}-netpol-${key}`, kubeArgs<NetworkPolicyArgs>(policy), { parent: this, dependsOn: [namespace] }) };
        });
        this.networkPolicyNames = networkPolicies.map((p) => p.name);
        const namespaceReady = [namespace, ...networkPolicies.map((p) => p.resource)];
        const inNamespace: pulumi.ComponentResourceOptions = { parent: this, dependsOn: namespaceReady };

        this.objstoreSecret = plan.objstoreSecret;
        createObjectStorage(this, plan, args, inNamespace, children);
        this.serviceAccountNames = this.bucketAccess.serviceAccountNames;

        children.prometheusOperator = new PrometheusOperator(operatorReleaseName(name), plan.operator, inNamespace);
        // Custom resources wait for the Operator's CRDs; the Prometheus pods for their ServiceAccount and Secret.
        const afterOperator: pulumi.ComponentResourceOptions = { parent: this, dependsOn: [...namespaceReady, this.prometheusOperator] };
        // Bucket users start after their ServiceAccounts (and IAM roles) exist: a pod created before its
        // ServiceAccount is refused, and one created before its role has no bucket credentials.
        const afterBucketAccess: pulumi.ComponentResourceOptions = { parent: this, dependsOn: [...namespaceReady, this.bucketAccess] };
        // Custom resources that are bucket users (Prometheus, ThanosRuler) need both.
        const afterOperatorAndBucketAccess: pulumi.ComponentResourceOptions = { parent: this, dependsOn: [...namespaceReady, this.prometheusOperator, this.bucketAccess] };
        children.alertmanager = new Alertmanager(plan.alertmanager.name, plan.alertmanager.args, afterOperator);
        this.alertmanagerUrl = this.alertmanager.url;
        this.alertmanagerServiceName = this.alertmanager.serviceName;
        this.alertmanagerAddresses = [this.alertmanager.srvAddress];
        children.prometheus = new ShardedPrometheus(plan.prometheus.name, plan.prometheus.args, afterOperatorAndBucketAccess);
        // A collector exposes every sidecar's StoreAPI (one address per pod) to the central cluster.
        if (plan.role === "collector") {
            const p = plan.prometheus;
            this.storeApiEndpoints = new CollectorExposure(`${name}-storeapi`, { ...args.collector!.exposure, namespace: plan.namespace, prometheusName: p.name, shards: p.shards, replicas: p.replicas }, inNamespace).endpoints;
        }
        this.prometheusReplicaLabel = this.prometheus.replicaLabel;
        this.sidecarEndpoints = this.prometheus.storeEndpoints;
        this.shardRuleSelector = this.prometheus.ruleSelector;
        this.globalRuleSelector = plan.globalRuleSelector;
        if (plan.pushgateway !== undefined) children.pushgateway = new Pushgateway(plan.pushgateway.name, plan.pushgateway.args, afterOperator);
        createTeamObjects(this, name, plan, args.monitoring ?? {}, afterOperator);

        // A collector runs none of the read path; central and all run all of it (one compactor per bucket).
        this.querierEndpoints = [];
        if (plan.parts.thanosReadPath) {
            const readPath = createReadPath(this, name, plan, args, { inNamespace, afterBucketAccess, afterOperatorAndBucketAccess });
            this.queryFrontendUrl = readPath.queryFrontendUrl;
            this.querierUrl = readPath.querierUrl;
            this.querierEndpoints = plan.thanos.querier.endpoints;
        }
        if (args.ui !== undefined) {
            const { hosts: _hosts, ...access } = args.ui;
            this.uiUrls = new UiAccess(`${name}-ui`, { ...access, namespace: plan.namespace, ...plan.uiRoutes }, afterOperator).urls;
        }
        // Self-monitoring: after the Thanos components, whose job names it scrapes, and the Operator's CRDs.
        if (plan.selfMonitoring !== undefined) new ThanosSelfMonitoring(`${name}-selfmon`, plan.selfMonitoring, afterOperator);
        this.registerOutputs({ namespaceName: this.namespaceName });
    }
}

/** The bucket (S3, or the in-cluster S3 server), the bucket users' access, and the objstore Secret. */
function createObjectStorage(stack: ThanosStack, plan: StackPlan, args: ThanosStackArgs, inNamespace: pulumi.ComponentResourceOptions, children: ThanosStackChildren): void {
    const { name, namespace } = plan;
    const storage = args.objectStorage;
    let objstoreYaml: pulumi.Output<string>;
    if (storage.provider === "s3") {
        const region = storage.region!;
        // One stack owns the bucket (central or all); a collector only writes to it.
        if (plan.parts.ownsBucket) children.bucket = new ThanosBucket(`${name}-storage`, bucketArgs(storage, region, args.protect ?? false), { parent: stack });
        const bucketKmsKeyArn: pulumi.Input<string> | undefined = children.bucket ? children.bucket.kmsKeyArn : storage.encryption?.kmsKeyArn;
        children.bucketAccess = new BucketAccess(
            bucketAccessName(name),
            {
                stackName: name,
                namespace,
                users: plan.parts.bucketUsers,
                aws: {
                    bucketArn: children.bucket?.bucketArn ?? `arn:aws:s3:::${storage.bucketName}`,
                    ...(bucketKmsKeyArn !== undefined ? { kmsKeyArn: bucketKmsKeyArn } : {}),
                    identity: storage.identity ?? DEFAULTS.objectStorage.identity,
                    eks: storage.eks ?? {},
                    tags: storage.tags ?? {},
                },
            },
            inNamespace,
        );
        objstoreYaml = pulumi.output(bucketKmsKeyArn ?? "").apply((kmsKeyArn) => renderObjstoreYaml(buildObjstoreConfig({ kind: "aws", bucket: storage.bucketName, region, ...(kmsKeyArn ? { kmsKeyArn } : {}) })));
    } else {
        // The dynamic-resource provider (generated credentials) has no settings: an explicit one is made here unless the caller passed one.
        const dynamic = stack.getProvider(`${DYNAMIC_PROVIDER_PACKAGE}::`) ?? new DynamicProvider(`${name}-dynamic`, { parent: stack });
        const server = new VersityObjectStorage(
            `${name}-versitygw`,
            {
                namespace,
                bucketName: storage.bucketName,
                instance: name,
                versioning: storage.versioning?.enabled ?? false,
                priorityClassName: plan.priorityClass.name,
                ...(args.placement !== undefined ? { placement: args.placement } : {}),
                ...(plan.versitygwStorage !== undefined ? { storage: plan.versitygwStorage } : {}),
                ...(storage.versitygw?.resources !== undefined ? { resources: storage.versitygw.resources } : {}),
            },
            { ...inNamespace, providers: { [DYNAMIC_PROVIDER_PACKAGE]: dynamic } },
        );
        children.objectStore = server;
        children.bucketAccess = new BucketAccess(bucketAccessName(name), { stackName: name, namespace }, inNamespace);
        objstoreYaml = pulumi
            .all([server.accessKey, server.secretKey])
            .apply(([accessKey, secretKey]) => renderObjstoreYaml(buildObjstoreConfig({ kind: "versitygw", bucket: storage.bucketName, service: server.serviceName, namespace, accessKey, secretKey })));
    }
    new Secret(
        `${name}-objstore-secret`,
        kubeArgs<SecretArgs>(buildObjstoreSecret({ ref: plan.objstoreSecret, namespace, instance: name, yaml: pulumi.secret(objstoreYaml) })),
        { ...childOptions(stack, inNamespace), additionalSecretOutputs: ["data", "stringData"] },
    );
}

/** The ThanosBucket Args from the stack's object storage settings. */
function bucketArgs(storage: ObjectStorageSettings, region: string, protect: boolean): ThanosBucketArgs {
    return {
        bucketName: storage.bucketName,
        region,
        protect,
        ...(storage.encryption !== undefined ? { encryption: storage.encryption } : {}),
        ...(storage.versioning !== undefined ? { versioning: storage.versioning } : {}),
        ...(storage.lifecycle !== undefined ? { lifecycle: storage.lifecycle } : {}),
        ...(storage.replication !== undefined ? { replication: storage.replication } : {}),
        ...(storage.accessLogging !== undefined ? { accessLogging: storage.accessLogging } : {}),
        ...(storage.tags !== undefined ? { tags: storage.tags } : {}),
    };
}

/** The teams' ServiceMonitors, PodMonitors and rules; team objects keep their key as Kubernetes name. */
function createTeamObjects(stack: ThanosStack, name: string, plan: StackPlan, monitoring: MonitoringSettings, opts: pulumi.ComponentResourceOptions): void {
    for (const [key, sm] of Object.entries(monitoring.serviceMonitors ?? {})) new ServiceMonitor(`${name}-${key}`, { name: key, ...sm }, opts);
    for (const [key, pm] of Object.entries(monitoring.podMonitors ?? {})) new PodMonitor(`${name}-${key}`, { name: key, ...pm }, opts);
    for (const [key, rule] of Object.entries(monitoring.rules ?? {})) {
        // A collector runs no ruler: `global` rules belong to the central stack (its ruler sees every cluster).
        if (!plan.parts.thanosReadPath && (rule.scope ?? DEFAULT_RULE_SCOPE) === "global") {
            pulumi.log.warn(`rule ${key}: scope global is evaluated by the central stack's ruler; not created in a collector (deploy it with the central stack)`, stack);
            continue;
        }
        new PrometheusRule(`${name}-${key}`, { name: key, ...rule }, opts);
    }
}

/** The Thanos read path: compactor, store gateway, querier (with collectors from other stacks), query-frontend, ruler. */
function createReadPath(
    stack: ThanosStack,
    name: string,
    plan: StackPlan,
    args: ThanosStackArgs,
    opts: { inNamespace: pulumi.ComponentResourceOptions; afterBucketAccess: pulumi.ComponentResourceOptions; afterOperatorAndBucketAccess: pulumi.ComponentResourceOptions },
): { querierUrl: string; queryFrontendUrl: string } {
    const thanos = plan.thanos;
    new ThanosCompactor(thanos.names.compact, thanos.compactor, opts.afterBucketAccess);
    const storeGateway = new ThanosStoreGateway(thanos.names.store, thanos.storeGateway, opts.afterBucketAccess);
    // Collectors from other stacks: their `storeApiEndpoints` outputs, appended to the querier's endpoints at deployment.
    const stackRefs = plan.role === "central" ? (args.central?.collectorStacks ?? []) : [];
    const remoteEndpoints = stackRefs.map((ref, i) =>
        new StackReference(`${name}-collector-stack-${i}`, { name: ref.stack }, { parent: stack })
            .getOutput(MULTI_CLUSTER.storeApiEndpointsOutput)
            .apply((value: unknown) => stackReferenceEndpoints(ref.stack, value, ref.caSecretName)),
    );
    // After the store gateways: a resharded store set is created and Ready (its initial sync done) before the
    // querier's endpoints name it and its pods roll onto it; Pulumi deletes the old StatefulSets after that.
    const querier = new ThanosQuerier(
        thanos.names.query,
        { ...thanos.querier, ...(remoteEndpoints.length > 0 ? { remoteEndpoints: pulumi.all(remoteEndpoints).apply((lists) => lists.flat()) } : {}) },
        withDependencies(opts.inNamespace, [storeGateway]),
    );
    const queryFrontend = new ThanosQueryFrontend(thanos.names.queryFrontend, thanos.queryFrontend, opts.inNamespace);
    // The ThanosRuler resource needs the Operator's CRDs and its bucket access.
    new ThanosRuler(thanos.names.rule, thanos.ruler, opts.afterOperatorAndBucketAccess);
    return { querierUrl: querier.url, queryFrontendUrl: queryFrontend.url };
}
