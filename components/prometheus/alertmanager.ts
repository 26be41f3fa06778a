/**
 * Alertmanager: a Prometheus Operator `Alertmanager` resource (a gossip
 * cluster of `replicas` pods, spread over zones) with its configuration —
 * receivers and routes from the stack configuration — in a Secret whose
 * content is a Pulumi secret, a ClusterIP Service (the address the ruler and
 * the shards send to, API v2), a PodDisruptionBudget and a ServiceMonitor.
 *
 * Our own resource rather than the chart's: it works the same when the stack
 * uses an Operator that is already installed (`operator.install: false`), and
 * every field is typed and checked against the Operator's schema.
 */
import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Secret, Service, ServiceAccount } from "@pulumi/kubernetes/core/v1";
import { PodDisruptionBudget } from "@pulumi/kubernetes/policy/v1";
import { loggingProblems, mirroredImage, operatorLogFields, placementFields, placementProblems, type LogSettings, type OperatorPodFields, type PodPlacement, type PodSettingsArgs } from "../lib/placement";
import type {
    Affinity,
    Container,
    PodSecurityContext,
    ResourceRequirements as K8sResources,
    Secret as SecretObject,
    Service as ServiceObject,
    ServiceAccount as ServiceAccountObject,
    TopologySpreadConstraint,
} from "kubernetes-types/core/v1";
import type { ObjectMeta } from "kubernetes-types/meta/v1";
import type { PodDisruptionBudget as PdbObject } from "kubernetes-types/policy/v1";
import { stringify } from "yaml";
import { IMAGES, LABELS, PART_OF, PORTS, PROMETHEUS, SELF_MONITORING, VERSIONS } from "../constants";
import { DEFAULTS, ResourceRequirements } from "../defaults";
import { serviceFqdn } from "../lib/contracts";
import { isDuration } from "../lib/duration";
import { objectMeta } from "../lib/meta";
import { MONITORING_API_VERSION } from "../lib/monitoringTypes";
import { containerResources, containerSecurityContext, hostnameAntiAffinity, podDisruptionBudget, podPriority, podSecurityContext, volumeClaimSpec, zoneSpread, type PodPriorityArgs, type VolumeSettings } from "../lib/pod";
import { withDependencies } from "../lib/options";
import { childOptions, refuseProblems } from "../lib/providers";
import { isQuantity } from "../lib/quantity";
import { buildServiceMonitor, jobEndpoint } from "../teams/serviceMonitor";

const COMPONENT = "alertmanager";

/** A Slack notification target. */
export interface SlackConfig {
    /** Incoming-webhook URL (a secret). */
    apiUrl: pulumi.Input<string>;
    /** Channel, e.g. `#alerts`. @default the webhook's channel */
    channel?: string;
    /** Notify when the alert resolves. @default true */
    sendResolved?: boolean;
}

/** A PagerDuty (Events API v2) notification target. */
export interface PagerDutyConfig {
    /** Integration routing key (a secret). */
    routingKey: pulumi.Input<string>;
    /** Notify when the alert resolves. @default true */
    sendResolved?: boolean;
}

/** A generic webhook notification target. */
export interface WebhookConfig {
    /** URL to POST alerts to (a secret: it often embeds a token). */
    url: pulumi.Input<string>;
    /** Notify when the alert resolves. @default true */
    sendResolved?: boolean;
}

/** Where Alertmanager posts PagerDuty events (its default `url` for the Events API v2). */
export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

/**
 * The URLs Alertmanager must reach to notify the receivers, for the NetworkPolicies: every webhook and Slack URL
 * and PagerDuty's events endpoint. `unknown` counts the targets whose URL is not a plain string at program time
 * (a Pulumi Output), which no policy can name.
 */
