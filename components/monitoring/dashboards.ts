/**
 * Grafana dashboards for the Thanos components, as pure builders of the Grafana JSON model, and the
 * ConfigMaps that the kube-prometheus-stack Grafana dashboard sidecar loads (label `grafana_dashboard: "1"`,
 * the chart's default `grafana.sidecar.dashboards.label` / `labelValue`).
 *
 * Every query uses our job names ({@link SELF_MONITORING.jobs}); the data source is a template variable
 * (`$datasource`, any Prometheus-compatible source: point it at the query-frontend for the global view), and
 * per-pod panels filter on an `$instance` variable.
 */
import type { ConfigMap } from "kubernetes-types/core/v1";
import { SELF_MONITORING } from "../constants";
import { objectMeta } from "../lib/meta";
import { DEFAULT_COMPACT_PVC_REGEX, type ThanosJobNames } from "./thanosRules";

/** Display units of a panel (Grafana unit ids). */
export type PanelUnit = "short" | "percentunit" | "s" | "bytes" | "reqps" | "ops" | "dateTimeFromNow" | "none";

/** One query of a panel. */
export interface QuerySpec {
    /** PromQL; may use `$__rate_interval`, `$instance` and `$datasource`. */
    expr: string;
    /** Legend template (`{{job}}`). @default "" */
    legend?: string;
}

/** A panel before layout. */
export interface PanelSpec {
    /** Title. */
    title: string;
    /** Help text shown on hover. @default none */
    description?: string;
    /** `timeseries` or `stat`. @default "timeseries" */
    type?: "timeseries" | "stat";
    /** Unit of the values. @default "short" */
    unit?: PanelUnit;
    /** The queries. */
    queries: QuerySpec[];
}

/** A row of panels, laid out side by side with equal widths. */
export interface RowSpec {
    /** Row title. */
    title: string;
    /** Panels in the row (at most 4 fit comfortably). */
    panels: PanelSpec[];
}

/** A dashboard before layout. */
export interface DashboardSpec {
    /** Stable Grafana uid (also names the ConfigMap). */
    uid: string;
    /** Title shown in Grafana. */
    title: string;
    /** Job label values the `$instance` variable lists instances of; none: no `$instance` variable. */
    instanceJobs?: string[];
    /** Rows, top to bottom. */
    rows: RowSpec[];
}

/** A Grafana data source reference. */
export interface DatasourceRef {
    type: "prometheus";
    uid: string;
}

/** A Grafana panel (the subset of the JSON model we emit). */
export interface GrafanaPanel {
    id: number;
    type: "row" | "timeseries" | "stat";
    title: string;
    gridPos: { x: number; y: number; w: number; h: number };
    description?: string;
    collapsed?: boolean;
    panels?: GrafanaPanel[];
    datasource?: DatasourceRef;
    targets?: Array<{ refId: string; expr: string; legendFormat: string; datasource: DatasourceRef }>;
    fieldConfig?: { defaults: { unit: PanelUnit }; overrides: unknown[] };
    options?: Record<string, unknown>;
}

/** A Grafana template variable (the subset we emit). */
export interface GrafanaVariable {
    name: string;
    label: string;
    type: "datasource" | "query";
    query: string | { query: string; refId: string };
    datasource?: DatasourceRef;
    current: Record<string, unknown>;
    hide: number;
    refresh?: number;
    includeAll?: boolean;
    multi?: boolean;
    allValue?: string;
    sort?: number;
}

/** A Grafana dashboard JSON model. */
export interface GrafanaDashboard {
    uid: string;
    title: string;
    tags: string[];
    editable: boolean;
    schemaVersion: number;
    timezone: string;
    refresh: string;
    time: { from: string; to: string };
    templating: { list: GrafanaVariable[] };
    annotations: { list: unknown[] };
    panels: GrafanaPanel[];
}

/** Grafana dashboard JSON schema version we write. */
export const GRAFANA_SCHEMA_VERSION = 39;
/** Tags on every dashboard. */
export const DASHBOARD_TAGS = ["thanos", "thanos-stack"];

/**
 * The `handler` label of read requests: the querier labels them by API (`query`, `query_range`), the
 * query-frontend labels every request `query-frontend` (checked in the Thanos v0.42 source).
 */
const QUERY_FRONTEND_HANDLER = "query-frontend";
const READ_HANDLERS = `handler=~"query|query_range|${QUERY_FRONTEND_HANDLER}"`;

