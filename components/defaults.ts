/**
 * Production defaults for every component, defined once.
 *
 * The stack configuration schema (`infra/config/schema.ts`) and the component
 * Args both read these values, so the configuration reference and the
 * components' documented `@default`s cannot drift apart.
 */

/** CPU/memory requests and limits of one container. */
export interface ResourceRequirements {
    /** Guaranteed resources. */
    requests: { cpu: string; memory: string };
    /** Upper bounds; a memory limit is always set (GOMEMLIMIT is derived from it). */
    limits: { memory: string; cpu?: string };
}

function res(cpu: string, memory: string, memoryLimit: string): ResourceRequirements {
    return { requests: { cpu, memory }, limits: { memory: memoryLimit } };
}

export const DEFAULTS = {
    namespace: "monitoring",
    prometheus: {
        shards: 1,
        replicas: 2,
        retention: "24h",
        storageSize: "50Gi",
        resources: res("500m", "2Gi", "4Gi"),
        sidecarResources: res("100m", "256Mi", "512Mi"),
        scrapeInterval: "30s",
        evaluationInterval: "30s",
    },
    alertmanager: {
        replicas: 2,
        storageSize: "2Gi",
        resources: res("50m", "128Mi", "256Mi"),
    },
    pushgateway: {
        resources: res("50m", "64Mi", "256Mi"),
    },
    storeGateway: {
        shards: 1,
        replicas: 2,
        storageSize: "20Gi",
        resources: res("500m", "2Gi", "4Gi"),
    },
    querier: {
        replicas: 2,
        resources: res("500m", "1Gi", "2Gi"),
    },
    queryFrontend: {
        replicas: 2,
        resources: res("200m", "512Mi", "1Gi"),
    },
    compactor: {
        storageSize: "100Gi",
        resources: res("1", "2Gi", "4Gi"),
        retention: { raw: "30d", fiveMinutes: "90d", oneHour: "1y" },
        deleteDelay: "48h",
        downsampling: true,
    },
    ruler: {
        replicas: 2,
        retention: "24h",
        storageSize: "10Gi",
        evaluationInterval: "30s",
        resources: res("200m", "512Mi", "1Gi"),
    },
} as const;