export function receiverUrls(receivers: readonly AlertmanagerReceiver[]): { urls: string[]; unknown: number } {
    const urls: string[] = [];
    let unknown = 0;
    const add = (u: pulumi.Input<string>) => (typeof u === "string" ? urls.push(u) : unknown++);
    for (const r of receivers) {
        for (const w of r.webhook ?? []) add(w.url);
        for (const sl of r.slack ?? []) add(sl.apiUrl);
        if ((r.pagerduty ?? []).length > 0) urls.push(PAGERDUTY_EVENTS_URL);
    }
    return { urls: [...new Set(urls)].sort(), unknown };
}

/** A named receiver with its notification targets (none: alerts are dropped). */
export interface AlertmanagerReceiver {
    /** Receiver name, referenced by routes. */
    name: string;
    /** Slack targets. @default [] */
    slack?: SlackConfig[];
    /** PagerDuty targets. @default [] */
    pagerduty?: PagerDutyConfig[];
    /** Webhook targets. @default [] */
    webhook?: WebhookConfig[];
}

/** A child route: alerts matching every matcher go to `receiver`. */
export interface AlertmanagerChildRoute {
    /** Receiver name. */
    receiver: string;
    /** Matchers in Alertmanager syntax, e.g. `severity="critical"`, `team=~"a|b"`. */
    matchers: string[];
    /** Keep matching the following routes. @default false */
    continue?: boolean;
    /** Labels to group by. @default the parent's */
    groupBy?: string[];
}

/** The routing tree. */
export interface AlertmanagerRoute {
    /** Default receiver. */
    receiver: string;
    /** Labels to group alerts by. @default ["alertname", "cluster", "namespace"] */
    groupBy?: string[];
    /** Wait before the first notification of a group. @default "30s" */
    groupWait?: string;
    /** Wait before notifying about new alerts in a group. @default "5m" */
    groupInterval?: string;
    /** Wait before re-sending a notification. @default "4h" */
    repeatInterval?: string;
    /** Child routes, first match wins (unless `continue`). @default [] */
    routes?: AlertmanagerChildRoute[];
}

/** Settings of Alertmanager that a ThanosStack passes through (the stack supplies namespace and monitor label). */
export interface AlertmanagerSettings extends PodPriorityArgs, PodSettingsArgs {
    /**
     * Number of replicas (a gossip cluster); production runs at least 2.
     * @default 2
     */
    replicas?: number;
    /**
     * Receivers. When none is given, a `null` receiver that drops every alert is configured.
     * @default [{ name: "null" }]
     */
    receivers?: AlertmanagerReceiver[];
    /**
     * The routing tree.
     * @default { receiver: <first receiver> }
     */
    route?: AlertmanagerRoute;
    /**
     * How long silences and the notification log are kept.
     * @default "120h"
     */
    retention?: string;
    /**
     * Persistent volume per pod.
     * @default { size: "2Gi" } on the cluster's default StorageClass
     */
    storage?: Partial<VolumeSettings>;
    /**
     * Resources of the alertmanager container.
     * @default DEFAULTS.alertmanager.resources
     */
    resources?: ResourceRequirements;
}

/** Arguments of `Alertmanager`. */
export interface AlertmanagerArgs extends AlertmanagerSettings {
    /** Namespace of the Alertmanager. */
    namespace: string;
    /**
     * Value of the `thanos-stack.io/monitor` label on its ServiceMonitor.
     * @default "default"
     */
    monitor?: string;
}

/** Every input of the builders, with defaults applied. */
export interface AlertmanagerInput {
    name: string;
    instance: string;
    namespace: string;
    replicas: number;
    receivers: AlertmanagerReceiver[];
    route: Required<Omit<AlertmanagerRoute, "routes">> & { routes: AlertmanagerChildRoute[] };
    retention: string;
    storage: { size: string; storageClass?: string };
    resources: ResourceRequirements;
    monitor: string;
    priorityClassName: string | undefined;
    placement: PodPlacement | undefined;
    logging: LogSettings | undefined;
}

/** The receiver used when none is configured. */
export const NULL_RECEIVER = "null";

