/**
 * ShardedPrometheus: a Prometheus Operator `Prometheus` resource with
 * `shards` x `replicas` pods, each with the Thanos sidecar uploading every 2h
 * block to the bucket; plus what the Operator does not create: the
 * ServiceAccount and discovery RBAC, a headless Service exposing every
 * sidecar's StoreAPI under one DNS SRV name, a PodDisruptionBudget per shard,
 * and a ServiceMonitor for itself.
 */
import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Service, ServiceAccount } from "@pulumi/kubernetes/core/v1";
import { ClusterRole, ClusterRoleBinding } from "@pulumi/kubernetes/rbac/v1";
import { PodDisruptionBudget } from "@pulumi/kubernetes/policy/v1";
import type {
    Affinity,
    Container,
    PodSecurityContext,
    ResourceRequirements as K8sResources,
    Service as ServiceObject,
    ServiceAccount as ServiceAccountObject,
    TopologySpreadConstraint,
} from "kubernetes-types/core/v1";
import type { LabelSelector, ObjectMeta } from "kubernetes-types/meta/v1";
import type { ClusterRole as ClusterRoleObject, ClusterRoleBinding as ClusterRoleBindingObject } from "kubernetes-types/rbac/v1";
import type { PodDisruptionBudget as PdbObject } from "kubernetes-types/policy/v1";
import { AWAIT_MARGIN_SECONDS, EXTERNAL_LABELS, IMAGES, LABELS, MULTI_CLUSTER, PART_OF, PORTS, PROMETHEUS, PULUMI_AWAIT, SELF_MONITORING, THANOS, VERSIONS } from "../constants";
import { DEFAULTS, ResourceRequirements } from "../defaults";
import type { ObjstoreSecretRef, StoreEndpoint } from "../lib/contracts";
import { serviceFqdn } from "../lib/contracts";
import { formatDuration, HOUR_MS, isDuration, parseDuration } from "../lib/duration";
import { objectMeta, selectorLabels } from "../lib/meta";
import { MONITORING_API_VERSION, monitorLabels, RemoteWriteSpec, ruleLabels } from "../lib/monitoringTypes";
import {
    containerResources,
    containerSecurityContext,
    goMemLimitEnv,
    healthProbes,
    hostnameAntiAffinity,
    podDisruptionBudget,
    podPriority,
    podSecurityContext,
    volumeClaimSpec,
    zoneSpread,
    type PodPriorityArgs,
    type VolumeSettings,
    ReplicaSpread,
} from "../lib/pod";
import { withDependencies } from "../lib/options";
import { childOptions, refuseProblems } from "../lib/providers";
import { isQuantity } from "../lib/quantity";
import { loggingProblems, mirroredImage, operatorLogFields, placementFields, placementProblems, type LogSettings, type OperatorPodFields, type PodPlacement, type PodSettingsArgs } from "../lib/placement";
import { extraArgsProblems, operatorAdditionalArgs } from "../lib/thanos";
import { CompactionMode, defaultRetentionSize, delayedCompactionProblems, enableFeaturesProblems, retentionSizeRule } from "./settingsRules";
import { buildServiceMonitor, jobEndpoint } from "../teams/serviceMonitor";

export type { RemoteWriteSpec } from "../lib/monitoringTypes";

export { CompactionMode } from "./settingsRules";

/** Component name used in labels. */
const COMPONENT = "prometheus";
/** The volume holding the sidecar's gRPC server certificate. */
const SIDECAR_TLS_VOLUME = "grpc-tls";

