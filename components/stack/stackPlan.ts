/**
 * The plan of a ThanosStack (pure): from the validated Args, once, every child's Args and what the children
 * expose to each other — the names, the producers with their external labels, the StoreAPI endpoints, the bucket
 * users, the Thanos components' Args, the network flows and the self-monitoring targets. The invariants, the
 * querier's endpoints, the NetworkPolicies and the monitoring rules are all views of this one plan; ThanosStack
 * only creates what it lists. Every problem is thrown from here, before any resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { CHART_PORTS, grafanaDatasourceTimeout, type PrometheusOperatorArgs } from "../prometheus/prometheusOperator";
import { INGRESS, MEMCACHED, MULTI_CLUSTER, PORTS, PROMETHEUS, SELF_MONITORING, THANOS } from "../constants";
import { DEFAULTS } from "../defaults";
import type { VolumeSettings } from "../lib/pod";
import { loggingProblems, overPodSettings, placementProblems, type PodSettingsArgs } from "../lib/placement";
import { DEFAULT_STORAGE_CLASS, storageClassProblems, type StorageClassSettings } from "../storage/storageClass";
import type { BucketUserNames, ObjstoreSecretRef, StoreEndpoint } from "../lib/contracts";
import { ruleLabels } from "../lib/monitoringTypes";
import { objectStorageSettingsProblems, showValue } from "../lib/objectStorage";
import { refuseProblems } from "../lib/providers";
import { componentScrapeTarget, thanosScrapeTargets, type ThanosSelfMonitoringArgs } from "../monitoring/thanosSelfMonitoring";
import { compactVolumeClaimRegex } from "../monitoring/thanosRules";
import { ipPeers, NAMESPACE_NAME_LABEL } from "../network/networkPolicies";
import { anywhereOf, buildStackNetworkPolicies, workloadId, type StackNetworkInput } from "../network/stackNetwork";
import { grafanaUiTarget, thanosUiTarget, type UiName } from "../network/uiAccess";
import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import { alertmanagerSrvAddress, alertmanagerUrl, receiverUrls, type AlertmanagerArgs } from "../prometheus/alertmanager";
import type { PushgatewayArgs } from "../prometheus/pushgateway";
import { buildPrometheus, resolveShardedPrometheusArgs, shardedPrometheusProblems, sidecarServiceSelector, sidecarStoreEndpoints, type ShardedPrometheusArgs } from "../prometheus/shardedPrometheus";
import { serviceAccountNames } from "../storage/bucketAccess";
import { queryFrontendPlan, queryFrontendUrl } from "../thanos/queryFrontend";
import { rulerPlan } from "../thanos/ruler";
import { storeGatewayPlan } from "../thanos/storeGateway";
import { collectorTlsSecretName, roleContext, roleParts, sidecarServesTls, type RoleParts, type StackRole } from "./multiCluster";
import { monitoringPriorityClassName, priorityValueProblems } from "./priorityClass";
import { assertThanosStack, planThanosStack, thanosStackContext, type ThanosStackPlan } from "./thanosPlan";
import type { ThanosStackArgs } from "./thanosStack";

/** Everything a ThanosStack creates, computed from its Args before the first child. */
export interface StackPlan {
    name: string;
    namespace: string;
    role: StackRole;
    parts: RoleParts;
    priorityClass: { name: string; value: number };
    /** The stack's StorageClass (absent: volumes name the classes they were given). */
    storageClass?: StorageClassSettings & { name: string; create: boolean };
    /** The in-cluster S3 server's volume, with the stack's StorageClass. */
    versitygwStorage?: Partial<VolumeSettings>;
    objstoreSecret: ObjstoreSecretRef;
    /** The ServiceAccount of each bucket user (BucketAccess creates them, with the IAM roles on S3). */
    serviceAccountNames: BucketUserNames;
    operator: PrometheusOperatorArgs;
    alertmanager: { name: string; args: AlertmanagerArgs; url: string; srvAddress: string };
    prometheus: { name: string; args: ShardedPrometheusArgs; sidecarEndpoints: StoreEndpoint[]; replicaLabel: string; shards: number; replicas: number };
    /** Absent when disabled or when the role runs none. */
    pushgateway?: { name: string; args: PushgatewayArgs };
    /** The Thanos components' Args and the invariants' view (checked). */
    thanos: ThanosStackPlan;
    /** The network flows the wiring implies and the NetworkPolicies built from them (empty when disabled). */
    network: { input: StackNetworkInput; policies: NetworkPolicy[] };
    /** Absent when self-monitoring is off. */
    selfMonitoring?: ThanosSelfMonitoringArgs;
    /** The UI routes that have a host. */
    uiRoutes: Partial<Record<UiName, { host: string; serviceName: string; servicePort: number }>>;
    globalRuleSelector: Record<string, string>;
}

