/**
 * How ThanosStack composes the Thanos components, as pure functions: the names, the Args of each
 * component and the plain-data plan the invariants check. The stack (and the program, before it
 * creates any provider) evaluates {@link thanosStackProblems} first, so a broken stack fails before
 * any resource exists.
 */
import { EXTERNAL_LABELS, PORTS } from "../constants";
import { alertmanagerSrvAddress } from "../prometheus/alertmanager";
import { compactorPlan, compactorProblems, type CompactorOptions, type ThanosCompactorArgs } from "../thanos/compactor";
import { InvariantError, producerProblems, thanosPlanProblems, type ProducerPlan, type ThanosPlan } from "./invariants";
import type { StackRole } from "./multiCluster";
import { querierProblems, querierUrl, type QuerierOptions, type ThanosQuerierArgs } from "../thanos/querier";
import { queryFrontendProblems, type QueryFrontendSettings, type ThanosQueryFrontendArgs } from "../thanos/queryFrontend";
import { rulerProblems, rulerStoreEndpoint, type RulerSettings, type ThanosRulerArgs } from "../thanos/ruler";
import { storeEndpointsOf, storeGatewayPlan, storeGatewayProblems, type StoreGatewaySettings, type ThanosStoreGatewayArgs } from "../thanos/storeGateway";
import { serviceAccountNames } from "../storage/bucketAccess";
import { objstoreSecretRef } from "../storage/objstoreConfig";
import { sidecarStoreEndpoints } from "../prometheus/shardedPrometheus";
import { serviceFqdn, type BucketUser, type ObjstoreSecretRef, type StoreEndpoint } from "../lib/contracts";
import { monitoringPriorityClassName } from "./priorityClass";

export type { StoreGatewaySettings, QueryFrontendSettings, RulerSettings };
/** Settings of the querier inside a ThanosStack (the stack supplies endpoints and replica labels). */
export interface QuerierSettings extends QuerierOptions {
    /**
     * StoreAPIs outside the stack (remote clusters), added to the generated endpoints.
     * @default []
     */
    extraEndpoints?: StoreEndpoint[];
}
/** Settings of the compactor inside a ThanosStack. */
export interface CompactorSettings extends CompactorOptions {
    /**
     * Offline deduplication on the producers' replica labels (vertical compaction, `penalty`). Irreversible.
     * @default false
     */
    deduplication?: boolean;
}

/** The Thanos part of `ThanosStackArgs`. */
export interface ThanosSettings {
    /**
     * Store gateway.
     * @default production defaults (1 shard x 2 replicas, in-memory index cache)
     */
    storeGateway?: StoreGatewaySettings;
    /**
     * Querier.
     * @default production defaults (2 replicas)
     */
    querier?: QuerierSettings;
    /**
     * Query-frontend.
     * @default production defaults (2 replicas, 24h split, in-memory results cache)
     */
    queryFrontend?: QueryFrontendSettings;
    /**
     * Compactor.
     * @default production defaults (retention 30d/90d/1y, delete delay 48h)
     */
    compactor?: CompactorSettings;
    /**
     * Ruler.
     * @default production defaults (2 replicas)
     */
    ruler?: RulerSettings;
}

/** What the rest of the stack hands to the Thanos components. */
export interface ThanosStackContext {
    /** Name of the ThanosStack component; Thanos component names derive from it. */
    stackName: string;
    namespace: string;
    environment: string;
    clusterName: string;
    /** The objstore Secret (object storage). */
    objstoreSecret: ObjstoreSecretRef;
    /** ServiceAccounts with bucket roles, per bucket user (object storage); missing ones are created without roles. */
    serviceAccountNames: Partial<Record<BucketUser, string>>;
    /** Every Prometheus sidecar StoreAPI (prometheus). */
    sidecarEndpoints: StoreEndpoint[];
    /** The Prometheus replica external label (prometheus). */
    prometheusReplicaLabel: string;
    /** External labels common to every Prometheus pod (prometheus). */
    prometheusExternalLabels: Record<string, string>;
    /** Alertmanager addresses for the ruler (prometheus). */
    alertmanagerAddresses: string[];
    /** The stack's PriorityClass, set on every Thanos pod (hardening). */
    priorityClassName?: string;
    /**
     * The stack's role (multi-cluster): `collector` deploys no Thanos read path, so only its Prometheus
     * producers are checked; `central` adds the remote collectors to the querier and the invariants.
     * @default "all"
     */
    role?: StackRole;
    /**
     * Whether Prometheus runs in this stack (shards, or the central cluster's self-scrape Prometheus).
     * @default true
     */
    prometheus?: boolean;
    /**
     * Remote collectors (central role): their StoreAPIs, which the querier must reach, and their producer identity.
     * @default []
     */
    remoteCollectors?: Array<{ endpoints: StoreEndpoint[]; producer: ProducerPlan }>;
}