/** Settings of the sharded Prometheus that a ThanosStack passes through (the stack wires namespace, cluster/environment labels, the objstore Secret, the ServiceAccount, Alertmanager and the monitor label). */
export interface ShardedPrometheusSettings extends PodPriorityArgs, PodSettingsArgs {
    /**
     * Number of shards; targets are split between them by the Operator's hashmod relabeling.
     * @default 1
     */
    shards?: number;
    /**
     * Replicas per shard (HA pairs; the querier deduplicates them on the replica label).
     * @default 2
     */
    replicas?: number;
    /**
     * Local TSDB retention; at least 6h (three 2h blocks) so the sidecar can upload each block first.
     * @default "24h"
     */
    retention?: string;
    /**
     * Persistent volume per pod.
     * @default { size: "50Gi" } on the cluster's default StorageClass
     */
    storage?: Partial<VolumeSettings>;
    /**
     * Resources of the prometheus container.
     * @default DEFAULTS.prometheus.resources
     */
    resources?: ResourceRequirements;
    /**
     * Resources of the thanos-sidecar container.
     * @default DEFAULTS.prometheus.sidecarResources
     */
    sidecarResources?: ResourceRequirements;
    /**
     * Local compaction. `disabled` sets `disableCompaction: true` (min = max block duration = 2h), so every block
     * reaches the bucket before anything could compact it. `delayed` lets the Operator (v0.93, Prometheus >= 3.9,
     * Thanos >= 0.41) compact only blocks the sidecar has already uploaded; opt-in only.
     * @default "disabled"
     */
    compaction?: CompactionMode;
    /**
     * Extra external labels on every block (cluster and environment are always set).
     * @default {}
     */
    externalLabels?: Record<string, string>;
    /**
     * Name of the replica external label (value: the pod name); the querier must deduplicate on exactly it.
     * @default "prometheus_replica"
     */
    replicaExternalLabelName?: string;
    /**
     * Remote-write destinations, for teams that also send to another store.
     * @default []
     */
    remoteWrite?: RemoteWriteSpec[];
    /**
     * Default scrape interval.
     * @default "30s"
     */
    scrapeInterval?: string;
    /**
     * Evaluation interval of `shard`-scope rules.
     * @default "30s"
     */
    evaluationInterval?: string;
    /**
     * Compress the write-ahead log.
     * @default true
     */
    walCompression?: boolean;
    /**
     * Size-based retention (`spec.retentionSize`, Prometheus units, base 2: `80GB`): old blocks are deleted before
     * the volume fills, whatever the time-based retention says. Must be below the volume size (the WAL and the
     * head's chunks need the rest).
     * @default 85% of `storage.size`
     */
    retentionSize?: string;
    /**
     * Whether the replicas of one shard may share a node: `hard` never (a replica stays Pending instead; one node's
     * loss never takes a whole shard), `soft` only when nothing else fits (single-node clusters). Zone spread is
     * always soft.
     * @default "hard"
     */
    replicaSpread?: ReplicaSpread;
    /**
     * Prometheus feature flags (`--enable-feature`, the resource's `enableFeatures`). Flags that write blocks
     * Thanos v0.42 cannot read (`xor2-encoding`, `st-storage`) are refused, and so is `delayed-compaction`
     * (use `compaction: "delayed"`).
     * @default []
     */
    enableFeatures?: string[];
    /**
     * TLS on the sidecars' gRPC StoreAPI (a collector exposing it to a central querier): a `kubernetes.io/tls`
     * Secret in the namespace, mounted into the sidecar (`--grpc-server-tls-cert`/`-key` through the Operator's
     * `spec.thanos.grpcServerTlsConfig`). Every StoreAPI client must then speak TLS.
     * @default plaintext
     */
    grpcServerTls?: GrpcServerTlsSettings;
    /**
     * Flags added to the Thanos sidecar (`--name` or `--name=value`, the Operator's `spec.thanos.additionalArgs`),
     * for what the stack has no setting for. A flag the Operator sets is refused.
     * @default []
     */
    sidecarExtraArgs?: string[];
}

/**
 * The flags the Operator sets on the sidecar (prometheus-operator v0.93 pkg/prometheus/server/statefulset.go; it
 * refuses an additional argument that repeats one).
 */
const OPERATOR_SIDECAR_FLAGS = [
    "prometheus.url", "grpc-address", "http-address", "grpc-server-tls-cert", "grpc-server-tls-key", "grpc-server-tls-client-ca", "grpc-server-tls-min-version",
    "grpc-server-tls-ciphers", "grpc-server-tls-curves", "log.level", "log.format", "objstore.config", "objstore.config-file", "tsdb.path",
    "shipper.meta-file-name", "shipper.ignore-unequal-block-size", "tracing.config", "tracing.config-file", "min-time",
].map((f) => `--${f}`);