/** The PrometheusOperator component of a stack, and the kube-prometheus-stack release it installs. */
export function operatorReleaseName(stack: string): string {
    return `${stack}-operator`;
}

/** The BucketAccess component of a stack (the parent of the bucket users' IAM roles). */
export function bucketAccessName(stack: string): string {
    return `${stack}-access`;
}

/** Plans made for an Args object: the program checks the plan before creating providers, the component reuses it. */
const PLANS = new WeakMap<ThanosStackArgs, Map<string, StackPlan>>();

/** The plan of a stack (made once per Args object and name). Throws a RunError naming the first bad key. */
export function planStack(name: string, args: ThanosStackArgs): StackPlan {
    const known = PLANS.get(args)?.get(name);
    if (known !== undefined) return known;
    const plan = makePlan(name, args);
    PLANS.set(args, (PLANS.get(args) ?? new Map<string, StackPlan>()).set(name, plan));
    return plan;
}

function fail(message: string): never {
    throw new pulumi.RunError(`ThanosStack ${message}`);
}

/** The role and what it deploys; a role's own rules about the other Args. */
function planRole(args: ThanosStackArgs): { role: StackRole; parts: RoleParts } {
    const role: StackRole = args.role ?? "all";
    if (!(MULTI_CLUSTER.roles as readonly string[]).includes(role)) fail(`role: must be one of ${MULTI_CLUSTER.roles.join(", ")}, got ${JSON.stringify(role)}`);
    if (role === "collector" && args.collector === undefined) fail("collector: is required with role collector (at least collector.exposure.domain), got undefined");
    if (role !== "all" && args.objectStorage.provider !== "s3") fail(`objectStorage.provider: must be s3 with role ${role} (one bucket shared across clusters), got "${args.objectStorage.provider}"`);
    if (role === "collector" && args.ui !== undefined) fail("ui: a collector runs no query-frontend, ruler or Grafana to expose, got a ui setting");
    return { role, parts: roleParts(role) };
}

/**
 * The Args with the stack's StorageClass on every volume that names none (Prometheus, Alertmanager, the
 * Pushgateway's persistence, store gateway, compactor, ruler, the in-cluster S3 server). Pure.
 */
export function withStorageClass(args: ThanosStackArgs, storageClass: string | undefined): ThanosStackArgs {
    if (storageClass === undefined) return args;
    const partial = <T extends { storageClass?: string }>(v: T | undefined): T => ({ ...v, storageClass: v?.storageClass ?? storageClass }) as T;
    const full = (v: VolumeSettings | undefined, size: string): VolumeSettings => ({ size: v?.size ?? size, storageClass: v?.storageClass ?? storageClass });
    const t = args.thanos ?? {};
    const o = args.objectStorage;
    return {
        ...args,
        prometheus: { ...args.prometheus, storage: partial(args.prometheus?.storage) },
        alertmanager: { ...args.alertmanager, storage: partial(args.alertmanager?.storage) },
        pushgateway: { ...args.pushgateway, persistence: partial(args.pushgateway?.persistence) },
        thanos: {
            ...t,
            storeGateway: { ...t.storeGateway, storage: full(t.storeGateway?.storage, DEFAULTS.storeGateway.storageSize) },
            compactor: { ...t.compactor, storage: full(t.compactor?.storage, DEFAULTS.compactor.storageSize) },
            ruler: { ...t.ruler, storage: full(t.ruler?.storage, DEFAULTS.ruler.storageSize) },
        },
        objectStorage: o.provider === "versitygw" ? { ...o, versitygw: { ...o.versitygw, storage: partial(o.versitygw?.storage) } } : o,
    };
}

