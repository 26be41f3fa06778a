/**
 * Prometheus shards, the Prometheus Operator (kube-prometheus-stack),
 * Alertmanager and Pushgateway.
 */
import { extraArgs, logging, placement } from "./pods";
import { z } from "zod";
import { DEFAULTS } from "../../../components/defaults";
import { EXTERNAL_LABELS } from "../../../components/constants";
import { routingProblems } from "../../../components/prometheus/alertmanager";
import { resources, storage } from "../common";
import { bool, duration, integer, quantity, replicaSpread, text } from "../rules";

const LABEL_NAME_RULE = "must be a Prometheus label name (letters, digits and '_', not starting with a digit)";
const RESERVED_LABELS: readonly string[] = [EXTERNAL_LABELS.cluster, EXTERNAL_LABELS.environment, EXTERNAL_LABELS.prometheusReplica, "prometheus"];

/** An http(s) URL. */
function url() {
    const rule = "must be an http(s) URL";
    return z.string({ error: rule }).regex(/^https?:\/\/\S+$/, { error: rule });
}

/** A reference to a key of a Kubernetes Secret in the stack's namespace. */
function secretKeyRef() {
    return z
        .strictObject({
            name: text().meta({ description: "Secret name." }),
            key: text().meta({ description: "Key inside the Secret." }),
        })
        .meta({ description: "A key of a Secret in the stack's namespace." });
}

/** Extra external labels: label names that the stack does not set itself. */
const externalLabels = z
    .record(
        z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: LABEL_NAME_RULE }),
        z.string({ error: "must be a non-empty string" }).min(1, { error: "must be a non-empty string" }),
        { error: "must be a map of label name to value" },
    )
    .superRefine((labels, ctx) => {
        for (const [k, v] of Object.entries(labels)) {
            if (RESERVED_LABELS.includes(k)) {
                ctx.addIssue({ code: "custom", path: [k], message: `is set by the stack itself (${RESERVED_LABELS.join(", ")}) and may not be overridden`, input: v });
            }
        }
    });

/** One remote-write destination. */
const remoteWrite = z
    .strictObject({
        url: url().meta({ description: "Receiver URL." }),
        name: text().optional().meta({ description: "Queue name (unique)." }),
        remoteTimeout: duration().optional().meta({ description: "Request timeout." }),
        headers: z.record(z.string(), z.string()).optional().meta({ description: "Extra HTTP headers." }),
        basicAuth: z
            .strictObject({ username: secretKeyRef(), password: secretKeyRef() })
            .optional()
            .meta({ description: "Basic auth from Secrets." }),
        authorization: z
            .strictObject({ type: text().optional().meta({ description: "Scheme of the header (`Bearer` when unset)." }), credentials: secretKeyRef() })
            .optional()
            .meta({ description: "`Authorization` header from a Secret." }),
        sigv4: z
            .strictObject({
                region: text().optional().meta({ description: "AWS region of the workspace (the pod's region when unset)." }),
                roleArn: text().optional().meta({ description: "IAM role to assume for signing (the pod's own credentials when unset)." }),
            })
            .optional()
            .meta({ description: "AWS SigV4 signing (Amazon Managed Prometheus)." }),
    })
    .meta({ description: "A remote-write destination." });

