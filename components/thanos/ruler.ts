/**
 * ThanosRuler: evaluates the `global`-scope rules (anything that needs more than one shard's data)
 * through the querier, sends alerts to Alertmanager (API v2) and uploads its own blocks.
 *
 * Why the Prometheus Operator's `ThanosRuler` resource and not our own StatefulSet:
 * rules are `PrometheusRule` objects that teams create in their own namespaces, often from other
 * Pulumi programs (the team helpers of this package), so the ruler must discover them in the
 * cluster, render them to files and reload on change. The Operator does exactly that for
 * `ThanosRuler` (`ruleSelector` / `ruleNamespaceSelector`, rule ConfigMaps, config-reloader); with our
 * own StatefulSet we would have to write and run that controller. What our own StatefulSet would add —
 * control over flags, probes and the baseline — we keep through the resource's fields: `containers`
 * (strategic-merge patch of the `thanos-ruler` and `config-reloader` containers: probes, security
 * context, GOMEMLIMIT), `securityContext`, `terminationGracePeriodSeconds`, `affinity`,
 * `topologySpreadConstraints`, and every flag we care about has a typed field. The one thing the
 * Operator fixes is the replica label: `thanos_ruler_replica` = pod name, always added and always
 * dropped from alerts (`--alert.label-drop`); EXTERNAL_LABELS.rulerReplica names it and the querier
 * deduplicates on it. We add a headless Service of our own (`<name>`, gRPC StoreAPI for the querier)
 * and a PodDisruptionBudget, which the Operator does not create.
 */
import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Secret as K8sSecret, Service as K8sService } from "@pulumi/kubernetes/core/v1";
import { PodDisruptionBudget as K8sPdb } from "@pulumi/kubernetes/policy/v1";
import type { Secret, Service } from "kubernetes-types/core/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import { stringify } from "yaml";
import { EXTERNAL_LABELS, IMAGES, LABELS, PART_OF, PORTS, PROMETHEUS, THANOS, VERSIONS } from "../constants";
import { DEFAULTS, type ResourceRequirements } from "../defaults";
import type { VolumeSettings } from "./storeGateway";
import { serviceFqdn, type ObjstoreSecretRef, type StoreEndpoint } from "../lib/contracts";
import { isDuration, parseDuration } from "../lib/duration";
import { objectMeta } from "../lib/meta";
import { MONITORING_API_VERSION, ruleLabels } from "../lib/monitoringTypes";
import {
    containerResources,
    containerSecurityContext,
    goMemLimitEnv,
    hostnameAntiAffinity,
    httpProbe,
    podDisruptionBudget,
    podPriority,
    podSecurityContext,
    THANOS_TERMINATION_GRACE_SECONDS,
    zoneSpread,
    type PodPriorityArgs,
} from "../lib/pod";
import { withDependencies } from "../lib/options";
import { childOptions, refuseProblems } from "../lib/providers";
import { ownServiceAccount } from "../lib/ownServiceAccount";
import { extraArgsProblems, operatorAdditionalArgs, storeApiSrvAddress, type ThanosExtraArgs } from "../lib/thanos";
import { loggingProblems, mirroredImage, placementFields, placementProblems, resolvedLogging, DEFAULT_LOGGING, type LogSettings, type PodPlacement, type PodSettingsArgs } from "../lib/placement";

/** Key of the Alertmanager config inside its Secret. */
export const ALERTMANAGERS_KEY = "alertmanagers.yaml";

/** Settings of the ruler that a ThanosStack passes through (the stack supplies namespace, bucket access, external labels, query endpoints, Alertmanagers and priority). */
export interface RulerSettings extends ThanosExtraArgs, PodSettingsArgs {
    /**
     * Replicas; each is a block producer with its own `thanos_ruler_replica`.
     * @default 2
     */
    replicas?: number;
    /**
     * Rule evaluation interval.
     * @default "30s"
     */
    evaluationInterval?: string;
    /**
     * Local TSDB retention (blocks are uploaded every 2h).
     * @default "24h"
     */
    retention?: string;
    /**
     * Persistent volume of each replica.
     * @default { size: "10Gi" }
     */
    storage?: VolumeSettings;
    /**
     * Container resources.
     * @default requests 200m / 512Mi, limit 1Gi
     */
    resources?: ResourceRequirements;
    /**
     * Value of the `thanos-stack.io/monitor` label the selected `global` PrometheusRules carry.
     * @default "default"
     */
    monitor?: string;
}