/**
 * The Args with the stack's `placement` and `logging` under every component's own, field by field (the components
 * of the Thanos read path, Prometheus, Alertmanager, the Pushgateway, the Operator's chart). Pure.
 */
export function withPodSettings(args: ThanosStackArgs): ThanosStackArgs {
    const stack = { ...(args.placement !== undefined ? { placement: args.placement } : {}), ...(args.logging !== undefined ? { logging: args.logging } : {}) };
    if (Object.keys(stack).length === 0) return args;
    const over = <T extends PodSettingsArgs>(own: T | undefined): T => ({ ...own, ...overPodSettings(stack, own) }) as T;
    const t = args.thanos ?? {};
    return {
        ...args,
        prometheus: over(args.prometheus),
        alertmanager: over(args.alertmanager),
        pushgateway: over(args.pushgateway),
        operator: over(args.operator),
        thanos: { ...t, storeGateway: over(t.storeGateway), querier: over(t.querier), queryFrontend: over(t.queryFrontend), compactor: over(t.compactor), ruler: over(t.ruler) },
    };
}

function makePlan(name: string, given: ThanosStackArgs): StackPlan {
    const storageProblems = given.storageClass === undefined ? [] : storageClassProblems(given.storageClass);
    if (storageProblems.length > 0) fail(storageProblems.join("\nThanosStack "));
    const settingsProblems = [...placementProblems(given.placement), ...loggingProblems(given.logging)];
    if (settingsProblems.length > 0) fail(settingsProblems.join("\nThanosStack "));
    const storageClass = given.storageClass === undefined ? undefined : { ...given.storageClass, name: given.storageClass.name ?? DEFAULT_STORAGE_CLASS, create: given.storageClass.create ?? true };
    const args = withPodSettings(withStorageClass(given, storageClass?.name));
    const { role, parts } = planRole(args);
    const namespace = args.namespace ?? DEFAULTS.namespace;
    const priorityClass = { name: monitoringPriorityClassName(name, namespace), value: args.priorityClass?.value ?? DEFAULTS.priorityClass.value };
    const base = thanosStackContext(name, { environment: args.environment, clusterName: args.clusterName, namespace });

    const alertmanagerName = `${name}-alertmanager`;
    const alertmanager = {
        name: alertmanagerName,
        args: { namespace, ...args.alertmanager, priorityClassName: priorityClass.name },
        url: alertmanagerUrl(alertmanagerName, namespace),
        srvAddress: alertmanagerSrvAddress(alertmanagerName, namespace),
    };
    const { prometheus, prometheusInput } = planPrometheus(name, args, { role, parts, namespace, priorityClassName: priorityClass.name, objstoreSecret: base.objstoreSecret, alertmanagerName });

    // The Thanos components from what the other parts expose; the invariants adapt to the role.
    const thanos = planThanosStack(
        roleContext(
            {
                ...base,
                sidecarEndpoints: prometheus.sidecarEndpoints,
                prometheusReplicaLabel: prometheus.replicaLabel,
                prometheusExternalLabels: buildPrometheus(prometheusInput).spec.externalLabels,
                alertmanagerAddresses: [alertmanager.srvAddress],
            },
            role,
            args.central,
        ),
        args.thanos,
    );
    assertThanosStack(thanos);

    const operator: PrometheusOperatorArgs = {
        namespace,
        grafanaDatasourceUrl: queryFrontendUrl(thanos.names.queryFrontend, namespace),
        grafanaDatasourceTimeoutSeconds: grafanaDatasourceTimeout(thanos.querier.timeout ?? DEFAULTS.querier.timeout),
        ...args.operator,
        // Grafana's datasource is the query-frontend: none in a collector.
        ...(parts.grafana ? {} : { grafana: false }),
        alertmanagerUrl: alertmanager.url,
        priorityClassName: priorityClass.name,
    };
    const { enabled: pushgatewayEnabled = true, ...pushgatewaySettings } = args.pushgateway ?? {};
    const pushgateway = pushgatewayEnabled && parts.pushgateway ? { name: `${name}-pushgateway`, args: { namespace, ...pushgatewaySettings, priorityClassName: priorityClass.name } } : undefined;

    const network = planNetwork(name, args, { role, parts, namespace, thanos, prometheusName: prometheus.name, alertmanager, pushgateway, operator });
    checkStackSettings(args, priorityClass.value);
    return {
        name,
        namespace,
        role,
        parts,
        priorityClass,
        ...(storageClass !== undefined ? { storageClass } : {}),
        ...(args.objectStorage.provider === "versitygw" && args.objectStorage.versitygw?.storage !== undefined ? { versitygwStorage: args.objectStorage.versitygw.storage } : {}),
        objstoreSecret: base.objstoreSecret,
        serviceAccountNames: serviceAccountNames(name),
        operator,
        alertmanager,
        prometheus,
        ...(pushgateway !== undefined ? { pushgateway } : {}),
        thanos,
        network,
        ...(args.selfMonitoring?.enabled ?? true
            ? { selfMonitoring: planSelfMonitoring(args, { role, namespace, parts, thanos, prometheusInstance: prometheusInput, shards: prometheus.shards, replicas: prometheus.replicas, alertmanagerReplicas: alertmanager.args.replicas ?? DEFAULTS.alertmanager.replicas }) }
            : {}),
        uiRoutes: planUiRoutes(name, args, thanos),
        globalRuleSelector: ruleLabels("global"),
    };
}