/** `prometheus` section. */
export const prometheus = z
    .strictObject({
        shards: integer(1, 256).default(DEFAULTS.prometheus.shards).meta({ description: "Number of Prometheus shards (targets are split by hashmod)." }),
        replicas: integer(1, 10).default(DEFAULTS.prometheus.replicas).meta({ description: "Replicas per shard (HA pairs; deduplicated by the querier)." }),
        retention: duration().default(DEFAULTS.prometheus.retention).meta({ description: "Local TSDB retention; at least 6h (3 x the 2h block duration)." }),
        storage: storage(DEFAULTS.prometheus.storageSize).meta({ description: "Persistent volume of each Prometheus pod." }),
        resources: resources(DEFAULTS.prometheus.resources),
        sidecarResources: resources(DEFAULTS.prometheus.sidecarResources).meta({ description: "Resources of the Thanos sidecar container." }),
        compaction: z
            .enum(["disabled", "delayed"], { error: "must be one of: disabled, delayed" })
            .default(DEFAULTS.prometheus.compaction)
            .meta({
                description:
                    "Local compaction. `disabled` (default): `disableCompaction: true`, every 2h block is uploaded as written. `delayed`: the Operator's delayed compaction (compacts only blocks the sidecar has uploaded); opt-in.",
            }),
        externalLabels: externalLabels.default({}).meta({ description: "Extra external labels on every block (cluster, environment and the replica label are always set)." }),
        remoteWrite: z.array(remoteWrite, { error: "must be a list of remote-write destinations" }).default([]).meta({ description: "Remote-write destinations, for sending to another store as well." }),
        scrapeInterval: duration().default(DEFAULTS.prometheus.scrapeInterval).meta({ description: "Default scrape interval." }),
        evaluationInterval: duration().default(DEFAULTS.prometheus.evaluationInterval).meta({ description: "Evaluation interval of `shard`-scope rules." }),
        retentionSize: z
            .string({ error: "must be a Prometheus size like 80GB (units B, KB, MB, GB, TB, PB, EB; base 2)" })
            .optional()
            .meta({ description: "Size-based retention (`retentionSize`), below the volume size; 85% of `storage.size` when unset." }),
        replicaSpread: replicaSpread(DEFAULTS.prometheus.replicaSpread),
        enableFeatures: z
            .array(z.string({ error: "must be a Prometheus feature name" }), { error: "must be a list of Prometheus feature names" })
            .default([...DEFAULTS.prometheus.enableFeatures])
            .meta({ description: "Prometheus feature flags (`--enable-feature`). `xor2-encoding` and `st-storage` (blocks Thanos v0.42 cannot read) and `delayed-compaction` (use `compaction: delayed`) are refused." }),
        sidecarExtraArgs: extraArgs("sidecar"),
        placement: placement("Where these pods run and where their images come from; replaces the stack-wide `placement` field by field."),
        logging: logging("Log level and format of these processes; replaces the stack-wide `logging` field by field (Prometheus and its Thanos sidecar)."),
    })
    .prefault({})
    .meta({ description: "The sharded Prometheus (Prometheus Operator `Prometheus` resource)." });

/** `operator` section. */
export const operator = z
    .strictObject({
        install: bool()
            .default(DEFAULTS.operator.install)
            .meta({ description: "Install kube-prometheus-stack (the Operator v0.93 and its CRDs, exporters, Grafana). Set false when an Operator already runs in the cluster." }),
        grafana: bool().default(DEFAULTS.operator.grafana.enabled).meta({ description: "Deploy Grafana (default datasource: the Thanos query-frontend)." }),
        grafanaDatasourceUrl: url().optional().meta({ description: "Grafana's default datasource URL (the stack's query-frontend when unset)." }),
        resources: resources(DEFAULTS.operator.resources),
        scrapeControlPlane: bool()
            .default(DEFAULTS.operator.scrapeControlPlane)
            .meta({
                description:
                    "Scrape and alert on etcd, kube-controller-manager, kube-scheduler and kube-proxy. Only where they serve metrics to the cluster (a self-managed control plane configured for it): EKS, GKE and AKS expose none of the first three, EKS's kube-proxy and kind's control plane listen on localhost, and an unscrapable target pages forever.",
            }),
        grafanaAdmin: z
            .strictObject({
                existingSecret: text("a Secret name").meta({ description: "The Secret in the namespace with Grafana's admin user and password." }),
                userKey: text().default(DEFAULTS.operator.grafana.adminKeys.user).meta({ description: "Its key of the admin user." }),
                passwordKey: text().default(DEFAULTS.operator.grafana.adminKeys.password).meta({ description: "Its key of the admin password." }),
            })
            .optional()
            .meta({ description: "Grafana's admin credentials from a Secret you provide; unset, the chart generates a random password once into `<release>-grafana` (never the chart's default `prom-operator`). `pulumi stack output access` says how to read it." }),
        chartRepository: url().optional().meta({ description: "The Helm repository of kube-prometheus-stack (a mirror of https://prometheus-community.github.io/helm-charts)." }),
        placement: placement("Where the Operator, kube-state-metrics, Grafana and the chart's Jobs run, and the registry mirror and pull Secrets of every chart image (node-exporter runs on every node); replaces the stack-wide `placement` field by field."),
        logging: logging("The Operator's log level and format; replaces the stack-wide `logging` field by field."),
    })
    .prefault({})
    .meta({ description: "The Prometheus Operator from the kube-prometheus-stack chart." });

const secretString = (what: string) => text().meta({ description: `${what} (put it in the stack as a secret: \`pulumi config set --secret\`).`, secret: true });

const sendResolved = () => bool().optional().meta({ description: "Also notify when the alert resolves (default true)." });

