/**
 * `teams` section: the teams' ServiceMonitors, PodMonitors and PrometheusRules kept with the stack, keyed by their
 * Kubernetes name. The shapes are the components' Args (components/teams), written as strict schemas so a misspelt
 * field is refused with a hint; the components' own checks (selectors, endpoint ports, durations, every PromQL
 * expression parsed, rule scope) run on top, with the key path of the object.
 */
import { z } from "zod";
import { RULE_SCOPES } from "../../../components/constants";
import { RelabelAction, ScrapeScheme } from "../../../components/lib/monitoringTypes";
import { bool, dnsLabel, duration, integer, stringMap, text } from "../rules";

const labelSelector = z
    .strictObject({
        matchLabels: stringMap().optional().meta({ description: "Labels the selected objects carry." }),
        matchExpressions: z
            .array(
                z.strictObject({
                    key: text().meta({ description: "Label key." }),
                    operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"], { error: "must be In, NotIn, Exists or DoesNotExist" }).meta({ description: "How the key is matched." }),
                    values: z.array(z.string()).optional().meta({ description: "Values for In and NotIn." }),
                }),
            )
            .optional()
            .meta({ description: "Label requirements, all of which must hold." }),
    })
    .meta({ description: "A Kubernetes label selector." });

const relabeling = z.strictObject({
    sourceLabels: z.array(z.string()).optional().meta({ description: "Source label names whose values are concatenated." }),
    separator: z.string().optional().meta({ description: "Separator of the concatenated values (`;` when unset)." }),
    targetLabel: z.string().optional().meta({ description: "Label written by replace, hashmod, ..." }),
    regex: z.string().optional().meta({ description: "Regular expression matched against the concatenated values." }),
    modulus: integer(1).optional().meta({ description: "Modulus for hashmod." }),
    replacement: z.string().optional().meta({ description: "Replacement value (`$1` when unset)." }),
    action: z.enum(Object.values(RelabelAction) as [RelabelAction, ...RelabelAction[]], { error: `must be one of ${Object.values(RelabelAction).join(", ")}` }).optional().meta({ description: "Relabeling action (`replace` when unset)." }),
});

const secretKey = z.strictObject({ secret: z.strictObject({ name: text().meta({ description: "Secret name." }), key: text().meta({ description: "Key inside the Secret." }) }).meta({ description: "The Secret and key." }) });

const endpointFields = {
    path: z.string().optional().meta({ description: "HTTP path of the metrics (`/metrics` when unset)." }),
    scheme: z.enum([ScrapeScheme.Http, ScrapeScheme.Https], { error: "must be http or https" }).optional().meta({ description: "Protocol (`http` when unset)." }),
    interval: duration().optional().meta({ description: "Scrape interval (the stack's `prometheus.scrapeInterval` when unset)." }),
    scrapeTimeout: duration().optional().meta({ description: "Scrape timeout." }),
    honorLabels: bool().optional().meta({ description: "Keep the target's labels on conflict." }),
    honorTimestamps: bool().optional().meta({ description: "Keep the target's timestamps." }),
    params: z.record(z.string(), z.array(z.string())).optional().meta({ description: "URL parameters of the scrape." }),
    relabelings: z.array(relabeling).optional().meta({ description: "Relabeling of the target before the scrape." }),
    metricRelabelings: z.array(relabeling).optional().meta({ description: "Relabeling of the scraped samples." }),
    tlsConfig: z
        .strictObject({
            serverName: z.string().optional().meta({ description: "Server name the certificate must match." }),
            insecureSkipVerify: bool().optional().meta({ description: "Skip certificate verification (never in production)." }),
            ca: secretKey.optional().meta({ description: "CA certificate from a Secret (the system CAs when unset)." }),
        })
        .optional()
        .meta({ description: "TLS of the scrape (Secrets only, no file paths)." }),
};

const objectFields = {
    namespace: dnsLabel().optional().meta({ description: "Namespace of the object (the stack's namespace when unset)." }),
    monitor: z.string().optional().meta({ description: "Which stack's Prometheus or ruler picks it up (`thanos-stack.io/monitor`; `default` when unset)." }),
    labels: stringMap().optional().meta({ description: "Extra labels on the object." }),
};

const namespaceSelector = z
    .strictObject({
        any: bool().optional().meta({ description: "Every namespace." }),
        matchNames: z.array(dnsLabel()).optional().meta({ description: "These namespaces." }),
    })
    .optional()
    .meta({ description: "Namespaces it looks in (its own when unset)." });

