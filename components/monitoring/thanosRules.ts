/**
 * The stack's own alerts and recording rules for the Thanos components, as typed data.
 *
 * Based on the Thanos mixin (alert names, metric names, thresholds and durations are facts taken from
 * `mixin/alerts/*.libsonnet` at Thanos v0.42), adapted to this stack:
 *
 * - Job selectors are exact (`job="thanos-query"`), built from {@link SELF_MONITORING.jobs}; the mixin's
 *   `job=~".*thanos-query.*"` would also match `thanos-query-frontend`.
 * - Two mixin metric names are stale for Thanos v0.42 and are corrected here (checked in the Thanos source):
 *   the querier's endpoint DNS counters are `thanos_query_endpoints_dns_{lookups,failures}_total`
 *   (not `thanos_query_store_apis_dns_*`), and the store gateway's series gate histogram is
 *   `thanos_bucket_store_series_gate_queries_duration_seconds` (not `..._series_gate_duration_seconds`).
 * - Our own alerts: compactor backlog (compaction and downsampling), the compactor's volume filling up, blocks
 *   not uploaded by a sidecar for more than 3 hours, the query-frontend disappearing, and a watchdog that proves
 *   the whole global rule path works.
 *
 * ## Where each group is evaluated (`scope`)
 *
 * The Thanos components are scraped by our sharded Prometheus like any other target: the Operator splits
 * targets between shards by a hash of `__address__`, so the pods of one job (two queriers, the store gateway
 * replicas, every sidecar) usually land on different shards, and no shard sees all of them.
 *
 * - `global` (evaluated by the Thanos ruler through the querier, which sees every shard and deduplicates the HA
 *   replicas): every rule that aggregates across the targets of a job (`sum by (job)`, `max by (job)`,
 *   `histogram_quantile` over a job), every `absent()` (a shard that does not scrape the job would fire
 *   forever), and every rule that joins series of different targets (the sidecar's with its Prometheus'
 *   on `namespace, pod`): those series come from different targets, hence possibly different shards.
 *   This is almost every Thanos alert, and every recording rule (dashboards read them across the fleet).
 * - `shard` (evaluated by every Prometheus shard on its own targets) only where one target's own series
 *   suffice: the expression keeps `instance` and reads nothing else. A shard that does not scrape the target
 *   simply has no input and no output, so there are no false positives, and the alert still fires when the
 *   global path (querier -> ruler -> Alertmanager) is broken. That matters most for the ruler itself: a ruler
 *   that cannot send alerts, or cannot evaluate, must not be the one expected to report it. So the ruler's
 *   alerts, the sidecar's per-pod upload alerts, the compactor's halt flag, the compactor's volume (one
 *   kubelet target's series per PVC, compared label for label) and the querier's per-pod overload are `shard`.
 *   The tests check that every `shard` expression keeps `instance` in each aggregation and join and calls no
 *   `absent()`.
 *
 * The ruler cannot report its own total absence (`ThanosRuleIsDown` only catches a ruler that runs but is not
 * scraped); the global group `thanos-global-watchdog` holds `ThanosGlobalRulesWatchdog`, an always-firing alert
 * that Alertmanager should route to a dead man's switch: when it stops arriving, the global path is broken.
 */
import { DATA_VOLUME } from "../lib/thanos";
import type { AlertingRule, RecordingRule, RuleGroup, RuleScope } from "../lib/monitoringTypes";
import { SELF_MONITORING, THANOS } from "../constants";

/** Alert severities used by the stack's own alerts. */
export type Severity = "critical" | "warning" | "info" | "none";

/** One of our alerts: a severity, a summary, a description and a runbook link are mandatory. */
export interface ThanosAlert extends AlertingRule {
    /**
     * Labels of the alert; `severity` is mandatory. `job` (and `cluster`) are set where the expression cannot carry
     * them (`absent()` of a comparison).
     */
    labels: { severity: Severity; job?: string; cluster?: string };
    /** Annotations of the alert. */
    annotations: { summary: string; description: string; runbook_url: string };
}

/** A rule group with its evaluator. */
export interface ScopedRuleGroup extends RuleGroup {
    /** `shard`: each Prometheus shard on its own targets; `global`: the Thanos ruler through the querier. */
    scope: RuleScope;
    /** The rules, evaluated in order. */
    rules: Array<ThanosAlert | RecordingRule>;
}

/** The `job` label value of each Thanos component's targets. */
export interface ThanosJobNames {
    /** Compactor. */
    compact: string;
    /** Querier. */
    query: string;
    /** Query-frontend. */
    queryFrontend: string;
    /** Store gateways (every shard and partition share the job; the `service` label tells them apart). */
    store: string;
    /** Ruler. */
    rule: string;
    /** The Thanos sidecars of the Prometheus pods. */
    sidecar: string;
}

