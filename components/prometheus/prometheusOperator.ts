/**
 * PrometheusOperator: the upstream kube-prometheus-stack chart (pinned), which
 * brings the Prometheus Operator and its CRDs, kube-state-metrics,
 * node-exporter, Grafana, the Kubernetes ServiceMonitors and the default
 * rules — with the chart's own Prometheus, Alertmanager and ThanosRuler
 * disabled, so they never compete with ours.
 *
 * Installed through `Release` from `@pulumi/kubernetes/helm/v3`: one custom
 * resource that the offline render shows with its (typed) values, and that
 * Helm expands at deploy time.
 *
 * How our Prometheus picks up the chart's objects: a Prometheus selector is
 * one label selector (its requirements are ANDed), so it cannot also select the
 * chart's `release` label. Instead the chart labels its own objects with our
 * monitor label (`commonLabels`, and the subcharts' `additionalLabels`), and
 * its default rules with the `global` rule scope: most of them join series of
 * different targets (kube-state-metrics with cAdvisor, node-exporter), so they
 * belong to the Thanos ruler, not a shard.
 *
 * node-exporter needs the host's network and PID namespaces and host paths,
 * which Pod Security "restricted" (our namespace) refuses. It runs in its own
 * namespace, `<namespace>-node-exporter`, labelled `privileged`: the one
 * documented exception to the baseline.
 */
import { loggingProblems, placementFields, placementProblems, pullSecretRefs, type LogSettings, type PodPlacement, type PodSettingsArgs } from "../lib/placement";
import * as pulumi from "@pulumi/pulumi";
import { Namespace } from "@pulumi/kubernetes/core/v1";
import { Release } from "@pulumi/kubernetes/helm/v3";
import type { Namespace as NamespaceObject, LocalObjectReference, PodSecurityContext, PodSpec, ResourceRequirements as K8sResources, SecurityContext } from "kubernetes-types/core/v1";
import { CHARTS, LABELS, PORTS, PROMETHEUS, THANOS, VERSIONS } from "../constants";
import { DEFAULTS, ResourceRequirements } from "../defaults";
import { serviceFqdn } from "../lib/contracts";
import { parseDuration } from "../lib/duration";
import { withDependencies } from "../lib/options";
import { objectMeta } from "../lib/meta";
import { monitorLabels, ruleLabels } from "../lib/monitoringTypes";
import { containerResources, containerSecurityContext, podPriority, podSecurityContext, type PodPriorityArgs } from "../lib/pod";
import { childOptions, refuseProblems } from "../lib/providers";

/** Pod Security level of the node-exporter namespace (host namespaces and host paths). */
export const NODE_EXPORTER_POD_SECURITY = "privileged";

/** Settings of the Prometheus Operator that a ThanosStack passes through (the stack supplies namespace, monitor label and Alertmanager URL). */
export interface PrometheusOperatorSettings extends PodPriorityArgs, PodSettingsArgs {
    /**
     * The Helm repository kube-prometheus-stack is installed from (a mirror of the community charts).
     * @default "https://prometheus-community.github.io/helm-charts"
     */
    chartRepository?: string;
    /**
     * Install the chart. Set to false when a Prometheus Operator (v0.93 CRDs) already runs in the cluster;
     * the component then creates nothing.
     * @default true
     */
    install?: boolean;
    /**
     * Grafana's default Prometheus datasource: the Thanos query-frontend.
     * @default "http://thanos-query-frontend.<namespace>.svc.cluster.local:10902"
     */
    grafanaDatasourceUrl?: string;
    /**
     * Deploy Grafana.
     * @default true
     */
    grafana?: boolean;
    /**
     * Resources of the Operator container.
     * @default DEFAULTS.operator.resources
     */
    resources?: ResourceRequirements;
    /**
     * Resources of kube-state-metrics.
     * @default DEFAULTS.operator.kubeStateMetricsResources
     */
    kubeStateMetricsResources?: ResourceRequirements;
    /**
     * Resources of node-exporter.
     * @default DEFAULTS.operator.nodeExporterResources
     */
    nodeExporterResources?: ResourceRequirements;
    /**
     * Resources of Grafana.
     * @default DEFAULTS.operator.grafana.resources
     */
    grafanaResources?: ResourceRequirements;
    /**
     * Scrape and alert on etcd, kube-controller-manager, kube-scheduler and kube-proxy (the chart's default). Only
     * where they serve metrics to the cluster: a managed control plane (EKS, GKE, AKS) does not expose the first three,
     * EKS's kube-proxy and kind's control plane listen on localhost, and a target that cannot be scraped is "down"
     * and pages forever.
     * @default false
     */
    scrapeControlPlane?: boolean;
    /**
     * Seconds Grafana waits for its default datasource (`jsonData.timeout`; Grafana's own default is 30 s, so a
     * query the querier may run for minutes would fail in a dashboard first). A ThanosStack sets it to the querier's
     * `--query.timeout` plus `GRAFANA_TIMEOUT_MARGIN_SECONDS`.
     * @default 150 (the querier's default 2m, plus 30 s)
     */
    grafanaDatasourceTimeoutSeconds?: number;
    /**
     * Grafana's admin credentials: a Secret you provide (`existingSecret`, with the keys of the user and the
     * password), or, unset, a random password the chart generates once into the Secret `<release>-grafana` and
     * keeps across upgrades (never the chart's default `prom-operator`).
     * @default a generated password in `<release>-grafana` (keys `admin-user`, `admin-password`)
     */
    grafanaAdmin?: GrafanaAdminSettings;
}