/** Arguments of `ShardedPrometheus`. */
export interface ShardedPrometheusArgs extends ShardedPrometheusSettings {
    /** Namespace of the Prometheus resource and everything around it. */
    namespace: string;
    /** The `cluster` external label on every block. */
    clusterName: string;
    /** The `environment` external label on every block. */
    environment: string;
    /** The Secret holding the Thanos objstore configuration (`type: S3`) the sidecars upload with. */
    objstoreSecret: ObjstoreSecretRef;
    /**
     * ServiceAccount of the Prometheus pods (e.g. one carrying the IAM role for the bucket). When unset, the
     * component creates its own, named like the Prometheus resource.
     * @default a ServiceAccount created by the component
     */
    serviceAccountName?: string;
    /**
     * Value of the `thanos-stack.io/monitor` label that ServiceMonitors/PodMonitors/Probes/PrometheusRules must
     * carry to be picked up.
     * @default "default"
     */
    monitor?: string;
    /**
     * The Alertmanager Service that `shard`-scope alerts go to (API v2).
     * @default no Alertmanager
     */
    alertmanager?: AlertmanagerTarget;
}

/** The Alertmanager Service that a Prometheus sends alerts to (API v2). */
export interface AlertmanagerTarget {
    /** Namespace of the Service. */
    namespace: string;
    /** Name of the Service. */
    serviceName: string;
    /**
     * Name of the Service port.
     * @default "web"
     */
    port?: string;
}

/** TLS on the sidecars' gRPC StoreAPI, from a `kubernetes.io/tls` Secret. */
export interface GrpcServerTlsSettings {
    /** Name of the `kubernetes.io/tls` Secret in the namespace. */
    secretName: string;
}

/** The typed `Prometheus.spec` we emit. */
export interface PrometheusSpec extends OperatorPodFields {
    image: string;
    version: string;
    shards: number;
    replicas: number;
    serviceAccountName: string;
    podMetadata: { labels: Record<string, string> };
    externalLabels: Record<string, string>;
    replicaExternalLabelName: string;
    retention: string;
    walCompression: boolean;
    retentionSize: string;
    maximumStartupDurationSeconds: number;
    enableFeatures?: string[];
    disableCompaction?: boolean;
    shardRetentionPolicy: { whenScaled: "Retain" | "Delete" };
    storage: {
        volumeClaimTemplate: {
            spec: { accessModes: string[]; storageClassName?: string; resources: { requests: { storage: string } } };
        };
    };
    resources: K8sResources;
    securityContext: PodSecurityContext;
    priorityClassName?: string;
    containers: Container[];
    initContainers: Container[];
    serviceMonitorSelector: LabelSelector;
    serviceMonitorNamespaceSelector: LabelSelector;
    podMonitorSelector: LabelSelector;
    podMonitorNamespaceSelector: LabelSelector;
    probeSelector: LabelSelector;
    probeNamespaceSelector: LabelSelector;
    ruleSelector: LabelSelector;
    ruleNamespaceSelector: LabelSelector;
    scrapeInterval: string;
    evaluationInterval: string;
    remoteWrite?: RemoteWriteSpec[];
    alerting?: { alertmanagers: Array<{ namespace: string; name: string; port: string; apiVersion: "v2" }> };
    thanos: {
        image: string;
        version: string;
        objectStorageConfig: { name: string; key: string };
        resources: K8sResources;
        volumeMounts?: Array<{ name: string; mountPath: string }>;
        grpcServerTlsConfig?: { certFile: string; keyFile: string };
        logLevel?: string;
        logFormat?: string;
        additionalArgs?: Array<{ name: string; value?: string }>;
    };
    volumes?: Array<{ name: string; secret: { secretName: string } }>;
    topologySpreadConstraints: Array<TopologySpreadConstraint & { additionalLabelSelectors: "OnShard" }>;
    affinity: Affinity;
}

/** A `Prometheus` object. */
export interface PrometheusObject {
    apiVersion: typeof MONITORING_API_VERSION;
    kind: "Prometheus";
    metadata: ObjectMeta;
    spec: PrometheusSpec;
}

/** Every input of the builders, with defaults applied. */
export interface ShardedPrometheusInput {
    name: string;
    instance: string;
    namespace: string;
    clusterName: string;
    environment: string;
    objstoreSecret: ObjstoreSecretRef;
    serviceAccountName: string;
    shards: number;
    replicas: number;
    retention: string;
    storage: { size: string; storageClass?: string };
    resources: ResourceRequirements;
    sidecarResources: ResourceRequirements;
    compaction: CompactionMode;
    externalLabels: Record<string, string>;
    replicaExternalLabelName: string;
    remoteWrite: RemoteWriteSpec[];
    scrapeInterval: string;
    evaluationInterval: string;
    monitor: string;
    alertmanager?: { namespace: string; serviceName: string; port: string };
    walCompression: boolean;
    retentionSize: string;
    replicaSpread: ReplicaSpread;
    enableFeatures: string[];
    priorityClassName: string | undefined;
    grpcServerTls?: { secretName: string };
    placement: PodPlacement | undefined;
    logging: LogSettings | undefined;
    sidecarExtraArgs: string[];
}