const DATASOURCE: DatasourceRef = { type: "prometheus", uid: "${datasource}" };
const ROW_HEIGHT = 1;
const PANEL_HEIGHT = 8;
const GRID_WIDTH = 24;

/** Lays out a dashboard: one row panel per row, then its panels side by side; ids are unique and sequential. */
export function buildDashboard(spec: DashboardSpec): GrafanaDashboard {
    let id = 1;
    let y = 0;
    const panels: GrafanaPanel[] = [];
    for (const row of spec.rows) {
        panels.push({ id: id++, type: "row", title: row.title, collapsed: false, panels: [], gridPos: { x: 0, y, w: GRID_WIDTH, h: ROW_HEIGHT } });
        y += ROW_HEIGHT;
        const w = Math.floor(GRID_WIDTH / Math.max(1, row.panels.length));
        row.panels.forEach((p, i) => {
            const panel: GrafanaPanel = {
                id: id++,
                type: p.type ?? "timeseries",
                title: p.title,
                gridPos: { x: i * w, y, w, h: PANEL_HEIGHT },
                datasource: DATASOURCE,
                targets: p.queries.map((q, j) => ({ refId: String.fromCharCode(65 + j), expr: q.expr, legendFormat: q.legend ?? "", datasource: DATASOURCE })),
                fieldConfig: { defaults: { unit: p.unit ?? "short" }, overrides: [] },
                options: p.type === "stat" ? { reduceOptions: { calcs: ["lastNotNull"] } } : { legend: { displayMode: "list", placement: "bottom" } },
            };
            if (p.description !== undefined) panel.description = p.description;
            panels.push(panel);
        });
        y += PANEL_HEIGHT;
    }
    const variables: GrafanaVariable[] = [{ name: "datasource", label: "Data source", type: "datasource", query: "prometheus", current: {}, hide: 0 }];
    if (spec.instanceJobs && spec.instanceJobs.length > 0) {
        const q = `label_values(up{job=~"${spec.instanceJobs.join("|")}"}, instance)`;
        variables.push({
            name: "instance",
            label: "Instance",
            type: "query",
            query: { query: q, refId: "instance" },
            datasource: DATASOURCE,
            current: {},
            hide: 0,
            refresh: 2,
            includeAll: true,
            multi: true,
            allValue: ".*",
            sort: 1,
        });
    }
    return {
        uid: spec.uid,
        title: spec.title,
        tags: DASHBOARD_TAGS,
        editable: false,
        schemaVersion: GRAFANA_SCHEMA_VERSION,
        timezone: "utc",
        refresh: "1m",
        time: { from: "now-6h", to: "now" },
        templating: { list: variables },
        annotations: { list: [] },
        panels,
    };
}

/** `metric{job="<job>"[, instance=~"$instance"][, extra]}`. */
function s(metric: string, job: string, opts: { perInstance?: boolean; extra?: string } = {}): string {
    const parts = [`job="${job}"`];
    if (opts.perInstance) parts.push('instance=~"$instance"');
    if (opts.extra) parts.push(opts.extra);
    return `${metric}{${parts.join(", ")}}`;
}

function rate(selector: string): string {
    return `rate(${selector}[$__rate_interval])`;
}

/** CPU, memory and goroutines per pod of a job. */
function resourcesRow(job: string): RowSpec {
    return {
        title: "Resources",
        panels: [
            { title: "CPU", unit: "short", queries: [{ expr: rate(s("process_cpu_seconds_total", job, { perInstance: true })), legend: "{{instance}}" }] },
            { title: "Memory (resident)", unit: "bytes", queries: [{ expr: s("process_resident_memory_bytes", job, { perInstance: true }), legend: "{{instance}}" }] },
            { title: "Go heap in use", unit: "bytes", queries: [{ expr: s("go_memstats_heap_inuse_bytes", job, { perInstance: true }), legend: "{{instance}}" }] },
            { title: "Goroutines", queries: [{ expr: s("go_goroutines", job, { perInstance: true }), legend: "{{instance}}" }] },
        ],
    };
}