/** The sharded Prometheus (or the central cluster's self-scrape one) and what it exposes to the rest of the stack. */
function planPrometheus(
    name: string,
    args: ThanosStackArgs,
    p: { role: StackRole; parts: RoleParts; namespace: string; priorityClassName: string; objstoreSecret: ObjstoreSecretRef; alertmanagerName: string },
): { prometheus: StackPlan["prometheus"]; prometheusInput: ReturnType<typeof resolveShardedPrometheusArgs> } {
    const { role, parts, namespace } = p;
    const prometheusName = `${name}-prometheus`;
    const prometheusArgs: ShardedPrometheusArgs = {
        ...args.prometheus,
        // The central cluster's self-scrape Prometheus is one shard; a collector's sidecars may serve TLS.
        ...(parts.selfScrapePrometheus ? { shards: 1, replicas: args.central?.selfScrape?.replicas ?? MULTI_CLUSTER.selfScrapeReplicas } : {}),
        ...(role === "collector" && sidecarServesTls(args.collector!.exposure) ? { grpcServerTls: { secretName: collectorTlsSecretName(prometheusName) } } : {}),
        namespace,
        priorityClassName: p.priorityClassName,
        clusterName: args.clusterName,
        environment: args.environment,
        objstoreSecret: p.objstoreSecret,
        serviceAccountName: serviceAccountNames(name).prometheus,
        alertmanager: { namespace, serviceName: p.alertmanagerName, port: PROMETHEUS.portNames.web },
    };
    const prometheusInput = resolveShardedPrometheusArgs(prometheusName, prometheusArgs);
    refuseProblems("ShardedPrometheus", shardedPrometheusProblems(prometheusInput));
    const prometheus = {
        name: prometheusName,
        args: prometheusArgs,
        sidecarEndpoints: sidecarStoreEndpoints(prometheusName, namespace),
        replicaLabel: prometheusInput.replicaExternalLabelName,
        shards: prometheusInput.shards,
        replicas: prometheusInput.replicas,
    };
    return { prometheus, prometheusInput };
}