/** Input of `thanosRuleGroups`. */
export interface ThanosRulesOptions {
    /** Namespace of the stack (selects the compactor's PersistentVolumeClaim in the kubelet volume stats). */
    namespace: string;
    /**
     * Job names of the Thanos components.
     * @default SELF_MONITORING.jobs
     */
    jobs?: ThanosJobNames;
    /**
     * Regular expression (anchored) matching the compactor's PersistentVolumeClaim names.
     * @default "data-thanos-compact(-[0-9]+)+" (volume claim template `data` of the `thanos-compact` StatefulSets, sharded or not)
     */
    compactVolumeClaimRegex?: string;
    /**
     * Base URL of the runbooks; each alert links to `<base>#<alert name in lower case>`.
     * @default SELF_MONITORING.runbooksPath ("docs/runbooks.md"); set it to where the docs are published.
     */
    runbookBaseUrl?: string;
    /**
     * How many StoreAPI endpoints of each type the querier should be connected to (from the stack's plan: every
     * sidecar, every store shard's endpoint group, every ruler); each querier pod below that for 5 minutes alerts.
     * @default undefined (no alert on missing endpoints)
     */
    expectedStoreApis?: ExpectedStoreApis;
}

/** StoreAPI endpoints per type, as the querier's `thanos_store_nodes_grpc_connections{store_type}` counts them. */
export interface ExpectedStoreApis {
    sidecar: number;
    store: number;
    rule: number;
}

/**
 * The PersistentVolumeClaims of the compactor StatefulSet(s) named `compactorName`: claim template `data`, then
 * the StatefulSet name (`<compactorName>` or `<compactorName>-<shard>` when sharded), then the ordinal.
 */
export function compactVolumeClaimRegex(compactorName: string): string {
    return `${DATA_VOLUME}-${compactorName}(-[0-9]+)+`;
}

/** The compactor's PersistentVolumeClaims when the compactor is named `thanos-compact`. */
export const DEFAULT_COMPACT_PVC_REGEX = compactVolumeClaimRegex(THANOS.componentNames.compact);

/** Thresholds of our own alerts (the mixin's thresholds are written where they are used). */
export const SELF_MONITORING_THRESHOLDS = {
    /** A sidecar that has not uploaded a block for this long alerts (blocks are cut every 2h). */
    sidecarUploadStaleSeconds: 3 * 3600,
    /** ... unless its process is younger than this (the first block of a new Prometheus takes up to ~3h). */
    sidecarMinAgeSeconds: 4 * 3600,
    /** The compactor has had work queued without a break for this long. */
    compactBacklogWindow: "6h",
    /** Free space of the compactor's volume below which the filling-up prediction is checked. */
    compactDiskFillingFreeRatio: 0.25,
    /** Look-back and horizon of the compactor volume prediction. */
    compactDiskPredictWindow: "6h",
    compactDiskPredictHorizonSeconds: 24 * 3600,
    /** Free space of the compactor's volume below which the alert is critical. */
    compactDiskCriticalFreeRatio: 0.1,
} as const;

/** The gRPC codes that count as server-side failures (the mixin's list). */
const GRPC_SERVER_FAILURE_CODES = "Unknown|ResourceExhausted|Internal|Unavailable|DataLoss|DeadlineExceeded";
/** The store gateway's list (ResourceExhausted is a client limit there, not a failure). */
const GRPC_STORE_FAILURE_CODES = "Unknown|Internal|Unavailable|DataLoss|DeadlineExceeded";

/** Everything `thanosRuleGroups` needs, resolved. */
interface Ctx {
    jobs: ThanosJobNames;
    runbook: (alert: string) => string;
    pvc: string;
    expectedStoreApis: ExpectedStoreApis | undefined;
}

/** `metric{job="<job>", <extra>}`. */
export function sel(metric: string, job: string, extra?: string): string {
    return `${metric}{job="${job}"${extra ? `, ${extra}` : ""}}`;
}

/** `sum by (<by>) (rate(<selector>[5m]))`. */
function sumRate(by: string, selector: string, range = "5m"): string {
    return `sum by (${by}) (rate(${selector}[${range}]))`;
}

/** A percentage of failures, compared to a threshold. */
function failurePercent(by: string, failures: string, total: string, threshold: number): string {
    return `(\n  ${sumRate(by, failures)}\n/\n  ${sumRate(by, total)}\n) * 100 > ${threshold}`;
}

/** A p99 latency above `seconds`, only while there is traffic. */
function p99Above(by: string, bucket: string, count: string, seconds: number): string {
    return (
        `(\n  histogram_quantile(0.99, sum by (${by}, le) (rate(${bucket}[5m]))) > ${seconds}\n` +
        `and\n  ${sumRate(by, count)} > 0\n)`
    );
}

/**
 * A queue that never drained during `window`: its minimum over the window is above zero, and the job already
 * reported it `window` ago (so a freshly started compactor with a short history does not count).
 */
