/**
 * A team's program next to the shared stack, as the end-to-end tests deploy it with the real engine: scrape
 * targets with known series (e2e/programs/exporter) selected by a ServiceMonitor and a PodMonitor, a `global` rule
 * group (an alert and a recording rule over every shard) and a `shard` recording rule, all through the
 * thanos-stack team helpers; and, in another namespace, the webhook receiver the stack's Alertmanager delivers to.
 */
import { Provider } from "@pulumi/kubernetes/provider";
import { Namespace, Service } from "@pulumi/kubernetes/core/v1";
import { Deployment } from "@pulumi/kubernetes/apps/v1";
import { PodMonitor, PrometheusRule, ServiceMonitor } from "../../components";
import { E2E_TEAM } from "./team";

const kubernetes = new Provider("team-cluster", {}); // the KUBECONFIG the tests run with
/** Options of plain resources and of the team helpers (components), both on the explicit provider. */
const opts = { provider: kubernetes };
const helperOpts = { providers: { kubernetes } };

const restricted = { "pod-security.kubernetes.io/enforce": "restricted" };
const team = new Namespace("team", { metadata: { name: E2E_TEAM.namespace, labels: restricted } }, opts);
const receiverNs = new Namespace("receiver", { metadata: { name: E2E_TEAM.receiverNamespace, labels: restricted } }, opts);

/** A restricted-compliant pod template for one of the bench's own programs. */
function template(app: string, image: string, args: string[]) {
    return {
        metadata: { labels: { app } },
        spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
                {
                    name: app,
                    image,
                    imagePullPolicy: "IfNotPresent",
                    args,
                    env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
                    ports: [{ name: "metrics", containerPort: 8080 }],
                    readinessProbe: { httpGet: { path: "/-/healthy", port: "metrics" }, periodSeconds: 5 },
                    resources: { requests: { cpu: "2m", memory: "8Mi" }, limits: { memory: "32Mi" } },
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                },
            ],
        },
    };
}

for (const target of [E2E_TEAM.serviceTargets, E2E_TEAM.podTargets]) {
    new Deployment(
        target.app,
        {
            metadata: { name: target.app, namespace: E2E_TEAM.namespace },
            spec: { replicas: target.replicas, selector: { matchLabels: { app: target.app } }, template: template(target.app, E2E_TEAM.exporterImage, ["-series", String(E2E_TEAM.seriesPerTarget)]) },
        },
        { ...opts, dependsOn: [team] },
    );
}
new Service(
    E2E_TEAM.serviceTargets.app,
    { metadata: { name: E2E_TEAM.serviceTargets.app, namespace: E2E_TEAM.namespace, labels: { app: E2E_TEAM.serviceTargets.app } }, spec: { selector: { app: E2E_TEAM.serviceTargets.app }, ports: [{ name: "metrics", port: 8080, targetPort: "metrics" }] } },
    { ...opts, dependsOn: [team] },
);

new ServiceMonitor(E2E_TEAM.serviceTargets.app, { namespace: E2E_TEAM.namespace, selector: { matchLabels: { app: E2E_TEAM.serviceTargets.app } }, endpoints: [{ port: "metrics", interval: "15s" }] }, { ...helperOpts, dependsOn: [team] });
new PodMonitor(E2E_TEAM.podTargets.app, { namespace: E2E_TEAM.namespace, selector: { matchLabels: { app: E2E_TEAM.podTargets.app } }, podMetricsEndpoints: [{ port: "metrics", interval: "15s" }] }, { ...helperOpts, dependsOn: [team] });

new PrometheusRule(
    "e2e-global",
    {
        namespace: E2E_TEAM.namespace,
        scope: "global",
        groups: [
            {
                name: "e2e.global",
                interval: "15s",
                rules: [
                    { alert: E2E_TEAM.alert, expr: "sum(e2e_test_value) > 0", labels: { severity: "e2e" }, annotations: { summary: "The e2e exporters serve samples (always firing)." } },
                    { record: E2E_TEAM.globalRecord, expr: "sum(e2e_test_value)" },
                ],
            },
        ],
    },
    { ...helperOpts, dependsOn: [team] },
);
new PrometheusRule(
    "e2e-shard",
    { namespace: E2E_TEAM.namespace, scope: "shard", groups: [{ name: "e2e.shard", interval: "15s", rules: [{ record: E2E_TEAM.shardRecord, expr: "sum by (job) (e2e_test_value)" }] }] },
    { ...helperOpts, dependsOn: [team] },
);

new Deployment(
    "webhook",
    {
        metadata: { name: E2E_TEAM.webhook, namespace: E2E_TEAM.receiverNamespace },
        spec: { replicas: 1, selector: { matchLabels: { app: E2E_TEAM.webhook } }, template: template(E2E_TEAM.webhook, E2E_TEAM.webhookImage, []) },
    },
    { ...opts, dependsOn: [receiverNs] },
);
new Service(
    "webhook",
    { metadata: { name: E2E_TEAM.webhook, namespace: E2E_TEAM.receiverNamespace }, spec: { selector: { app: E2E_TEAM.webhook }, ports: [{ name: "http", port: E2E_TEAM.webhookPort, targetPort: "metrics" }] } },
    { ...opts, dependsOn: [receiverNs] },
);