/** Minimum local retention: three 2h blocks. */
export const MIN_RETENTION_MS = PROMETHEUS.minRetentionHours * HOUR_MS;

/** External label names the component sets itself (or the Operator does); extra labels may not override them. */
export const RESERVED_EXTERNAL_LABELS = [EXTERNAL_LABELS.cluster, EXTERNAL_LABELS.environment, EXTERNAL_LABELS.prometheusReplica, EXTERNAL_LABELS.prometheusShard, "prometheus"] as const;

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Applies the defaults to the arguments. */
export function resolveShardedPrometheusArgs(name: string, args: ShardedPrometheusArgs): ShardedPrometheusInput {
    return {
        name,
        instance: name,
        namespace: args.namespace,
        clusterName: args.clusterName,
        environment: args.environment,
        objstoreSecret: args.objstoreSecret,
        serviceAccountName: args.serviceAccountName ?? name,
        shards: args.shards ?? DEFAULTS.prometheus.shards,
        replicas: args.replicas ?? DEFAULTS.prometheus.replicas,
        retention: args.retention ?? DEFAULTS.prometheus.retention,
        storage: { size: args.storage?.size ?? DEFAULTS.prometheus.storageSize, ...(args.storage?.storageClass !== undefined ? { storageClass: args.storage.storageClass } : {}) },
        resources: args.resources ?? DEFAULTS.prometheus.resources,
        sidecarResources: args.sidecarResources ?? DEFAULTS.prometheus.sidecarResources,
        compaction: args.compaction ?? DEFAULTS.prometheus.compaction,
        externalLabels: args.externalLabels ?? {},
        replicaExternalLabelName: args.replicaExternalLabelName ?? EXTERNAL_LABELS.prometheusReplica,
        remoteWrite: args.remoteWrite ?? [],
        scrapeInterval: args.scrapeInterval ?? DEFAULTS.prometheus.scrapeInterval,
        evaluationInterval: args.evaluationInterval ?? DEFAULTS.prometheus.evaluationInterval,
        monitor: args.monitor ?? PROMETHEUS.defaultMonitor,
        ...(args.alertmanager ? { alertmanager: { ...args.alertmanager, port: args.alertmanager.port ?? PROMETHEUS.portNames.web } } : {}),
        walCompression: args.walCompression ?? DEFAULTS.prometheus.walCompression,
        retentionSize: args.retentionSize ?? defaultRetentionSize(args.storage?.size ?? DEFAULTS.prometheus.storageSize),
        replicaSpread: args.replicaSpread ?? DEFAULTS.prometheus.replicaSpread,
        enableFeatures: args.enableFeatures ?? [...DEFAULTS.prometheus.enableFeatures],
        priorityClassName: args.priorityClassName,
        ...(args.grpcServerTls !== undefined ? { grpcServerTls: args.grpcServerTls } : {}),
        placement: args.placement,
        logging: args.logging,
        sidecarExtraArgs: args.sidecarExtraArgs ?? [],
    };
}

