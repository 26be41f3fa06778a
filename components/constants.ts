/**
 * The single place for versions, images, ports and well-known labels.
 *
 * Everything that a version bump touches lives here; components and the stack
 * configuration read these constants instead of repeating literals.
 */

/** Pinned upstream versions. Bump here, nowhere else (see docs/upgrades.md). */
export const VERSIONS = {
    /** Thanos, for every Thanos container (sidecar, store, query, query-frontend, compact, rule). */
    thanos: "v0.42.4",
    /** Prometheus LTS line, the Prometheus Operator v0.93 default. */
    prometheus: "v3.13.0",
    /** Alertmanager (API v2 only). */
    alertmanager: "v0.33.0",
    /** Pushgateway. */
    pushgateway: "v1.11.1",
    /** kube-prometheus-stack chart (Operator v0.93 + CRDs, Grafana, exporters). */
    kubePrometheusStackChart: "88.5.0",
    /** MinIO server image tag, for the `local` stack only. */
    minio: "RELEASE.2025-09-07T16-13-09Z",
    /** MinIO client image tag, for the one-shot bucket creation step of the `local` stack. */
    minioClient: "RELEASE.2025-08-13T08-35-41Z",
    /** memcached, for optional Thanos caches. */
    memcached: "1.6.39-alpine",
} as const;

/** Container images, pinned by version tag. */
export const IMAGES = {
    thanos: `quay.io/thanos/thanos:${VERSIONS.thanos}`,
    prometheus: `quay.io/prometheus/prometheus:${VERSIONS.prometheus}`,
    alertmanager: `quay.io/prometheus/alertmanager:${VERSIONS.alertmanager}`,
    pushgateway: `quay.io/prometheus/pushgateway:${VERSIONS.pushgateway}`,
    minio: `quay.io/minio/minio:${VERSIONS.minio}`,
    minioClient: `quay.io/minio/mc:${VERSIONS.minioClient}`,
    memcached: `docker.io/library/memcached:${VERSIONS.memcached}`,
} as const;

/** Helm chart coordinates. */
export const CHARTS = {
    kubePrometheusStack: {
        chart: "kube-prometheus-stack",
        repo: "https://prometheus-community.github.io/helm-charts",
        version: VERSIONS.kubePrometheusStackChart,
    },
} as const;

/** Ports used by the stack. */
export const PORTS = {
    thanosHttp: 10902,
    thanosGrpc: 10901,
    prometheusHttp: 9090,
    alertmanagerHttp: 9093,
    pushgatewayHttp: 9091,
    minioApi: 9000,
    minioConsole: 9001,
    memcached: 11211,
    dns: 53,
    https: 443,
} as const;

/** Label keys with a meaning across the stack. */
export const LABELS = {
    name: "app.kubernetes.io/name",
    instance: "app.kubernetes.io/instance",
    component: "app.kubernetes.io/component",
    partOf: "app.kubernetes.io/part-of",
    managedBy: "app.kubernetes.io/managed-by",
    version: "app.kubernetes.io/version",
    /** Put on ServiceMonitor/PodMonitor/PrometheusRule/Probe objects that our Prometheus and ruler select. */
    monitor: "thanos-stack.io/monitor",
    /** Routes a PrometheusRule to its evaluator: `shard` (each Prometheus shard) or `global` (Thanos ruler). */
    ruleScope: "thanos-stack.io/rule-scope",
    /** Pod Security Admission enforcement level on the namespace. */
    podSecurityEnforce: "pod-security.kubernetes.io/enforce",
    podSecurityEnforceVersion: "pod-security.kubernetes.io/enforce-version",
    podSecurityAudit: "pod-security.kubernetes.io/audit",
    podSecurityWarn: "pod-security.kubernetes.io/warn",
} as const;

/** Value of the `app.kubernetes.io/part-of` label on everything we create. */
export const PART_OF = "thanos-stack";
/** Value of the `app.kubernetes.io/managed-by` label on everything we create. */
export const MANAGED_BY = "pulumi";

/** External-label and replica-label names shared by producers and the querier. */
export const EXTERNAL_LABELS = {
    cluster: "cluster",
    environment: "environment",
    /** The Prometheus Operator's replica external label (value = pod name). */
    prometheusReplica: "prometheus_replica",
    /** The Operator's shard external label. */
    prometheusShard: "prometheus_shard",
    /** The ruler's replica label. */
    rulerReplica: "rule_replica",
} as const;

/** Thanos' own block-duration facts. */
export const TSDB = {
    /** The Prometheus block duration with local compaction disabled (min = max). */
    blockDuration: "2h",
} as const;