function backlog(selector: string, window: string): string {
    return `min by (job) (min_over_time(${selector}[${window}])) > 0\nand on (job)\ncount by (job) (${selector} offset ${window})`;
}

/** Where the runbook of each alert is: `<base>#<alert name in lower case>` (a Markdown heading's anchor). */
export function runbookLinks(base: string = SELF_MONITORING.runbooksPath): (alert: string) => string {
    return (name) => `${base}#${name.toLowerCase()}`;
}

/** An alert with its runbook link. */
export function alert(
    c: { runbook: (alert: string) => string },
    name: string,
    spec: { expr: string; for?: string; severity: Severity; job?: string; cluster?: string; summary: string; description: string },
): ThanosAlert {
    const rule: ThanosAlert = {
        alert: name,
        expr: spec.expr,
        labels: { severity: spec.severity, ...(spec.job !== undefined ? { job: spec.job } : {}), ...(spec.cluster !== undefined ? { cluster: spec.cluster } : {}) },
        annotations: { summary: spec.summary, description: spec.description, runbook_url: c.runbook(name) },
    };
    if (spec.for !== undefined) rule.for = spec.for;
    return rule;
}

function compactGroups(c: Ctx, namespace: string): ScopedRuleGroup[] {
    const job = c.jobs.compact;
    const t = SELF_MONITORING_THRESHOLDS;
    const pvc = `namespace="${namespace}", persistentvolumeclaim=~"${c.pvc}"`;
    const freeRatio = `kubelet_volume_stats_available_bytes{${pvc}}\n  /\n  kubelet_volume_stats_capacity_bytes{${pvc}}`;
    return [
        {
            name: "thanos-compact",
            scope: "global",
            rules: [
                alert(c, "ThanosCompactMultipleRunning", {
                    expr: `sum by (job, service) (${sel("up", job)}) > 1`,
                    for: "5m",
                    severity: "warning",
                    summary: "More than one Thanos compactor is running against the same bucket.",
                    description: "{{ $value }} compactor pods behind Service {{ $labels.service }} are up; exactly one may run per bucket stream (compactor shards have a Service each).",
                }),
                alert(c, "ThanosCompactHighCompactionFailures", {
                    expr: failurePercent(
                        "job",
                        sel("thanos_compact_group_compactions_failures_total", job),
                        sel("thanos_compact_group_compactions_total", job),
                        5,
                    ),
                    for: "15m",
                    severity: "warning",
                    summary: "The Thanos compactor fails many of its compactions.",
                    description: "{{ $value | humanize }}% of the compactions of {{ $labels.job }} failed over the last 5 minutes.",
                }),
                alert(c, "ThanosCompactBucketHighOperationFailures", {
                    expr: failurePercent(
                        "job",
                        sel("thanos_objstore_bucket_operation_failures_total", job),
                        sel("thanos_objstore_bucket_operations_total", job),
                        5,
                    ),
                    for: "15m",
                    severity: "warning",
                    summary: "The Thanos compactor's object storage operations fail.",
                    description: "{{ $value | humanize }}% of the bucket operations of {{ $labels.job }} failed over the last 5 minutes.",
                }),
                alert(c, "ThanosCompactHasNotRun", {
                    expr: `(\n  time()\n  -\n  max by (job) (max_over_time(${sel("thanos_objstore_bucket_last_successful_upload_time", job)}[24h]))\n) > 24 * 3600`,
                    severity: "warning",
                    summary: "The Thanos compactor has uploaded nothing for 24 hours.",
                    description: "{{ $labels.job }} has not uploaded a compacted or downsampled block for more than a day.",
                }),
                alert(c, "ThanosCompactBacklog", {
                    expr: backlog(sel("thanos_compact_todo_compactions", job), t.compactBacklogWindow),
                    for: "15m",
                    severity: "warning",
                    summary: "The Thanos compactor is not keeping up with compactions.",
                    description: `{{ $labels.job }} has had at least {{ $value }} planned compactions queued without a break for ${t.compactBacklogWindow}.`,
                }),
                alert(c, "ThanosCompactDownsampleBacklog", {
                    expr: backlog(sel("thanos_compact_todo_downsample_blocks", job), t.compactBacklogWindow),
                    for: "15m",
                    severity: "warning",
                    summary: "The Thanos compactor is not keeping up with downsampling.",
                    description: `{{ $labels.job }} has had at least {{ $value }} blocks waiting for downsampling without a break for ${t.compactBacklogWindow}.`,
                }),
            ],
        },
        {
            name: "thanos-compact-targets",
            scope: "shard",
            rules: [
                alert(c, "ThanosCompactHalted", {
                    expr: `${sel("thanos_compact_halted", job)} == 1`,
                    for: "5m",
                    severity: "warning",
                    summary: "The Thanos compactor has halted.",
                    description: "{{ $labels.job }} ({{ $labels.instance }}) hit an error it cannot retry and stopped compacting, downsampling and applying retention.",
                }),
                alert(c, "ThanosCompactDiskFillingUp", {
                    expr:
                        `(\n  ${freeRatio}\n) < ${t.compactDiskFillingFreeRatio}\n` +
                        `and\npredict_linear(kubelet_volume_stats_available_bytes{${pvc}}[${t.compactDiskPredictWindow}], ${t.compactDiskPredictHorizonSeconds}) < 0`,
                    for: "1h",
                    severity: "warning",
                    summary: "The Thanos compactor's volume is predicted to fill up within a day.",
                    description:
                        "Volume {{ $labels.persistentvolumeclaim }} in {{ $labels.namespace }} has {{ $value | humanizePercentage }} free and is filling up.",
                }),
                alert(c, "ThanosCompactDiskAlmostFull", {
                    expr: `(\n  ${freeRatio}\n) < ${t.compactDiskCriticalFreeRatio}`,
                    for: "15m",
                    severity: "critical",
                    summary: "The Thanos compactor's volume is almost full.",
                    description: "Volume {{ $labels.persistentvolumeclaim }} in {{ $labels.namespace }} has only {{ $value | humanizePercentage }} free.",
                }),
            ],
        },
    ];
}

