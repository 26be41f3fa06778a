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
    /**
     * Prometheus 3.13 line (LTS), latest patch v3.13.2 (security fixes). Matches the pinned PromQL parser
     * `@prometheus-io/lezer-promql` 0.313.x, which checks rule expressions at program time.
     */
    prometheus: "v3.13.2",
    /** Alertmanager (API v2 only); the version kube-prometheus-stack 88.5.x ships with Operator v0.93.1. */
    alertmanager: "v0.34.0",
    /** Pushgateway. */
    pushgateway: "v1.11.1",
    /** Prometheus Operator (and its config reloader): what kube-prometheus-stack 88.5.3 installs. */
    prometheusOperator: "v0.93.1",
    /**
     * kube-prometheus-stack chart: 88.5.3 ships Prometheus Operator v0.93.1 (+ its CRDs), kube-state-metrics chart
     * 8.4.0, prometheus-node-exporter chart 4.56.1 and Grafana chart 12.11.x (checked against the chart's Chart.yaml).
     */
    kubePrometheusStackChart: "88.5.3",
    /** Versity S3 Gateway (Apache-2.0), the in-cluster S3 server of the `local` stack. */
    versitygw: "v1.8.0",
    /** memcached, for optional Thanos caches. */
    memcached: "1.6.39-alpine",
    /** The Prometheus memcached exporter, a sidecar of every memcached pod. */
    memcachedExporter: "v0.17.0",
    /**
     * The chart's CRD upgrade Job: busybox unpacks the CRDs (the chart's default tag is `latest`: pinned here), kubectl
     * applies them (the chart's default is the cluster's version; pinned to the supported Kubernetes line).
     */
    crdUpgradeBusybox: "1.37.0",
    crdUpgradeKubectl: "v1.34.4",
} as const;

/** Container images, pinned by version tag. */
export const IMAGES = {
    thanos: `quay.io/thanos/thanos:${VERSIONS.thanos}`,
    prometheus: `quay.io/prometheus/prometheus:${VERSIONS.prometheus}`,
    alertmanager: `quay.io/prometheus/alertmanager:${VERSIONS.alertmanager}`,
    pushgateway: `quay.io/prometheus/pushgateway:${VERSIONS.pushgateway}`,
    prometheusOperator: `quay.io/prometheus-operator/prometheus-operator:${VERSIONS.prometheusOperator}`,
    prometheusConfigReloader: `quay.io/prometheus-operator/prometheus-config-reloader:${VERSIONS.prometheusOperator}`,
    versitygw: `ghcr.io/versity/versitygw:${VERSIONS.versitygw}`,
    memcached: `docker.io/library/memcached:${VERSIONS.memcached}`,
    memcachedExporter: `quay.io/prometheus/memcached-exporter:${VERSIONS.memcachedExporter}`,
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
    /** Alertmanager cluster gossip (TCP and UDP) between the replicas. */
    alertmanagerCluster: 9094,
    pushgatewayHttp: 9091,
    /** The Operator's config-reloader sidecar in Prometheus, Alertmanager and ThanosRuler pods (`/metrics`, port `reloader-web`). */
    configReloaderHttp: 8080,
    /** The in-cluster S3 server (versitygw's default port); its admin API shares the port. */
    versitygwS3: 7070,
    memcached: 11211,
    /** The memcached exporter's `/metrics` (its default `--web.listen-address`). */
    memcachedExporter: 9150,
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
    /** Annotation on a namespace that may not enforce "restricted": the reason, reviewed like code. */
    podSecurityException: "thanos-stack.io/pod-security-exception",
    /** Annotation that says in words what an object (e.g. a NetworkPolicy) is for. */
    description: "thanos-stack.io/description",
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
    /**
     * The per-shard external label (value: the shard index). The Operator adds none, so without it the replicas of
     * different shards differ only in the replica label, and the querier's deduplication merges a shard-scope
     * aggregation (`sum by (job)`) of one shard with another's.
     */
    prometheusShard: "prometheus_shard",
    /**
     * The ruler's replica label. The Prometheus Operator's `ThanosRuler` (our ruler) always sets this label to the
     * pod name and drops it from alerts; the name is fixed by the Operator, so the querier deduplicates on it.
     */
    rulerReplica: "thanos_ruler_replica",
} as const;

