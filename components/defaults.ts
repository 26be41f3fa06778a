/**
 * Production defaults for every component, defined once.
 *
 * The stack configuration schema (`infra/config/schema.ts`) and the component
 * Args both read these values, so the configuration reference and the
 * components' documented `@default`s cannot drift apart.
 */

/** Guaranteed CPU and memory of one container (Kubernetes quantities). */
export interface ResourceRequests {
    /** CPU request, e.g. `500m`. */
    cpu: string;
    /** Memory request, e.g. `2Gi`. */
    memory: string;
}

/** Upper bounds of one container (Kubernetes quantities). */
export interface ResourceLimits {
    /** Memory limit, e.g. `4Gi`; GOMEMLIMIT is derived from it. */
    memory: string;
    /**
     * CPU limit.
     * @default none (no CPU throttling)
     */
    cpu?: string;
}

/**
 * CPU/memory requests and limits of one container. The nested types are named interfaces (not inline object
 * types) so that Pulumi can infer the component package schema.
 */
export interface ResourceRequirements {
    /** Guaranteed resources. */
    requests: ResourceRequests;
    /** Upper bounds; a memory limit is always set (GOMEMLIMIT is derived from it). */
    limits: ResourceLimits;
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
        /** Local compaction: `disabled` (every 2h block is uploaded as written) or the Operator's `delayed` mode. */
        compaction: "disabled",
        /** Compress the write-ahead log. */
        walCompression: true,
        /** `retentionSize` as a share of the volume: Prometheus deletes old blocks before the volume fills (WAL and head chunks need the rest). */
        retentionSizeRatio: 0.85,
        /** Replicas of one shard on different nodes: `hard` (never together) or `soft` (when possible). */
        replicaSpread: "hard",
        /** Prometheus feature flags (`--enable-feature`). */
        enableFeatures: [],
        /** Seconds a Prometheus pod may take to start (WAL replay): the Operator's startup probe, and Pulumi's wait per replica. */
        startupSeconds: 900,
    },
    alertmanager: {
        replicas: 2,
        storageSize: "2Gi",
        resources: res("50m", "128Mi", "256Mi"),
        /** How long silences and the notification log are kept. */
        retention: "120h",
    },
    pushgateway: {
        resources: res("50m", "64Mi", "256Mi"),
        persistence: { enabled: false, size: "2Gi", interval: "5m" },
    },
    /** kube-prometheus-stack: the Prometheus Operator and the cluster exporters, Grafana. */
    operator: {
        install: true,
        /** No scrapes or alerts for etcd, the controller manager, the scheduler, kube-proxy (EKS exposes none of them). */
        scrapeControlPlane: false,
        resources: res("100m", "128Mi", "512Mi"),
        kubeStateMetricsResources: res("50m", "128Mi", "512Mi"),
        /** The chart's CRD upgrade Job (busybox and kubectl). */
        crdUpgradeResources: res("50m", "64Mi", "256Mi"),
        nodeExporterResources: res("20m", "32Mi", "128Mi"),
        grafana: {
            enabled: true,
            resources: res("100m", "256Mi", "512Mi"),
            sidecarResources: res("20m", "64Mi", "256Mi"),
            /** Seconds Grafana waits for the Thanos datasource: the querier's default `--query.timeout` (2m) plus 30 s. */
            datasourceTimeoutSeconds: 150,
            /** The keys of Grafana's admin user and password in its Secret (the chart's `admin.userKey`/`passwordKey`). */
            adminKeys: { user: "admin-user", password: "admin-password" },
        },
    },
    // The Thanos components: store gateway, querier, query-frontend, compactor, ruler, memcached
    storeGateway: {
        /** `--sync-block-duration`: how soon new and deleted blocks are seen (Thanos' default of 15m delays history that long). */
        syncInterval: "3m",
        /**
         * A terminating store pod's `preStop` sleep: longer than a querier's drain, so a querier still finishing queries
         * on a store (e.g. the old shards of a resharding, deleted right after the queriers rolled) never loses it.
         */
        drainSeconds: 30,
        shards: 1,
        replicas: 2,
        storageSize: "20Gi",
        resources: res("500m", "2Gi", "4Gi"),
        /** In-memory index cache: this share of the memory limit (see storeGateway.ts for the sizing formula). */
        indexCacheMemoryRatio: 0.25,
        /** Chunk pool: this share of the memory limit. */
        chunkPoolMemoryRatio: 0.35,
        /** Per-request guardrails (`--store.limits.request-series` / `--store.limits.request-samples`). */
        limits: { requestSeries: 1_000_000, requestSamples: 100_000_000 },
        /** Seconds the startup probe waits for the initial bucket sync and index-header download (and Pulumi's wait per replica). */
        startupSeconds: 600,
        /** Whether the replicas of one store shard may share a node (see `ReplicaSpread`). */
        replicaSpread: "hard",
    },
    querier: {
        replicas: 2,
        resources: res("500m", "1Gi", "2Gi"),
        /** `--query.timeout`. */
        timeout: "2m",
        /** `--store.response-timeout`: a slow StoreAPI is dropped (partial response) after this long. */
        storeResponseTimeout: "1m",
        /** `--query.max-concurrent`. */
        maxConcurrent: 20,
        /**
         * `--endpoint.sd-config-reload-interval`: how often the querier re-reads its endpoint file (a ConfigMap, which
         * the kubelet refreshes within about a minute), so endpoint changes apply without a restart.
         */
        endpointReloadInterval: "30s",
        /** A terminating querier pod's `preStop` sleep: out of the Service at once, its in-flight queries finish. */
        drainSeconds: 15,
    },
    queryFrontend: {
        replicas: 2,
        resources: res("200m", "512Mi", "1Gi"),
        /** `--query-range.split-interval` and `--labels.split-interval`. */
        splitInterval: "24h",
        /** Retries per request (range, instant and labels). */
        maxRetries: 5,
        /** In-memory results cache: this share of the memory limit; the labels cache gets the labels ratio. */
        resultsCacheMemoryRatio: 0.3,
        labelsCacheMemoryRatio: 0.1,
        /** Downstream (querier) connection pool, when keep-alive is on; Thanos' default of 2 idle connections per host starves the querier. */
        maxIdleConnsPerHost: 100,
        /**
         * Keep-alive to the querier Service: off, so that every request is balanced over the Ready querier pods and a
         * terminating one gets no new request (a kept connection stays on its pod until the pod stops).
         */
        downstreamKeepAlive: false,
        /** `--query-frontend.log-queries-longer-than`. */
        logQueriesLongerThan: "10s",
    },
    compactor: {
        storageSize: "100Gi",
        resources: res("1", "2Gi", "4Gi"),
        retention: { raw: "30d", fiveMinutes: "90d", oneHour: "1y" },
        deleteDelay: "48h",
        /** `--wait-interval`: pause between compaction runs. */
        waitInterval: "5m",
        /**
         * `--consistency-delay`: fresh blocks younger than this (by their ULID time) are left alone; Thanos' default,
         * kept because uploads that are still in flight must not be compacted.
         */
        consistencyDelay: "30m",
        downsampling: true,
        /** Offline (vertical) deduplication of replica blocks: irreversible, so off unless asked for. */
        deduplication: false,
    },
    ruler: {
        replicas: 2,
        retention: "24h",
        storageSize: "10Gi",
        evaluationInterval: "30s",
        resources: res("200m", "512Mi", "1Gi"),
    },
    memcached: {
        replicas: 2,
        resources: res("100m", "1Gi", "1280Mi"),
        /** memcached `-m`: this share of the container memory limit (the rest is connection and slab overhead). */
        memoryRatio: 0.8,
        /** Largest item in MiB: memcached `-I` and Thanos `max_item_size`. */
        maxItemSizeMb: 1,
        /** memcached `-c`. */
        connectionLimit: 4096,
        /** The exporter sidecar: on, with small resources. */
        exporter: true,
        exporterResources: res("10m", "32Mi", "64Mi"),
    },
    objectStorage: {
        /** How bucket users get AWS credentials: IRSA (OIDC web identity) or EKS Pod Identity. */
        identity: "irsa",
        /** Server-side encryption: SSE-S3 (AES256, AWS-managed keys). */
        encryption: "sse-s3",
        /** Versioning off by default; when on, deleted blocks stay recoverable this many days. */
        versioning: { enabled: false, noncurrentExpirationDays: 30 },
        /** Incomplete multipart uploads are aborted after this many days (the maximum allowed is 7). */
        abortIncompleteMultipartUploadDays: 7,
        /** The in-cluster S3 server (versitygw) of the `local` stack. */
        versitygw: {
            storageSize: "10Gi",
            resources: res("50m", "128Mi", "512Mi"),
            /** The bucket-creation Job and the directory init container. */
            jobResources: res("10m", "32Mi", "128Mi"),
            /** The bucket-creation Job: retries while the server starts, then is garbage-collected. */
            jobBackoffLimit: 6,
            jobTtlSecondsAfterFinished: 3600,
        },
    },
    /** The PriorityClass of every monitoring pod ([hardening]). */
    priorityClass: {
        /** Above ordinary workloads (0), far below the system classes (2000000000+). */
        value: 1000000,
    },
    /** NetworkPolicies of the stack namespace ([hardening]). */
    networkPolicies: {
        enabled: true,
        /** 443 (EKS, the `kubernetes` Service) and 6443 (kubeadm/kind API servers). */
        kubeApiServerPorts: [443, 6443],
        /**
         * The pod network's IP families (what "any address" is: 0.0.0.0/0, ::/0 or both). Unless narrowed, the API
         * server (a NetworkPolicy cannot select it: the `kubernetes` Service is translated to its endpoints' addresses
         * first) and S3/STS (no fixed addresses) are reached at any address of these families.
         */
        ipFamilies: ["IPv4"],
    },
    ui: {
        /** Where ingress-nginx runs by default: the only namespace the exposed UIs accept connections from. */
        ingressControllerNamespace: "ingress-nginx",
    },
} as const;