/** Arguments of `ThanosRuler`. */
export interface ThanosRulerArgs extends RulerSettings, PodPriorityArgs {
    /** Namespace of every object. */
    namespace: string;
    /** The objstore Secret (the Operator mounts it as `--objstore.config-file`). */
    objstoreSecret: ObjstoreSecretRef;
    /** External labels of the ruler's blocks (cluster, environment); the replica label is added per pod. */
    externalLabels: Record<string, string>;
    /** Query API addresses (`host:port`, e.g. the querier Service on 10902). */
    queryEndpoints: string[];
    /** Alertmanager addresses in Thanos SD syntax (`dnssrv+_http-web._tcp.alertmanager-operated...`, `host:port`). */
    alertmanagerAddresses: string[];
    /**
     * ServiceAccount with the ruler's bucket role (e.g. from the object-storage BucketAccess component).
     * @default a dedicated ServiceAccount named after the component, without bucket credentials
     */
    serviceAccountName?: string;
}

/** The fully defaulted ruler. */
export interface RulerPlan {
    name: string;
    namespace: string;
    objstoreSecret: ObjstoreSecretRef;
    externalLabels: Record<string, string>;
    queryEndpoints: string[];
    alertmanagerAddresses: string[];
    serviceAccountName: string;
    createServiceAccount: boolean;
    replicas: number;
    evaluationInterval: string;
    retention: string;
    storage: VolumeSettings;
    resources: ResourceRequirements;
    monitor: string | undefined;
    priorityClassName: string | undefined;
    placement: PodPlacement | undefined;
    logging: LogSettings | undefined;
    extraArgs: string[];
}

/** Applies the defaults. */
export function rulerPlan(name: string, args: ThanosRulerArgs): RulerPlan {
    return {
        name,
        namespace: args.namespace,
        objstoreSecret: args.objstoreSecret,
        externalLabels: args.externalLabels,
        queryEndpoints: args.queryEndpoints,
        alertmanagerAddresses: args.alertmanagerAddresses,
        serviceAccountName: args.serviceAccountName ?? name,
        createServiceAccount: args.serviceAccountName === undefined,
        replicas: args.replicas ?? DEFAULTS.ruler.replicas,
        evaluationInterval: args.evaluationInterval ?? DEFAULTS.ruler.evaluationInterval,
        retention: args.retention ?? DEFAULTS.ruler.retention,
        storage: args.storage ?? { size: DEFAULTS.ruler.storageSize },
        resources: args.resources ?? DEFAULTS.ruler.resources,
        monitor: args.monitor,
        priorityClassName: args.priorityClassName,
        placement: args.placement,
        logging: args.logging,
        extraArgs: args.extraArgs ?? [],
    };
}

/**
 * The flags the Operator sets on a ruler (prometheus-operator v0.93 pkg/thanos/statefulset.go; it refuses an
 * additional argument that repeats one): extra args may not name them.
 */
const OPERATOR_RULER_FLAGS = [
    "alert.label-drop", "alert.query-url", "alert.relabel-config-file", "alertmanagers.config-file", "alertmanagers.url", "data-dir",
    "enable-feature", "eval-interval", "for-grace-period", "for-outage-tolerance", "grpc-address", "grpc-server-tls-cert", "grpc-server-tls-ciphers",
    "grpc-server-tls-client-ca", "grpc-server-tls-curves", "grpc-server-tls-key", "grpc-server-tls-min-version", "http-address", "label",
    "log.format", "log.level", "objstore.config-file", "query", "query.config-file", "remote-write.config-file", "resend-delay",
    "rule-concurrent-evaluation", "rule-file", "rule-query-offset", "tracing.config-file", "tsdb.retention", "web.external-prefix", "web.route-prefix",
].map((f) => `--${f}`);