/** Thanos' own block-duration facts. */
export const TSDB = {
    /** The Prometheus block duration with local compaction disabled (min = max). */
    blockDuration: "2h",
} as const;

/** AWS identity facts used by the per-component IAM roles (IRSA and EKS Pod Identity). */
export const AWS_IDENTITY = {
    /** IAM policy language version. */
    policyVersion: "2012-10-17",
    /** ServiceAccount annotation that tells the EKS pod identity webhook which role to assume (IRSA). */
    irsaRoleArnAnnotation: "eks.amazonaws.com/role-arn",
    /** The audience of the projected service-account token (IRSA). */
    irsaAudience: "sts.amazonaws.com",
    /** The service principal of EKS Pod Identity. */
    podIdentityPrincipal: "pods.eks.amazonaws.com",
    /** The service principal S3 replication assumes roles as. */
    s3ReplicationPrincipal: "s3.amazonaws.com",
} as const;

/** Facts about versitygw, the in-cluster S3 server of the `local` stack. */
export const VERSITYGW = {
    /** The server binary in the upstream image (whose entrypoint is a wrapper script). */
    binary: "/usr/local/bin/versitygw",
    /** The health endpoint the server is started with (`--health`). */
    healthPath: "/_/health",
    /** Where the data volume is mounted. */
    dataPath: "/data",
    /** The POSIX backend's root: one directory per bucket. */
    bucketsDir: "/data/buckets",
    /** versitygw's internal IAM accounts. */
    iamDir: "/data/iam",
    /** Non-current object versions (outside the backend's root, as versitygw requires). */
    versionsDir: "/data/versions",
} as const;

/** Thanos facts shared by the Thanos components ([thanos]). */
/** Annotations the Pulumi Kubernetes provider reads to decide when a create or update is done. */
export const PULUMI_AWAIT = {
    /** Seconds to wait before the provider calls the operation failed (its default: 10 minutes). */
    timeoutSeconds: "pulumi.com/timeoutSeconds",
    /** What to wait for on a resource without built-in await logic (a custom resource), kubectl-wait style. */
    waitFor: "pulumi.com/waitFor",
} as const;

/** Seconds added to a computed wait (scheduling, image pulls, volume attachment). */
export const AWAIT_MARGIN_SECONDS = 300;

export const THANOS = {
    /** The first Thanos whose sidecar supports Prometheus' delayed compaction (reports the blocks it uploaded). */
    delayedCompactionMinVersion: "v0.41.0",
    /** Container port names (the StoreAPI DNS SRV names use them: `_grpc._tcp.<service>`). */
    portNames: { http: "http", grpc: "grpc" },
    /** Where components that keep local state mount their volume (`--data-dir`). */
    dataPath: "/var/thanos/data",
    /** Scratch directory on the read-only root filesystem. */
    tmpPath: "/tmp",
    /** `app.kubernetes.io/name` of each Thanos component (the mixin's job selectors match the Service names). */
    componentNames: {
        store: "thanos-store",
        query: "thanos-query",
        queryFrontend: "thanos-query-frontend",
        compact: "thanos-compact",
        rule: "thanos-rule",
        memcached: "memcached",
    },
    /**
     * Pod label naming the group a pod is one instance of (value: the store gateway's or compactor's base name,
     * e.g. `thanos-store`), on the components whose instances a configuration change renames. Other workloads'
     * NetworkPolicies name the group, so while the old instances still run (until Pulumi deletes them at the end
     * of the update) the policies already updated for the new ones let them through.
     */
    instanceOfLabel: "thanos-stack.io/instance-of",
    /** Pod label with the store gateway hash shard of a pod. */
    storeShardLabel: "thanos-stack.io/store-shard",
    /** Pod label with the store gateway time partition of a pod. */
    storePartitionLabel: "thanos-stack.io/store-partition",
    /** The Prometheus Operator's `ThanosRuler` pods: container names, port name and the label it puts on pods. */
    operatorRuler: {
        container: "thanos-ruler",
        configReloader: "config-reloader",
        webPort: "web",
        nameLabelValue: "thanos-ruler",
        instanceLabel: "thanos-ruler",
    },
} as const;