const serviceMonitor = z.strictObject({
    ...objectFields,
    selector: labelSelector,
    endpoints: z
        .array(z.strictObject({ port: z.string().optional().meta({ description: "Service port name." }), targetPort: z.string().optional().meta({ description: "Pod port (name or number)." }), ...endpointFields }))
        .meta({ description: "Endpoints scraped on each selected Service." }),
    namespaceSelector,
    jobLabel: z.string().optional().meta({ description: "Service label whose value becomes `job`." }),
    targetLabels: z.array(z.string()).optional().meta({ description: "Service labels copied onto the series." }),
    podTargetLabels: z.array(z.string()).optional().meta({ description: "Pod labels copied onto the series." }),
    sampleLimit: integer(1).optional().meta({ description: "Samples per scrape above which the scrape fails." }),
    targetLimit: integer(1).optional().meta({ description: "Targets above which the scrape fails." }),
});

const podMonitor = z.strictObject({
    ...objectFields,
    selector: labelSelector,
    podMetricsEndpoints: z
        .array(z.strictObject({ port: z.string().optional().meta({ description: "Container port name." }), portNumber: integer(1, 65535).optional().meta({ description: "Container port number." }), ...endpointFields }))
        .meta({ description: "Endpoints scraped on each selected pod." }),
    namespaceSelector,
    jobLabel: z.string().optional().meta({ description: "Pod label whose value becomes `job`." }),
    podTargetLabels: z.array(z.string()).optional().meta({ description: "Pod labels copied onto the series." }),
    sampleLimit: integer(1).optional().meta({ description: "Samples per scrape above which the scrape fails." }),
    targetLimit: integer(1).optional().meta({ description: "Targets above which the scrape fails." }),
});

const rule = z.strictObject({
    alert: text().optional().meta({ description: "Alert name (an alerting rule)." }),
    record: text().optional().meta({ description: "Metric name (a recording rule)." }),
    expr: text("a PromQL expression").meta({ description: "PromQL expression (parsed before anything is created)." }),
    for: z.string().optional().meta({ description: "How long the condition holds before the alert fires." }),
    keepFiringFor: z.string().optional().meta({ description: "How long the alert keeps firing after the condition clears." }),
    labels: stringMap().optional().meta({ description: "Labels added to the alert or series." }),
    annotations: stringMap().optional().meta({ description: "Annotations of the alert (summary, description, runbook_url)." }),
});

const prometheusRule = z.strictObject({
    ...objectFields,
    scope: z
        .enum(RULE_SCOPES, { error: `must be one of ${RULE_SCOPES.join(", ")}` })
        .optional()
        .meta({ description: "`global`: evaluated by the Thanos ruler over every shard; `shard`: by each Prometheus shard over its own series (`global` when unset)." }),
    groups: z
        .array(
            z.strictObject({
                name: text().meta({ description: "Group name (unique in the object)." }),
                interval: z.string().optional().meta({ description: "Evaluation interval of the group." }),
                limit: integer(0).optional().meta({ description: "Alerts or series per evaluation above which it fails." }),
                rules: z.array(rule).meta({ description: "The rules, evaluated in order." }),
            }),
        )
        .meta({ description: "Rule groups." }),
});

const NAME_RULE = "names must be Kubernetes names: DNS-1123 labels of at most 63 lowercase letters, digits or '-'";

/** Objects by Kubernetes name. */
function byName<T extends z.ZodType>(object: T, what: string) {
    return z.record(dnsLabel(), object, { error: (issue) => (issue.code === "invalid_key" ? NAME_RULE : `must be a map of name to ${what}`) });
}

/** `teams` section. */
export const teams = z
    .strictObject({
        serviceMonitors: byName(serviceMonitor, "ServiceMonitor").default({}).meta({ description: "ServiceMonitors by Kubernetes name." }),
        podMonitors: byName(podMonitor, "PodMonitor").default({}).meta({ description: "PodMonitors by Kubernetes name." }),
        rules: byName(prometheusRule, "PrometheusRule").default({}).meta({ description: "PrometheusRules by Kubernetes name." }),
    })
    .prefault({})
    .meta({ description: "The teams' monitors and rules kept with the stack (the team helpers of components/teams do the same from TypeScript)." });
