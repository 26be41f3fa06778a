/**
 * The stack's own alerts for what is not Thanos: Prometheus, Alertmanager, the Operator's config reloaders in their
 * pods, and (central role) the collector clusters the central querier reads.
 *
 * The Prometheus and Alertmanager mixins' alert names, metric names, thresholds and durations are facts used here
 * (Prometheus `documentation/prometheus-mixin/alerts.libsonnet`, Alertmanager `doc/alertmanager-mixin`, the
 * Operator's `jsonnet/mixin/alerts/alerts.libsonnet` for the reloaders); the expressions follow this stack's two
 * scopes (see the scope comment in `thanosRules.ts`):
 *
 * - `shard`: one target's own series answer it (a Prometheus pod's bad configuration, a failing notification
 *   queue, an Alertmanager that cannot reload or deliver, a reloader that fails). Evaluated by each Prometheus
 *   shard on its own targets, so they fire even when the global path (querier -> ruler) is broken.
 * - `global`: compares the targets of a job (how many Prometheus or Alertmanager pods are up, whether the
 *   Alertmanager replicas agree on their members) or a cluster as a whole (a collector that disappeared). The ruler
 *   evaluates them through the querier, which sees every shard and every cluster.
 *
 * The kube-prometheus-stack chart's own `prometheus`, `alertmanager` and `configReloaders` rules are off: they
 * select the chart's job names, and these replace them.
 */
import { EXTERNAL_LABELS, SELF_MONITORING } from "../constants";
import { alert, runbookLinks, sel, type ScopedRuleGroup } from "./thanosRules";

/** The `job` label of Prometheus, Alertmanager and the config reloaders. */
export interface PlatformJobNames {
    /** Prometheus' own `/metrics`. */
    prometheus: string;
    /** Alertmanager's. */
    alertmanager: string;
    /** The Operator's config reloaders (in Prometheus, Alertmanager and ruler pods). */
    configReloader: string;
    /** The memcached exporters beside the Thanos caches. */
    memcached: string;
}

/** What the platform alerts watch: the stack's Prometheus, Alertmanager and (central role) collector clusters. */
export interface PlatformAlertTargets {
    /** The stack's cluster name (its `cluster` external label), which the global alerts count in. */
    cluster: string;
    /**
     * Prometheus pods of the stack (shards x replicas).
     * @default undefined (no Prometheus alerts)
     */
    prometheusPods?: number;
    /**
     * Alertmanager replicas of the stack.
     * @default undefined (no Alertmanager alerts)
     */
    alertmanagerReplicas?: number;
    /**
     * Central role: the collector clusters known by name (`central.collectors[].name`); each alerts by name while
     * none of its Prometheus pods is up. Any cluster (named or read from a collector stack) that was seen in the
     * last `PLATFORM_THRESHOLDS.collectorMemory` and is gone alerts too.
     * @default undefined (not a central stack: no collector alerts)
     */
    collectorClusters?: string[];
    /**
     * The stack's Thanos caches in memcached: `clients` alerts on the Thanos components' failing cache requests,
     * `exporters` on memcached itself (its exporter sidecars, job `memcached`).
     * @default undefined (no memcached alerts)
     */
    memcached?: MemcachedAlertTargets;
    /**
     * Job names.
     * @default SELF_MONITORING.platformJobs
     */
    jobs?: PlatformJobNames;
}

/** Which memcached alerts a stack gets. */
export interface MemcachedAlertTargets {
    /** Some Thanos component uses a memcached cache. */
    clients: boolean;
    /** Some memcached cluster runs the exporter sidecar. */
    exporters: boolean;
}

/** Input of `platformRuleGroups`. */
export interface PlatformRulesOptions extends PlatformAlertTargets {
    /** Namespace of the stack (the `namespace` label of its targets). */
    namespace: string;
    /**
     * Base URL of the runbooks.
     * @default SELF_MONITORING.runbooksPath
     */
    runbookBaseUrl?: string;
}

/** Thresholds of the platform alerts (the mixins' thresholds are written where they are used). */
export const PLATFORM_THRESHOLDS = {
    /** How far back a collector cluster counts as "seen" for `CollectorClusterDisappeared`. */
    collectorMemory: "12h",
} as const;

/** Fewer targets of `job` (in `where`) up than `planned`; `or vector(0)`: none up at all is the worst case, not an empty result. */
function fewerUp(job: string, where: string, planned: number): string {
    return `(count(${sel("up", job, where)} == 1) or vector(0)) < ${planned}`;
}

