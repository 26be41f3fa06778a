/**
 * ThanosSelfMonitoring: the stack watching itself.
 *
 * - One ServiceMonitor per Thanos scrape target, relabelled so that `job` is the given job name (which the
 *   Thanos mixin's `.*thanos-<component>.*` selectors and our own rules match).
 * - The Thanos alerts and recording rules ({@link thanosRuleGroups}) as one PrometheusRule per rule group,
 *   each routed by its scope: `shard` groups to every Prometheus shard, `global` groups to the Thanos ruler.
 *   A component without a scrape target gets none of its rules (its `absent()` alert would fire forever).
 * - The Thanos Grafana dashboards ({@link thanosDashboards}) as ConfigMaps for the Grafana dashboard sidecar.
 *
 * Everything is built by the pure {@link buildSelfMonitoring}; the component only creates the objects.
 */
import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { ConfigMap as K8sConfigMap, type ConfigMapArgs } from "@pulumi/kubernetes/core/v1";
import type { ConfigMap } from "kubernetes-types/core/v1";
import { LABELS, PART_OF, PROMETHEUS, SELF_MONITORING, THANOS } from "../constants";
import { buildPrometheusRule, ruleProblems, type PrometheusRuleObject } from "../teams/prometheusRule";
import { buildServiceMonitor, jobEndpoint, serviceMonitorProblems, type ServiceMonitorObject } from "../teams/serviceMonitor";
import { childOptions, refuseProblems } from "../lib/providers";
import { kubeArgs } from "../lib/thanos";
import type { ServiceMonitorSpec } from "../lib/monitoringTypes";
import { buildDashboardConfigMaps, thanosDashboards } from "./dashboards";
import { platformRuleGroups, type PlatformAlertTargets } from "./platformRules";
import { specGroups, thanosRuleGroups, type ExpectedStoreApis, type ScopedRuleGroup, type ThanosJobNames } from "./thanosRules";

/** One scraped Thanos Service port. */
export interface ThanosScrapeTarget {
    /** Value of the `job` label of the scraped series (e.g. `thanos-store`); several targets may share a job. */
    job: string;
    /** Labels that select the Service(s) in the namespace. */
    selector: Record<string, string>;
    /** Name of the Service port that serves `/metrics` (Thanos: `http`, 10902). */
    port: string;
}

/** Arguments of `ThanosSelfMonitoring`. */
export interface ThanosSelfMonitoringArgs {
    /** Namespace of the stack: where the Services are, and where the ServiceMonitors, rules and dashboards go. */
    namespace: string;
    /** The Thanos Services to scrape, one ServiceMonitor each. */
    targets: ThanosScrapeTarget[];
    /**
     * Value of the `thanos-stack.io/monitor` label: which Prometheus and ruler pick the objects up.
     * @default "default"
     */
    monitor?: string;
    /**
     * Job names the rules and dashboards select (the `job` values of `targets`).
     * @default SELF_MONITORING.jobs (thanos-compact, thanos-query, thanos-query-frontend, thanos-store, thanos-rule, thanos-sidecar)
     */
    jobs?: ThanosJobNames;
    /**
     * Base URL of the runbooks; each alert links to `<base>#<alert name in lower case>`.
     * @default "docs/runbooks.md"
     */
    runbookBaseUrl?: string;
    /**
     * Regular expression matching the compactor's PersistentVolumeClaim names (for the disk alerts).
     * @default "data-thanos-compact(-[0-9]+)+"
     */
    compactVolumeClaimRegex?: string;
    /**
     * Scrape interval of the Thanos targets (Prometheus duration).
     * @default the Prometheus `scrapeInterval`
     */
    scrapeInterval?: string;
    /**
     * Jobs scraped by ServiceMonitors other than these targets (e.g. sidecars scraped by `ShardedPrometheus`' own
     * monitor with `job` relabelled to `thanos-sidecar`); their rules are kept.
     * @default []
     */
    externallyScrapedJobs?: string[];
    /**
     * Create the Grafana dashboard ConfigMaps.
     * @default true
     */
    dashboards?: boolean;
    /**
     * StoreAPI endpoints per type the querier must stay connected to (the stack's plan); fewer for 5 minutes alerts
     * (`ThanosQueryStoreEndpointsMissing`).
     * @default undefined (no such alert)
     */
    expectedStoreApis?: ExpectedStoreApis;
    /**
     * The stack's alerts for Prometheus, Alertmanager, the config reloaders and (central role) the collector
     * clusters (`platformRuleGroups`); their jobs must be scraped (as targets or `externallyScrapedJobs`).
     * @default undefined (Thanos alerts only)
     */
    platform?: PlatformAlertTargets;
}

/** Names of the PrometheusRules, by where they are evaluated. */
export interface RuleNamesByScope {
    /** Rules evaluated in each Prometheus shard. */
    shard: string[];
    /** Rules evaluated by the Thanos ruler. */
    global: string[];
}