/** memcached facts for the optional Thanos caches ([thanos]). */
export const MEMCACHED = {
    /** Port name; the DNS SRV name Thanos resolves is `_memcache._tcp.<service>`. */
    portName: "memcache",
    /** Port name of the exporter sidecar's `/metrics`. */
    exporterPortName: "metrics",
    /** The exporter image's user (`nobody`). */
    exporterRunAsUser: 65534,
    /** The memcached image's own non-root user (`memcache`). */
    runAsUser: 11211,
} as const;

/** Values of {@link LABELS.ruleScope}: where a PrometheusRule is evaluated ([prometheus]). */
export const RULE_SCOPES = ["shard", "global"] as const;

/** Prometheus Operator facts used by ShardedPrometheus, Alertmanager and the team helpers ([prometheus]). */
export const PROMETHEUS = {
    /** The first Prometheus with delayed compaction (compacts only blocks a sidecar has uploaded). */
    delayedCompactionMinVersion: "v3.9.0",
    /** The default value of `LABELS.monitor`: what our Prometheus and ruler select on. */
    defaultMonitor: "default",
    /** Label the Operator puts on every pod of a `Prometheus` resource (value: the resource name). */
    operatorNameLabel: "operator.prometheus.io/name",
    /** Label the Operator puts on every pod of one shard (value: the shard index). */
    operatorShardLabel: "operator.prometheus.io/shard",
    /** Label the Operator puts on every Alertmanager pod (value: the resource name). */
    alertmanagerNameLabel: "alertmanager",
    /** Container names in Operator-managed pods (targets of the `containers` strategic-merge override). */
    containers: {
        prometheus: "prometheus",
        sidecar: "thanos-sidecar",
        configReloader: "config-reloader",
        initConfigReloader: "init-config-reloader",
        alertmanager: "alertmanager",
    },
    /** Port names: the Prometheus/Alertmanager web port and the Pushgateway's. */
    portNames: { web: "web", pushgateway: "http", configReloader: "reloader-web" },
    /** Key of the Alertmanager configuration inside its Secret. */
    alertmanagerConfigKey: "alertmanager.yaml",
    /** Minimum Prometheus local retention (3 x the 2h block duration), in hours. */
    minRetentionHours: 6,
    /**
     * The placeholder the Operator's config reloader replaces with each pod's shard index in external labels
     * (Prometheus Operator docs, "troubleshooting": per-shard external labels).
     */
    shardPlaceholder: "$(SHARD)",
} as const;

/** Self-monitoring facts: the scrape job names of the Thanos components, Grafana's dashboard sidecar ([self-monitoring]). */
export const SELF_MONITORING = {
    /**
     * The `job` label of each Thanos component's targets. Each matches the Thanos mixin's selector for that component
     * (`.*thanos-<component>.*`), so upstream dashboards and queries keep working; our own rules match them exactly
     * (the mixin's `.*thanos-query.*` would also catch the query-frontend).
     */
    jobs: {
        compact: "thanos-compact",
        query: "thanos-query",
        queryFrontend: "thanos-query-frontend",
        store: "thanos-store",
        rule: "thanos-rule",
        sidecar: "thanos-sidecar",
    },
    /**
     * The `job` label of the other parts of the stack that watch themselves: Prometheus, Alertmanager and the
     * Operator's config reloaders in their pods (and the ruler's). The Prometheus mixin selects `job="prometheus"`
     * and `job="alertmanager"` by default; the reloaders share one job, told apart by `pod` and `container`.
     */
    platformJobs: {
        prometheus: "prometheus",
        alertmanager: "alertmanager",
        configReloader: "config-reloader",
        /** The memcached exporters beside the Thanos caches. */
        memcached: "memcached",
    },
    /** Label (and value) the kube-prometheus-stack Grafana sidecar loads dashboard ConfigMaps by (chart 88.5.x defaults). */
    grafanaDashboardLabel: "grafana_dashboard",
    grafanaDashboardLabelValue: "1",
    /** Where the runbooks linked from every alert live (relative to the repository root). */
    runbooksPath: "docs/runbooks.md",
} as const;