/** Validation of the Args, one line per problem. */
export function rulerProblems(args: ThanosRulerArgs): string[] {
    const problems: string[] = [];
    if (args.queryEndpoints.length === 0) problems.push("ThanosRuler queryEndpoints: must name the querier (or query-frontend), got []");
    if (args.alertmanagerAddresses.length === 0) problems.push("ThanosRuler alertmanagerAddresses: must name at least one Alertmanager, got []");
    if (args.replicas !== undefined && (!Number.isInteger(args.replicas) || args.replicas < 1)) problems.push(`ThanosRuler replicas: must be an integer >= 1, got ${args.replicas}`);
    for (const [key, v] of [["evaluationInterval", args.evaluationInterval], ["retention", args.retention]] as const) {
        if (v !== undefined && !isDuration(v)) problems.push(`ThanosRuler ${key}: must be a duration like 30s or 24h, got "${v}"`);
    }
    const retention = args.retention !== undefined ? parseDuration(args.retention) : undefined;
    if (retention !== undefined && retention < parseDuration("6h")!) problems.push(`ThanosRuler retention: must keep at least three 2h blocks (6h) so each is uploaded, got "${args.retention}"`);
    if (EXTERNAL_LABELS.rulerReplica in args.externalLabels) {
        problems.push(`ThanosRuler externalLabels: must not set ${EXTERNAL_LABELS.rulerReplica} (the Operator sets it per pod), got ${JSON.stringify(args.externalLabels)}`);
    }
    problems.push(...[...placementProblems(args.placement), ...loggingProblems(args.logging), ...extraArgsProblems(args.extraArgs, OPERATOR_RULER_FLAGS, "extraArgs")].map((p) => `ThanosRuler ${p}`));
    return problems;
}

/** The Alertmanager configuration (`--alertmanagers.config`): API v2, the only one Alertmanager >= 0.27 serves. */
export function alertmanagersConfig(addresses: readonly string[]): string {
    return stringify({ alertmanagers: [{ static_configs: [...addresses], scheme: "http", timeout: "10s", api_version: "v2" }] }, { lineWidth: 0 });
}

/** The Secret holding the Alertmanager configuration. */
export function buildAlertmanagersSecret(plan: RulerPlan): Secret {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: objectMeta({ name: `${plan.name}-alertmanagers`, namespace: plan.namespace, component: THANOS.componentNames.rule, instance: plan.name }),
        type: "Opaque",
        stringData: { [ALERTMANAGERS_KEY]: alertmanagersConfig(plan.alertmanagerAddresses) },
    };
}

/** Labels the Operator puts on every pod of a ThanosRuler (stable, so we select on them). */
export function rulerPodSelector(name: string): Record<string, string> {
    return { [LABELS.name]: THANOS.operatorRuler.nameLabelValue, [THANOS.operatorRuler.instanceLabel]: name };
}

/** The `monitoring.coreos.com/v1` ThanosRuler resource. */
export interface ThanosRulerResource {
    apiVersion: typeof MONITORING_API_VERSION;
    kind: "ThanosRuler";
    metadata: ReturnType<typeof objectMeta>;
    spec: Record<string, unknown>;
}

/** Builds the ThanosRuler resource. */
export function buildThanosRuler(plan: RulerPlan): ThanosRulerResource {
    const component = THANOS.componentNames.rule;
    const selector = rulerPodSelector(plan.name);
    const probePort = THANOS.operatorRuler.webPort;
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "ThanosRuler",
        metadata: objectMeta({ name: plan.name, namespace: plan.namespace, component, instance: plan.name }),
        spec: {
            image: mirroredImage(IMAGES.thanos, plan.placement?.imageRegistry),
            version: VERSIONS.thanos,
            imagePullPolicy: "IfNotPresent",
            replicas: plan.replicas,
            serviceAccountName: plan.serviceAccountName,
            labels: plan.externalLabels,
            ruleSelector: { matchLabels: ruleLabels("global", plan.monitor) },
            ruleNamespaceSelector: {},
            evaluationInterval: plan.evaluationInterval,
            retention: plan.retention,
            queryEndpoints: plan.queryEndpoints,
            alertmanagersConfig: { name: `${plan.name}-alertmanagers`, key: ALERTMANAGERS_KEY },
            alertDropLabels: [EXTERNAL_LABELS.rulerReplica],
            objectStorageConfig: { name: plan.objstoreSecret.name, key: plan.objstoreSecret.key },
            logFormat: resolvedLogging(plan.logging).format,
            ...(plan.logging?.level !== undefined && plan.logging.level !== DEFAULT_LOGGING.level ? { logLevel: plan.logging.level } : {}),
            ...(plan.extraArgs.length > 0 ? { additionalArgs: operatorAdditionalArgs(plan.extraArgs) } : {}),
            resources: containerResources(plan.resources),
            storage: {
                volumeClaimTemplate: {
                    spec: {
                        accessModes: ["ReadWriteOnce"],
                        resources: { requests: { storage: plan.storage.size } },
                        ...(plan.storage.storageClass !== undefined ? { storageClassName: plan.storage.storageClass } : {}),
                    },
                },
            },
            securityContext: podSecurityContext(),
            ...podPriority(plan.priorityClassName),
            terminationGracePeriodSeconds: THANOS_TERMINATION_GRACE_SECONDS,
            affinity: hostnameAntiAffinity(selector),
            ...placementFields(plan.placement, hostnameAntiAffinity(selector)),
            topologySpreadConstraints: zoneSpread(selector),
            podMetadata: { labels: { [LABELS.component]: component, [LABELS.partOf]: PART_OF } },
            containers: [
                {
                    name: THANOS.operatorRuler.container,
                    env: [goMemLimitEnv(plan.resources.limits.memory)],
                    readinessProbe: httpProbe("/-/ready", probePort, { periodSeconds: 5 }),
                    livenessProbe: httpProbe("/-/healthy", probePort, { periodSeconds: 30, failureThreshold: 4 }),
                    securityContext: containerSecurityContext(),
                },
                { name: THANOS.operatorRuler.configReloader, securityContext: containerSecurityContext() },
            ],
        },
    };
}