/** Applies the defaults. */
export function resolveAlertmanagerArgs(name: string, args: AlertmanagerArgs): AlertmanagerInput {
    const receivers = args.receivers && args.receivers.length > 0 ? args.receivers : [{ name: NULL_RECEIVER }];
    const r = args.route;
    return {
        name,
        instance: name,
        namespace: args.namespace,
        replicas: args.replicas ?? DEFAULTS.alertmanager.replicas,
        receivers,
        route: {
            receiver: r?.receiver ?? receivers[0]!.name,
            groupBy: r?.groupBy ?? ["alertname", "cluster", "namespace"],
            groupWait: r?.groupWait ?? "30s",
            groupInterval: r?.groupInterval ?? "5m",
            repeatInterval: r?.repeatInterval ?? "4h",
            routes: r?.routes ?? [],
        },
        retention: args.retention ?? DEFAULTS.alertmanager.retention,
        storage: { size: args.storage?.size ?? DEFAULTS.alertmanager.storageSize, ...(args.storage?.storageClass !== undefined ? { storageClass: args.storage.storageClass } : {}) },
        resources: args.resources ?? DEFAULTS.alertmanager.resources,
        monitor: args.monitor ?? PROMETHEUS.defaultMonitor,
        priorityClassName: args.priorityClassName,
        placement: args.placement,
        logging: args.logging,
    };
}

const MATCHER_RE = /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*("([^"\\]|\\.)*"|[^\s"]+)\s*$/;

/** A problem found in receivers/routes: where, which rule, and the offending value. */
export interface RoutingProblem {
    path: string[];
    message: string;
    input: unknown;
}

/** Problems with receivers and routes (names must resolve, matchers must parse). */
export function routingProblems(
    receivers: Array<{ name: string }>,
    route: { receiver: string; routes?: Array<{ receiver: string; matchers: string[] }> } | undefined,
): RoutingProblem[] {
    const problems: RoutingProblem[] = [];
    const names = new Set<string>();
    receivers.forEach((r, i) => {
        if (names.has(r.name)) problems.push({ path: ["receivers", String(i), "name"], message: "receiver names must be unique", input: r.name });
        names.add(r.name);
    });
    if (route === undefined) return problems;
    const known = names.size > 0 ? [...names].join(", ") : NULL_RECEIVER;
    const receiverRule = `must name a configured receiver (${known})`;
    if (!names.has(route.receiver) && !(names.size === 0 && route.receiver === NULL_RECEIVER)) problems.push({ path: ["route", "receiver"], message: receiverRule, input: route.receiver });
    (route.routes ?? []).forEach((child, i) => {
        if (!names.has(child.receiver)) problems.push({ path: ["route", "routes", String(i), "receiver"], message: receiverRule, input: child.receiver });
        if (child.matchers.length === 0) problems.push({ path: ["route", "routes", String(i), "matchers"], message: "at least one matcher is required", input: [] });
        child.matchers.forEach((m, j) => {
            if (!MATCHER_RE.test(m)) problems.push({ path: ["route", "routes", String(i), "matchers", String(j)], message: 'must be a matcher like severity="critical"', input: m });
        });
    });
    return problems;
}

/** Problems with the resolved arguments. */
export function alertmanagerProblems(i: AlertmanagerInput): string[] {
    const problems: string[] = [];
    if (!Number.isInteger(i.replicas) || i.replicas < 1) problems.push(`replicas: must be an integer >= 1, got ${JSON.stringify(i.replicas)}`);
    if (!isDuration(i.retention)) problems.push(`retention: must be a Prometheus duration like 120h, got ${JSON.stringify(i.retention)}`);
    if (!isQuantity(i.storage.size)) problems.push(`storage.size: must be a Kubernetes quantity like 2Gi, got ${JSON.stringify(i.storage.size)}`);
    for (const key of ["groupWait", "groupInterval", "repeatInterval"] as const) {
        if (!isDuration(i.route[key])) problems.push(`route.${key}: must be a Prometheus duration, got ${JSON.stringify(i.route[key])}`);
    }
    for (const p of routingProblems(i.receivers, i.route)) problems.push(`${p.path.join(".")}: ${p.message}, got ${JSON.stringify(p.input)}`);
    problems.push(...placementProblems(i.placement), ...loggingProblems(i.logging));
    return problems;
}

