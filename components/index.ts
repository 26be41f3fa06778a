/**
 * The public API of the `thanos-stack` component package.
 *
 * Everything another team (or another cluster's program) needs is exported from here:
 * the components with their `*Args` types, the team helpers (ServiceMonitor, PodMonitor,
 * PrometheusRule), the constants every component agrees on (labels, versions, images,
 * ports) and the pure builders that are useful on their own (the Kubernetes objects,
 * addresses and Thanos configuration the components emit).
 *
 * Import from the package root only (`import { ThanosStack } from "thanos-stack"`); the
 * files behind it are not part of the API. Every exported `ComponentResource` subclass is
 * also a resource of the Pulumi component package (`thanos-stack:index:<ClassName>`, see
 * `PulumiPlugin.yaml` and docs/components.md).
 */

// The whole stack.
export { ThanosStack } from "./stack/thanosStack";
export type { ThanosStackArgs, ThanosStackChildren, SelfMonitoringSettings, PushgatewaySettings, MonitoringSettings, UiSettings } from "./stack/thanosStack";
export { planThanosStack, thanosStackContext, thanosComponentNames, thanosStackProblems } from "./stack/thanosPlan";
export { planStack } from "./stack/stackPlan";
export type { StackPlan } from "./stack/stackPlan";
export type {
    ThanosSettings,
    StoreGatewaySettings,
    QuerierSettings,
    QueryFrontendSettings,
    CompactorSettings,
    RulerSettings,
    ThanosStackContext,
    ThanosStackPlan,
} from "./stack/thanosPlan";

// Team helpers: what other teams create to be scraped and alerted on.
export { ServiceMonitor, buildServiceMonitor, serviceMonitorProblems } from "./teams/serviceMonitor";
export type { ServiceMonitorArgs, ServiceMonitorObject, ServiceMonitorEndpoint, ServiceMonitorSpec } from "./teams/serviceMonitor";
export { PodMonitor, buildPodMonitor, podMonitorProblems } from "./teams/podMonitor";
export type { PodMonitorArgs, PodMonitorObject, PodMetricsEndpoint, PodMonitorSpec } from "./teams/podMonitor";
export { PrometheusRule, buildPrometheusRule, ruleProblems, DEFAULT_RULE_SCOPE, RuleScope } from "./teams/prometheusRule";
export type { PrometheusRuleArgs, PrometheusRuleObject, AlertingRule, RecordingRule, Rule, RuleGroup } from "./teams/prometheusRule";
export { monitorLabels, ruleLabels, RelabelAction, ScrapeScheme } from "./lib/monitoringTypes";
export type {
    RelabelConfig,
    SafeTlsConfig,
    SecretKeySource,
    NamespaceSelector,
    ScrapeEndpointCommon,
    RemoteWriteSpec,
    RemoteWriteBasicAuth,
    RemoteWriteAuthorization,
    RemoteWriteSigV4,
    RemoteWriteQueueConfig,
    TeamObjectArgs,
} from "./lib/monitoringTypes";

// Prometheus, its Operator, Alertmanager, Pushgateway.
export {
    ShardedPrometheus,
    buildPrometheus,
    prometheusPodSelector,
    shardPodSelector,
    shardRuleSelector,
    sidecarServiceName,
    sidecarStoreEndpoints,
} from "./prometheus/shardedPrometheus";
export { CompactionMode } from "./prometheus/shardedPrometheus";
export type { ShardedPrometheusArgs, ShardedPrometheusSettings, AlertmanagerTarget, GrpcServerTlsSettings, PrometheusObject, PrometheusSpec } from "./prometheus/shardedPrometheus";
export { PrometheusOperator, buildKubePrometheusStackValues, defaultGrafanaDatasourceUrl } from "./prometheus/prometheusOperator";
export type { PrometheusOperatorArgs, PrometheusOperatorSettings, KubePrometheusStackValues } from "./prometheus/prometheusOperator";
export { Alertmanager, buildAlertmanagerConfig, alertmanagerUrl, alertmanagerSrvAddress, NULL_RECEIVER } from "./prometheus/alertmanager";
export type {
    AlertmanagerArgs,
    AlertmanagerSettings,
    AlertmanagerReceiver,
    AlertmanagerRoute,
    AlertmanagerChildRoute,
    SlackConfig,
    PagerDutyConfig,
    WebhookConfig,
} from "./prometheus/alertmanager";
export { Pushgateway } from "./prometheus/pushgateway";
export type { PushgatewayArgs, PushgatewayOptions, PushgatewayPersistence } from "./prometheus/pushgateway";