/**
 * Every platform rule group for the parts the options name, each with its scope. The config reloaders' group is
 * there when Prometheus or Alertmanager is (the Operator puts a reloader in each of their pods, and the ruler's).
 */
export function platformRuleGroups(opts: PlatformRulesOptions): ScopedRuleGroup[] {
    const jobs = opts.jobs ?? SELF_MONITORING.platformJobs;
    const c = { runbook: runbookLinks(opts.runbookBaseUrl) };
    const here = `namespace="${opts.namespace}", ${EXTERNAL_LABELS.cluster}="${opts.cluster}"`;
    const groups: ScopedRuleGroup[] = [];
    if (opts.prometheusPods !== undefined) {
        const j = jobs.prometheus;
        groups.push(
            {
                name: "prometheus",
                scope: "shard",
                rules: [
                    alert(c, "PrometheusBadConfig", {
                        expr: `max_over_time(${sel("prometheus_config_last_reload_successful", j)}[5m]) == 0`,
                        for: "10m",
                        severity: "critical",
                        summary: "Prometheus failed to reload its configuration.",
                        description: "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} runs an old configuration: its last reload failed (a ServiceMonitor, PodMonitor or rule the Operator rendered is invalid).",
                    }),
                    alert(c, "PrometheusRuleFailures", {
                        expr: `increase(${sel("prometheus_rule_evaluation_failures_total", j)}[5m]) > 0`,
                        for: "15m",
                        severity: "critical",
                        summary: "Prometheus fails to evaluate rules.",
                        description: "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} failed {{ $value | humanize }} evaluations of rule group {{ $labels.rule_group }} in the last 5 minutes: its alerts may not fire.",
                    }),
                    alert(c, "PrometheusNotConnectedToAlertmanagers", {
                        expr: `max_over_time(${sel("prometheus_notifications_alertmanagers_discovered", j)}[5m]) < 1`,
                        for: "10m",
                        severity: "critical",
                        summary: "Prometheus is not connected to any Alertmanager.",
                        description: "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} has discovered no Alertmanager: its alerts go nowhere.",
                    }),
                    alert(c, "PrometheusErrorSendingAlerts", {
                        expr:
                            `(\n  sum by (job, instance) (rate(${sel("prometheus_notifications_errors_total", j)}[5m]))\n/\n` +
                            `  sum by (job, instance) (rate(${sel("prometheus_notifications_sent_total", j)}[5m]))\n) * 100 > 3`,
                        for: "15m",
                        severity: "critical",
                        summary: "Prometheus fails to send alerts to Alertmanager.",
                        description: "{{ printf \"%.1f\" $value }}% of the alerts Prometheus {{ $labels.instance }} sent in the last 5 minutes failed.",
                    }),
                    alert(c, "PrometheusNotificationQueueRunningFull", {
                        expr: `predict_linear(${sel("prometheus_notifications_queue_length", j)}[5m], 60 * 30)\n>\nmin_over_time(${sel("prometheus_notifications_queue_capacity", j)}[5m])`,
                        for: "15m",
                        severity: "warning",
                        summary: "Prometheus' alert notification queue is predicted to be full within 30 minutes.",
                        description: "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} queues alerts faster than Alertmanager takes them; a full queue drops alerts.",
                    }),
                    alert(c, "PrometheusTargetSyncFailure", {
                        expr: `increase(${sel("prometheus_target_sync_failed_total", j)}[30m]) > 0`,
                        for: "5m",
                        severity: "critical",
                        summary: "Prometheus cannot sync the targets of a scrape pool.",
                        description: "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} failed to sync targets of {{ $labels.scrape_job }}: they are not scraped.",
                    }),
                    alert(c, "PrometheusMissingRuleEvaluations", {
                        expr: `increase(${sel("prometheus_rule_group_iterations_missed_total", j)}[5m]) > 0`,
                        for: "15m",
                        severity: "warning",
                        summary: "Prometheus skips rule group evaluations.",
                        description: "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} missed evaluations of {{ $labels.rule_group }}: the group takes longer than its interval.",
                    }),
                    alert(c, "PrometheusNotIngestingSamples", {
                        expr: `sum by (job, instance) (rate(${sel("prometheus_tsdb_head_samples_appended_total", j)}[5m])) <= 0`,
                        for: "10m",
                        severity: "warning",
                        summary: "Prometheus ingests no samples.",
                        description: "Prometheus {{ $labels.instance }} appended no sample for 10 minutes: it scrapes nothing, or its head cannot take writes.",
                    }),
                    alert(c, "PrometheusTSDBReloadsFailing", {
                        expr: `increase(${sel("prometheus_tsdb_reloads_failures_total", j)}[3h]) > 0`,
                        for: "4h",
                        severity: "warning",
                        summary: "Prometheus cannot reload its blocks from disk.",
                        description: "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} had {{ $value | humanize }} block reload failures in 3 hours.",
                    }),
                    alert(c, "PrometheusTSDBCompactionsFailing", {
                        expr: `increase(${sel("prometheus_tsdb_compactions_failed_total", j)}[3h]) > 0`,
                        for: "4h",
                        severity: "warning",
                        summary: "Prometheus cannot cut blocks from its head.",
                        description:
                            "Prometheus {{ $labels.namespace }}/{{ $labels.pod }} had {{ $value | humanize }} failed head compactions in 3 hours: no new blocks for the sidecar to upload, and the head grows.",
                    }),
                ],
            },
            {
                name: "prometheus-global",
                scope: "global",
                rules: [
                    alert(c, "PrometheusPodsDown", {
                        expr: fewerUp(j, here, opts.prometheusPods),
                        for: "10m",
                        severity: "critical",
                        cluster: opts.cluster,
                        summary: "Prometheus pods of the stack are down.",
                        description: `Only {{ $value }} of the ${opts.prometheusPods} Prometheus pods (shards x replicas) in ${opts.namespace} are up and scraped; a shard with no pod up leaves its targets unscraped.`,
                    }),
                ],
            },
        );
    }
    if (opts.alertmanagerReplicas !== undefined) {
        const j = jobs.alertmanager;
        const members = `max_over_time(${sel("alertmanager_cluster_members", j, here)}[5m])`;
        groups.push(
            {
                name: "alertmanager",
                scope: "shard",
                rules: [
                    alert(c, "AlertmanagerFailedReload", {
                        expr: `max_over_time(${sel("alertmanager_config_last_reload_successful", j)}[5m]) == 0`,
                        for: "10m",
                        severity: "critical",
                        summary: "Alertmanager failed to reload its configuration.",
                        description: "Alertmanager {{ $labels.namespace }}/{{ $labels.pod }} runs an old configuration: its last reload failed.",
                    }),
                    alert(c, "AlertmanagerFailedToSendAlerts", {
                        expr:
                            `(\n  sum by (job, instance, integration) (rate(${sel("alertmanager_notifications_failed_total", j)}[5m]))\n/\n` +
                            `  sum by (job, instance, integration) (rate(${sel("alertmanager_notifications_total", j)}[5m]))\n) > 0.01`,
                        for: "5m",
                        severity: "warning",
                        summary: "Alertmanager fails to deliver notifications.",
                        description: "Alertmanager {{ $labels.instance }} failed to send {{ $value | humanizePercentage }} of its notifications to {{ $labels.integration }}.",
                    }),
                ],
            },
            {
                name: "alertmanager-global",
                scope: "global",
                rules: [
                    alert(c, "AlertmanagerMembersInconsistent", {
                        expr: `${members}\n< on (namespace, ${EXTERNAL_LABELS.cluster}) group_left ()\ncount by (namespace, ${EXTERNAL_LABELS.cluster}) (${members})`,
                        for: "15m",
                        severity: "critical",
                        summary: "An Alertmanager does not see all of its peers.",
                        description: "Alertmanager {{ $labels.pod }} sees fewer cluster members than there are Alertmanagers: the replicas do not gossip, and notifications are sent twice.",
                    }),
                    alert(c, "AlertmanagerReplicasDown", {
                        expr: fewerUp(j, here, opts.alertmanagerReplicas),
                        for: "10m",
                        severity: "critical",
                        cluster: opts.cluster,
                        summary: "Alertmanager replicas of the stack are down.",
                        description: `Only {{ $value }} of the ${opts.alertmanagerReplicas} Alertmanager replicas in ${opts.namespace} are up and scraped.`,
                    }),
                ],
            },
        );
    }
    if (opts.prometheusPods !== undefined || opts.alertmanagerReplicas !== undefined) {
        groups.push({
            name: "config-reloaders",
            scope: "shard",
            rules: [
                alert(c, "ConfigReloaderSidecarErrors", {
                    expr: `max_over_time(${sel("reloader_last_reload_successful", jobs.configReloader)}[5m]) == 0`,
                    for: "10m",
                    severity: "warning",
                    summary: "A config reloader cannot apply the latest configuration.",
                    description: "The config reloader of {{ $labels.namespace }}/{{ $labels.pod }} has not reloaded successfully for 10 minutes: the pod runs a stale configuration or rule set.",
                }),
            ],
        });
    }
    if (opts.memcached?.clients) {
        groups.push({
            name: "memcached-clients",
            scope: "shard",
            rules: [
                alert(c, "MemcachedRequestErrors", {
                    // The Thanos memcached client's own counters, per cache (`name`) and operation.
                    expr:
                        `(\n  sum by (job, instance, name, operation) (rate(thanos_memcached_operation_failures_total[5m]))\n/\n` +
                        `  sum by (job, instance, name, operation) (rate(thanos_memcached_operations_total[5m]))\n) * 100 > 5`,
                    for: "10m",
                    severity: "warning",
                    summary: "A Thanos component's requests to its memcached cache fail.",
                    description: "{{ printf \"%.1f\" $value }}% of the {{ $labels.operation }} requests of {{ $labels.job }} {{ $labels.instance }} to cache {{ $labels.name }} failed: queries fall back to the bucket and get slower and costlier.",
                }),
            ],
        });
    }
    if (opts.memcached?.exporters) {
        const j = jobs.memcached;
        groups.push({
            name: "memcached",
            scope: "shard",
            rules: [
                alert(c, "MemcachedDown", {
                    expr: `${sel("memcached_up", j)} == 0`,
                    for: "5m",
                    severity: "critical",
                    summary: "A memcached server is down.",
                    description: "The exporter beside memcached in {{ $labels.namespace }}/{{ $labels.pod }} cannot read memcached's stats: the cache server is down, its share of the keys misses.",
                }),
                alert(c, "MemcachedConnectionLimitApproaching", {
                    expr: `${sel("memcached_current_connections", j)}\n/\n${sel("memcached_max_connections", j)}\n* 100 > 80`,
                    for: "15m",
                    severity: "warning",
                    summary: "A memcached server is close to its connection limit.",
                    description: "memcached in {{ $labels.namespace }}/{{ $labels.pod }} uses {{ printf \"%.0f\" $value }}% of its connections: above the limit, new clients are refused.",
                }),
            ],
        });
    }
    if (opts.collectorClusters !== undefined) {
        const j = jobs.prometheus;
        groups.push({
            name: "thanos-collectors",
            scope: "global",
            rules: [
                ...opts.collectorClusters.map((cluster) =>
                    alert(c, "CollectorClusterDown", {
                        // absent() of a comparison carries no labels: the cluster is set on the alert.
                        expr: `absent(${sel("up", j, `${EXTERNAL_LABELS.cluster}="${cluster}"`)} == 1)`,
                        for: "10m",
                        severity: "critical",
                        cluster,
                        summary: "A collector cluster is not reachable from the central querier.",
                        description: `No Prometheus pod of collector cluster ${cluster} has been up for 10 minutes as the central querier sees it: the cluster, its Prometheus or the StoreAPI path to it is down. Its recent data is missing from every query.`,
                    }),
                ),
                alert(c, "CollectorClusterDisappeared", {
                    expr:
                        `group by (${EXTERNAL_LABELS.cluster}) (last_over_time(${sel("up", j)}[${PLATFORM_THRESHOLDS.collectorMemory}]))\n` +
                        `unless on (${EXTERNAL_LABELS.cluster})\ngroup by (${EXTERNAL_LABELS.cluster}) (${sel("up", j)} == 1)`,
                    for: "10m",
                    severity: "critical",
                    summary: "A cluster whose Prometheus was seen recently has disappeared.",
                    description: `Cluster {{ $labels.${EXTERNAL_LABELS.cluster} }} had Prometheus pods up in the last ${PLATFORM_THRESHOLDS.collectorMemory} and has none now: a collector (or its StoreAPI path) is down. The alert ends ${PLATFORM_THRESHOLDS.collectorMemory} after the cluster's last sample.`,
                }),
            ],
        });
    }
    return groups;
}
