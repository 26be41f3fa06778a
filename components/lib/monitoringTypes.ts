/**
 * The parts of the Prometheus Operator `monitoring.coreos.com/v1` API that
 * our components emit, typed (Operator v0.93 field names). Only the fields we
 * support are listed: everything here is checked against the Operator's CRD
 * schema in the tests, with unknown fields rejected.
 */
import type { LabelSelector, ObjectMeta } from "kubernetes-types/meta/v1";
import type { SecretKeySelector } from "kubernetes-types/core/v1";
import { LABELS, PROMETHEUS } from "../constants";
import { isDuration } from "./duration";
import { objectMeta } from "./meta";

/** `monitoring.coreos.com/v1` API version. */
export const MONITORING_API_VERSION = "monitoring.coreos.com/v1";

/** Copies a plain object without `undefined` members (so the rendered YAML holds only what was set). */
export function stripUndefined<T>(value: T): T {
    if (Array.isArray(value)) return value.map((v) => stripUndefined(v)) as T;
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) out[k] = stripUndefined(v);
        return out as T;
    }
    return value;
}

/** Where a PrometheusRule is evaluated: each Prometheus shard, or the Thanos ruler through the querier. */
export const RuleScope = { Shard: "shard", Global: "global" } as const;
/** Where a PrometheusRule is evaluated: each Prometheus shard, or the Thanos ruler through the querier. */
export type RuleScope = (typeof RuleScope)[keyof typeof RuleScope];

/** The label our Prometheus (and ruler) select ServiceMonitors/PodMonitors/Probes/PrometheusRules by. */
export function monitorLabels(monitor: string = PROMETHEUS.defaultMonitor): Record<string, string> {
    return { [LABELS.monitor]: monitor };
}

/** The labels that route a PrometheusRule to its evaluator. */
export function ruleLabels(scope: RuleScope, monitor: string = PROMETHEUS.defaultMonitor): Record<string, string> {
    return { ...monitorLabels(monitor), [LABELS.ruleScope]: scope };
}

/** Where a team's monitoring object (ServiceMonitor, PodMonitor, PrometheusRule) goes, and which stack picks it up. */
export interface TeamObjectArgs {
    /** Namespace of the object (usually the team's namespace). */
    namespace: string;
    /**
     * Kubernetes name of the object.
     * @default the component name
     */
    name?: string;
    /**
     * Value of the `thanos-stack.io/monitor` label, i.e. which stack's Prometheus (or ruler) picks it up.
     * @default "default"
     */
    monitor?: string;
    /**
     * Extra labels on the object.
     * @default {}
     */
    labels?: Record<string, string>;
}

/** Where a built team object goes: its Kubernetes name, namespace, the component instance, and its labels. */
export interface TeamObjectPlacement {
    name: string;
    namespace: string;
    instance: string;
    monitor?: string;
    labels?: Record<string, string>;
}

/** The placement of a team component's object: its Kubernetes name defaults to the component name. */
export function teamPlacement(componentName: string, args: TeamObjectArgs): TeamObjectPlacement {
    return {
        name: args.name ?? componentName,
        namespace: args.namespace,
        instance: componentName,
        ...(args.monitor !== undefined ? { monitor: args.monitor } : {}),
        ...(args.labels !== undefined ? { labels: args.labels } : {}),
    };
}

/** The Args without the placement: what goes into the object's spec. */
export function withoutPlacement<T extends TeamObjectArgs>(args: T): Omit<T, keyof TeamObjectArgs> {
    const { namespace, name, monitor, labels, ...spec } = args;
    return spec;
}

/** A team object's metadata: its extra labels, then the routing labels that pick the evaluator (these win). */
export function teamObjectMeta(component: string, p: TeamObjectPlacement, routing: Record<string, string>): ObjectMeta {
    return objectMeta({ name: p.name, namespace: p.namespace, component, instance: p.instance, labels: { ...(p.labels ?? {}), ...routing } });
}

/** A relabeling step (`relabelings` / `metricRelabelings` / `writeRelabelConfigs`). */
export interface RelabelConfig {
    /** Source label names whose values are concatenated. */
    sourceLabels?: string[];
    /** Separator between concatenated source values. @default ";" */
    separator?: string;
    /** Label written by `replace`, `hashmod`, ... */
    targetLabel?: string;
    /** Regular expression matched against the concatenated source values. @default "(.*)" */
    regex?: string;
    /** Modulus for `hashmod`. */
    modulus?: number;
    /** Replacement value for `replace`. @default "$1" */
    replacement?: string;
    /** Relabeling action. @default "replace" */
    action?: RelabelAction;
}

/** A relabeling action (Prometheus `relabel_config.action`). */
export const RelabelAction = {
    Replace: "replace",
    Keep: "keep",
    Drop: "drop",
    HashMod: "hashmod",
    LabelMap: "labelmap",
    LabelDrop: "labeldrop",
    LabelKeep: "labelkeep",
    Lowercase: "lowercase",
    Uppercase: "uppercase",
    KeepEqual: "keepequal",
    DropEqual: "dropequal",
} as const;
/** A relabeling action (Prometheus `relabel_config.action`). */
export type RelabelAction = (typeof RelabelAction)[keyof typeof RelabelAction];