function queryGroups(c: Ctx): ScopedRuleGroup[] {
    const job = c.jobs.query;
    const http = (handler: string, extra?: string) => sel("http_requests_total", job, extra ? `handler="${handler}", ${extra}` : `handler="${handler}"`);
    const duration = (handler: string, suffix: "bucket" | "count") => sel(`http_request_duration_seconds_${suffix}`, job, `handler="${handler}"`);
    const dnsFailures = sel("thanos_query_endpoints_dns_failures_total", job);
    const dnsLookups = sel("thanos_query_endpoints_dns_lookups_total", job);
    const clientFailures = (type: string) => sel("grpc_client_handled_total", job, `grpc_code=~"${GRPC_SERVER_FAILURE_CODES}", grpc_type="${type}"`);
    const clientStarted = (type: string) => sel("grpc_client_started_total", job, `grpc_type="${type}"`);
    return [
        {
            name: "thanos-query",
            scope: "global",
            rules: [
                alert(c, "ThanosQueryHttpRequestQueryErrorRateHigh", {
                    expr: failurePercent("job", http("query", 'code=~"5.."'), http("query"), 5),
                    for: "5m",
                    severity: "critical",
                    summary: "The Thanos querier fails instant queries.",
                    description: '{{ $value | humanize }}% of the "query" requests to {{ $labels.job }} return a server error.',
                }),
                alert(c, "ThanosQueryHttpRequestQueryRangeErrorRateHigh", {
                    expr: failurePercent("job", http("query_range", 'code=~"5.."'), http("query_range"), 5),
                    for: "5m",
                    severity: "critical",
                    summary: "The Thanos querier fails range queries.",
                    description: '{{ $value | humanize }}% of the "query_range" requests to {{ $labels.job }} return a server error.',
                }),
                alert(c, "ThanosQueryGrpcServerErrorRate", {
                    expr: failurePercent(
                        "job",
                        sel("grpc_server_handled_total", job, `grpc_code=~"${GRPC_SERVER_FAILURE_CODES}"`),
                        sel("grpc_server_started_total", job),
                        5,
                    ),
                    for: "5m",
                    severity: "warning",
                    summary: "The Thanos querier fails gRPC requests it serves.",
                    description: "{{ $value | humanize }}% of the gRPC requests served by {{ $labels.job }} fail.",
                }),
                alert(c, "ThanosQueryGrpcClientErrorRate", {
                    expr: failurePercent("job", sel("grpc_client_handled_total", job, 'grpc_code!="OK"'), sel("grpc_client_started_total", job), 5),
                    for: "5m",
                    severity: "warning",
                    summary: "The Thanos querier's requests to StoreAPIs fail.",
                    description: "{{ $value | humanize }}% of the gRPC requests {{ $labels.job }} sends to sidecars, store gateways and rulers fail.",
                }),
                alert(c, "ThanosQueryHighDNSFailures", {
                    expr: failurePercent("job", dnsFailures, dnsLookups, 1),
                    for: "15m",
                    severity: "warning",
                    summary: "The Thanos querier cannot resolve its StoreAPI endpoints.",
                    description: "{{ $value | humanize }}% of the DNS lookups {{ $labels.job }} makes for its endpoints fail.",
                }),
                alert(c, "ThanosQueryInstantLatencyHigh", {
                    expr: p99Above("job", duration("query", "bucket"), duration("query", "count"), 40),
                    for: "10m",
                    severity: "critical",
                    summary: "Instant queries to the Thanos querier are slow.",
                    description: "The 99th percentile latency of instant queries to {{ $labels.job }} is {{ $value | humanizeDuration }}.",
                }),
                alert(c, "ThanosQueryRangeLatencyHigh", {
                    expr: p99Above("job", duration("query_range", "bucket"), duration("query_range", "count"), 90),
                    for: "10m",
                    severity: "critical",
                    summary: "Range queries to the Thanos querier are slow.",
                    description: "The 99th percentile latency of range queries to {{ $labels.job }} is {{ $value | humanizeDuration }}.",
                }),
            ],
        },
        ...missingEndpointGroups(c),
        {
            name: "thanos-query-targets",
            scope: "shard",
            rules: [
                alert(c, "ThanosQueryOverload", {
                    expr:
                        `max_over_time(${sel("thanos_query_concurrent_gate_queries_max", job)}[5m])\n` +
                        `- on (job, instance)\navg_over_time(${sel("thanos_query_concurrent_gate_queries_in_flight", job)}[5m])\n< 1`,
                    for: "15m",
                    severity: "warning",
                    summary: "A Thanos querier runs at its concurrent query limit.",
                    description:
                        "{{ $labels.instance }} of {{ $labels.job }} has had no free query slot for 15 minutes: too many or too expensive concurrent queries, or slow StoreAPIs.",
                }),
            ],
        },
        {
            name: "thanos-query.rules",
            scope: "global",
            rules: [
                {
                    record: ":grpc_client_failures_per_unary:sum_rate",
                    expr: `${sumRate("job", clientFailures("unary"))}\n/\n${sumRate("job", clientStarted("unary"))}`,
                },
                {
                    record: ":grpc_client_failures_per_stream:sum_rate",
                    expr: `${sumRate("job", clientFailures("server_stream"))}\n/\n${sumRate("job", clientStarted("server_stream"))}`,
                },
                {
                    record: ":thanos_query_store_apis_dns_failures_per_lookup:sum_rate",
                    expr: `${sumRate("job", dnsFailures)}\n/\n${sumRate("job", dnsLookups)}`,
                },
                {
                    record: ":query_duration_seconds:histogram_quantile",
                    expr: `histogram_quantile(0.99, sum by (job, le) (rate(${duration("query", "bucket")}[5m])))`,
                    labels: { quantile: "0.99" },
                },
                {
                    record: ":api_range_query_duration_seconds:histogram_quantile",
                    expr: `histogram_quantile(0.99, sum by (job, le) (rate(${duration("query_range", "bucket")}[5m])))`,
                    labels: { quantile: "0.99" },
                },
            ],
        },
    ];
}