// Thanos components.
export { ThanosStoreGateway, storeGatewayPlan, storeEndpointsOf } from "./thanos/storeGateway";
export { CacheBackend } from "./thanos/storeGateway";
export type { ThanosStoreGatewayArgs, CachingBucketSettings, StoreGatewayLimits, CacheSettings, VolumeSettings, TimePartition } from "./thanos/storeGateway";
export { ThanosQuerier, querierUrl, endpointSdConfig } from "./thanos/querier";
export type { ThanosQuerierArgs, QuerierOptions } from "./thanos/querier";
export { ThanosQueryFrontend, queryFrontendUrl } from "./thanos/queryFrontend";
export type { ThanosQueryFrontendArgs } from "./thanos/queryFrontend";
export { ThanosCompactor, compactorPlan } from "./thanos/compactor";
export type { ThanosCompactorArgs, CompactorOptions, RetentionSettings, CompactorSharding } from "./thanos/compactor";
export { ThanosRuler, rulerStoreEndpoint } from "./thanos/ruler";
export type { ThanosRulerArgs } from "./thanos/ruler";
export { Memcached, memcachedAddress } from "./thanos/memcached";
export type { MemcachedArgs, MemcachedSettings } from "./thanos/memcached";
export { ThanosSelfMonitoring, thanosScrapeTargets } from "./monitoring/thanosSelfMonitoring";
export type { ThanosSelfMonitoringArgs, ThanosScrapeTarget, RuleNamesByScope } from "./monitoring/thanosSelfMonitoring";
export { thanosRuleGroups, specGroups } from "./monitoring/thanosRules";
export type { ThanosJobNames, ScopedRuleGroup } from "./monitoring/thanosRules";
export { thanosDashboards } from "./monitoring/dashboards";

// Multi-cluster (collector/central roles) and access to the UIs.
export { CollectorExposure, collectorEndpoints, roleParts, stackReferenceEndpoints, CollectorExposureType, StackRole } from "./stack/multiCluster";
export type { CollectorExposureArgs, CollectorExposureSettings, CollectorEndpoint, RemoteCollector, CentralSettings, CollectorSettings, SelfScrapeSettings } from "./stack/multiCluster";
export { UiAccess, UI_NAMES, UiAuthMode } from "./network/uiAccess";
export type { UiAccessArgs, UiAccessOptions, UiHosts, UiRoute, UiName } from "./network/uiAccess";

// Object storage: the bucket, who may use it, and the Thanos objstore configuration.
export { ThanosBucket } from "./storage/s3Bucket";
export type { ThanosBucketArgs } from "./storage/s3Bucket";
export { BucketAccess, BUCKET_PERMISSIONS, serviceAccountName, serviceAccountNames, buildBucketUserPolicy } from "./storage/bucketAccess";
export type {
    BucketAccessArgs,
    BucketAccessAwsArgs,
    BucketPermissions,
    BucketUserServiceAccounts,
    BucketUserRoles,
    BucketUserPolicies,
    BucketUserPodIdentityAssociations,
    BucketUserRoleArns,
} from "./storage/bucketAccess";
export { VersityObjectStorage } from "./storage/versitygw";
export type { VersityObjectStorageArgs } from "./storage/versitygw";
export { GeneratedSecret, DynamicProvider } from "./lib/generatedSecret";
export type { GeneratedSecretArgs } from "./lib/generatedSecret";
export { buildObjstoreConfig, renderObjstoreYaml, buildObjstoreSecret, objstoreSecretName, objstoreSecretRef, s3Endpoint, versityEndpoint } from "./storage/objstoreConfig";
export type { ObjstoreTarget, AwsS3Target, VersityTarget, ObjstoreConfig, S3ObjstoreConfig } from "./storage/objstoreConfig";
export { objectStorageSettingsProblems, ObjectStorageProvider, EncryptionType, IdentityMechanism } from "./lib/objectStorage";
export type {
    ObjectStorageSettings,
    EncryptionSettings,
    VersioningSettings,
    ReplicationSettings,
    AccessLoggingSettings,
    LifecycleSettings,
    LifecycleRuleSettings,
    LifecycleTransition,
    VersitySettings,
    EksFacts,
} from "./lib/objectStorage";

// Contracts between components (bucket users, objstore Secret, StoreAPI endpoints).
export { BUCKET_USERS, BucketUser, OBJSTORE_SECRET_KEY, CLUSTER_DOMAIN, serviceFqdn } from "./lib/contracts";
export type { BucketUserNames, ObjstoreSecretRef, StoreEndpoint, EndpointTls } from "./lib/contracts";

// Constants and defaults: the single place for versions, images, ports and labels.
export { VERSIONS, IMAGES, CHARTS, PORTS, LABELS, PART_OF, MANAGED_BY, EXTERNAL_LABELS, RULE_SCOPES, PROMETHEUS, THANOS, MULTI_CLUSTER } from "./constants";
export { DEFAULTS } from "./defaults";
export type { ResourceRequirements } from "./defaults";
export type { PodPriorityArgs } from "./lib/pod";
export { LogLevel, LogFormat, mirroredImage } from "./lib/placement";
export { accessCommands, prometheusPodName } from "./stack/access";
export type { PodPlacement, LogSettings, PodSettingsArgs } from "./lib/placement";
export type { ThanosExtraArgs } from "./lib/thanos";
export { Protocol } from "./network/networkPolicies";
export { objectMeta, standardLabels, selectorLabels } from "./lib/meta";