/** Everything the component creates, as plain objects. */
export interface SelfMonitoringObjects {
    /** One per scrape target. */
    serviceMonitors: ServiceMonitorObject[];
    /** One per rule group; the scope label routes it. */
    prometheusRules: PrometheusRuleObject[];
    /** One per dashboard. */
    dashboards: ConfigMap[];
}

const JOB_MATCHER_RE = /\bjob(=~|=)"([^"]*)"/g;
const LABEL_VALUE_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** The job names a rule expression selects with `job="..."` (the form {@link thanosRuleGroups} writes). */
export function selectedJobs(expr: string): string[] {
    return [...expr.matchAll(JOB_MATCHER_RE)].map((m) => m[2] ?? "");
}

/** The groups whose components are scraped: rules selecting a job without a target are dropped, then empty groups. */
export function groupsForJobs(groups: ScopedRuleGroup[], scrapedJobs: Set<string>): ScopedRuleGroup[] {
    return groups
        .map((g) => ({ ...g, rules: g.rules.filter((r) => selectedJobs(r.expr).every((j) => scrapedJobs.has(j))) }))
        .filter((g) => g.rules.length > 0);
}

/** Kubernetes-safe name part: lower case, dots and other characters become dashes. */
function dnsPart(text: string): string {
    return text
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "");
}

/** The ServiceMonitor spec of one target: `job` is forced to the target's job name. */
export function selfMonitorSpec(namespace: string, target: ThanosScrapeTarget, scrapeInterval?: string): ServiceMonitorSpec {
    return {
        selector: { matchLabels: { ...target.selector } },
        namespaceSelector: { matchNames: [namespace] },
        endpoints: [jobEndpoint(target.port, target.job, scrapeInterval !== undefined ? { interval: scrapeInterval } : {})],
    };
}

/** Which of our Thanos components `thanosScrapeTargets` lists. */
export type ScrapedThanosComponent = "compact" | "query" | "queryFrontend" | "store" | "rule";

/**
 * The scrape targets of the Thanos components this project deploys: each component's Services carry
 * `app.kubernetes.io/name=<component>` (every store shard and partition, every compactor shard included) and
 * serve `/metrics` on the port named `http`. The sidecars sit in the Prometheus pods: pass the labels of the
 * Service in front of them (`ShardedPrometheus`' sidecar Service) as `sidecarSelector`.
 */
export function thanosScrapeTargets(opts: {
    /** Components to scrape. @default all five */
    components?: ScrapedThanosComponent[];
    /** Labels of the Service in front of the sidecars (its `http` port). @default no sidecar target */
    sidecarSelector?: Record<string, string>;
    /** Job names. @default SELF_MONITORING.jobs */
    jobs?: ThanosJobNames;
}): ThanosScrapeTarget[] {
    const jobs = opts.jobs ?? SELF_MONITORING.jobs;
    const components = opts.components ?? (["compact", "query", "queryFrontend", "store", "rule"] as const);
    const targets: ThanosScrapeTarget[] = components.map((c) => componentScrapeTarget(THANOS.componentNames[c], jobs[c], THANOS.portNames.http));
    if (opts.sidecarSelector) targets.push({ job: jobs.sidecar, selector: { ...opts.sidecarSelector }, port: THANOS.portNames.http });
    return targets;
}

/**
 * A scrape target of every Service of one of the stack's components (`app.kubernetes.io/name=<componentName>`, part
 * of the stack): every shard, partition or cache cluster of it.
 */
export function componentScrapeTarget(componentName: string, job: string, port: string): ThanosScrapeTarget {
    return { job, selector: { [LABELS.name]: componentName, [LABELS.partOf]: PART_OF }, port };
}

/** Problems with the arguments, one `<arg>: <rule>, got <value>` sentence each. */
export function selfMonitoringProblems(args: ThanosSelfMonitoringArgs): string[] {
    const problems: string[] = [];
    if (!args.namespace) problems.push(`namespace: must not be empty, got ${JSON.stringify(args.namespace)}`);
    if (!Array.isArray(args.targets) || args.targets.length === 0) problems.push(`targets: at least one scrape target is required, got ${JSON.stringify(args.targets)}`);
    (args.targets ?? []).forEach((t, i) => {
        if (!LABEL_VALUE_RE.test(t.job)) problems.push(`targets[${i}].job: must be a non-empty label value, got ${JSON.stringify(t.job)}`);
        if (!t.port) problems.push(`targets[${i}].port: must name a Service port, got ${JSON.stringify(t.port)}`);
        if (Object.keys(t.selector ?? {}).length === 0) problems.push(`targets[${i}].selector: must select Services by at least one label, got ${JSON.stringify(t.selector)}`);
        problems.push(...serviceMonitorProblems(selfMonitorSpec(args.namespace, t, args.scrapeInterval)).map((p) => `targets[${i}]: ${p}`));
    });
    return problems;
}

