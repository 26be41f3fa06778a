/**
 * ThanosQueryFrontend: splits, retries and caches queries in front of the querier. Grafana's datasource
 * points here (`http://<name>.<namespace>.svc.cluster.local:10902`).
 *
 * Caches: the range-query results cache (in-memory by default, sized as a share of the memory limit, or
 * a memcached cluster we deploy) and an in-memory labels cache. The downstream transport keeps at
 * least 100 idle connections per querier host: Go's default of 2 makes every burst of split queries
 * open new connections.
 */
import * as pulumi from "@pulumi/pulumi";
import { Deployment as K8sDeployment, type DeploymentArgs } from "@pulumi/kubernetes/apps/v1";
import { Service as K8sService, ServiceAccount as K8sServiceAccount } from "@pulumi/kubernetes/core/v1";
import { PodDisruptionBudget as K8sPdb } from "@pulumi/kubernetes/policy/v1";
import type { Deployment } from "kubernetes-types/apps/v1";
import { stringify } from "yaml";
import { THANOS } from "../constants";
import { DEFAULTS, type ResourceRequirements } from "../defaults";
import { Memcached, memcachedArgs, memcachedClientConfig, memcachedPlan, type MemcachedPlan } from "./memcached";
import type { CacheSettings } from "./storeGateway";
import { isDuration } from "../lib/duration";
import { objectMeta, selectorLabels } from "../lib/meta";
import { podDisruptionBudget, type PodPriorityArgs } from "../lib/pod";
import { childOptions, refuseProblems } from "../lib/providers";
import type { LogSettings, PodPlacement, PodSettingsArgs } from "../lib/placement";
import {
    buildServiceAccount,
    buildThanosDeployment,
    buildThanosService,
    commonFlags,
    flag,
    kubeArgs,
    memoryLimitBytes,
    thanosArgs,
    thanosBytes,
    thanosHttpUrl,
    thanosSettingsProblems,
    withExtraArgs,
    type ThanosExtraArgs,
} from "../lib/thanos";

/** Minimum idle connections per querier host in the downstream transport. */
export const MIN_IDLE_CONNS_PER_HOST = 100;

/** Settings of the query-frontend that a ThanosStack passes through (the stack supplies namespace, the downstream URL and priority). */
export interface QueryFrontendSettings extends ThanosExtraArgs, PodSettingsArgs {
    /**
     * Replicas.
     * @default 2
     */
    replicas?: number;
    /**
     * Container resources; the in-memory caches are sized from the memory limit.
     * @default requests 200m / 512Mi, limit 1Gi
     */
    resources?: ResourceRequirements;
    /**
     * `--query-range.split-interval` and `--labels.split-interval`.
     * @default "24h"
     */
    splitInterval?: string;
    /**
     * Retries per range, instant and labels request.
     * @default 5
     */
    maxRetries?: number;
    /**
     * Range-query results cache.
     * @default { type: "inMemory" }
     */
    resultsCache?: CacheSettings;
    /**
     * Idle connections kept per querier host (`max_idle_conns_per_host`, at least 100), when `downstreamKeepAlive` is on.
     * @default 100
     */
    maxIdleConnsPerHost?: number;
    /**
     * Keep connections to the querier Service alive. Off: each request opens a connection (`max_idle_conns_per_host:
     * -1`), so the Service balances every request over the Ready querier pods and a terminating pod receives none
     * (a kept connection would carry requests to it until it stops, and Thanos cancels what is in flight then).
     * @default false
     */
    downstreamKeepAlive?: boolean;
    /**
     * `--query-frontend.log-queries-longer-than`.
     * @default "10s"
     */
    logQueriesLongerThan?: string;
}

/** Arguments of `ThanosQueryFrontend`. */
export interface ThanosQueryFrontendArgs extends QueryFrontendSettings, PodPriorityArgs {
    /** Namespace of every object. */
    namespace: string;
    /** HTTP URL of the querier (e.g. `ThanosQuerier.url`). */
    downstreamUrl: string;
}

/** The fully defaulted query-frontend. */
export interface QueryFrontendPlan {
    name: string;
    namespace: string;
    downstreamUrl: string;
    replicas: number;
    resources: ResourceRequirements;
    splitInterval: string;
    maxRetries: number;
    resultsCache: MemcachedPlan | undefined;
    maxIdleConnsPerHost: number;
    downstreamKeepAlive: boolean;
    logQueriesLongerThan: string;
    priorityClassName: string | undefined;
    placement: PodPlacement | undefined;
    logging: LogSettings | undefined;
    extraArgs: string[];
}