/** Arguments checked after the plan (the order of the messages users see first). */
function checkStackSettings(args: ThanosStackArgs, priorityValue: number): void {
    const priorityProblem = priorityValueProblems(priorityValue)[0];
    if (priorityProblem) fail(`priorityClass.value: ${priorityProblem}`);
    const storage = args.objectStorage;
    const storageProblem = objectStorageSettingsProblems(storage)[0];
    if (storageProblem) fail(`objectStorage.${storageProblem.path.join(".")}: ${storageProblem.message}, got ${showValue(storageProblem.input)}`);
    if (storage.provider === "s3" && !args.usesAws) fail(`objectStorage.provider: s3 needs usesAws true and an explicit aws provider, got "s3"`);
}

/** The flows the wiring implies, and the NetworkPolicies from them; an address that leads nowhere fails here. */
function planNetwork(
    name: string,
    args: ThanosStackArgs,
    p: {
        role: StackRole;
        parts: RoleParts;
        namespace: string;
        thanos: ThanosStackPlan;
        prometheusName: string;
        alertmanager: { name: string; url: string; srvAddress: string };
        pushgateway: { name: string } | undefined;
        operator: PrometheusOperatorArgs;
    },
): StackPlan["network"] {
    const idOfStack = (objectName: string) => workloadId(name, objectName);
    const uiWorkload: Record<UiName, string> = { grafana: "grafana", query: idOfStack(p.thanos.names.queryFrontend), ruler: idOfStack(p.thanos.names.rule) };
    const uiPort: Record<UiName, number> = { grafana: CHART_PORTS.grafana, query: PORTS.thanosHttp, ruler: PORTS.thanosHttp };
    const settings = args.networkPolicies ?? {};
    const anywhere = ipPeers(anywhereOf(settings));
    const input: StackNetworkInput = {
        stackName: name,
        namespace: p.namespace,
        ...(p.parts.thanosReadPath ? { thanos: p.thanos } : {}),
        prometheus: { name: p.prometheusName, objstoreSecret: p.thanos.context.objstoreSecret, alertmanagerAddresses: [p.alertmanager.srvAddress] },
        alertmanager: { name: p.alertmanager.name, receivers: receiverUrls(args.alertmanager?.receivers ?? []) },
        ...(p.pushgateway !== undefined ? { pushgateway: { name: p.pushgateway.name } } : {}),
        ...((p.operator.install ?? DEFAULTS.operator.install)
            ? {
                  operator: {
                      release: operatorReleaseName(name),
                      grafana: p.parts.grafana && (args.operator?.grafana ?? DEFAULTS.operator.grafana.enabled),
                      grafanaDatasourceUrl: p.operator.grafanaDatasourceUrl ?? queryFrontendUrl(p.thanos.names.queryFrontend, p.namespace),
                      alertmanagerUrl: p.alertmanager.url,
                  },
              }
            : {}),
        objectStorage:
            args.objectStorage.provider === "versitygw"
                ? { provider: "versitygw", name: `${name}-versitygw`, instance: name, bucketName: args.objectStorage.bucketName }
                : { provider: "s3", identity: args.objectStorage.identity ?? DEFAULTS.objectStorage.identity },
        settings,
        // Flows that enter or leave the cluster: derived from the role and the UI hosts.
        extraIngress: [
            ...(p.role === "collector" ? [{ workload: idOfStack(p.prometheusName), rule: { peers: [{ namespaceSelector: {} }, ...anywhere], ports: [{ port: PORTS.thanosGrpc }] } }] : []),
            ...(Object.entries(args.ui?.hosts ?? {}) as Array<[UiName, string | undefined]>)
                .filter(([, host]) => host !== undefined)
                .map(([ui]) => ({
                    workload: uiWorkload[ui],
                    rule: { peers: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: args.ui?.ingressControllerNamespace ?? DEFAULTS.ui.ingressControllerNamespace } } }], ports: [{ port: uiPort[ui] }] },
                })),
        ],
        extraEgress:
            p.role === "central" && (args.central?.collectorStacks ?? []).length > 0
                ? [{ workload: idOfStack(p.thanos.names.query), rule: { peers: anywhere, ports: [{ port: INGRESS.httpsPort }, { port: PORTS.thanosGrpc }] } }]
                : [],
    };
    if (!(settings.enabled ?? DEFAULTS.networkPolicies.enabled)) return { input, policies: [] };
    try {
        return { input, policies: buildStackNetworkPolicies(input).policies };
    } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        return fail(message.startsWith("networkPolicies.") ? message : `networkPolicies: ${message}`);
    }
}