function storeGroups(c: Ctx): ScopedRuleGroup[] {
    const job = c.jobs.store;
    const grpcFailures = (type?: string) =>
        sel("grpc_server_handled_total", job, `grpc_code=~"${GRPC_STORE_FAILURE_CODES}"${type ? `, grpc_type="${type}"` : ""}`);
    const grpcStarted = (type?: string) => sel("grpc_server_started_total", job, type ? `grpc_type="${type}"` : undefined);
    const bucketFailures = sel("thanos_objstore_bucket_operation_failures_total", job);
    const bucketOps = sel("thanos_objstore_bucket_operations_total", job);
    return [
        {
            name: "thanos-store",
            scope: "global",
            rules: [
                alert(c, "ThanosStoreGrpcErrorRate", {
                    expr: failurePercent("job", grpcFailures(), grpcStarted(), 5),
                    for: "5m",
                    severity: "warning",
                    summary: "The Thanos store gateway fails gRPC requests.",
                    description: "{{ $value | humanize }}% of the StoreAPI requests served by {{ $labels.job }} fail.",
                }),
                alert(c, "ThanosStoreSeriesGateLatencyHigh", {
                    expr: p99Above(
                        "job",
                        sel("thanos_bucket_store_series_gate_queries_duration_seconds_bucket", job),
                        sel("thanos_bucket_store_series_gate_queries_duration_seconds_count", job),
                        2,
                    ),
                    for: "10m",
                    severity: "warning",
                    summary: "Series requests wait long at the Thanos store gateway's concurrency gate.",
                    description: "The 99th percentile wait of series requests at the gate of {{ $labels.job }} is {{ $value | humanizeDuration }}.",
                }),
                alert(c, "ThanosStoreBucketHighOperationFailures", {
                    expr: failurePercent("job", bucketFailures, bucketOps, 5),
                    for: "15m",
                    severity: "warning",
                    summary: "The Thanos store gateway's object storage operations fail.",
                    description: "{{ $value | humanize }}% of the bucket operations of {{ $labels.job }} failed over the last 5 minutes.",
                }),
                alert(c, "ThanosStoreObjstoreOperationLatencyHigh", {
                    expr: p99Above(
                        "job",
                        sel("thanos_objstore_bucket_operation_duration_seconds_bucket", job),
                        sel("thanos_objstore_bucket_operation_duration_seconds_count", job),
                        2,
                    ),
                    for: "10m",
                    severity: "warning",
                    summary: "The Thanos store gateway's object storage operations are slow.",
                    description: "The 99th percentile latency of the bucket operations of {{ $labels.job }} is {{ $value | humanizeDuration }}.",
                }),
            ],
        },
        {
            name: "thanos-store.rules",
            scope: "global",
            rules: [
                {
                    record: ":thanos_query_store_grpc_server_failures_per_unary:sum_rate",
                    expr: `${sumRate("job", grpcFailures("unary"))}\n/\n${sumRate("job", grpcStarted("unary"))}`,
                },
                {
                    record: ":thanos_query_store_grpc_server_failures_per_stream:sum_rate",
                    expr: `${sumRate("job", grpcFailures("server_stream"))}\n/\n${sumRate("job", grpcStarted("server_stream"))}`,
                },
                {
                    record: ":thanos_objstore_bucket_failures_per_operation:sum_rate",
                    expr: `${sumRate("job", bucketFailures)}\n/\n${sumRate("job", bucketOps)}`,
                },
                {
                    record: ":thanos_objstore_bucket_operation_duration_seconds:histogram_quantile",
                    expr: `histogram_quantile(0.99, sum by (job, le) (rate(${sel("thanos_objstore_bucket_operation_duration_seconds_bucket", job)}[5m])))`,
                    labels: { quantile: "0.99" },
                },
            ],
        },
    ];
}

