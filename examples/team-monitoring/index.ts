/**
 * A team program: the payments team adds its scrape targets and alerts to the
 * shared Thanos stack without touching the stack's program.
 *
 * - ServiceMonitor / PodMonitor objects carry the `thanos-stack.io/monitor`
 *   label the stack's Prometheus selects on (set by the helpers).
 * - `global` rules are evaluated by the Thanos ruler through the querier, so
 *   they see every Prometheus shard (fleet-wide sums, `absent()`); `shard`
 *   rules run inside each shard and only suit single-target conditions.
 * - Every PromQL expression is parsed when the program runs: a typo fails
 *   `pulumi preview`, not the ruler at 3 a.m.
 *
 * The program uses its own, explicit Kubernetes provider (never the ambient one).
 */
import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/kubernetes/provider";
import { PodMonitor, PrometheusRule, ServiceMonitor, type AlertingRule, type RuleGroup } from "thanos-stack";

const config = new pulumi.Config();
/** The team's namespace. */
const namespace = config.get("namespace") ?? "payments";
/** Which stack picks the objects up (the stack's `monitor` label value). */
const monitor = config.get("monitor") ?? "default";

const kubernetes = new Provider("payments-cluster", {
    kubeconfig: config.requireSecret("kubeconfig"),
    namespace,
});
const opts: pulumi.ComponentResourceOptions = { providers: { kubernetes } };

// Scrape the API's Service port `metrics` every 30s, keeping only the series the dashboards use.
const api = new ServiceMonitor(
    "payments-api",
    {
        namespace,
        monitor,
        selector: { matchLabels: { "app.kubernetes.io/name": "payments-api" } },
        endpoints: [
            {
                port: "metrics",
                interval: "30s",
                metricRelabelings: [{ sourceLabels: ["__name__"], regex: "http_requests_total|http_request_duration_seconds_.*", action: "keep" }],
            },
        ],
        targetLabels: ["app.kubernetes.io/version"],
    },
    opts,
);

// Batch workers have no Service: scrape their pods directly.
new PodMonitor(
    "payments-workers",
    {
        namespace,
        monitor,
        selector: { matchLabels: { "app.kubernetes.io/name": "payments-worker" } },
        podMetricsEndpoints: [{ port: "metrics", interval: "1m" }],
    },
    opts,
);

const pageOn = (alert: AlertingRule): AlertingRule => ({ ...alert, labels: { team: "payments", severity: "critical", ...alert.labels } });

// Fleet-wide conditions: evaluated by the Thanos ruler over every shard (scope `global`, the default).
const global: RuleGroup[] = [
    {
        name: "payments-slo",
        interval: "1m",
        rules: [
            {
                record: "payments:http_requests:error_ratio_5m",
                expr: 'sum(rate(http_requests_total{job="payments-api",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="payments-api"}[5m]))',
            },
            pageOn({
                alert: "PaymentsHighErrorRatio",
                expr: "payments:http_requests:error_ratio_5m > 0.02",
                for: "10m",
                annotations: { summary: "More than 2% of payment requests fail", runbook_url: "https://runbooks.example.com/payments#errors" },
            }),
            pageOn({
                alert: "PaymentsApiAbsent",
                expr: 'absent(up{job="payments-api"} == 1)',
                for: "5m",
                annotations: { summary: "No payments-api target is up in any shard" },
            }),
        ],
    },
];
const fleetRules = new PrometheusRule("payments-global", { namespace, monitor, scope: "global", groups: global }, opts);

// A single-target condition: safe to evaluate inside each shard (scope `shard`), close to the data.
new PrometheusRule(
    "payments-shard",
    {
        namespace,
        monitor,
        scope: "shard",
        groups: [
            {
                name: "payments-targets",
                rules: [
                    {
                        alert: "PaymentsWorkerRestarting",
                        expr: 'increase(process_start_time_seconds{job=~"payments-worker.*"}[30m]) > 2',
                        labels: { team: "payments", severity: "warning" },
                        annotations: { summary: "A payments worker restarted more than twice in 30 minutes" },
                    },
                ],
            },
        ],
    },
    opts,
);

export const serviceMonitor = api.monitorName;
export const globalRules = fleetRules.ruleName;