/** `alertmanager` section. */
export const alertmanager = z
    .strictObject({
        replicas: integer(1, 10).default(DEFAULTS.alertmanager.replicas).meta({ description: "Alertmanager replicas (a gossip cluster)." }),
        retention: duration().default(DEFAULTS.alertmanager.retention).meta({ description: "How long silences and the notification log are kept." }),
        storage: storage(DEFAULTS.alertmanager.storageSize),
        resources: resources(DEFAULTS.alertmanager.resources),
        receivers: z
            .array(
                z.strictObject({
                    name: text().meta({ description: "Receiver name." }),
                    slack: z
                        .array(z.strictObject({ apiUrl: secretString("Slack webhook URL"), channel: text().optional().meta({ description: "Channel (the webhook's own when unset)." }), sendResolved: sendResolved() }))
                        .optional(),
                    pagerduty: z.array(z.strictObject({ routingKey: secretString("PagerDuty routing key"), sendResolved: sendResolved() })).optional(),
                    webhook: z.array(z.strictObject({ url: secretString("Webhook URL"), sendResolved: sendResolved() })).optional(),
                }),
                { error: "must be a list of receivers" },
            )
            .default([])
            .meta({ description: "Receivers. None: a `null` receiver drops every alert. Secret parts become Pulumi secrets." }),
        route: z
            .strictObject({
                receiver: text().meta({ description: "Default receiver." }),
                groupBy: z.array(z.string()).optional().meta({ description: "Labels that group alerts into one notification (Alertmanager's default when unset)." }),
                groupWait: duration().optional().meta({ description: "How long a new group waits for more alerts before its first notification." }),
                groupInterval: duration().optional().meta({ description: "How long a group waits before notifying about new alerts in it." }),
                repeatInterval: duration().optional().meta({ description: "How long before a notification that already went out is sent again." }),
                routes: z
                    .array(
                        z.strictObject({
                            receiver: text().meta({ description: "Receiver of the alerts this route matches." }),
                            matchers: z.array(z.string()).meta({ description: 'Alertmanager matchers, all of which must match (e.g. `severity="critical"`).' }),
                            continue: bool().optional().meta({ description: "Go on to the next routes after this one matched." }),
                            groupBy: z.array(z.string()).optional().meta({ description: "Grouping labels of this route (the parent's when unset)." }),
                        }),
                    )
                    .optional(),
            })
            .optional()
            .meta({ description: "Routing tree (the first receiver when unset)." }),
    })
    .extend({ placement: placement("Where these pods run and where their images come from; replaces the stack-wide `placement` field by field."), logging: logging("Log level and format of these processes; replaces the stack-wide `logging` field by field.") })
    .superRefine((a, ctx) => {
        for (const p of routingProblems(a.receivers, a.route)) ctx.addIssue({ code: "custom", path: p.path, message: p.message, input: p.input });
    })
    .prefault({})
    .meta({ description: "Alertmanager (a Prometheus Operator `Alertmanager` resource)." });

/** `pushgateway` section. */
export const pushgateway = z
    .strictObject({
        enabled: bool().default(true).meta({ description: "Deploy the Pushgateway (always exactly one replica)." }),
        resources: resources(DEFAULTS.pushgateway.resources),
        persistence: z
            .strictObject({
                enabled: bool().default(DEFAULTS.pushgateway.persistence.enabled).meta({ description: "Keep the pushed metrics on a volume across restarts." }),
                size: quantity().default(DEFAULTS.pushgateway.persistence.size).meta({ description: "Volume size." }),
                storageClass: text().optional().meta({ description: "StorageClass (the cluster default when unset)." }),
                interval: duration().default(DEFAULTS.pushgateway.persistence.interval).meta({ description: "How often the cache is written." }),
            })
            .prefault({})
            .meta({ description: "Persistence of the Pushgateway cache." }),
        placement: placement("Where these pods run and where their images come from; replaces the stack-wide `placement` field by field."),
        logging: logging("Log level and format of these processes; replaces the stack-wide `logging` field by field."),
    })
    .prefault({})
    .meta({ description: "Pushgateway, for jobs that cannot be scraped." });

/** `selfMonitoring` section. */
export const selfMonitoring = z
    .strictObject({
        enabled: bool().default(true).meta({ description: "ServiceMonitors, Thanos alerts/recording rules (with runbooks) and dashboards for the stack itself." }),
        dashboards: bool().default(true).meta({ description: "Ship the Thanos Grafana dashboards as ConfigMaps for the chart's dashboard sidecar." }),
        runbookBaseUrl: z
            .string({ error: "must be a URL" })
            .regex(/^https?:\/\/\S+$/, { error: "must be an http(s) URL" })
            .optional()
            .meta({ description: "Published URL of docs/runbooks.md; alerts link to <url>#<alert>. Default: the relative repository path." }),
    })
    .prefault({})
    .meta({ description: "Monitoring of the stack itself." });