/** Applies the defaults. */
export function queryFrontendPlan(name: string, args: ThanosQueryFrontendArgs): QueryFrontendPlan {
    const cache = args.resultsCache ?? {};
    return {
        name,
        namespace: args.namespace,
        downstreamUrl: args.downstreamUrl,
        replicas: args.replicas ?? DEFAULTS.queryFrontend.replicas,
        resources: args.resources ?? DEFAULTS.queryFrontend.resources,
        splitInterval: args.splitInterval ?? DEFAULTS.queryFrontend.splitInterval,
        maxRetries: args.maxRetries ?? DEFAULTS.queryFrontend.maxRetries,
        resultsCache:
            (cache.type ?? "inMemory") === "memcached"
                ? memcachedPlan(`${name}-results-cache`, { namespace: args.namespace, ...cache.memcached, priorityClassName: args.priorityClassName, ...(args.placement !== undefined ? { placement: args.placement } : {}) })
                : undefined,
        maxIdleConnsPerHost: args.maxIdleConnsPerHost ?? DEFAULTS.queryFrontend.maxIdleConnsPerHost,
        downstreamKeepAlive: args.downstreamKeepAlive ?? DEFAULTS.queryFrontend.downstreamKeepAlive,
        logQueriesLongerThan: args.logQueriesLongerThan ?? DEFAULTS.queryFrontend.logQueriesLongerThan,
        priorityClassName: args.priorityClassName,
        placement: args.placement,
        logging: args.logging,
        extraArgs: args.extraArgs ?? [],
    };
}

/** The rule for an idle-connection pool without keep-alive: Go's transport would ignore it, so it is refused. */
export const IDLE_CONNS_NEED_KEEP_ALIVE = "applies only with downstreamKeepAlive: true (keep-alive to the querier is off by default, so no connection is kept)";

/** Validation of the Args, one line per problem. */
export function queryFrontendProblems(args: ThanosQueryFrontendArgs): string[] {
    const problems: string[] = [];
    if (!/^https?:\/\/[^/\s]+/.test(args.downstreamUrl)) problems.push(`ThanosQueryFrontend downstreamUrl: must be an http(s) URL, got "${args.downstreamUrl}"`);
    for (const [key, v] of [["splitInterval", args.splitInterval], ["logQueriesLongerThan", args.logQueriesLongerThan]] as const) {
        if (v !== undefined && !isDuration(v)) problems.push(`ThanosQueryFrontend ${key}: must be a duration like 24h, got "${v}"`);
    }
    if (args.maxIdleConnsPerHost !== undefined && (!Number.isInteger(args.maxIdleConnsPerHost) || args.maxIdleConnsPerHost < MIN_IDLE_CONNS_PER_HOST)) {
        problems.push(`ThanosQueryFrontend maxIdleConnsPerHost: must be an integer >= ${MIN_IDLE_CONNS_PER_HOST}, got ${args.maxIdleConnsPerHost}`);
    }
    if (args.maxIdleConnsPerHost !== undefined && args.downstreamKeepAlive !== true) problems.push(`ThanosQueryFrontend maxIdleConnsPerHost: ${IDLE_CONNS_NEED_KEEP_ALIVE}, got ${args.maxIdleConnsPerHost}`);
    if (args.maxRetries !== undefined && (!Number.isInteger(args.maxRetries) || args.maxRetries < 0)) problems.push(`ThanosQueryFrontend maxRetries: must be an integer >= 0, got ${args.maxRetries}`);
    if (args.replicas !== undefined && (!Number.isInteger(args.replicas) || args.replicas < 1)) problems.push(`ThanosQueryFrontend replicas: must be an integer >= 1, got ${args.replicas}`);
    problems.push(...thanosSettingsProblems("ThanosQueryFrontend", args, managedQueryFrontendArgs(queryFrontendPlan("query-frontend", args))));
    return problems;
}

function inMemoryCache(bytes: number): string {
    return stringify({ type: "IN-MEMORY", config: { max_size: thanosBytes(bytes), max_size_items: 0, validity: "0s" } }, { lineWidth: 0 });
}

/** The results-cache config (`--query-range.response-cache-config`). */
export function resultsCacheConfig(plan: QueryFrontendPlan): string {
    if (plan.resultsCache) return stringify({ type: "MEMCACHED", config: { ...memcachedClientConfig(plan.resultsCache), expiration: "24h" } }, { lineWidth: 0 });
    return inMemoryCache(memoryLimitBytes(plan.resources) * DEFAULTS.queryFrontend.resultsCacheMemoryRatio);
}