/** Our headless Service over the Operator's ruler pods: the gRPC StoreAPI the querier fans out to. */
export function buildRulerService(plan: RulerPlan): Service {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: objectMeta({ name: plan.name, namespace: plan.namespace, component: THANOS.componentNames.rule, instance: plan.name }),
        spec: {
            clusterIP: "None",
            selector: rulerPodSelector(plan.name),
            ports: [
                { name: THANOS.portNames.http, port: PORTS.thanosHttp, targetPort: PORTS.thanosHttp, protocol: "TCP" },
                { name: THANOS.portNames.grpc, port: PORTS.thanosGrpc, targetPort: PORTS.thanosGrpc, protocol: "TCP" },
                // The Operator's config reloader in every ruler pod (reloads the rule files; scraped as job config-reloader).
                { name: PROMETHEUS.portNames.configReloader, port: PORTS.configReloaderHttp, targetPort: PORTS.configReloaderHttp, protocol: "TCP" },
            ],
        },
    };
}

/** The ruler's PodDisruptionBudget. */
export function buildRulerPdb(plan: RulerPlan): PodDisruptionBudget {
    return podDisruptionBudget(
        objectMeta({ name: plan.name, namespace: plan.namespace, component: THANOS.componentNames.rule, instance: plan.name }),
        rulerPodSelector(plan.name),
    );
}

/** The ruler's StoreAPI: every replica holds different blocks, so it is fanned out to (not a group). */
export function rulerStoreEndpoint(name: string, namespace: string): StoreEndpoint {
    return { address: storeApiSrvAddress(serviceFqdn(name, namespace)), group: false, description: "thanos ruler" };
}

/** The Thanos ruler for `global`-scope rules, as an Operator `ThanosRuler` resource. */
export class ThanosRuler extends pulumi.ComponentResource {
    /** The ruler's StoreAPI endpoint for the querier. */
    public readonly storeEndpoint: StoreEndpoint;
    /** The replica label that differs per ruler pod. */
    public readonly replicaLabel: string;

    constructor(name: string, args: ThanosRulerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:ThanosRuler", name, args, opts);
        const problems = rulerProblems(args);
        refuseProblems("ThanosRuler", problems);
        const plan = rulerPlan(name, args);
        this.storeEndpoint = rulerStoreEndpoint(name, plan.namespace);
        this.replicaLabel = EXTERNAL_LABELS.rulerReplica;

        const component = THANOS.componentNames.rule;
        ownServiceAccount(this, name, component, plan, opts);
        const secret = new K8sSecret(`${name}-alertmanagers`, buildAlertmanagersSecret(plan), childOptions(this, opts));
        const ruler = buildThanosRuler(plan);
        new CustomResource(`${name}-ruler`, { ...ruler }, withDependencies(childOptions(this, opts), [secret]));
        new K8sService(`${name}-service`, buildRulerService(plan), childOptions(this, opts));
        new K8sPdb(`${name}-pdb`, buildRulerPdb(plan), childOptions(this, opts));
        this.registerOutputs({ storeEndpoint: this.storeEndpoint, replicaLabel: this.replicaLabel });
    }
}