/** Grafana's admin credentials from an existing Secret. */
export interface GrafanaAdminSettings {
    /** The Secret in the release namespace that holds them. */
    existingSecret: string;
    /**
     * Its key of the admin user name.
     * @default "admin-user"
     */
    userKey?: string;
    /**
     * Its key of the admin password.
     * @default "admin-password"
     */
    passwordKey?: string;
}


/** Where Grafana's admin credentials are: the given Secret, or the one the chart generates (`<release>-grafana`). */
export function grafanaAdminSecret(release: string, admin: GrafanaAdminSettings | undefined): { name: string; userKey: string; passwordKey: string } {
    return {
        name: admin?.existingSecret ?? `${release}-grafana`,
        userKey: admin?.userKey ?? DEFAULTS.operator.grafana.adminKeys.user,
        passwordKey: admin?.passwordKey ?? DEFAULTS.operator.grafana.adminKeys.password,
    };
}

/** Seconds Grafana waits beyond the querier's own timeout, so the querier's error (not Grafana's) reaches the panel. */
export const GRAFANA_TIMEOUT_MARGIN_SECONDS = 30;

/** Grafana's datasource timeout for a querier `--query.timeout`. */
export function grafanaDatasourceTimeout(queryTimeout: string): number {
    const ms = parseDuration(queryTimeout);
    return ms === undefined ? DEFAULTS.operator.grafana.datasourceTimeoutSeconds : Math.ceil(ms / 1000) + GRAFANA_TIMEOUT_MARGIN_SECONDS;
}

/** The chart's control-plane components: scrape switch, and the default rule groups about them. */
const CONTROL_PLANE_VALUES = { scrapes: ["kubeEtcd", "kubeControllerManager", "kubeScheduler", "kubeProxy"], rules: ["etcd", "kubeControllerManager", "kubeSchedulerAlerting", "kubeSchedulerRecording", "kubeProxy"] } as const;

/** Arguments of `PrometheusOperator`. */
export interface PrometheusOperatorArgs extends PrometheusOperatorSettings {
    /** Namespace of the release (the Operator, Grafana, kube-state-metrics). */
    namespace: string;
    /**
     * Alertmanager URL for Grafana's Alertmanager datasource.
     * @default no Alertmanager datasource
     */
    alertmanagerUrl?: string;
    /**
     * Value of the `thanos-stack.io/monitor` label put on the chart's ServiceMonitors and rules.
     * @default "default"
     */
    monitor?: string;
}

/** Where a chart's pods run (every chart we use reads these at the component's level). */
type ChartScheduling = Pick<PodSpec, "nodeSelector" | "tolerations" | "affinity">;

/** Pod and container security through chart values. */
interface SecurityValues extends ChartScheduling {
    securityContext: PodSecurityContext;
    containerSecurityContext: SecurityContext;
    resources: K8sResources;
    /** PriorityClass of the pods (every chart we use reads `priorityClassName` at this level). */
    priorityClassName?: string;
}