/** Request rate, error ratio and p99 latency of the HTTP API of a job. */
function httpRow(title: string, job: string, handlers: string): RowSpec {
    const h = `handler=~"${handlers}"`;
    return {
        title,
        panels: [
            {
                title: "Requests",
                unit: "reqps",
                queries: [{ expr: `sum by (handler, code) (${rate(s("http_requests_total", job, { perInstance: true, extra: h }))})`, legend: "{{handler}} {{code}}" }],
            },
            {
                title: "Errors (5xx)",
                unit: "percentunit",
                queries: [
                    {
                        expr:
                            `sum by (handler) (${rate(s("http_requests_total", job, { perInstance: true, extra: `${h}, code=~"5.."` }))})\n/\n` +
                            `sum by (handler) (${rate(s("http_requests_total", job, { perInstance: true, extra: h }))})`,
                        legend: "{{handler}}",
                    },
                ],
            },
            {
                title: "Latency p99",
                unit: "s",
                queries: [
                    {
                        expr: `histogram_quantile(0.99, sum by (handler, le) (${rate(s("http_request_duration_seconds_bucket", job, { perInstance: true, extra: h }))}))`,
                        legend: "{{handler}}",
                    },
                ],
            },
        ],
    };
}

/** Served gRPC (StoreAPI) rate, error ratio and p99 latency of a job. */
function grpcServerRow(title: string, job: string): RowSpec {
    const failed = 'grpc_code=~"Unknown|ResourceExhausted|Internal|Unavailable|DataLoss|DeadlineExceeded"';
    return {
        title,
        panels: [
            { title: "Requests", unit: "reqps", queries: [{ expr: `sum by (grpc_method, grpc_code) (${rate(s("grpc_server_handled_total", job, { perInstance: true }))})`, legend: "{{grpc_method}} {{grpc_code}}" }] },
            {
                title: "Errors",
                unit: "percentunit",
                queries: [
                    {
                        expr: `sum by (grpc_method) (${rate(s("grpc_server_handled_total", job, { perInstance: true, extra: failed }))})\n/\nsum by (grpc_method) (${rate(s("grpc_server_started_total", job, { perInstance: true }))})`,
                        legend: "{{grpc_method}}",
                    },
                ],
            },
            {
                title: "Latency p99",
                unit: "s",
                queries: [{ expr: `histogram_quantile(0.99, sum by (grpc_method, le) (${rate(s("grpc_server_handling_seconds_bucket", job, { perInstance: true }))}))`, legend: "{{grpc_method}}" }],
            },
        ],
    };
}

/** Object storage operations of a job: rate, failure ratio, p99 latency. */
function bucketRow(job: string): RowSpec {
    return {
        title: "Object storage",
        panels: [
            { title: "Operations", unit: "ops", queries: [{ expr: `sum by (operation) (${rate(s("thanos_objstore_bucket_operations_total", job, { perInstance: true }))})`, legend: "{{operation}}" }] },
            {
                title: "Failures",
                unit: "percentunit",
                queries: [
                    {
                        expr: `sum by (operation) (${rate(s("thanos_objstore_bucket_operation_failures_total", job, { perInstance: true }))})\n/\nsum by (operation) (${rate(s("thanos_objstore_bucket_operations_total", job, { perInstance: true }))})`,
                        legend: "{{operation}}",
                    },
                ],
            },
            {
                title: "Latency p99",
                unit: "s",
                queries: [
                    { expr: `histogram_quantile(0.99, sum by (operation, le) (${rate(s("thanos_objstore_bucket_operation_duration_seconds_bucket", job, { perInstance: true }))}))`, legend: "{{operation}}" },
                ],
            },
        ],
    };
}

/** Input of `thanosDashboards`. */
export interface ThanosDashboardsOptions {
    /** Namespace of the stack (selects the compactor's volume in the kubelet volume stats). */
    namespace: string;
    /**
     * Job names of the Thanos components.
     * @default SELF_MONITORING.jobs
     */
    jobs?: ThanosJobNames;
    /**
     * Regular expression matching the compactor's PersistentVolumeClaim names.
     * @default "data-thanos-compact(-[0-9]+)+"
     */
    compactVolumeClaimRegex?: string;
}