/**
 * The context of a stack computed from its arguments alone (names are derived, not read from created
 * resources), so the invariants can be checked before any resource exists.
 */
export function thanosStackContext(stackName: string, args: { environment: string; clusterName: string; namespace: string }): ThanosStackContext {
    const commonLabels = { [EXTERNAL_LABELS.cluster]: args.clusterName, [EXTERNAL_LABELS.environment]: args.environment };
    return {
        stackName,
        namespace: args.namespace,
        environment: args.environment,
        clusterName: args.clusterName,
        // The same derivations the object-storage part uses.
        objstoreSecret: objstoreSecretRef(stackName),
        serviceAccountNames: serviceAccountNames(stackName),
        // ThanosStack names its ShardedPrometheus `${stackName}-prometheus` (the stack plan sets its real external labels).
        sidecarEndpoints: sidecarStoreEndpoints(`${stackName}-prometheus`, args.namespace),
        prometheusReplicaLabel: EXTERNAL_LABELS.prometheusReplica,
        prometheusExternalLabels: commonLabels,
        // Every Alertmanager pod through our headless Alertmanager Service (alerts go to each replica);
        // ThanosStack names its Alertmanager `${stackName}-alertmanager`.
        alertmanagerAddresses: [alertmanagerSrvAddress(`${stackName}-alertmanager`, args.namespace)],
        // ThanosStack creates this PriorityClass.
        priorityClassName: monitoringPriorityClassName(stackName, args.namespace),
    };
}

/** Names of the Thanos components of a stack (so the Services match the Thanos mixin's job selectors). */
export function thanosComponentNames(stackName: string) {
    return {
        store: `${stackName}-store`,
        query: `${stackName}-query`,
        queryFrontend: `${stackName}-query-frontend`,
        compact: `${stackName}-compact`,
        rule: `${stackName}-rule`,
    };
}

/** The Args of every Thanos component of a stack, and the plan the invariants check. */
export interface ThanosStackPlan {
    /** The context the plan was made from. */
    context: ThanosStackContext;
    names: ReturnType<typeof thanosComponentNames>;
    storeGateway: ThanosStoreGatewayArgs;
    querier: ThanosQuerierArgs;
    queryFrontend: ThanosQueryFrontendArgs;
    compactor: ThanosCompactorArgs;
    ruler: ThanosRulerArgs;
    invariants: ThanosPlan;
}