/** The protocol of a scrape endpoint. */
export const ScrapeScheme = { Http: "http", Https: "https" } as const;
/** The protocol of a scrape endpoint. */
export type ScrapeScheme = (typeof ScrapeScheme)[keyof typeof ScrapeScheme];

/** A value read from one key of a Secret. */
export interface SecretKeySource {
    /** The Secret and key. */
    secret: SecretKeySelector;
}

/** TLS settings of a scrape endpoint (no file paths: Secrets only). */
export interface SafeTlsConfig {
    /** Server name the certificate must match. */
    serverName?: string;
    /** Skip certificate verification (never in production). @default false */
    insecureSkipVerify?: boolean;
    /** CA certificate from a Secret. @default the system CAs */
    ca?: SecretKeySource;
}

/** Which namespaces a ServiceMonitor/PodMonitor looks in. */
export interface NamespaceSelector {
    /** Every namespace. @default false */
    any?: boolean;
    /** These namespaces. */
    matchNames?: string[];
}

/** Fields shared by ServiceMonitor endpoints and PodMonitor endpoints. */
export interface ScrapeEndpointCommon {
    /** HTTP path of the metrics. @default "/metrics" */
    path?: string;
    /** `http` or `https`. @default "http" */
    scheme?: ScrapeScheme;
    /** Scrape interval (Prometheus duration). @default the Prometheus `scrapeInterval` */
    interval?: string;
    /** Scrape timeout (Prometheus duration, at most the interval). @default the Prometheus default */
    scrapeTimeout?: string;
    /** Keep the target's labels when they clash with target labels (Pushgateway, federation). @default false */
    honorLabels?: boolean;
    /** Use the timestamps the target exposes. @default true */
    honorTimestamps?: boolean;
    /** URL query parameters. */
    params?: Record<string, string[]>;
    /** Relabeling of the target before the scrape. */
    relabelings?: RelabelConfig[];
    /** Relabeling of scraped samples before ingestion. */
    metricRelabelings?: RelabelConfig[];
    /** TLS settings when `scheme` is `https`. */
    tlsConfig?: SafeTlsConfig;
}

/** One scraped port of a Service (`ServiceMonitor.spec.endpoints[]`). */
export interface ServiceMonitorEndpoint extends ScrapeEndpointCommon {
    /** Name of the Service port. One of `port` and `targetPort` is required. */
    port?: string;
    /** Name of the target pod port (use `port`, the Service port, for a numbered port). @default none (one of `port` and `targetPort` is required) */
    targetPort?: string;
}

/** `ServiceMonitor.spec`, the fields we support. */
export interface ServiceMonitorSpec {
    /** Label selector of the Services to scrape. */
    selector: LabelSelector;
    /** Endpoints (Service ports) to scrape; at least one. */
    endpoints: ServiceMonitorEndpoint[];
    /** Namespaces of the Services. @default the ServiceMonitor's own namespace */
    namespaceSelector?: NamespaceSelector;
    /** Service label whose value becomes the `job` label. @default the Service name */
    jobLabel?: string;
    /** Service labels copied onto every series. @default [] */
    targetLabels?: string[];
    /** Pod labels copied onto every series. @default [] */
    podTargetLabels?: string[];
    /** Per-scrape sample limit (0 = none). @default 0 */
    sampleLimit?: number;
    /** Limit on the number of targets (0 = none). @default 0 */
    targetLimit?: number;
}

/** One scraped port of a pod (`PodMonitor.spec.podMetricsEndpoints[]`). */
export interface PodMetricsEndpoint extends ScrapeEndpointCommon {
    /** Name of the container port. One of `port` and `portNumber` is required. */
    port?: string;
    /** Number of the container port. */
    portNumber?: number;
}

/** `PodMonitor.spec`, the fields we support. */
export interface PodMonitorSpec {
    /** Label selector of the pods to scrape. */
    selector: LabelSelector;
    /** Endpoints (pod ports) to scrape; at least one. */
    podMetricsEndpoints: PodMetricsEndpoint[];
    /** Namespaces of the pods. @default the PodMonitor's own namespace */
    namespaceSelector?: NamespaceSelector;
    /** Pod label whose value becomes the `job` label. @default `<namespace>/<podmonitor name>` */
    jobLabel?: string;
    /** Pod labels copied onto every series. @default [] */
    podTargetLabels?: string[];
    /** Per-scrape sample limit (0 = none). @default 0 */
    sampleLimit?: number;
    /** Limit on the number of targets (0 = none). @default 0 */
    targetLimit?: number;
}