/** Builds every object of the self-monitoring (pure). `name` prefixes the Kubernetes names. */
export function buildSelfMonitoring(name: string, args: ThanosSelfMonitoringArgs): SelfMonitoringObjects {
    const monitor = args.monitor ?? PROMETHEUS.defaultMonitor;
    const jobs = args.jobs ?? SELF_MONITORING.jobs;
    const seen = new Map<string, number>();
    const serviceMonitors = args.targets.map((t) => {
        const n = seen.get(t.job) ?? 0;
        seen.set(t.job, n + 1);
        const smName = `${name}-${dnsPart(t.job)}${n === 0 ? "" : `-${n}`}`;
        return buildServiceMonitor({ name: smName, namespace: args.namespace, instance: name, spec: selfMonitorSpec(args.namespace, t, args.scrapeInterval), monitor });
    });
    const scraped = new Set([...args.targets.map((t) => t.job), ...(args.externallyScrapedJobs ?? [])]);
    const runbook = args.runbookBaseUrl !== undefined ? { runbookBaseUrl: args.runbookBaseUrl } : {};
    const groups = groupsForJobs(
        [
            ...thanosRuleGroups({
                namespace: args.namespace,
                jobs,
                ...runbook,
                ...(args.compactVolumeClaimRegex !== undefined ? { compactVolumeClaimRegex: args.compactVolumeClaimRegex } : {}),
                ...(args.expectedStoreApis !== undefined ? { expectedStoreApis: args.expectedStoreApis } : {}),
            }),
            ...(args.platform !== undefined ? platformRuleGroups({ ...args.platform, namespace: args.namespace, ...runbook }) : []),
        ],
        scraped,
    );
    const prometheusRules = groups.map((g) =>
        buildPrometheusRule({ name: `${name}-${dnsPart(g.name)}`, namespace: args.namespace, instance: name, groups: specGroups([g]), scope: g.scope, monitor }),
    );
    const dashboards =
        args.dashboards === false
            ? []
            : buildDashboardConfigMaps({
                  namespace: args.namespace,
                  instance: name,
                  dashboards: thanosDashboards({
                      namespace: args.namespace,
                      jobs,
                      ...(args.compactVolumeClaimRegex !== undefined ? { compactVolumeClaimRegex: args.compactVolumeClaimRegex } : {}),
                  }),
              });
    return { serviceMonitors, prometheusRules, dashboards };
}

/** ServiceMonitors, PrometheusRules and Grafana dashboards for the Thanos components of a stack. */
export class ThanosSelfMonitoring extends pulumi.ComponentResource {
    /** Kubernetes names of the PrometheusRules, by scope. */
    public readonly ruleNames: RuleNamesByScope;
    /** Kubernetes names of the ServiceMonitors. */
    public readonly serviceMonitorNames: string[];
    /** Kubernetes names of the dashboard ConfigMaps. */
    public readonly dashboardNames: string[];

    constructor(name: string, args: ThanosSelfMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:ThanosSelfMonitoring", name, {}, opts);
        const problems = selfMonitoringProblems(args);
        refuseProblems("ThanosSelfMonitoring", problems);
        const objects = buildSelfMonitoring(name, args);
        for (const rule of objects.prometheusRules) {
            const scope = rule.metadata.labels?.[LABELS.ruleScope] === "shard" ? "shard" : "global";
            const ruleErrors = ruleProblems(rule.spec.groups, scope);
            if (ruleErrors.length > 0) throw new pulumi.RunError(`ThanosSelfMonitoring rules: ${ruleErrors.join("; ")}`);
        }

        const child = childOptions(this, opts);
        for (const sm of objects.serviceMonitors) new CustomResource(`${sm.metadata.name}-servicemonitor`, sm, child);
        for (const rule of objects.prometheusRules) new CustomResource(`${rule.metadata.name}-prometheusrule`, rule, child);
        for (const cm of objects.dashboards) new K8sConfigMap(`${cm.metadata?.name}-configmap`, kubeArgs<ConfigMapArgs>(cm), child);

        const names = (objs: Array<{ metadata?: { name?: string } }>) => objs.map((o) => o.metadata?.name ?? "");
        this.ruleNames = {
            shard: names(objects.prometheusRules.filter((r) => r.metadata.labels?.[LABELS.ruleScope] === "shard")),
            global: names(objects.prometheusRules.filter((r) => r.metadata.labels?.[LABELS.ruleScope] !== "shard")),
        };
        this.serviceMonitorNames = names(objects.serviceMonitors);
        this.dashboardNames = names(objects.dashboards);
        this.registerOutputs({ ruleNames: this.ruleNames, serviceMonitorNames: this.serviceMonitorNames, dashboardNames: this.dashboardNames });
    }
}