/** Composes the Thanos components of a stack (pure). */
export function planThanosStack(ctx: ThanosStackContext, settings: ThanosSettings = {}): ThanosStackPlan {
    const names = thanosComponentNames(ctx.stackName);
    const ns = ctx.namespace;
    const priorityClassName = ctx.priorityClassName;
    const commonLabels = { [EXTERNAL_LABELS.cluster]: ctx.clusterName, [EXTERNAL_LABELS.environment]: ctx.environment };

    const { deduplication, ...compactorRest } = settings.compactor ?? {};
    const producerReplicaLabels = [ctx.prometheusReplicaLabel, EXTERNAL_LABELS.rulerReplica];
    const compactor: ThanosCompactorArgs = {
        ...compactorRest,
        namespace: ns,
        priorityClassName,
        objstoreSecret: ctx.objstoreSecret,
        ...(ctx.serviceAccountNames.compactor !== undefined ? { serviceAccountName: ctx.serviceAccountNames.compactor } : {}),
        ...(deduplication ? { deduplicationReplicaLabels: producerReplicaLabels } : {}),
    };
    const cPlan = compactorPlan(names.compact, compactor);

    const storeGateway: ThanosStoreGatewayArgs = {
        ...settings.storeGateway,
        namespace: ns,
        priorityClassName,
        objstoreSecret: ctx.objstoreSecret,
        ...(ctx.serviceAccountNames.storeGateway !== undefined ? { serviceAccountName: ctx.serviceAccountNames.storeGateway } : {}),
        compactorDeleteDelay: cPlan.deleteDelay,
    };
    const sPlan = storeGatewayPlan(names.store, storeGateway);
    const storeEndpoints = storeEndpointsOf(sPlan);
    const rulerEndpoint = rulerStoreEndpoint(names.rule, ns);
    const remoteEndpoints = (ctx.remoteCollectors ?? []).flatMap((c) => c.endpoints);
    const storeApis = [...ctx.sidecarEndpoints, ...storeEndpoints, rulerEndpoint, ...remoteEndpoints];

    const { extraEndpoints, ...querierRest } = settings.querier ?? {};
    const querier: ThanosQuerierArgs = {
        ...querierRest,
        namespace: ns,
        priorityClassName,
        endpoints: [...storeApis, ...(extraEndpoints ?? [])],
        replicaLabels: producerReplicaLabels,
        // A resharded store set is a new endpoint ConfigMap: the queriers roll onto the new StatefulSets (ThanosStack
        // orders them after the store gateway) instead of hot-reloading endpoints that are still connecting.
        storeLayoutRevision: sPlan.instances.map((i) => i.name).join(" "),
    };
    const queryFrontend: ThanosQueryFrontendArgs = { ...settings.queryFrontend, namespace: ns, priorityClassName, downstreamUrl: querierUrl(names.query, ns) };
    const ruler: ThanosRulerArgs = {
        ...settings.ruler,
        namespace: ns,
        priorityClassName,
        objstoreSecret: ctx.objstoreSecret,
        ...(ctx.serviceAccountNames.ruler !== undefined ? { serviceAccountName: ctx.serviceAccountNames.ruler } : {}),
        externalLabels: commonLabels,
        // Rules are instant queries: straight to the querier (the frontend's splitting and caching serve range queries).
        queryEndpoints: [`${serviceFqdn(names.query, ns)}:${PORTS.thanosHttp}`],
        alertmanagerAddresses: ctx.alertmanagerAddresses,
    };

    const invariants: ThanosPlan = {
        producers: [
            ...(ctx.prometheus === false
                ? []
                : [{ description: "prometheus", path: "prometheus", externalLabels: ctx.prometheusExternalLabels, replicaLabel: ctx.prometheusReplicaLabel }]),
            ...(ctx.role === "collector" ? [] : [{ description: "ruler", path: "ruler", externalLabels: commonLabels, replicaLabel: EXTERNAL_LABELS.rulerReplica }]),
            ...(ctx.remoteCollectors ?? []).map((c) => c.producer),
        ],
        querier: { replicaLabels: querier.replicaLabels, endpoints: querier.endpoints },
        storeApis,
        store: { timePartitions: sPlan.timePartitions, ignoreDeletionMarksDelay: sPlan.ignoreDeletionMarksDelay },
        compactor: { instances: cPlan.instances, deleteDelay: cPlan.deleteDelay, retention: cPlan.retention, downsampling: cPlan.downsampling },
    };
    return { context: ctx, names, storeGateway, querier, queryFrontend, compactor, ruler, invariants };
}

/** Every problem of a planned stack: each component's Args, then the cross-component invariants. */
export function thanosStackProblems(plan: ThanosStackPlan): string[] {
    // A collector runs none of the Thanos read path: only its block producers' identities matter.
    if (plan.context.role === "collector") return producerProblems(plan.invariants);
    const componentProblems = [
        ...storeGatewayProblems(plan.storeGateway),
        ...querierProblems(plan.querier),
        ...queryFrontendProblems(plan.queryFrontend),
        ...compactorProblems(plan.compactor),
        ...rulerProblems(plan.ruler),
    ];
    // Invariants need well-formed inputs (durations, partitions); report component problems first.
    return componentProblems.length > 0 ? componentProblems : thanosPlanProblems(plan.invariants);
}

/** Throws an {@link InvariantError} listing every problem of the planned stack, if any. */
export function assertThanosStack(plan: ThanosStackPlan): void {
    const problems = thanosStackProblems(plan);
    if (problems.length > 0) throw new InvariantError(problems);
}
