/**
 * Maps the validated Thanos configuration sections to the ThanosStack's `thanos` Args.
 */
import type { LogSettings, PodPlacement, PodSettingsArgs } from "../components/lib/placement";
import type { ThanosSettings } from "../components/stack/thanosPlan";
import type { StackConfig } from "./config/schema";

/** A section's `placement` and `logging` as the component's pod settings (only those that are set). */
export function podSettings(section: { placement?: PodPlacement | undefined; logging?: LogSettings | undefined }): PodSettingsArgs {
    return { ...(section.placement !== undefined ? { placement: section.placement } : {}), ...(section.logging !== undefined ? { logging: section.logging } : {}) };
}

/** A Thanos section's pod settings and extra flags. */
function thanosPods(section: { placement?: PodPlacement | undefined; logging?: LogSettings | undefined; extraArgs: string[] }): PodSettingsArgs & { extraArgs?: string[] } {
    return { ...podSettings(section), ...(section.extraArgs.length > 0 ? { extraArgs: section.extraArgs } : {}) };
}

/** The `thanos` Args of ThanosStack from the configuration. */
export function thanosSettingsFromConfig(config: StackConfig): ThanosSettings {
    const { storeGateway: sg, querier: q, queryFrontend: qf, compactor: c, ruler: r } = config;
    return {
        storeGateway: {
            shards: sg.shards,
            replicas: sg.replicas,
            timePartitions: sg.timePartitions,
            storage: sg.storage,
            resources: sg.resources,
            indexCache: sg.indexCache,
            cachingBucket: sg.cachingBucket,
            limits: sg.limits,
            syncInterval: sg.syncInterval,
            replicaSpread: sg.replicaSpread,
            ...thanosPods(sg),
        },
        querier: {
            replicas: q.replicas,
            resources: q.resources,
            timeout: q.timeout,
            storeResponseTimeout: q.storeResponseTimeout,
            maxConcurrent: q.maxConcurrent,
            endpointReloadInterval: q.endpointReloadInterval,
            extraEndpoints: q.extraEndpoints.map((e) => ({ address: e.address, group: e.group, description: e.description ?? `extra endpoint ${e.address}` })),
            ...thanosPods(q),
        },
        queryFrontend: {
            replicas: qf.replicas,
            resources: qf.resources,
            splitInterval: qf.splitInterval,
            maxRetries: qf.maxRetries,
            resultsCache: qf.resultsCache,
            ...(qf.maxIdleConnsPerHost !== undefined ? { maxIdleConnsPerHost: qf.maxIdleConnsPerHost } : {}),
            downstreamKeepAlive: qf.downstreamKeepAlive,
            logQueriesLongerThan: qf.logQueriesLongerThan,
            ...thanosPods(qf),
        },
        compactor: {
            retention: c.retention,
            downsampling: c.downsampling,
            deleteDelay: c.deleteDelay,
            waitInterval: c.waitInterval,
            consistencyDelay: c.consistencyDelay,
            deduplication: c.deduplication,
            ...(c.sharding !== undefined ? { sharding: c.sharding } : {}),
            storage: c.storage,
            resources: c.resources,
            ...thanosPods(c),
        },
        ruler: {
            replicas: r.replicas,
            evaluationInterval: r.evaluationInterval,
            retention: r.retention,
            storage: r.storage,
            resources: r.resources,
            ...thanosPods(r),
        },
    };
}