function sidecarGroups(c: Ctx): ScopedRuleGroup[] {
    const job = c.jobs.sidecar;
    const t = SELF_MONITORING_THRESHOLDS;
    return [
        {
            name: "thanos-sidecar-targets",
            scope: "shard",
            rules: [
                alert(c, "ThanosSidecarBucketOperationsFailed", {
                    expr: `${sumRate("job, instance", sel("thanos_objstore_bucket_operation_failures_total", job))} > 0`,
                    for: "5m",
                    severity: "critical",
                    summary: "A Thanos sidecar's object storage operations fail.",
                    description: "Bucket operations of sidecar {{ $labels.instance }} ({{ $labels.job }}) fail: its blocks may not reach the bucket.",
                }),
                alert(c, "ThanosSidecarBlocksNotUploaded", {
                    expr:
                        `(\n  time() - max by (job, instance) (${sel("thanos_objstore_bucket_last_successful_upload_time", job)})\n) > ${t.sidecarUploadStaleSeconds}\n` +
                        `and on (job, instance)\n(\n  time() - max by (job, instance) (${sel("process_start_time_seconds", job)})\n) > ${t.sidecarMinAgeSeconds}`,
                    for: "15m",
                    severity: "critical",
                    summary: "A Thanos sidecar has not uploaded a block for more than 3 hours.",
                    description:
                        "Sidecar {{ $labels.instance }} ({{ $labels.job }}) last uploaded a block {{ $value | humanizeDuration }} ago; Prometheus cuts one every 2h. " +
                        "Data older than the local retention will be lost if this goes on.",
                }),
            ],
        },
        {
            name: "thanos-sidecar",
            scope: "global",
            rules: [
                alert(c, "ThanosSidecarNoConnectionToStartedPrometheus", {
                    expr: `${sel("thanos_sidecar_prometheus_up", job)} == 0\nand on (namespace, pod)\nprometheus_tsdb_data_replay_duration_seconds != 0`,
                    for: "5m",
                    severity: "critical",
                    summary: "A Thanos sidecar cannot reach its Prometheus although Prometheus has started.",
                    description: "Sidecar of {{ $labels.namespace }}/{{ $labels.pod }} reports its Prometheus as down while Prometheus has replayed its WAL.",
                }),
            ],
        },
    ];
}