/** Problems with the (resolved) arguments, as `<arg>: <rule>, got <value>` sentences. */
export function shardedPrometheusProblems(i: ShardedPrometheusInput): string[] {
    const problems: string[] = [];
    const show = (v: unknown) => JSON.stringify(v);
    if (!Number.isInteger(i.shards) || i.shards < 1) problems.push(`shards: must be an integer >= 1, got ${show(i.shards)}`);
    if (!Number.isInteger(i.replicas) || i.replicas < 1) problems.push(`replicas: must be an integer >= 1, got ${show(i.replicas)}`);
    const retention = parseDuration(i.retention);
    if (retention === undefined) problems.push(`retention: must be a Prometheus duration like 24h, got ${show(i.retention)}`);
    else if (retention < MIN_RETENTION_MS) {
        problems.push(`retention: must be at least ${formatDuration(MIN_RETENTION_MS)} (three 2h blocks, so the sidecar uploads each before it is deleted), got ${show(i.retention)}`);
    }
    if (!isQuantity(i.storage.size)) problems.push(`storage.size: must be a Kubernetes quantity like 50Gi, got ${show(i.storage.size)}`);
    for (const key of ["scrapeInterval", "evaluationInterval"] as const) {
        if (!isDuration(i[key])) problems.push(`${key}: must be a Prometheus duration like 30s, got ${show(i[key])}`);
    }
    if (i.compaction !== "disabled" && i.compaction !== "delayed") problems.push(`compaction: must be disabled or delayed, got ${show(i.compaction)}`);
    problems.push(...delayedCompactionProblems(i.compaction, VERSIONS.prometheus, VERSIONS.thanos));
    const sizeRule = retentionSizeRule(i.retentionSize, i.storage.size);
    if (sizeRule !== undefined) problems.push(`retentionSize: ${sizeRule}, got ${show(i.retentionSize)}`);
    if (i.replicaSpread !== ReplicaSpread.Hard && i.replicaSpread !== ReplicaSpread.Soft) problems.push(`replicaSpread: must be hard or soft, got ${show(i.replicaSpread)}`);
    problems.push(...enableFeaturesProblems(i.enableFeatures));
    problems.push(...placementProblems(i.placement), ...loggingProblems(i.logging), ...extraArgsProblems(i.sidecarExtraArgs, OPERATOR_SIDECAR_FLAGS, "sidecarExtraArgs"));
    if (!LABEL_NAME_RE.test(i.replicaExternalLabelName)) problems.push(`replicaExternalLabelName: must be a Prometheus label name, got ${show(i.replicaExternalLabelName)}`);
    for (const [k, v] of Object.entries(i.externalLabels)) {
        if (!LABEL_NAME_RE.test(k)) problems.push(`externalLabels.${k}: must be a Prometheus label name, got ${show(k)}`);
        if ((RESERVED_EXTERNAL_LABELS as readonly string[]).includes(k) || k === i.replicaExternalLabelName) {
            problems.push(`externalLabels.${k}: is set by the stack itself and may not be overridden, got ${show(v)}`);
        }
        if (v === "") problems.push(`externalLabels.${k}: must not be empty, got ""`);
    }
    if (i.clusterName === "") problems.push(`clusterName: must not be empty, got ""`);
    if (i.environment === "") problems.push(`environment: must not be empty, got ""`);
    i.remoteWrite.forEach((rw, n) => {
        if (!/^https?:\/\/\S+$/.test(rw.url)) problems.push(`remoteWrite[${n}].url: must be an http(s) URL, got ${show(rw.url)}`);
    });
    return problems;
}

/** Labels the Operator puts on every pod of the Prometheus resource `name`. */
export function prometheusPodSelector(name: string): Record<string, string> {
    return { [PROMETHEUS.operatorNameLabel]: name };
}

/** Labels of the pods of one shard. */
export function shardPodSelector(name: string, shard: number): Record<string, string> {
    return { ...prometheusPodSelector(name), [PROMETHEUS.operatorShardLabel]: String(shard) };
}

/** Name of the headless Service in front of every sidecar. */
export function sidecarServiceName(name: string): string {
    return `${name}-sidecar`;
}

/** The ruleSelector of the Prometheus resource: only `shard`-scope rules of our monitor label. */
export function shardRuleSelector(monitor: string): Record<string, string> {
    return ruleLabels("shard", monitor);
}

/** The StoreAPI endpoint of every sidecar (all shards and replicas) as one DNS SRV name. */
export function sidecarStoreEndpoints(name: string, namespace: string): StoreEndpoint[] {
    return [
        {
            address: `dnssrv+_${THANOS.portNames.grpc}._tcp.${serviceFqdn(sidecarServiceName(name), namespace)}`,
            // Each shard holds different series: the querier must fan out to every sidecar, not load-balance.
            group: false,
            description: "prometheus sidecars (every shard and replica)",
        },
    ];
}