/** The kube-prometheus-stack values we set (chart 88.5.x). Everything else keeps the chart's default. */
export interface KubePrometheusStackValues {
    /** The registry mirror and pull Secrets of every image of the chart and its subcharts. */
    global?: { imageRegistry?: string; imagePullSecrets?: LocalObjectReference[] };
    fullnameOverride: string;
    /** Labels on every object of the main chart, ServiceMonitors and PrometheusRules included. */
    commonLabels: Record<string, string>;
    crds: {
        enabled: boolean;
        /** The chart installs CRDs only on first install; this pre-install/pre-upgrade Job applies them at every chart version change. */
        upgradeJob: {
            enabled: boolean;
            forceConflicts: boolean;
            image: { busybox: { registry: string; repository: string; tag: string }; kubectl: { registry: string; repository: string; tag: string } };
            resources: K8sResources;
            podLabels: Record<string, string>;
            podSecurityContext: PodSecurityContext;
            containerSecurityContext: SecurityContext;
        } & ChartScheduling;
    };
    prometheus: { enabled: false };
    alertmanager: { enabled: false };
    thanosRuler: { enabled: false };
    defaultRules: {
        create: boolean;
        /** Labels on the chart's PrometheusRule objects: the `global` scope. */
        labels: Record<string, string>;
        /**
         * Groups about the chart's own Prometheus/Alertmanager (disabled: ours have different job names), and about
         * the control plane (off unless it is scraped).
         */
        rules: { alertmanager: boolean; prometheus: boolean; configReloaders: boolean } & Partial<Record<(typeof CONTROL_PLANE_VALUES.rules)[number], boolean>>;
    };
    kubeEtcd: { enabled: boolean };
    kubeControllerManager: { enabled: boolean };
    kubeScheduler: { enabled: boolean };
    kubeProxy: { enabled: boolean };
    prometheusOperator: SecurityValues & {
        enabled: true;
        logLevel?: string;
        logFormat?: string;
        admissionWebhooks: {
            enabled: boolean;
            patch: { securityContext: PodSecurityContext; resources: K8sResources; priorityClassName?: string } & ChartScheduling;
            createSecretJob: { securityContext: SecurityContext };
            patchWebhookJob: { securityContext: SecurityContext };
        };
    };
    kubeStateMetrics: { enabled: boolean };
    "kube-state-metrics": ChartScheduling & {
        securityContext: PodSecurityContext & { enabled: true };
        containerSecurityContext: SecurityContext;
        resources: K8sResources;
        priorityClassName?: string;
        prometheus: { monitor: { additionalLabels: Record<string, string> } };
    };
    nodeExporter: { enabled: boolean };
    "prometheus-node-exporter": {
        namespaceOverride: string;
        containerSecurityContext: SecurityContext;
        resources: K8sResources;
        priorityClassName?: string;
        prometheus: { monitor: { additionalLabels: Record<string, string> } };
    };
    grafana: SecurityValues & {
        enabled: boolean;
        /** Empty: the chart generates a random password (kube-prometheus-stack's default is `prom-operator`). */
        adminPassword: string;
        admin?: { existingSecret: string; userKey: string; passwordKey: string };
        initChownData: { enabled: false };
        extraEmptyDirMounts: Array<{ name: string; mountPath: string }>;
        serviceMonitor: { labels: Record<string, string> };
        additionalDataSources: Array<{ name: string; type: "alertmanager"; uid: string; url: string; access: "proxy"; jsonData: { implementation: "prometheus" } }>;
        sidecar: {
            securityContext: SecurityContext;
            resources: K8sResources;
            datasources: {
                defaultDatasourceEnabled: true;
                isDefaultDatasource: true;
                name: string;
                uid: string;
                url: string;
                /** Seconds (the chart writes it as the datasource's `jsonData.timeout`). */
                timeout: number;
                alertmanager: { enabled: false };
            };
        };
    };
}

/** Every input of the builders, with defaults applied. */
export interface PrometheusOperatorInput {
    name: string;
    namespace: string;
    install: boolean;
    grafana: boolean;
    grafanaDatasourceUrl: string;
    alertmanagerUrl?: string;
    monitor: string;
    resources: ResourceRequirements;
    kubeStateMetricsResources: ResourceRequirements;
    nodeExporterResources: ResourceRequirements;
    grafanaResources: ResourceRequirements;
    scrapeControlPlane: boolean;
    grafanaDatasourceTimeoutSeconds: number;
    priorityClassName: string | undefined;
    chartRepository: string;
    placement: PodPlacement | undefined;
    logging: LogSettings | undefined;
    grafanaAdmin: GrafanaAdminSettings | undefined;
}

/** The query-frontend URL Grafana uses by default. */
export function defaultGrafanaDatasourceUrl(namespace: string, queryFrontendService: string = THANOS.componentNames.queryFrontend): string {
    return `http://${serviceFqdn(queryFrontendService, namespace)}:${PORTS.thanosHttp}`;
}