/** Multi-cluster facts: how a collector exposes its sidecars' StoreAPI to the central cluster ([multi-cluster]). */
export const MULTI_CLUSTER = {
    /** The stack roles: everything in one cluster, the scraping side of a remote cluster, or the central read/maintenance side. */
    roles: ["all", "collector", "central"] as const,
    /** How a collector exposes its sidecars: one internal NLB per Prometheus pod, or one gRPC Ingress with TLS (a host per pod). */
    exposureTypes: ["loadBalancer", "ingress"] as const,
    /** AWS Load Balancer Controller annotations of an internal NLB with IP targets (LBC >= v2.2). */
    awsNlbAnnotations: {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    },
    /** external-dns annotation that publishes a Service or Ingress under a stable name. */
    externalDnsHostnameAnnotation: "external-dns.alpha.kubernetes.io/hostname",
    /** Label the StatefulSet controller puts on every pod (value: the pod name); per-pod Services select on it. */
    podNameLabel: "statefulset.kubernetes.io/pod-name",
    /** Where the sidecar mounts its gRPC server certificate (a `kubernetes.io/tls` Secret). */
    sidecarTlsMountPath: "/etc/thanos/grpc-tls",
    /** Where the querier mounts the CA bundle of a remote collector (`<path>/<secret>/ca.crt`). */
    endpointCaMountPath: "/etc/thanos/endpoint-ca",
    /** The stack output that lists a collector's StoreAPI endpoints `{address, tls}` (read by central stacks through StackReferences). */
    storeApiEndpointsOutput: "storeApiEndpoints",
    /** Default replicas of the central cluster's self-scrape Prometheus (one shard). */
    selfScrapeReplicas: 2,
} as const;

/** Ingress and cert-manager facts used by UI access and the collector's gRPC Ingress ([ui-access], [multi-cluster]). */
export const INGRESS = {
    /** cert-manager: the ClusterIssuer that signs the certificate of an Ingress's TLS hosts. */
    clusterIssuerAnnotation: "cert-manager.io/cluster-issuer",
    /** ingress-nginx annotations. */
    nginx: {
        backendProtocol: "nginx.ingress.kubernetes.io/backend-protocol",
        authUrl: "nginx.ingress.kubernetes.io/auth-url",
        authSignin: "nginx.ingress.kubernetes.io/auth-signin",
        authResponseHeaders: "nginx.ingress.kubernetes.io/auth-response-headers",
        authType: "nginx.ingress.kubernetes.io/auth-type",
        authSecret: "nginx.ingress.kubernetes.io/auth-secret",
        authSecretType: "nginx.ingress.kubernetes.io/auth-secret-type",
        authRealm: "nginx.ingress.kubernetes.io/auth-realm",
        sslRedirect: "nginx.ingress.kubernetes.io/force-ssl-redirect",
    },
    /** Key of the htpasswd file inside a basic-auth Secret (ingress-nginx `auth-file` format). */
    basicAuthKey: "auth",
    /** The headers oauth2-proxy returns that the backend may read (user and e-mail). */
    oauth2ProxyResponseHeaders: "X-Auth-Request-User,X-Auth-Request-Email",
    /** The cert-manager API version of Certificate objects. */
    certManagerApiVersion: "cert-manager.io/v1",
    /** The HTTPS port an Ingress controller listens on (remote addresses `<host>:443`). */
    httpsPort: 443,
} as const;

/** Grafana as deployed by the kube-prometheus-stack chart (its Service is `<release>-grafana`, port 80) ([ui-access]). */
export const GRAFANA = {
    serviceSuffix: "grafana",
    servicePort: 80,
} as const;