function ruleGroups(c: Ctx): ScopedRuleGroup[] {
    const job = c.jobs.rule;
    const by = "job, instance";
    return [
        {
            name: "thanos-rule",
            scope: "shard",
            rules: [
                alert(c, "ThanosRuleQueueIsDroppingAlerts", {
                    expr: `${sumRate(by, sel("thanos_alert_queue_alerts_dropped_total", job))} > 0`,
                    for: "5m",
                    severity: "critical",
                    summary: "The Thanos ruler drops alerts from its queue.",
                    description: "Ruler {{ $labels.instance }} cannot queue all of its alerts; some never reach Alertmanager.",
                }),
                alert(c, "ThanosRuleSenderIsFailingAlerts", {
                    expr: `${sumRate(by, sel("thanos_alert_sender_alerts_dropped_total", job))} > 0`,
                    for: "5m",
                    severity: "critical",
                    summary: "The Thanos ruler fails to send alerts to Alertmanager.",
                    description: "Ruler {{ $labels.instance }} drops alerts it could not deliver to Alertmanager.",
                }),
                alert(c, "ThanosRuleHighRuleEvaluationFailures", {
                    expr: failurePercent(by, sel("prometheus_rule_evaluation_failures_total", job), sel("prometheus_rule_evaluations_total", job), 5),
                    for: "5m",
                    severity: "critical",
                    summary: "The Thanos ruler fails to evaluate rules.",
                    description: "{{ $value | humanize }}% of the rule evaluations of ruler {{ $labels.instance }} fail (often: the querier is unreachable or failing).",
                }),
                alert(c, "ThanosRuleHighRuleEvaluationWarnings", {
                    expr: `${sumRate(by, sel("thanos_rule_evaluation_with_warnings_total", job))} > 0`,
                    for: "15m",
                    severity: "info",
                    summary: "The Thanos ruler's evaluations return warnings.",
                    description: "Ruler {{ $labels.instance }} gets warnings (e.g. partial responses) when evaluating rules.",
                }),
                alert(c, "ThanosRuleRuleEvaluationLatencyHigh", {
                    expr:
                        `sum by (job, instance, rule_group) (${sel("prometheus_rule_group_last_duration_seconds", job)})\n>\n` +
                        `sum by (job, instance, rule_group) (${sel("prometheus_rule_group_interval_seconds", job)})`,
                    for: "5m",
                    severity: "warning",
                    summary: "A Thanos ruler group takes longer to evaluate than its interval.",
                    description: "Ruler {{ $labels.instance }} needs more than the interval to evaluate group {{ $labels.rule_group }}; evaluations get skipped.",
                }),
                alert(c, "ThanosRuleGrpcErrorRate", {
                    expr: failurePercent(
                        by,
                        sel("grpc_server_handled_total", job, `grpc_code=~"${GRPC_SERVER_FAILURE_CODES}"`),
                        sel("grpc_server_started_total", job),
                        5,
                    ),
                    for: "5m",
                    severity: "warning",
                    summary: "The Thanos ruler fails gRPC requests.",
                    description: "{{ $value | humanize }}% of the StoreAPI requests served by ruler {{ $labels.instance }} fail.",
                }),
                alert(c, "ThanosRuleConfigReloadFailure", {
                    expr: `avg by (job, instance) (${sel("thanos_rule_config_last_reload_successful", job)}) != 1`,
                    for: "5m",
                    severity: "info",
                    summary: "The Thanos ruler cannot reload its rules.",
                    description: "Ruler {{ $labels.instance }} failed to load its latest rule files and keeps evaluating the previous ones.",
                }),
                alert(c, "ThanosRuleQueryHighDNSFailures", {
                    expr: failurePercent(by, sel("thanos_rule_query_apis_dns_failures_total", job), sel("thanos_rule_query_apis_dns_lookups_total", job), 1),
                    for: "15m",
                    severity: "warning",
                    summary: "The Thanos ruler cannot resolve its query endpoints.",
                    description: "{{ $value | humanize }}% of the DNS lookups of ruler {{ $labels.instance }} for its query endpoints fail.",
                }),
                alert(c, "ThanosRuleAlertmanagerHighDNSFailures", {
                    expr: failurePercent(
                        by,
                        sel("thanos_rule_alertmanagers_dns_failures_total", job),
                        sel("thanos_rule_alertmanagers_dns_lookups_total", job),
                        1,
                    ),
                    for: "15m",
                    severity: "warning",
                    summary: "The Thanos ruler cannot resolve its Alertmanagers.",
                    description: "{{ $value | humanize }}% of the DNS lookups of ruler {{ $labels.instance }} for Alertmanager fail.",
                }),
                alert(c, "ThanosRuleNoEvaluationFor10Intervals", {
                    expr:
                        `time() - max by (job, instance, rule_group) (${sel("prometheus_rule_group_last_evaluation_timestamp_seconds", job)})\n>\n` +
                        `10 * max by (job, instance, rule_group) (${sel("prometheus_rule_group_interval_seconds", job)})`,
                    for: "5m",
                    severity: "info",
                    summary: "A Thanos ruler group has not been evaluated for 10 intervals.",
                    description: "Ruler {{ $labels.instance }} has not evaluated group {{ $labels.rule_group }} for more than 10 of its intervals.",
                }),
                alert(c, "ThanosNoRuleEvaluations", {
                    expr:
                        `${sumRate(by, sel("prometheus_rule_evaluations_total", job))} <= 0\n` +
                        `and\nsum by (job, instance) (${sel("thanos_rule_loaded_rules", job)}) > 0`,
                    for: "5m",
                    severity: "critical",
                    summary: "The Thanos ruler evaluates no rules.",
                    description: "Ruler {{ $labels.instance }} has rules loaded but evaluated none in the last 5 minutes.",
                }),
            ],
        },
    ];
}