/** Namespace of node-exporter. */
export function nodeExporterNamespace(namespace: string): string {
    return `${namespace}-node-exporter`;
}

/** One kind of pod the chart runs in the release namespace: the labels its pods always carry and the ports they serve. */
export interface ChartPod {
    /** Labels on every pod of this kind (chart 88.5.x templates; stable across upgrades of the chart line). */
    labels: Record<string, string>;
    /** Container ports by name. */
    ports: Array<{ name: string; port: number }>;
}

/** The chart's container ports we rely on: the Operator's TLS web port (metrics and admission webhooks), Grafana, kube-state-metrics. */
export const CHART_PORTS = { operatorHttps: 10250, grafana: 3000, kubeStateMetrics: 8080 } as const;

/**
 * The pods kube-prometheus-stack runs in the release namespace, for NetworkPolicies: the Operator, the admission-webhook
 * certificate Jobs (Helm hooks), kube-state-metrics and Grafana (node-exporter runs in its own namespace on the host
 * network, where NetworkPolicies do not apply).
 */
export function chartPods(release: string, grafana: boolean): Record<"operator" | "admissionJobs" | "crdUpgradeJob" | "kubeStateMetrics", ChartPod> & { grafana?: ChartPod } {
    return {
        operator: { labels: { app: "kube-prometheus-stack-operator", release }, ports: [{ name: "https", port: CHART_PORTS.operatorHttps }] },
        admissionJobs: { labels: { [LABELS.component]: "prometheus-operator-webhook", release }, ports: [] },
        // The chart gives this Job's pods only the labels we set (`crds.upgradeJob.podLabels`).
        crdUpgradeJob: { labels: { [LABELS.component]: "crds-upgrade", release }, ports: [] },
        kubeStateMetrics: { labels: { [LABELS.name]: "kube-state-metrics", [LABELS.instance]: release }, ports: [{ name: "http", port: CHART_PORTS.kubeStateMetrics }] },
        ...(grafana ? { grafana: { labels: { [LABELS.name]: "grafana", [LABELS.instance]: release }, ports: [{ name: "grafana", port: CHART_PORTS.grafana }] } } : {}),
    };
}

/** Applies the defaults. */
export function resolvePrometheusOperatorArgs(name: string, args: PrometheusOperatorArgs): PrometheusOperatorInput {
    const d = DEFAULTS.operator;
    return {
        name,
        namespace: args.namespace,
        install: args.install ?? d.install,
        grafana: args.grafana ?? d.grafana.enabled,
        grafanaDatasourceUrl: args.grafanaDatasourceUrl ?? defaultGrafanaDatasourceUrl(args.namespace),
        ...(args.alertmanagerUrl !== undefined ? { alertmanagerUrl: args.alertmanagerUrl } : {}),
        monitor: args.monitor ?? PROMETHEUS.defaultMonitor,
        resources: args.resources ?? d.resources,
        kubeStateMetricsResources: args.kubeStateMetricsResources ?? d.kubeStateMetricsResources,
        nodeExporterResources: args.nodeExporterResources ?? d.nodeExporterResources,
        grafanaResources: args.grafanaResources ?? d.grafana.resources,
        scrapeControlPlane: args.scrapeControlPlane ?? d.scrapeControlPlane,
        grafanaDatasourceTimeoutSeconds: args.grafanaDatasourceTimeoutSeconds ?? d.grafana.datasourceTimeoutSeconds,
        priorityClassName: args.priorityClassName,
        chartRepository: args.chartRepository ?? CHARTS.kubePrometheusStack.repo,
        placement: args.placement,
        logging: args.logging,
        grafanaAdmin: args.grafanaAdmin,
    };
}

/** Problems with the resolved arguments. */
export function prometheusOperatorProblems(i: PrometheusOperatorInput): string[] {
    const problems: string[] = [];
    if (!/^https?:\/\/\S+$/.test(i.grafanaDatasourceUrl)) problems.push(`grafanaDatasourceUrl: must be an http(s) URL, got ${JSON.stringify(i.grafanaDatasourceUrl)}`);
    if (i.alertmanagerUrl !== undefined && !/^https?:\/\/\S+$/.test(i.alertmanagerUrl)) problems.push(`alertmanagerUrl: must be an http(s) URL, got ${JSON.stringify(i.alertmanagerUrl)}`);
    if (!Number.isInteger(i.grafanaDatasourceTimeoutSeconds) || i.grafanaDatasourceTimeoutSeconds < 1) {
        problems.push(`grafanaDatasourceTimeoutSeconds: must be an integer >= 1, got ${JSON.stringify(i.grafanaDatasourceTimeoutSeconds)}`);
    }
    if (!/^(https?|oci):\/\/\S+$/.test(i.chartRepository)) problems.push(`chartRepository: must be an http(s) or oci:// URL of a Helm repository, got ${JSON.stringify(i.chartRepository)}`);
    problems.push(...placementProblems(i.placement), ...loggingProblems(i.logging));
    if (i.grafanaAdmin !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(i.grafanaAdmin.existingSecret)) {
        problems.push(`grafanaAdmin.existingSecret: must be a Secret name (a DNS subdomain), got ${JSON.stringify(i.grafanaAdmin.existingSecret)}`);
    }
    return problems;
}