/** A receiver with its secret parts resolved to plain strings. */
export type PlainReceiver = {
    name: string;
    slack?: Array<Omit<SlackConfig, "apiUrl"> & { apiUrl: string }>;
    pagerduty?: Array<Omit<PagerDutyConfig, "routingKey"> & { routingKey: string }>;
    webhook?: Array<Omit<WebhookConfig, "url"> & { url: string }>;
};

/** The Alertmanager configuration file (`alertmanager.yaml`) as an object, in Alertmanager's own key names. */
export function buildAlertmanagerConfig(receivers: PlainReceiver[], route: AlertmanagerInput["route"]): Record<string, unknown> {
    return {
        route: {
            receiver: route.receiver,
            group_by: route.groupBy,
            group_wait: route.groupWait,
            group_interval: route.groupInterval,
            repeat_interval: route.repeatInterval,
            routes: route.routes.map((r) => ({
                receiver: r.receiver,
                matchers: r.matchers,
                ...(r.continue !== undefined ? { continue: r.continue } : {}),
                ...(r.groupBy !== undefined ? { group_by: r.groupBy } : {}),
            })),
        },
        receivers: receivers.map((r) => ({
            name: r.name,
            ...(r.slack?.length
                ? { slack_configs: r.slack.map((s) => ({ api_url: s.apiUrl, ...(s.channel !== undefined ? { channel: s.channel } : {}), send_resolved: s.sendResolved ?? true })) }
                : {}),
            ...(r.pagerduty?.length ? { pagerduty_configs: r.pagerduty.map((p) => ({ routing_key: p.routingKey, send_resolved: p.sendResolved ?? true })) } : {}),
            ...(r.webhook?.length ? { webhook_configs: r.webhook.map((w) => ({ url: w.url, send_resolved: w.sendResolved ?? true })) } : {}),
        })),
    };
}

/** Resolves the secret parts of the receivers (the result is secret whenever any input is). */
export function resolveReceivers(receivers: AlertmanagerReceiver[]): pulumi.Output<PlainReceiver[]> {
    return pulumi.all(
        receivers.map((r) =>
            pulumi
                .all([
                    pulumi.all((r.slack ?? []).map((s) => pulumi.output(s.apiUrl))),
                    pulumi.all((r.pagerduty ?? []).map((p) => pulumi.output(p.routingKey))),
                    pulumi.all((r.webhook ?? []).map((w) => pulumi.output(w.url))),
                ])
                .apply(([slackUrls, keys, urls]): PlainReceiver => ({
                    name: r.name,
                    ...(r.slack ? { slack: r.slack.map((s, n) => ({ ...s, apiUrl: slackUrls[n]! })) } : {}),
                    ...(r.pagerduty ? { pagerduty: r.pagerduty.map((p, n) => ({ ...p, routingKey: keys[n]! })) } : {}),
                    ...(r.webhook ? { webhook: r.webhook.map((w, n) => ({ ...w, url: urls[n]! })) } : {}),
                })),
        ),
    );
}

/** Labels the Operator puts on every Alertmanager pod. */
export function alertmanagerPodSelector(name: string): Record<string, string> {
    return { [PROMETHEUS.alertmanagerNameLabel]: name };
}

/** Name of the Secret holding `alertmanager.yaml`. */
export function alertmanagerConfigSecretName(name: string): string {
    return `${name}-config`;
}