/** The alert per StoreAPI type. */
const MISSING_ENDPOINT_ALERTS: Record<keyof ExpectedStoreApis, string> = {
    sidecar: "ThanosQueryMissingSidecarEndpoints",
    store: "ThanosQueryMissingStoreEndpoints",
    rule: "ThanosQueryMissingRuleEndpoints",
};

/**
 * One alert per StoreAPI type the querier must reach: a querier pod connected to fewer endpoints than the plan has
 * (a Prometheus replica down, a store shard or a ruler gone) for 5 minutes. A type with no connection at all
 * counts as 0 (the `or ... * 0` keeps the series when the metric has none for that type).
 */
function missingEndpointGroups(c: Ctx): ScopedRuleGroup[] {
    const expected = c.expectedStoreApis;
    if (expected === undefined) return [];
    const job = c.jobs.query;
    const types = (Object.entries(expected) as Array<[keyof ExpectedStoreApis, number]>).filter(([, n]) => n > 0);
    return [
        {
            name: "thanos-query-endpoints",
            scope: "global",
            rules: types.map(([type, n]) => ({
                ...alert(c, MISSING_ENDPOINT_ALERTS[type], {
                    expr: `min by (job) (\n  sum by (job, instance) (${sel("thanos_store_nodes_grpc_connections", job, `store_type="${type}"`)})\n  or sum by (job, instance) (${sel("up", job)}) * 0\n) < ${n}`,
                    for: "5m",
                    severity: "warning",
                    summary: `A Thanos querier reaches fewer ${type} endpoints than the stack runs.`,
                    description: `A querier of {{ $labels.job }} is connected to {{ $value }} of the ${n} ${type} StoreAPI endpoints the stack runs: queries may miss data, and a replica or shard may be down.`,
                }),
                labels: { severity: "warning", store_type: type },
            })),
        },
    ];
}

function absentGroups(c: Ctx): ScopedRuleGroup[] {
    const components: Array<{ alert: string; job: string; what: string }> = [
        { alert: "ThanosCompactIsDown", job: c.jobs.compact, what: "compactor" },
        { alert: "ThanosQueryIsDown", job: c.jobs.query, what: "querier" },
        { alert: "ThanosQueryFrontendIsDown", job: c.jobs.queryFrontend, what: "query-frontend" },
        { alert: "ThanosRuleIsDown", job: c.jobs.rule, what: "ruler" },
        { alert: "ThanosSidecarIsDown", job: c.jobs.sidecar, what: "sidecar" },
        { alert: "ThanosStoreIsDown", job: c.jobs.store, what: "store gateway" },
    ];
    return [
        {
            name: "thanos-component-absent",
            scope: "global",
            rules: components.map((x) =>
                alert(c, x.alert, {
                    // absent() only copies labels from a plain selector, not from a comparison: set `job` explicitly.
                    expr: `absent(${sel("up", x.job)} == 1)`,
                    for: "5m",
                    severity: "critical",
                    job: x.job,
                    summary: `No Thanos ${x.what} is up.`,
                    description: `No target of job ${x.job} has been up for 5 minutes: the ${x.what} is down, or it is no longer discovered and scraped.`,
                }),
            ),
        },
        {
            name: "thanos-global-watchdog",
            scope: "global",
            rules: [
                alert(c, "ThanosGlobalRulesWatchdog", {
                    expr: "vector(1)",
                    severity: "none",
                    summary: "Always firing while the global rule path works.",
                    description:
                        "Evaluated by the Thanos ruler through the querier and delivered to Alertmanager. Route it to a dead man's switch: when it stops arriving, global alerts are not being evaluated or delivered.",
                }),
            ],
        },
    ];
}

/** Every rule group of the stack's self-monitoring, each with its scope. */
export function thanosRuleGroups(opts: ThanosRulesOptions): ScopedRuleGroup[] {
    const jobs = opts.jobs ?? SELF_MONITORING.jobs;
    const c: Ctx = {
        jobs,
        runbook: runbookLinks(opts.runbookBaseUrl),
        pvc: opts.compactVolumeClaimRegex ?? DEFAULT_COMPACT_PVC_REGEX,
        expectedStoreApis: opts.expectedStoreApis,
    };
    return [...compactGroups(c, opts.namespace), ...queryGroups(c), ...storeGroups(c), ...sidecarGroups(c), ...ruleGroups(c), ...absentGroups(c)];
}

/** The groups without their `scope`: what goes into `PrometheusRule.spec.groups`. */
export function specGroups(groups: ScopedRuleGroup[]): RuleGroup[] {
    return groups.map(({ scope: _scope, ...group }) => group);
}

/** Every alerting rule of `groups`. */
export function alertsOf(groups: ScopedRuleGroup[]): ThanosAlert[] {
    return groups.flatMap((g) => g.rules.filter((r): r is ThanosAlert => "alert" in r));
}