/** An alerting rule. */
export interface AlertingRule {
    /** Alert name. */
    alert: string;
    /** PromQL expression; parsed at program time. */
    expr: string;
    /** How long the condition must hold before the alert fires. @default "0s" */
    for?: string;
    /** How long the alert keeps firing after the condition cleared. @default "0s" */
    keepFiringFor?: string;
    /** Labels added to the alert (e.g. `severity`). */
    labels?: Record<string, string>;
    /** Annotations (`summary`, `description`, `runbook_url`). */
    annotations?: Record<string, string>;
}

/** A recording rule. */
export interface RecordingRule {
    /** Name of the series written (`level:metric:operations`). */
    record: string;
    /** PromQL expression; parsed at program time. */
    expr: string;
    /** Labels added to the recorded series. */
    labels?: Record<string, string>;
}

/** A rule group (`PrometheusRule.spec.groups[]`). */
export interface RuleGroup {
    /** Group name, unique within the resource. */
    name: string;
    /** Evaluation interval. @default the evaluator's `evaluationInterval` */
    interval?: string;
    /** Limit on alerts/series a rule may produce (0 = none). @default 0 */
    limit?: number;
    /** The rules, evaluated in order. */
    rules: Rule[];
}

/**
 * A rule of a group: an alerting rule (`alert`) or a recording rule (`record`), exactly one of the two.
 * `AlertingRule` and `RecordingRule` are both rules.
 */
export interface Rule {
    /** Alert name (an alerting rule). Exactly one of `alert` and `record` is set. @default none (a recording rule) */
    alert?: string;
    /** Name of the series written (a recording rule, `level:metric:operations`). @default none (an alerting rule) */
    record?: string;
    /** PromQL expression; parsed at program time. */
    expr: string;
    /** Alerting rules: how long the condition must hold before the alert fires. @default "0s" */
    for?: string;
    /** Alerting rules: how long the alert keeps firing after the condition cleared. @default "0s" */
    keepFiringFor?: string;
    /** Labels added to the alert or to the recorded series. @default {} */
    labels?: Record<string, string>;
    /** Alerting rules: annotations (`summary`, `description`, `runbook_url`). @default {} */
    annotations?: Record<string, string>;
}

/** Basic auth of a remote-write destination, from Secrets. */
export interface RemoteWriteBasicAuth {
    /** The user name. */
    username: SecretKeySelector;
    /** The password. */
    password: SecretKeySelector;
}

/** The `Authorization` header of a remote-write destination, from a Secret. */
export interface RemoteWriteAuthorization {
    /** Authentication type. @default "Bearer" */
    type?: string;
    /** The credentials. */
    credentials: SecretKeySelector;
}

/** AWS SigV4 signing of remote-write requests; credentials come from the pod's identity. */
export interface RemoteWriteSigV4 {
    /** AWS region. @default the region of the pod's environment */
    region?: string;
    /** Role to assume. @default none (the pod's own identity) */
    roleArn?: string;
}

/** Queue tuning of a remote-write destination (Prometheus `queue_config`). */
export interface RemoteWriteQueueConfig {
    /** Samples buffered per shard. @default the Prometheus default */
    capacity?: number;
    /** Most shards. @default the Prometheus default */
    maxShards?: number;
    /** Fewest shards. @default the Prometheus default */
    minShards?: number;
    /** Most samples per request. @default the Prometheus default */
    maxSamplesPerSend?: number;
    /** Longest wait before a partial batch is sent. @default the Prometheus default */
    batchSendDeadline?: string;
}

/** A remote-write destination (`Prometheus.spec.remoteWrite[]`), the fields we support. */
export interface RemoteWriteSpec {
    /** Receiver URL. */
    url: string;
    /** Name of the queue (unique; shows up in metrics). @default generated by Prometheus */
    name?: string;
    /** Timeout of each request. @default "30s" */
    remoteTimeout?: string;
    /** Extra HTTP headers. */
    headers?: Record<string, string>;
    /** Relabeling before sending (e.g. keep only some series). */
    writeRelabelConfigs?: RelabelConfig[];
    /** Basic auth from a Secret. */
    basicAuth?: RemoteWriteBasicAuth;
    /** `Authorization` header from a Secret. */
    authorization?: RemoteWriteAuthorization;
    /** AWS SigV4 signing (Amazon Managed Prometheus); credentials come from the pod's identity. */
    sigv4?: RemoteWriteSigV4;
    /** Queue tuning. */
    queueConfig?: RemoteWriteQueueConfig;
    /** TLS settings. */
    tlsConfig?: SafeTlsConfig;
}

/** Problems with the durations of scrape endpoints, as `<path>: <rule>, got <value>` sentences. */
export function endpointDurationProblems(endpoints: ScrapeEndpointCommon[], path: string): string[] {
    const problems: string[] = [];
    endpoints.forEach((e, i) => {
        for (const key of ["interval", "scrapeTimeout"] as const) {
            const v = e[key];
            if (v !== undefined && !isDuration(v)) problems.push(`${path}[${i}].${key}: must be a Prometheus duration like 30s, got ${JSON.stringify(v)}`);
        }
    });
    return problems;
}

/** True for an alerting rule. */
export function isAlertingRule(rule: Rule): rule is AlertingRule {
    return "alert" in rule;
}