/** The chart's control-plane scrapes and their rule groups, all on or all off. */
function controlPlaneSwitches(on: boolean): { scrapes: Pick<KubePrometheusStackValues, "kubeEtcd" | "kubeControllerManager" | "kubeScheduler" | "kubeProxy">; rules: Record<string, boolean> } {
    return {
        scrapes: { kubeEtcd: { enabled: on }, kubeControllerManager: { enabled: on }, kubeScheduler: { enabled: on }, kubeProxy: { enabled: on } },
        rules: Object.fromEntries(CONTROL_PLANE_VALUES.rules.map((r) => [r, on])),
    };
}

/** The grafana chart's `admin` values for an existing Secret. */
function grafanaAdminSecretValues(admin: GrafanaAdminSettings): { existingSecret: string; userKey: string; passwordKey: string } {
    const { name, userKey, passwordKey } = grafanaAdminSecret("", admin);
    return { existingSecret: name, userKey, passwordKey };
}

/** The chart values (pure). */
export function buildKubePrometheusStackValues(i: PrometheusOperatorInput): KubePrometheusStackValues {
    const monitor = monitorLabels(i.monitor);
    const sc = containerSecurityContext();
    // Every pod but node-exporter's (it runs on every node, whatever the stack's pods select and tolerate).
    const { imagePullSecrets: _pullSecrets, ...scheduling } = placementFields(i.placement);
    const priority = { ...podPriority(i.priorityClassName), ...scheduling };
    const mirror = i.placement?.imageRegistry;
    const pullSecrets = pullSecretRefs(i.placement?.imagePullSecrets);
    const global = { ...(mirror !== undefined ? { imageRegistry: mirror } : {}), ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets } : {}) };
    return {
        ...(Object.keys(global).length > 0 ? { global } : {}),
        fullnameOverride: i.name,
        commonLabels: monitor,
        crds: {
            enabled: true,
            upgradeJob: {
                enabled: true,
                // Take the CRDs over from whoever applied them (Helm on first install), or a changed schema is not applied.
                forceConflicts: true,
                image: {
                    busybox: { registry: mirror ?? "docker.io", repository: "busybox", tag: VERSIONS.crdUpgradeBusybox },
                    kubectl: { registry: mirror ?? "registry.k8s.io", repository: "kubectl", tag: VERSIONS.crdUpgradeKubectl },
                },
                resources: containerResources(DEFAULTS.operator.crdUpgradeResources),
                podLabels: chartPods(i.name, false).crdUpgradeJob.labels,
                podSecurityContext: podSecurityContext(),
                containerSecurityContext: sc,
                ...scheduling,
            },
        },
        prometheus: { enabled: false },
        alertmanager: { enabled: false },
        thanosRuler: { enabled: false },
        // The chart's Prometheus, Alertmanager and config-reloader alerts select the chart's own job names: ours
        // (components/monitoring/platformRules.ts) replace them.
        defaultRules: { create: true, labels: ruleLabels("global", i.monitor), rules: { alertmanager: false, prometheus: false, configReloaders: false, ...controlPlaneSwitches(i.scrapeControlPlane).rules } },
        ...controlPlaneSwitches(i.scrapeControlPlane).scrapes,
        prometheusOperator: {
            enabled: true,
            securityContext: podSecurityContext(),
            containerSecurityContext: sc,
            resources: containerResources(i.resources),
            ...priority,
            ...(i.logging?.level !== undefined ? { logLevel: i.logging.level } : {}),
            ...(i.logging?.format !== undefined ? { logFormat: i.logging.format } : {}),
            admissionWebhooks: {
                enabled: true,
                patch: { securityContext: podSecurityContext(), resources: containerResources(i.resources), ...priority },
                createSecretJob: { securityContext: sc },
                patchWebhookJob: { securityContext: sc },
            },
        },
        kubeStateMetrics: { enabled: true },
        "kube-state-metrics": {
            securityContext: { enabled: true, ...podSecurityContext() },
            containerSecurityContext: sc,
            resources: containerResources(i.kubeStateMetricsResources),
            ...priority,
            prometheus: { monitor: { additionalLabels: monitor } },
        },
        nodeExporter: { enabled: true },
        "prometheus-node-exporter": {
            namespaceOverride: nodeExporterNamespace(i.namespace),
            containerSecurityContext: sc,
            resources: containerResources(i.nodeExporterResources),
            ...podPriority(i.priorityClassName),
            prometheus: { monitor: { additionalLabels: monitor } },
        },
        grafana: {
            enabled: i.grafana,
            adminPassword: "",
            ...(i.grafanaAdmin !== undefined ? { admin: grafanaAdminSecretValues(i.grafanaAdmin) } : {}),
            securityContext: podSecurityContext(),
            containerSecurityContext: sc,
            resources: containerResources(i.grafanaResources),
            ...priority,
            // The chart's chown init container runs as root: never (fsGroup owns the volume instead).
            initChownData: { enabled: false },
            // Scratch space on the read-only root filesystem (Grafana's data dir is the chart's own volume).
            extraEmptyDirMounts: [{ name: "tmp", mountPath: "/tmp" }],
            serviceMonitor: { labels: monitor },
            additionalDataSources: i.alertmanagerUrl
                ? [{ name: "Alertmanager", type: "alertmanager", uid: "alertmanager", url: i.alertmanagerUrl, access: "proxy", jsonData: { implementation: "prometheus" } }]
                : [],
            sidecar: {
                securityContext: sc,
                resources: containerResources(DEFAULTS.operator.grafana.sidecarResources),
                datasources: {
                    defaultDatasourceEnabled: true,
                    isDefaultDatasource: true,
                    name: "Thanos",
                    uid: "thanos",
                    url: i.grafanaDatasourceUrl,
                    timeout: i.grafanaDatasourceTimeoutSeconds,
                    alertmanager: { enabled: false },
                },
            },
        },
    };
}

