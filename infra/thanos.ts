/**
 * Maps the validated Thanos configuration sections to the ThanosStack's `thanos` Args.
 */
import type { ThanosSettings } from "../components/stack/thanosPlan";
import type { StackConfig } from "./config/schema";

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
        },
        querier: {
            replicas: q.replicas,
            resources: q.resources,
            timeout: q.timeout,
            storeResponseTimeout: q.storeResponseTimeout,
            maxConcurrent: q.maxConcurrent,
            endpointReloadInterval: q.endpointReloadInterval,
            extraEndpoints: q.extraEndpoints.map((e) => ({ address: e.address, group: e.group, description: e.description ?? `extra endpoint ${e.address}` })),
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
        },
        ruler: {
            replicas: r.replicas,
            evaluationInterval: r.evaluationInterval,
            retention: r.retention,
            storage: r.storage,
            resources: r.resources,
        },
    };
}