/** Builds the `Prometheus` resource (pure). */
export function buildPrometheus(i: ShardedPrometheusInput): PrometheusObject {
    const selector = prometheusPodSelector(i.name);
    const monitor = monitorLabels(i.monitor);
    const everywhere: LabelSelector = {};
    const sc = containerSecurityContext();
    const spec: PrometheusSpec = {
        image: mirroredImage(IMAGES.prometheus, i.placement?.imageRegistry),
        version: VERSIONS.prometheus,
        shards: i.shards,
        replicas: i.replicas,
        serviceAccountName: i.serviceAccountName,
        podMetadata: { labels: { [LABELS.component]: COMPONENT, [LABELS.partOf]: PART_OF } },
        // The shard label keeps every shard a stream of its own (deduplication removes only the replica label).
        externalLabels: { ...i.externalLabels, [EXTERNAL_LABELS.cluster]: i.clusterName, [EXTERNAL_LABELS.environment]: i.environment, [EXTERNAL_LABELS.prometheusShard]: PROMETHEUS.shardPlaceholder },
        replicaExternalLabelName: i.replicaExternalLabelName,
        retention: i.retention,
        walCompression: i.walCompression,
        retentionSize: i.retentionSize,
        maximumStartupDurationSeconds: DEFAULTS.prometheus.startupSeconds,
        ...(i.enableFeatures.length > 0 ? { enableFeatures: i.enableFeatures } : {}),
        ...(i.compaction === "disabled" ? { disableCompaction: true } : {}),
        // Scaling shards down keeps the removed shards' pods (for the data retention period): their sidecars stay
        // discovered by the querier and upload their last blocks, so no data of a removed shard becomes unqueryable.
        shardRetentionPolicy: { whenScaled: "Retain" },
        storage: { volumeClaimTemplate: { spec: volumeClaimSpec(i.storage) } },
        resources: containerResources(i.resources),
        securityContext: podSecurityContext(),
        ...podPriority(i.priorityClassName),
        ...operatorLogFields(i.logging),
        // Strategic-merge overrides of the containers the Operator generates (matched by name).
        containers: [
            { name: PROMETHEUS.containers.prometheus, securityContext: sc },
            { name: PROMETHEUS.containers.configReloader, securityContext: sc },
            {
                name: PROMETHEUS.containers.sidecar,
                securityContext: sc,
                env: [goMemLimitEnv(i.sidecarResources.limits.memory)],
                // The Operator gives the sidecar no probes.
                ...healthProbes(THANOS.portNames.http),
            },
        ],
        initContainers: [{ name: PROMETHEUS.containers.initConfigReloader, securityContext: sc }],
        serviceMonitorSelector: { matchLabels: monitor },
        serviceMonitorNamespaceSelector: everywhere,
        podMonitorSelector: { matchLabels: monitor },
        podMonitorNamespaceSelector: everywhere,
        probeSelector: { matchLabels: monitor },
        probeNamespaceSelector: everywhere,
        ruleSelector: { matchLabels: shardRuleSelector(i.monitor) },
        ruleNamespaceSelector: everywhere,
        scrapeInterval: i.scrapeInterval,
        evaluationInterval: i.evaluationInterval,
        ...(i.remoteWrite.length > 0 ? { remoteWrite: i.remoteWrite } : {}),
        ...(i.alertmanager
            ? { alerting: { alertmanagers: [{ namespace: i.alertmanager.namespace, name: i.alertmanager.serviceName, port: i.alertmanager.port, apiVersion: "v2" as const }] } }
            : {}),
        thanos: {
            image: mirroredImage(IMAGES.thanos, i.placement?.imageRegistry),
            version: VERSIONS.thanos,
            objectStorageConfig: { name: i.objstoreSecret.name, key: i.objstoreSecret.key },
            resources: containerResources(i.sidecarResources),
            ...operatorLogFields(i.logging),
            ...(i.sidecarExtraArgs.length > 0 ? { additionalArgs: operatorAdditionalArgs(i.sidecarExtraArgs) } : {}),
            ...(i.grpcServerTls
                ? {
                      volumeMounts: [{ name: SIDECAR_TLS_VOLUME, mountPath: MULTI_CLUSTER.sidecarTlsMountPath }],
                      grpcServerTlsConfig: { certFile: `${MULTI_CLUSTER.sidecarTlsMountPath}/tls.crt`, keyFile: `${MULTI_CLUSTER.sidecarTlsMountPath}/tls.key` },
                  }
                : {}),
        },
        ...(i.grpcServerTls ? { volumes: [{ name: SIDECAR_TLS_VOLUME, secret: { secretName: i.grpcServerTls.secretName } }] } : {}),
        // Replicas of each shard spread over zones and nodes (the Operator adds the shard label: OnShard).
        topologySpreadConstraints: zoneSpread(selector, i.replicaSpread).map((c) => ({ ...c, additionalLabelSelectors: "OnShard" as const })),
        affinity: hostnameAntiAffinity(selector),
        ...placementFields(i.placement, hostnameAntiAffinity(selector)),
    };
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "Prometheus",
        // `pulumi up` waits until every replica of every shard is ready (the Operator's Available condition), for as
        // long as a rolling restart with a full WAL replay per replica may take.
        metadata: objectMeta({ name: i.name, namespace: i.namespace, component: COMPONENT, instance: i.instance, annotations: prometheusAwait(i.replicas) }),
        spec,
    };
}