/** The Thanos dashboards: overview, query (with query-frontend), store, compact, sidecar, rule. */
export function thanosDashboards(opts: ThanosDashboardsOptions): GrafanaDashboard[] {
    const j = opts.jobs ?? SELF_MONITORING.jobs;
    const pvc = `namespace="${opts.namespace}", persistentvolumeclaim=~"${opts.compactVolumeClaimRegex ?? DEFAULT_COMPACT_PVC_REGEX}"`;
    const allJobs = [j.query, j.queryFrontend, j.store, j.compact, j.rule, j.sidecar];

    const overview: DashboardSpec = {
        uid: "thanos-stack-overview",
        title: "Thanos / Overview",
        rows: [
            {
                title: "Targets",
                panels: [
                    { title: "Targets up", type: "stat", queries: [{ expr: `sum by (job) (up{job=~"${allJobs.join("|")}"})`, legend: "{{job}}" }] },
                    { title: "Targets down", type: "stat", queries: [{ expr: `sum by (job) (1 - up{job=~"${allJobs.join("|")}"})`, legend: "{{job}}" }] },
                ],
            },
            {
                title: "Reads",
                panels: [
                    { title: "Queries through the query-frontend", unit: "reqps", queries: [{ expr: `sum by (op) (${rate(s("thanos_query_frontend_queries_total", j.queryFrontend))})`, legend: "{{op}}" }] },
                    {
                        title: "Query errors (5xx)",
                        unit: "percentunit",
                        queries: [
                            {
                                expr: `sum by (job) (${rate(`http_requests_total{job=~"${j.query}|${j.queryFrontend}", ${READ_HANDLERS}, code=~"5.."}`)})\n/\nsum by (job) (${rate(`http_requests_total{job=~"${j.query}|${j.queryFrontend}", ${READ_HANDLERS}}`)})`,
                                legend: "{{job}}",
                            },
                        ],
                    },
                    { title: "Query latency p99", unit: "s", queries: [{ expr: `histogram_quantile(0.99, sum by (job, le) (${rate(`http_request_duration_seconds_bucket{job=~"${j.query}|${j.queryFrontend}", ${READ_HANDLERS}}`)}))`, legend: "{{job}}" }] },
                ],
            },
            {
                title: "Writes and bucket",
                panels: [
                    { title: "Oldest sidecar upload", unit: "s", queries: [{ expr: `max(time() - (${s("thanos_objstore_bucket_last_successful_upload_time", j.sidecar)} > 0))`, legend: "seconds since upload" }] },
                    { title: "Compactor halted", type: "stat", queries: [{ expr: `max(${s("thanos_compact_halted", j.compact)})`, legend: "halted" }] },
                    { title: "Compactor backlog", queries: [{ expr: `sum(${s("thanos_compact_todo_compactions", j.compact)})`, legend: "compactions" }, { expr: `sum(${s("thanos_compact_todo_downsample_blocks", j.compact)})`, legend: "downsample blocks" }] },
                    { title: "Rule evaluation failures", unit: "ops", queries: [{ expr: `sum by (job) (${rate(s("prometheus_rule_evaluation_failures_total", j.rule))})`, legend: "{{job}}" }] },
                ],
            },
        ],
    };

    const query: DashboardSpec = {
        uid: "thanos-stack-query",
        title: "Thanos / Query",
        instanceJobs: [j.query, j.queryFrontend],
        rows: [
            httpRow("Query-frontend API", j.queryFrontend, QUERY_FRONTEND_HANDLER),
            {
                title: "Query-frontend queries",
                panels: [{ title: "Queries by type", unit: "reqps", queries: [{ expr: `sum by (op) (${rate(s("thanos_query_frontend_queries_total", j.queryFrontend, { perInstance: true }))})`, legend: "{{op}}" }] }],
            },
            httpRow("Querier API", j.query, "query|query_range|series|labels|label_values"),
            {
                title: "Querier fan-out to StoreAPIs",
                panels: [
                    { title: "gRPC client requests", unit: "reqps", queries: [{ expr: `sum by (grpc_method, grpc_code) (${rate(s("grpc_client_handled_total", j.query, { perInstance: true }))})`, legend: "{{grpc_method}} {{grpc_code}}" }] },
                    {
                        title: "gRPC client errors",
                        unit: "percentunit",
                        queries: [
                            {
                                expr: `sum by (instance) (${rate(s("grpc_client_handled_total", j.query, { perInstance: true, extra: 'grpc_code!="OK"' }))})\n/\nsum by (instance) (${rate(s("grpc_client_started_total", j.query, { perInstance: true }))})`,
                                legend: "{{instance}}",
                            },
                        ],
                    },
                    {
                        title: "Concurrent queries",
                        queries: [
                            { expr: s("thanos_query_concurrent_gate_queries_in_flight", j.query, { perInstance: true }), legend: "in flight {{instance}}" },
                            { expr: s("thanos_query_concurrent_gate_queries_max", j.query, { perInstance: true }), legend: "max {{instance}}" },
                        ],
                    },
                    {
                        title: "Endpoint DNS failures",
                        unit: "percentunit",
                        queries: [
                            {
                                expr: `sum by (instance) (${rate(s("thanos_query_endpoints_dns_failures_total", j.query, { perInstance: true }))})\n/\nsum by (instance) (${rate(s("thanos_query_endpoints_dns_lookups_total", j.query, { perInstance: true }))})`,
                                legend: "{{instance}}",
                            },
                        ],
                    },
                ],
            },
            resourcesRow(j.query),
        ],
    };

    const store: DashboardSpec = {
        uid: "thanos-stack-store",
        title: "Thanos / Store gateway",
        instanceJobs: [j.store],
        rows: [
            grpcServerRow("StoreAPI (gRPC)", j.store),
            {
                title: "Series",
                panels: [
                    { title: "Series gate wait p99", unit: "s", queries: [{ expr: `histogram_quantile(0.99, sum by (le) (${rate(s("thanos_bucket_store_series_gate_queries_duration_seconds_bucket", j.store, { perInstance: true }))}))`, legend: "p99" }] },
                    { title: "Blocks loaded", queries: [{ expr: s("thanos_bucket_store_blocks_loaded", j.store, { perInstance: true }), legend: "{{instance}}" }] },
                    {
                        title: "Index cache hit ratio",
                        unit: "percentunit",
                        queries: [
                            {
                                expr: `sum by (item_type) (${rate(s("thanos_store_index_cache_hits_total", j.store, { perInstance: true }))})\n/\nsum by (item_type) (${rate(s("thanos_store_index_cache_requests_total", j.store, { perInstance: true }))})`,
                                legend: "{{item_type}}",
                            },
                        ],
                    },
                ],
            },
            bucketRow(j.store),
            resourcesRow(j.store),
        ],
    };

    const compact: DashboardSpec = {
        uid: "thanos-stack-compact",
        title: "Thanos / Compactor",
        instanceJobs: [j.compact],
        rows: [
            {
                title: "Progress",
                panels: [
                    { title: "Halted", type: "stat", queries: [{ expr: `max(${s("thanos_compact_halted", j.compact, { perInstance: true })})`, legend: "halted" }] },
                    {
                        title: "Backlog",
                        queries: [
                            { expr: `sum(${s("thanos_compact_todo_compactions", j.compact, { perInstance: true })})`, legend: "compactions" },
                            { expr: `sum(${s("thanos_compact_todo_downsample_blocks", j.compact, { perInstance: true })})`, legend: "downsample blocks" },
                            { expr: `sum(${s("thanos_compact_todo_deletion_blocks", j.compact, { perInstance: true })})`, legend: "deletion blocks" },
                        ],
                    },
                    {
                        title: "Compactions",
                        unit: "ops",
                        queries: [
                            { expr: `sum(${rate(s("thanos_compact_group_compactions_total", j.compact, { perInstance: true }))})`, legend: "compactions" },
                            { expr: `sum(${rate(s("thanos_compact_group_compactions_failures_total", j.compact, { perInstance: true }))})`, legend: "failures" },
                        ],
                    },
                    { title: "Last upload", unit: "s", queries: [{ expr: `time() - max(${s("thanos_objstore_bucket_last_successful_upload_time", j.compact, { perInstance: true })})`, legend: "seconds ago" }] },
                ],
            },
            {
                title: "Volume",
                panels: [
                    { title: "Free space", unit: "percentunit", queries: [{ expr: `kubelet_volume_stats_available_bytes{${pvc}}\n/\nkubelet_volume_stats_capacity_bytes{${pvc}}`, legend: "{{persistentvolumeclaim}}" }] },
                    { title: "Used", unit: "bytes", queries: [{ expr: `kubelet_volume_stats_used_bytes{${pvc}}`, legend: "{{persistentvolumeclaim}}" }] },
                ],
            },
            bucketRow(j.compact),
            resourcesRow(j.compact),
        ],
    };

    const sidecar: DashboardSpec = {
        uid: "thanos-stack-sidecar",
        title: "Thanos / Sidecar",
        instanceJobs: [j.sidecar],
        rows: [
            {
                title: "Uploads",
                panels: [
                    { title: "Seconds since last upload", unit: "s", queries: [{ expr: `time() - (${s("thanos_objstore_bucket_last_successful_upload_time", j.sidecar, { perInstance: true })} > 0)`, legend: "{{instance}}" }] },
                    {
                        title: "Block uploads",
                        unit: "ops",
                        queries: [
                            { expr: `sum by (instance) (${rate(s("thanos_shipper_uploads_total", j.sidecar, { perInstance: true }))})`, legend: "uploads {{instance}}" },
                            { expr: `sum by (instance) (${rate(s("thanos_shipper_upload_failures_total", j.sidecar, { perInstance: true }))})`, legend: "failures {{instance}}" },
                        ],
                    },
                    { title: "Prometheus reachable", type: "stat", queries: [{ expr: `min(${s("thanos_sidecar_prometheus_up", j.sidecar, { perInstance: true })})`, legend: "up" }] },
                ],
            },
            grpcServerRow("StoreAPI (gRPC)", j.sidecar),
            bucketRow(j.sidecar),
            resourcesRow(j.sidecar),
        ],
    };

    const rule: DashboardSpec = {
        uid: "thanos-stack-rule",
        title: "Thanos / Ruler",
        instanceJobs: [j.rule],
        rows: [
            {
                title: "Evaluation",
                panels: [
                    {
                        title: "Evaluations",
                        unit: "ops",
                        queries: [
                            { expr: `sum by (instance) (${rate(s("prometheus_rule_evaluations_total", j.rule, { perInstance: true }))})`, legend: "evaluations {{instance}}" },
                            { expr: `sum by (instance) (${rate(s("prometheus_rule_evaluation_failures_total", j.rule, { perInstance: true }))})`, legend: "failures {{instance}}" },
                        ],
                    },
                    {
                        title: "Group duration / interval",
                        unit: "percentunit",
                        queries: [
                            {
                                expr: `max by (rule_group) (${s("prometheus_rule_group_last_duration_seconds", j.rule, { perInstance: true })})\n/\nmax by (rule_group) (${s("prometheus_rule_group_interval_seconds", j.rule, { perInstance: true })})`,
                                legend: "{{rule_group}}",
                            },
                        ],
                    },
                    { title: "Loaded rules", queries: [{ expr: `sum by (instance) (${s("thanos_rule_loaded_rules", j.rule, { perInstance: true })})`, legend: "{{instance}}" }] },
                ],
            },
            {
                title: "Alerts",
                panels: [
                    {
                        title: "Alerts sent / dropped",
                        unit: "ops",
                        queries: [
                            { expr: `sum by (instance) (${rate(s("thanos_alert_sender_alerts_sent_total", j.rule, { perInstance: true }))})`, legend: "sent {{instance}}" },
                            { expr: `sum by (instance) (${rate(s("thanos_alert_sender_alerts_dropped_total", j.rule, { perInstance: true }))})`, legend: "dropped {{instance}}" },
                            { expr: `sum by (instance) (${rate(s("thanos_alert_queue_alerts_dropped_total", j.rule, { perInstance: true }))})`, legend: "queue dropped {{instance}}" },
                        ],
                    },
                    { title: "Send latency p99", unit: "s", queries: [{ expr: `histogram_quantile(0.99, sum by (le) (${rate(s("thanos_alert_sender_latency_seconds_bucket", j.rule, { perInstance: true }))}))`, legend: "p99" }] },
                ],
            },
            grpcServerRow("StoreAPI (gRPC)", j.rule),
            resourcesRow(j.rule),
        ],
    };

    return [overview, query, store, compact, sidecar, rule].map(buildDashboard);
}

/** Kubernetes name of the ConfigMap holding a dashboard: `<instance>-dashboard-<uid>`. */
export function dashboardConfigMapName(instance: string, uid: string): string {
    return `${instance}-dashboard-${uid}`;
}

/** One ConfigMap per dashboard, labelled for the Grafana dashboard sidecar (pure); names derive from `instance`. */
export function buildDashboardConfigMaps(opts: { namespace: string; instance: string; dashboards: GrafanaDashboard[] }): ConfigMap[] {
    return opts.dashboards.map((d) => ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: objectMeta({
            name: dashboardConfigMapName(opts.instance, d.uid),
            namespace: opts.namespace,
            component: "grafana-dashboard",
            instance: opts.instance,
            labels: { [SELF_MONITORING.grafanaDashboardLabel]: SELF_MONITORING.grafanaDashboardLabelValue },
        }),
        data: { [`${d.uid}.json`]: JSON.stringify(d, null, 2) },
    }));
}