/** The typed `Alertmanager.spec` we emit. */
export interface AlertmanagerSpec extends OperatorPodFields {
    image: string;
    version: string;
    replicas: number;
    serviceAccountName: string;
    automountServiceAccountToken: boolean;
    podMetadata: { labels: Record<string, string> };
    retention: string;
    configSecret: string;
    storage: { volumeClaimTemplate: { spec: { accessModes: string[]; storageClassName?: string; resources: { requests: { storage: string } } } } };
    resources: K8sResources;
    securityContext: PodSecurityContext;
    priorityClassName?: string;
    containers: Container[];
    initContainers: Container[];
    topologySpreadConstraints: TopologySpreadConstraint[];
    affinity: Affinity;
}

/** An `Alertmanager` object. */
export interface AlertmanagerObject {
    apiVersion: typeof MONITORING_API_VERSION;
    kind: "Alertmanager";
    metadata: ObjectMeta;
    spec: AlertmanagerSpec;
}

/** Builds the `Alertmanager` resource (pure). */
export function buildAlertmanager(i: AlertmanagerInput): AlertmanagerObject {
    const selector = alertmanagerPodSelector(i.name);
    const sc = containerSecurityContext();
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "Alertmanager",
        metadata: objectMeta({ name: i.name, namespace: i.namespace, component: COMPONENT, instance: i.instance }),
        spec: {
            image: mirroredImage(IMAGES.alertmanager, i.placement?.imageRegistry),
            version: VERSIONS.alertmanager,
            replicas: i.replicas,
            serviceAccountName: i.name,
            // Neither Alertmanager nor its config reloader talk to the Kubernetes API.
            automountServiceAccountToken: false,
            podMetadata: { labels: { [LABELS.component]: COMPONENT, [LABELS.partOf]: PART_OF } },
            retention: i.retention,
            configSecret: alertmanagerConfigSecretName(i.name),
            storage: { volumeClaimTemplate: { spec: volumeClaimSpec(i.storage) } },
            resources: containerResources(i.resources),
            securityContext: podSecurityContext(),
            ...podPriority(i.priorityClassName),
            ...operatorLogFields(i.logging),
            containers: [
                { name: PROMETHEUS.containers.alertmanager, securityContext: sc },
                { name: PROMETHEUS.containers.configReloader, securityContext: sc },
            ],
            initContainers: [{ name: PROMETHEUS.containers.initConfigReloader, securityContext: sc }],
            topologySpreadConstraints: zoneSpread(selector),
            affinity: hostnameAntiAffinity(selector),
            ...placementFields(i.placement, hostnameAntiAffinity(selector)),
        },
    };
}

/** The Secret that will hold `alertmanager.yaml` (its data is added by the component, as a Pulumi secret). */
export function buildAlertmanagerConfigSecretMeta(i: AlertmanagerInput): SecretObject {
    return {
        apiVersion: "v1",
        kind: "Secret",
        type: "Opaque",
        metadata: objectMeta({ name: alertmanagerConfigSecretName(i.name), namespace: i.namespace, component: COMPONENT, instance: i.instance }),
    };
}

/**
 * The headless Service in front of the Alertmanager pods (API v2 on the web port). Headless, so that its DNS SRV
 * record lists every replica: senders (the Thanos ruler) notify all of them, as Alertmanager HA expects.
 */
export function buildAlertmanagerService(i: AlertmanagerInput): ServiceObject {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: objectMeta({ name: i.name, namespace: i.namespace, component: COMPONENT, instance: i.instance }),
        spec: {
            clusterIP: "None",
            selector: alertmanagerPodSelector(i.name),
            ports: [
                { name: PROMETHEUS.portNames.web, port: PORTS.alertmanagerHttp, targetPort: PROMETHEUS.portNames.web, protocol: "TCP" },
                // The Operator's config reloader in every Alertmanager pod (scraped as job config-reloader).
                { name: PROMETHEUS.portNames.configReloader, port: PORTS.configReloaderHttp, targetPort: PROMETHEUS.portNames.configReloader, protocol: "TCP" },
            ],
        },
    };
}