/** Pulumi's wait on the Prometheus resource: its Available condition, for a rolling restart of `replicas` pods per shard. */
export function prometheusAwait(replicas: number): Record<string, string> {
    return { [PULUMI_AWAIT.waitFor]: "condition=Available", [PULUMI_AWAIT.timeoutSeconds]: String(replicas * DEFAULTS.prometheus.startupSeconds + AWAIT_MARGIN_SECONDS) };
}

/** The headless Service exposing every sidecar's gRPC StoreAPI (and HTTP), plus Prometheus' web port. */
export function buildSidecarService(i: ShardedPrometheusInput): ServiceObject {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: objectMeta({ name: sidecarServiceName(i.name), namespace: i.namespace, component: COMPONENT, instance: i.instance }),
        spec: {
            clusterIP: "None",
            selector: prometheusPodSelector(i.name),
            ports: [
                { name: THANOS.portNames.grpc, port: PORTS.thanosGrpc, targetPort: THANOS.portNames.grpc, protocol: "TCP" },
                { name: THANOS.portNames.http, port: PORTS.thanosHttp, targetPort: THANOS.portNames.http, protocol: "TCP" },
                { name: PROMETHEUS.portNames.web, port: PORTS.prometheusHttp, targetPort: PROMETHEUS.portNames.web, protocol: "TCP" },
                // The Operator's config reloader in every Prometheus pod (scraped as job config-reloader).
                { name: PROMETHEUS.portNames.configReloader, port: PORTS.configReloaderHttp, targetPort: PROMETHEUS.portNames.configReloader, protocol: "TCP" },
            ],
        },
    };
}

/** One PodDisruptionBudget per shard: at most one replica of a shard down at a time. */
export function buildShardPdbs(i: ShardedPrometheusInput): PdbObject[] {
    return Array.from({ length: i.shards }, (_, shard) =>
        podDisruptionBudget(
            objectMeta({ name: `${i.name}-shard-${shard}`, namespace: i.namespace, component: COMPONENT, instance: i.instance }),
            shardPodSelector(i.name, shard),
        ),
    );
}

/** The ServiceAccount (when the component creates its own); Prometheus talks to the API, so the token is mounted. */
export function buildPrometheusServiceAccount(i: ShardedPrometheusInput): ServiceAccountObject {
    return {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: objectMeta({ name: i.serviceAccountName, namespace: i.namespace, component: COMPONENT, instance: i.instance }),
        automountServiceAccountToken: true,
    };
}

/** Name of the cluster-scoped RBAC objects (prefixed by the namespace: cluster-wide names must be unique). */
export function prometheusClusterRoleName(i: Pick<ShardedPrometheusInput, "name" | "namespace">): string {
    return `${i.namespace}-${i.name}`;
}

/** Read-only discovery RBAC for Kubernetes service discovery across namespaces. */
export function buildPrometheusRbac(i: ShardedPrometheusInput): { role: ClusterRoleObject; binding: ClusterRoleBindingObject } {
    const name = prometheusClusterRoleName(i);
    const read = ["get", "list", "watch"];
    return {
        role: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: objectMeta({ name, component: COMPONENT, instance: i.instance }),
            rules: [
                { apiGroups: [""], resources: ["nodes", "nodes/metrics", "services", "endpoints", "pods"], verbs: read },
                { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: read },
                { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: read },
                { apiGroups: [""], resources: ["configmaps"], verbs: ["get"] },
                { nonResourceURLs: ["/metrics", "/metrics/cadvisor"], verbs: ["get"] },
            ],
        },
        binding: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: objectMeta({ name, component: COMPONENT, instance: i.instance }),
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
            subjects: [{ kind: "ServiceAccount", name: i.serviceAccountName, namespace: i.namespace }],
        },
    };
}