/** What the stack watches of itself: only what runs here, and what the querier must stay connected to. */
function planSelfMonitoring(
    args: ThanosStackArgs,
    p: { role: StackRole; namespace: string; parts: RoleParts; thanos: ThanosStackPlan; prometheusInstance: { instance: string }; shards: number; replicas: number; alertmanagerReplicas: number },
): ThanosSelfMonitoringArgs {
    const { thanos } = p;
    const jobs = SELF_MONITORING.platformJobs;
    const sg = storeGatewayPlan(thanos.names.store, thanos.storeGateway);
    const caches = p.parts.thanosReadPath
        ? [sg.indexCache, sg.cachingBucket, queryFrontendPlan(thanos.names.queryFrontend, thanos.queryFrontend).resultsCache].filter((c) => c !== undefined)
        : [];
    const exporters = caches.some((c) => c.exporter);
    return {
        namespace: p.namespace,
        targets: [
            // A collector has no Thanos read path (its absent() alerts would fire forever).
            ...thanosScrapeTargets({ ...(p.parts.thanosReadPath ? {} : { components: [] }), sidecarSelector: sidecarServiceSelector(p.prometheusInstance) }),
            // The ruler's config reloader (Prometheus' and Alertmanager's are scraped by their own ServiceMonitors).
            ...(p.parts.thanosReadPath ? [componentScrapeTarget(THANOS.componentNames.rule, jobs.configReloader, PROMETHEUS.portNames.configReloader)] : []),
            // The memcached exporters of every cache cluster.
            ...(exporters ? [componentScrapeTarget(THANOS.componentNames.memcached, jobs.memcached, MEMCACHED.exporterPortName)] : []),
        ],
        externallyScrapedJobs: [jobs.prometheus, jobs.alertmanager, jobs.configReloader],
        platform: {
            cluster: thanos.context.clusterName,
            prometheusPods: p.shards * p.replicas,
            alertmanagerReplicas: p.alertmanagerReplicas,
            ...(caches.length > 0 ? { memcached: { clients: true, exporters } } : {}),
            ...(p.role === "central" ? { collectorClusters: (args.central?.collectors ?? []).map((c) => c.name) } : {}),
        },
        compactVolumeClaimRegex: compactVolumeClaimRegex(thanos.names.compact),
        // Collectors read from other stacks' outputs are known only at deployment and not counted: more endpoints never alert.
        ...(p.parts.thanosReadPath
            ? {
                  expectedStoreApis: {
                      sidecar: p.shards * p.replicas + (thanos.context.remoteCollectors ?? []).reduce((n, c) => n + c.endpoints.length, 0),
                      store: sg.instances.length,
                      rule: rulerPlan(thanos.names.rule, thanos.ruler).replicas,
                  },
              }
            : {}),
        dashboards: args.selfMonitoring?.dashboards ?? true,
        ...(args.selfMonitoring?.runbookBaseUrl ? { runbookBaseUrl: args.selfMonitoring.runbookBaseUrl } : {}),
    };
}

/** Ingress routes for the UIs that have a host (none by default). */
function planUiRoutes(name: string, args: ThanosStackArgs, thanos: ThanosStackPlan): StackPlan["uiRoutes"] {
    const hosts = args.ui?.hosts ?? {};
    const targets: Record<UiName, { serviceName: string; servicePort: number }> = {
        grafana: grafanaUiTarget(operatorReleaseName(name)),
        query: thanosUiTarget(thanos.names.queryFrontend),
        ruler: thanosUiTarget(thanos.names.rule),
    };
    return Object.fromEntries((Object.keys(targets) as UiName[]).flatMap((ui) => (hosts[ui] !== undefined ? [[ui, { host: hosts[ui], ...targets[ui] }]] : []))) as StackPlan["uiRoutes"];
}