/** The labels-cache config (`--labels.response-cache-config`, always in memory: label responses are small). */
export function labelsCacheConfig(plan: QueryFrontendPlan): string {
    return inMemoryCache(memoryLimitBytes(plan.resources) * DEFAULTS.queryFrontend.labelsCacheMemoryRatio);
}

/** The downstream transport (`--query-frontend.downstream-tripper-config`). */
export function downstreamTripperConfig(plan: QueryFrontendPlan): string {
    return stringify(
        {
            // A negative max_idle_conns_per_host turns keep-alive off in Go's HTTP transport.
            max_idle_conns: plan.downstreamKeepAlive ? plan.maxIdleConnsPerHost : 0,
            max_idle_conns_per_host: plan.downstreamKeepAlive ? plan.maxIdleConnsPerHost : -1,
            idle_conn_timeout: "90s",
            response_header_timeout: "2m",
            tls_handshake_timeout: "10s",
            expect_continue_timeout: "1s",
        },
        { lineWidth: 0 },
    );
}

/** The query-frontend's container args. */
export function queryFrontendArgs(plan: QueryFrontendPlan): string[] {
    return withExtraArgs(managedQueryFrontendArgs(plan), plan.extraArgs);
}

/** The args the stack sets. */
function managedQueryFrontendArgs(plan: QueryFrontendPlan): string[] {
    return thanosArgs("query-frontend", [
        ...commonFlags({ grpc: false, logging: plan.logging }),
        flag("query-frontend.downstream-url", plan.downstreamUrl),
        flag("query-frontend.downstream-tripper-config", downstreamTripperConfig(plan)),
        flag("query-frontend.compress-responses", true),
        flag("query-frontend.log-queries-longer-than", plan.logQueriesLongerThan),
        flag("query-range.split-interval", plan.splitInterval),
        flag("query-range.max-retries-per-request", plan.maxRetries),
        flag("query.max-retries-per-request", plan.maxRetries),
        flag("query-range.partial-response", true),
        flag("query-range.response-cache-config", resultsCacheConfig(plan)),
        flag("labels.split-interval", plan.splitInterval),
        flag("labels.max-retries-per-request", plan.maxRetries),
        flag("labels.partial-response", true),
        flag("labels.response-cache-config", labelsCacheConfig(plan)),
    ]);
}

/** The query-frontend Deployment. */
export function buildQueryFrontendDeployment(plan: QueryFrontendPlan): Deployment {
    return buildThanosDeployment({
        name: plan.name,
        namespace: plan.namespace,
        component: THANOS.componentNames.queryFrontend,
        replicas: plan.replicas,
        priorityClassName: plan.priorityClassName,
        placement: plan.placement,
        container: { name: "thanos-query-frontend", args: queryFrontendArgs(plan), resources: plan.resources, grpc: false },
    });
}

/** In-cluster HTTP URL of a query-frontend Service (the Grafana datasource URL). */
export const queryFrontendUrl = thanosHttpUrl;

/** The Thanos query-frontend. No bucket access: a dedicated ServiceAccount without IAM role. */
export class ThanosQueryFrontend extends pulumi.ComponentResource {
    /** Kubernetes name of the Service. */
    public readonly serviceName: string;
    /** HTTP URL for Grafana and other clients inside the cluster. */
    public readonly url: string;

    constructor(name: string, args: ThanosQueryFrontendArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:ThanosQueryFrontend", name, args, opts);
        const problems = queryFrontendProblems(args);
        refuseProblems("ThanosQueryFrontend", problems);
        const plan = queryFrontendPlan(name, args);
        this.serviceName = name;
        this.url = queryFrontendUrl(name, plan.namespace);

        const component = THANOS.componentNames.queryFrontend;
        const meta = objectMeta({ name, namespace: plan.namespace, component, instance: name });
        const selector = selectorLabels(component, name);
        new K8sServiceAccount(`${name}-sa`, buildServiceAccount(meta), childOptions(this, opts));
        if (plan.resultsCache) {
            const c = plan.resultsCache;
            new Memcached(
                c.name,
                memcachedArgs(c),
                childOptions(this, opts),
            );
        }
        new K8sService(
            `${name}-service`,
            buildThanosService({ name, namespace: plan.namespace, component, instance: name, selector, grpc: false, headless: false }),
            childOptions(this, opts),
        );
        new K8sDeployment(`${name}-deployment`, kubeArgs<DeploymentArgs>(buildQueryFrontendDeployment(plan)), childOptions(this, opts));
        new K8sPdb(`${name}-pdb`, podDisruptionBudget(meta, selector), childOptions(this, opts));
        this.registerOutputs({ serviceName: this.serviceName, url: this.url });
    }
}