/** The node-exporter namespace: Pod Security `privileged` (host network, PID and paths). */
export function buildNodeExporterNamespace(i: PrometheusOperatorInput): NamespaceObject {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: objectMeta({
            name: nodeExporterNamespace(i.namespace),
            component: "node-exporter",
            instance: i.name,
            labels: { [LABELS.podSecurityEnforce]: NODE_EXPORTER_POD_SECURITY, [LABELS.podSecurityWarn]: NODE_EXPORTER_POD_SECURITY },
            annotations: {
                [LABELS.podSecurityException]: "node-exporter reads host metrics: it needs the host network and PID namespaces and hostPath mounts; nothing else runs here",
            },
        }),
    };
}

/** The Prometheus Operator and the cluster exporters, from kube-prometheus-stack. */
export class PrometheusOperator extends pulumi.ComponentResource {
    /** The Helm release (absent with `install: false`). */
    public readonly release?: Release;
    /** Whether the chart is installed by this component. */
    public readonly installed: boolean;
    /** Grafana's default datasource URL. */
    public readonly grafanaDatasourceUrl: string;

    constructor(name: string, args: PrometheusOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:PrometheusOperator", name, {}, opts);
        const input = resolvePrometheusOperatorArgs(name, args);
        const problems = prometheusOperatorProblems(input);
        refuseProblems("PrometheusOperator", problems);
        this.installed = input.install;
        this.grafanaDatasourceUrl = input.grafanaDatasourceUrl;
        if (input.install) {
            const child = childOptions(this, opts);
            const nodeExporterNs = new Namespace(`${name}-node-exporter-namespace`, buildNodeExporterNamespace(input), child);
            this.release = new Release(
                `${name}-release`,
                {
                    name,
                    chart: CHARTS.kubePrometheusStack.chart,
                    version: CHARTS.kubePrometheusStack.version,
                    repositoryOpts: { repo: input.chartRepository },
                    namespace: input.namespace,
                    createNamespace: false,
                    skipCrds: false,
                    atomic: true,
                    cleanupOnFail: true,
                    timeout: 600,
                    values: buildKubePrometheusStackValues(input),
                },
                withDependencies(child, [nodeExporterNs]),
            );
        }
        this.registerOutputs({ installed: this.installed, grafanaDatasourceUrl: this.grafanaDatasourceUrl });
    }
}