/** The dedicated ServiceAccount (no token mounted). */
export function buildAlertmanagerServiceAccount(i: AlertmanagerInput): ServiceAccountObject {
    return {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: objectMeta({ name: i.name, namespace: i.namespace, component: COMPONENT, instance: i.instance }),
        automountServiceAccountToken: false,
    };
}

/** At most one Alertmanager replica down at a time. */
export function buildAlertmanagerPdb(i: AlertmanagerInput): PdbObject {
    return podDisruptionBudget(objectMeta({ name: i.name, namespace: i.namespace, component: COMPONENT, instance: i.instance }), alertmanagerPodSelector(i.name));
}

/** URL of the Alertmanager API (v2) for senders (the Thanos ruler, Grafana). */
export function alertmanagerUrl(name: string, namespace: string): string {
    return `http://${serviceFqdn(name, namespace)}:${PORTS.alertmanagerHttp}`;
}

/** Every Alertmanager replica in Thanos service-discovery syntax (for the ruler's alertmanagers config). */
export function alertmanagerSrvAddress(name: string, namespace: string): string {
    return `dnssrv+_${PROMETHEUS.portNames.web}._tcp.${serviceFqdn(name, namespace)}`;
}

/** Alertmanager, run by the Prometheus Operator. */
export class Alertmanager extends pulumi.ComponentResource {
    /** Name of the `Alertmanager` resource and of its Service. */
    public readonly serviceName: string;
    /** Name of the Service port senders use. */
    public readonly portName: string;
    /** Base URL of the Alertmanager API (`http://<service>.<ns>.svc.cluster.local:9093`); senders use API v2. */
    public readonly url: string;
    /** Every replica as a DNS SRV address (`dnssrv+_web._tcp.<service>.<ns>.svc.cluster.local`). */
    public readonly srvAddress: string;

    constructor(name: string, args: AlertmanagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:Alertmanager", name, {}, opts);
        const input = resolveAlertmanagerArgs(name, args);
        const problems = alertmanagerProblems(input);
        refuseProblems("Alertmanager", problems);
        this.serviceName = input.name;
        this.portName = PROMETHEUS.portNames.web;
        this.url = alertmanagerUrl(input.name, input.namespace);
        this.srvAddress = alertmanagerSrvAddress(input.name, input.namespace);

        const child = childOptions(this, opts);
        const configYaml = pulumi.secret(resolveReceivers(input.receivers).apply((receivers) => stringify(buildAlertmanagerConfig(receivers, input.route))));
        const account = new ServiceAccount(`${name}-serviceaccount`, buildAlertmanagerServiceAccount(input), child);
        const secret = new Secret(
            `${name}-config`,
            { ...buildAlertmanagerConfigSecretMeta(input), stringData: { [PROMETHEUS.alertmanagerConfigKey]: configYaml } },
            { ...child, additionalSecretOutputs: ["stringData", "data"] },
        );
        new CustomResource(`${name}-alertmanager`, buildAlertmanager(input), withDependencies(child, [account, secret]));
        new Service(`${name}-service`, buildAlertmanagerService(input), child);
        new PodDisruptionBudget(`${name}-pdb`, buildAlertmanagerPdb(input), child);
        new CustomResource(
            `${name}-servicemonitor`,
            buildServiceMonitor({
                name: input.name,
                namespace: input.namespace,
                instance: input.instance,
                monitor: input.monitor,
                spec: {
                    selector: { matchLabels: buildAlertmanagerService(input).metadata?.labels ?? {} },
                    endpoints: [jobEndpoint(PROMETHEUS.portNames.web, SELF_MONITORING.platformJobs.alertmanager), jobEndpoint(PROMETHEUS.portNames.configReloader, SELF_MONITORING.platformJobs.configReloader)],
                },
            }),
            child,
        );
        this.registerOutputs({ serviceName: this.serviceName, url: this.url, srvAddress: this.srvAddress });
    }
}