/** Labels of the headless Service in front of the Prometheus pods (and their sidecars). */
export function sidecarServiceSelector(i: Pick<ShardedPrometheusInput, "instance">): Record<string, string> {
    return selectorLabels(COMPONENT, i.instance);
}

/**
 * Prometheus scrapes itself through the headless Service, as job `prometheus`, and its pods' config reloaders, as job
 * `config-reloader` (the sidecars are scraped by the Thanos self-monitoring, as job thanos-sidecar).
 */
export function buildPrometheusSelfMonitor(i: ShardedPrometheusInput) {
    const jobs = SELF_MONITORING.platformJobs;
    return buildServiceMonitor({
        name: `${i.name}-self`,
        namespace: i.namespace,
        instance: i.instance,
        monitor: i.monitor,
        spec: {
            selector: { matchLabels: sidecarServiceSelector(i) },
            endpoints: [jobEndpoint(PROMETHEUS.portNames.web, jobs.prometheus), jobEndpoint(PROMETHEUS.portNames.configReloader, jobs.configReloader)],
        },
    });
}

/** Sharded Prometheus with Thanos sidecars, run by the Prometheus Operator. */
export class ShardedPrometheus extends pulumi.ComponentResource {
    /** Name of the `Prometheus` resource. */
    public readonly prometheusName: string;
    /** The replica external label; the querier must deduplicate on exactly this label. */
    public readonly replicaLabel: string;
    /** The external labels every block carries (besides the replica label). */
    public readonly externalLabels: Record<string, string>;
    /** The StoreAPI endpoints of the sidecars, for the querier. */
    public readonly storeEndpoints: StoreEndpoint[];
    /** Name of the headless Service in front of the sidecars. */
    public readonly sidecarServiceName: string;
    /** Labels that select the headless Service in front of the sidecars (for ServiceMonitors). */
    public readonly sidecarServiceSelector: Record<string, string>;
    /** ServiceAccount of the Prometheus pods. */
    public readonly serviceAccountName: string;
    /** Labels a PrometheusRule needs to be evaluated in the shards. */
    public readonly ruleSelector: Record<string, string>;
    /** Number of shards and replicas per shard. */
    public readonly shards: number;
    public readonly replicas: number;
    /** The `Prometheus` resource. */

    constructor(name: string, args: ShardedPrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:ShardedPrometheus", name, {}, opts);
        const input = resolveShardedPrometheusArgs(name, args);
        const problems = shardedPrometheusProblems(input);
        refuseProblems("ShardedPrometheus", problems);

        const prom = buildPrometheus(input);
        this.prometheusName = input.name;
        this.replicaLabel = input.replicaExternalLabelName;
        this.externalLabels = prom.spec.externalLabels;
        this.storeEndpoints = sidecarStoreEndpoints(input.name, input.namespace);
        this.sidecarServiceName = sidecarServiceName(input.name);
        this.sidecarServiceSelector = sidecarServiceSelector(input);
        this.serviceAccountName = input.serviceAccountName;
        this.ruleSelector = shardRuleSelector(input.monitor);
        this.shards = input.shards;
        this.replicas = input.replicas;

        const child = childOptions(this, opts);
        const deps: pulumi.Resource[] = [];
        if (args.serviceAccountName === undefined) {
            deps.push(new ServiceAccount(`${name}-serviceaccount`, buildPrometheusServiceAccount(input), child));
        }
        const rbac = buildPrometheusRbac(input);
        const role = new ClusterRole(`${name}-clusterrole`, rbac.role, child);
        deps.push(new ClusterRoleBinding(`${name}-clusterrolebinding`, rbac.binding, withDependencies(child, [role])));
        new CustomResource(`${name}-prometheus`, prom, withDependencies(child, deps));
        new Service(`${name}-sidecar-service`, buildSidecarService(input), child);
        buildShardPdbs(input).forEach((pdb, shard) => new PodDisruptionBudget(`${name}-pdb-shard-${shard}`, pdb, child));
        new CustomResource(`${name}-servicemonitor`, buildPrometheusSelfMonitor(input), child);

        this.registerOutputs({
            prometheusName: this.prometheusName,
            replicaLabel: this.replicaLabel,
            storeEndpoints: this.storeEndpoints,
            sidecarServiceName: this.sidecarServiceName,
            serviceAccountName: this.serviceAccountName,
        });
    }
}
