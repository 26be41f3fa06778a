/**
 * ShardedPrometheus, Alertmanager, Pushgateway and PrometheusOperator: the objects they emit (pure builders and
 * captured resources), their validation, and the Operator CRD schemas with unknown fields rejected.
 */
import { describe, expect, it } from "vitest";
import type { Container } from "kubernetes-types/core/v1";
import { IMAGES, LABELS, PORTS, PROMETHEUS, VERSIONS } from "../components/constants";
import { DEFAULTS } from "../components/defaults";
import { OBJSTORE_SECRET_KEY } from "../components/lib/contracts";
import {
    buildPrometheus,
    buildShardPdbs,
    buildSidecarService,
    resolveShardedPrometheusArgs,
    ShardedPrometheus,
    ShardedPrometheusArgs,
    shardedPrometheusProblems,
} from "../components/prometheus/shardedPrometheus";
import { Alertmanager, alertmanagerSrvAddress, buildAlertmanager, buildAlertmanagerConfig, buildAlertmanagerService, resolveAlertmanagerArgs } from "../components/prometheus/alertmanager";
import { buildPushgatewayDeployment, buildPushgatewayServiceMonitor, Pushgateway, resolvePushgatewayArgs } from "../components/prometheus/pushgateway";
import { buildKubePrometheusStackValues, nodeExporterNamespace, PrometheusOperator, resolvePrometheusOperatorArgs } from "../components/prometheus/prometheusOperator";
import { captureComponent, find, ofType } from "./support/harness";
import { crdProblems } from "./support/crdSchema";

const base: ShardedPrometheusArgs = {
    namespace: "monitoring",
    clusterName: "eks-prod",
    environment: "prod",
    objstoreSecret: { name: "thanos-objstore", key: OBJSTORE_SECRET_KEY },
    shards: 4,
    replicas: 2,
    retention: "48h",
    storage: { size: "100Gi", storageClass: "gp3" },
};

const input = (over: Partial<ShardedPrometheusArgs> = {}) => resolveShardedPrometheusArgs("prom", { ...base, ...over });

function container(containers: Container[], name: string): Container {
    const c = containers.find((x) => x.name === name);
    if (!c) throw new Error(`no container ${name}`);
    return c;
}

describe("ShardedPrometheus: the Prometheus resource", () => {
    const prom = buildPrometheus(input());
    const spec = prom.spec;

    it("runs shards x replicas of the pinned Prometheus", () => {
        expect(prom.apiVersion).toBe("monitoring.coreos.com/v1");
        expect(prom.kind).toBe("Prometheus");
        expect(spec.shards).toBe(4);
        expect(spec.replicas).toBe(2);
        expect(spec.version).toBe(VERSIONS.prometheus);
        expect(spec.image).toBe(IMAGES.prometheus);
        expect(VERSIONS.prometheus).toMatch(/^v3\.13\.\d+$/);
    });

    it("uploads with the Thanos sidecar using the objstore Secret", () => {
        expect(spec.thanos.image).toBe(IMAGES.thanos);
        expect(spec.thanos.objectStorageConfig).toEqual({ name: "thanos-objstore", key: OBJSTORE_SECRET_KEY });
        expect(spec.thanos.resources.limits?.["memory"]).toBe(DEFAULTS.prometheus.sidecarResources.limits.memory);
    });

    it("disables local compaction by default; delayed compaction only as an opt-in", () => {
        expect(spec.disableCompaction).toBe(true);
        const delayed = buildPrometheus(input({ compaction: "delayed" })).spec;
        expect(delayed.disableCompaction).toBeUndefined();
    });

    it("keeps retention, a volume per pod and WAL compression", () => {
        expect(spec.retention).toBe("48h");
        expect(spec.walCompression).toBe(true);
        expect(spec.storage.volumeClaimTemplate.spec).toEqual({ accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: "100Gi" } } });
    });

    it("sets cluster, environment and per-shard external labels and the replica label", () => {
        // The shard label is the Operator's $(SHARD) placeholder, filled in per pod by its config reloader.
        expect(spec.externalLabels).toEqual({ cluster: "eks-prod", environment: "prod", prometheus_shard: "$(SHARD)" });
        expect(spec.replicaExternalLabelName).toBe("prometheus_replica");
        const extra = buildPrometheus(input({ externalLabels: { region: "eu-west-1" } })).spec.externalLabels;
        expect(extra).toEqual({ cluster: "eks-prod", environment: "prod", prometheus_shard: "$(SHARD)", region: "eu-west-1" });
    });

    it("retains the pods of shards removed by a scale-down (their data stays queryable and is uploaded)", () => {
        expect(spec.shardRetentionPolicy).toEqual({ whenScaled: "Retain" });
    });

    it("refuses extra external labels that would override the ones it sets", () => {
        for (const label of ["cluster", "environment", "prometheus_replica", "prometheus_shard", "prometheus"]) {
            expect(shardedPrometheusProblems(input({ externalLabels: { [label]: "x" } })).join("\n"), label).toMatch(new RegExp(label));
        }
    });

    it("selects monitors across namespaces by the monitor label, and only shard-scope rules", () => {
        const monitor = { [LABELS.monitor]: PROMETHEUS.defaultMonitor };
        for (const key of ["serviceMonitor", "podMonitor", "probe"] as const) {
            expect(spec[`${key}Selector`]).toEqual({ matchLabels: monitor });
            expect(spec[`${key}NamespaceSelector`]).toEqual({});
        }
        expect(spec.ruleSelector).toEqual({ matchLabels: { ...monitor, [LABELS.ruleScope]: "shard" } });
        expect(spec.ruleNamespaceSelector).toEqual({});
    });

    it("meets the pod baseline through the CR's fields", () => {
        expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } });
        for (const c of [...spec.containers, ...spec.initContainers]) {
            expect(c.securityContext, c.name).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        }
        expect(spec.containers.map((c) => c.name).sort()).toEqual(["config-reloader", "prometheus", "thanos-sidecar"]);
        expect(spec.resources.limits?.["memory"]).toBe(DEFAULTS.prometheus.resources.limits.memory);
        expect(spec.resources.requests?.["cpu"]).toBe(DEFAULTS.prometheus.resources.requests.cpu);
    });

    it("gives the thanos-sidecar readiness and liveness probes and GOMEMLIMIT", () => {
        const sidecar = container(spec.containers, "thanos-sidecar");
        expect(sidecar.readinessProbe?.httpGet).toMatchObject({ path: "/-/ready", port: "http" });
        expect(sidecar.livenessProbe?.httpGet).toMatchObject({ path: "/-/healthy", port: "http" });
        expect(sidecar.env).toEqual([{ name: "GOMEMLIMIT", value: String(Math.floor(512 * 1024 * 1024 * 0.9)) }]);
    });

    it("spreads each shard's replicas across zones and nodes", () => {
        const keys = spec.topologySpreadConstraints.map((c) => c.topologyKey);
        expect(keys).toEqual(["topology.kubernetes.io/zone", "kubernetes.io/hostname"]);
        for (const c of spec.topologySpreadConstraints) {
            expect(c.additionalLabelSelectors).toBe("OnShard");
            expect(c.labelSelector?.matchLabels).toEqual({ [PROMETHEUS.operatorNameLabel]: "prom" });
        }
    });

    it("sends shard-scope alerts to Alertmanager with API v2", () => {
        const withAm = buildPrometheus(input({ alertmanager: { namespace: "monitoring", serviceName: "am" } })).spec;
        expect(withAm.alerting).toEqual({ alertmanagers: [{ namespace: "monitoring", name: "am", port: "web", apiVersion: "v2" }] });
        expect(spec.alerting).toBeUndefined();
    });

    it("passes remoteWrite through, typed", () => {
        const rw = [{ url: "https://aps.example.com/api/v1/remote_write", name: "amp", sigv4: { region: "eu-west-1" }, writeRelabelConfigs: [{ sourceLabels: ["__name__"], regex: "up", action: "keep" as const }] }];
        expect(buildPrometheus(input({ remoteWrite: rw })).spec.remoteWrite).toEqual(rw);
        expect(spec.remoteWrite).toBeUndefined();
    });
});

describe("ShardedPrometheus: headless Service, PDBs and store endpoints", () => {
    it("exposes every sidecar's gRPC StoreAPI under one headless Service", () => {
        const svc = buildSidecarService(input());
        expect(svc.spec?.clusterIP).toBe("None");
        expect(svc.spec?.selector).toEqual({ [PROMETHEUS.operatorNameLabel]: "prom" });
        expect(svc.spec?.ports).toEqual(
            expect.arrayContaining([
                expect.objectContaining({ name: "grpc", port: PORTS.thanosGrpc, targetPort: "grpc" }),
                expect.objectContaining({ name: "http", port: PORTS.thanosHttp, targetPort: "http" }),
            ]),
        );
    });

    it("has a PodDisruptionBudget per shard selecting that shard's pods", () => {
        const pdbs = buildShardPdbs(input());
        expect(pdbs).toHaveLength(4);
        pdbs.forEach((pdb, shard) => {
            expect(pdb.spec?.maxUnavailable).toBe(1);
            expect(pdb.spec?.selector?.matchLabels).toEqual({ [PROMETHEUS.operatorNameLabel]: "prom", [PROMETHEUS.operatorShardLabel]: String(shard) });
        });
    });

    it("creates its own ServiceAccount and discovery RBAC when none is given", async () => {
        const resources = await captureComponent((p) => {
            const c = new ShardedPrometheus("prom", base, { providers: { kubernetes: p.kubernetes } });
            expect(c.storeEndpoints).toEqual([{ address: "dnssrv+_grpc._tcp.prom-sidecar.monitoring.svc.cluster.local", group: false, description: expect.any(String) }]);
            expect(c.replicaLabel).toBe("prometheus_replica");
        });
        const sa = find(resources, "kubernetes:core/v1:ServiceAccount");
        expect(sa.inputs["metadata"]).toMatchObject({ name: "prom", namespace: "monitoring" });
        const role = find(resources, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole");
        const rules = role.inputs["rules"] as Array<{ resources?: string[]; verbs: string[] }>;
        expect(rules.flatMap((r) => r.resources ?? [])).toEqual(expect.arrayContaining(["pods", "services", "endpoints", "endpointslices", "nodes"]));
        expect(rules.flatMap((r) => r.verbs)).not.toContain("create");
        const binding = find(resources, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding");
        expect(binding.inputs["subjects"]).toEqual([{ kind: "ServiceAccount", name: "prom", namespace: "monitoring" }]);
        expect(ofType(resources, "kubernetes:policy/v1:PodDisruptionBudget")).toHaveLength(4);
        const cr = find(resources, "kubernetes:monitoring.coreos.com/v1:Prometheus");
        expect(cr.options.dependsOn).toEqual(expect.arrayContaining(["kubernetes:core/v1:ServiceAccount::prom-serviceaccount"]));
    });

    it("uses the given ServiceAccount (the bucket identity) and creates none", async () => {
        const resources = await captureComponent((p) => {
            new ShardedPrometheus("prom", { ...base, serviceAccountName: "thanos-prometheus" }, { providers: { kubernetes: p.kubernetes } });
        });
        expect(ofType(resources, "kubernetes:core/v1:ServiceAccount")).toHaveLength(0);
        const cr = find(resources, "kubernetes:monitoring.coreos.com/v1:Prometheus");
        expect((cr.inputs["spec"] as { serviceAccountName: string }).serviceAccountName).toBe("thanos-prometheus");
    });
});

describe("ShardedPrometheus: argument validation", () => {
    it.each([
        [{ shards: 0 }, "shards: must be an integer >= 1, got 0"],
        [{ replicas: 0 }, "replicas: must be an integer >= 1, got 0"],
        [{ retention: "2h" }, 'retention: must be at least 6h (three 2h blocks, so the sidecar uploads each before it is deleted), got "2h"'],
        [{ retention: "forever" }, 'retention: must be a Prometheus duration like 24h, got "forever"'],
        [{ externalLabels: { cluster: "x" } }, 'externalLabels.cluster: is set by the stack itself and may not be overridden, got "x"'],
    ])("%j is refused", (over, message) => {
        expect(shardedPrometheusProblems(input(over as Partial<ShardedPrometheusArgs>))).toContain(message);
    });

    it("throws a RunError naming the argument before creating any child", async () => {
        let children = -1;
        await expect(
            captureComponent((p) => {
                new ShardedPrometheus("prom", { ...base, shards: 0, retention: "2h" }, { providers: { kubernetes: p.kubernetes } });
            }).then((r) => (children = r.length)),
        ).rejects.toThrow(/ShardedPrometheus shards: must be an integer >= 1, got 0\nShardedPrometheus retention: must be at least 6h/);
        expect(children).toBe(-1);
    });
});

describe("Alertmanager", () => {
    const am = resolveAlertmanagerArgs("am", {
        namespace: "monitoring",
        replicas: 3,
        receivers: [{ name: "oncall", pagerduty: [{ routingKey: "pd-key" }] }, { name: "chat", slack: [{ apiUrl: "https://hooks.slack.com/x", channel: "#alerts" }] }],
        route: { receiver: "chat", routes: [{ receiver: "oncall", matchers: ['severity="critical"'] }] },
    });

    it("runs the configured replicas, spread over zones, with the baseline", () => {
        const obj = buildAlertmanager(am);
        expect(obj.spec.replicas).toBe(3);
        expect(obj.spec.image).toBe(IMAGES.alertmanager);
        expect(obj.spec.topologySpreadConstraints[0]?.topologyKey).toBe("topology.kubernetes.io/zone");
        expect(obj.spec.automountServiceAccountToken).toBe(false);
        expect(obj.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
        expect(obj.spec.configSecret).toBe("am-config");
    });

    it("is reachable through a headless Service listing every replica (API v2 on web)", () => {
        const svc = buildAlertmanagerService(am);
        expect(svc.spec?.clusterIP).toBe("None");
        expect(svc.spec?.selector).toEqual({ alertmanager: "am" });
        expect(svc.spec?.ports?.[0]).toMatchObject({ name: "web", port: PORTS.alertmanagerHttp });
        expect(alertmanagerSrvAddress("am", "monitoring")).toBe("dnssrv+_web._tcp.am.monitoring.svc.cluster.local");
    });

    it("writes receivers and routes in Alertmanager's format", () => {
        const cfg = buildAlertmanagerConfig([{ name: "oncall", pagerduty: [{ routingKey: "k" }] }], { ...am.route, receiver: "oncall", routes: [] });
        expect(cfg).toMatchObject({ route: { receiver: "oncall", group_by: ["alertname", "cluster", "namespace"] }, receivers: [{ name: "oncall", pagerduty_configs: [{ routing_key: "k", send_resolved: true }] }] });
    });

    it("keeps the configuration (with its secret parts) in a Pulumi secret", async () => {
        const resources = await captureComponent((p) => {
            new Alertmanager("am", { namespace: "monitoring", receivers: [{ name: "chat", slack: [{ apiUrl: "https://hooks.slack.com/x" }] }] }, { providers: { kubernetes: p.kubernetes } });
        });
        const secret = find(resources, "kubernetes:core/v1:Secret");
        expect(secret.inputs["stringData"]).toBe("[secret]");
        const shown = await captureComponent(
            (p) => {
                new Alertmanager("am", { namespace: "monitoring", receivers: [{ name: "chat", slack: [{ apiUrl: "https://hooks.slack.com/x" }] }] }, { providers: { kubernetes: p.kubernetes } });
            },
            { showSecrets: true },
        );
        const yaml = (find(shown, "kubernetes:core/v1:Secret").inputs["stringData"] as Record<string, string>)[PROMETHEUS.alertmanagerConfigKey];
        expect(yaml).toContain("api_url: https://hooks.slack.com/x");
        expect(ofType(resources, "kubernetes:policy/v1:PodDisruptionBudget")).toHaveLength(1);
    });

    it("refuses a route to an unknown receiver", async () => {
        await expect(
            captureComponent((p) => {
                new Alertmanager("bad", { namespace: "m", receivers: [{ name: "a" }], route: { receiver: "b" } }, { providers: { kubernetes: p.kubernetes } });
            }),
        ).rejects.toThrow(/route\.receiver: must name a configured receiver \(a\), got "b"/);
    });
});

describe("Pushgateway", () => {
    const i = resolvePushgatewayArgs("pgw", { namespace: "monitoring" });

    it("runs exactly one replica with Recreate, admin API off, probes and the baseline", () => {
        const d = buildPushgatewayDeployment(i);
        expect(d.spec?.replicas).toBe(1);
        expect(d.spec?.strategy).toEqual({ type: "Recreate" });
        const pod = d.spec?.template.spec;
        const c = pod?.containers[0];
        expect(c?.args?.some((a) => a.includes("admin-api") || a.includes("lifecycle"))).toBe(false);
        expect(c?.readinessProbe?.httpGet?.path).toBe("/-/ready");
        expect(c?.livenessProbe?.httpGet?.path).toBe("/-/healthy");
        expect(c?.imagePullPolicy).toBe("IfNotPresent");
        expect(c?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
        expect(pod?.automountServiceAccountToken).toBe(false);
        expect(pod?.securityContext?.runAsNonRoot).toBe(true);
    });

    it("keeps pushed labels: honorLabels true", () => {
        expect(buildPushgatewayServiceMonitor(i).spec.endpoints).toEqual([{ port: "http", honorLabels: true }]);
    });

    it("persists the cache on a volume when asked", async () => {
        const persisted = resolvePushgatewayArgs("pgw", { namespace: "monitoring", persistence: { enabled: true, size: "1Gi" } });
        expect(buildPushgatewayDeployment(persisted).spec?.template.spec?.containers[0]?.args).toContain("--persistence.file=/data/pushgateway.db");
        const resources = await captureComponent((p) => {
            new Pushgateway("pgw", { namespace: "monitoring", persistence: { enabled: true } }, { providers: { kubernetes: p.kubernetes } });
        });
        expect(ofType(resources, "kubernetes:core/v1:PersistentVolumeClaim")).toHaveLength(1);
        expect(ofType(resources, "kubernetes:policy/v1:PodDisruptionBudget")).toHaveLength(0);
    });
});

describe("PrometheusOperator (kube-prometheus-stack)", () => {
    const i = resolvePrometheusOperatorArgs("kps", { namespace: "monitoring", grafanaDatasourceUrl: "http://thanos-query-frontend.monitoring.svc.cluster.local:10902" });
    const values = buildKubePrometheusStackValues(i);

    it("disables the chart's Prometheus, Alertmanager and ruler", () => {
        expect(values.prometheus.enabled).toBe(false);
        expect(values.alertmanager.enabled).toBe(false);
        expect(values.thanosRuler.enabled).toBe(false);
        expect(values.crds.enabled).toBe(true);
    });

    it("labels the chart's monitors for our Prometheus and its rules for the ruler", () => {
        const monitor = { [LABELS.monitor]: PROMETHEUS.defaultMonitor };
        expect(values.commonLabels).toEqual(monitor);
        expect(values["kube-state-metrics"].prometheus.monitor.additionalLabels).toEqual(monitor);
        expect(values["prometheus-node-exporter"].prometheus.monitor.additionalLabels).toEqual(monitor);
        expect(values.grafana.serviceMonitor.labels).toEqual(monitor);
        expect(values.defaultRules.labels).toEqual({ ...monitor, [LABELS.ruleScope]: "global" });
    });

    it("points Grafana's default datasource at the query-frontend", () => {
        expect(values.grafana.sidecar.datasources).toMatchObject({ url: "http://thanos-query-frontend.monitoring.svc.cluster.local:10902", isDefaultDatasource: true });
    });

    it("sets the security baseline through values; node-exporter in its own privileged namespace", () => {
        for (const sc of [values.prometheusOperator.securityContext, values["kube-state-metrics"].securityContext, values.grafana.securityContext]) {
            expect(sc).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        }
        expect(values.grafana.initChownData.enabled).toBe(false);
        expect(values["prometheus-node-exporter"].namespaceOverride).toBe(nodeExporterNamespace("monitoring"));
    });

    it("installs the pinned chart as a Helm release, or nothing with install: false", async () => {
        const resources = await captureComponent((p) => {
            new PrometheusOperator("kps", { namespace: "monitoring" }, { providers: { kubernetes: p.kubernetes } });
        });
        const release = find(resources, "kubernetes:helm.sh/v3:Release");
        expect(release.inputs).toMatchObject({ chart: "kube-prometheus-stack", version: VERSIONS.kubePrometheusStackChart, namespace: "monitoring" });
        expect(VERSIONS.kubePrometheusStackChart).toMatch(/^88\.5\.\d+$/);
        const ns = find(resources, "kubernetes:core/v1:Namespace");
        expect((ns.inputs["metadata"] as { labels: Record<string, string> }).labels[LABELS.podSecurityEnforce]).toBe("privileged");
        const none = await captureComponent((p) => {
            new PrometheusOperator("kps", { namespace: "monitoring", install: false }, { providers: { kubernetes: p.kubernetes } });
        });
        expect(none.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))).toHaveLength(0);
    });
});

describe("Operator CRD schemas, unknown fields rejected", () => {
    it("the strictness pass rejects a field the schema does not know", async () => {
        const prom = buildPrometheus(input()) as unknown as { spec: Record<string, unknown> };
        const bad = { ...prom, spec: { ...prom.spec, disableCompation: true, thanos: { ...(prom.spec["thanos"] as object), objstoreConfig: {} } } };
        const problems = await crdProblems(bad);
        expect(problems).toEqual(expect.arrayContaining([expect.stringContaining('/spec/disableCompation: unknown field'), expect.stringContaining("/spec/thanos/objstoreConfig: unknown field")]));
        expect(await crdProblems({ ...prom, spec: { ...prom.spec, shards: "four" } })).toEqual([expect.stringContaining("/spec/shards: type")]);
    });

    it("the Prometheus resource validates (every option on)", async () => {
        const full = buildPrometheus(
            input({
                compaction: "disabled",
                externalLabels: { region: "eu-west-1" },
                alertmanager: { namespace: "monitoring", serviceName: "am" },
                remoteWrite: [
                    {
                        url: "https://x.example.com/write",
                        name: "x",
                        remoteTimeout: "30s",
                        headers: { "X-Scope-OrgID": "a" },
                        basicAuth: { username: { name: "s", key: "u" }, password: { name: "s", key: "p" } },
                        queueConfig: { maxShards: 10 },
                        writeRelabelConfigs: [{ sourceLabels: ["__name__"], regex: "up", action: "keep" }],
                    },
                ],
            }),
        );
        expect(await crdProblems(full)).toEqual([]);
    });

    it("the Alertmanager resource validates", async () => {
        expect(await crdProblems(buildAlertmanager(resolveAlertmanagerArgs("am", { namespace: "monitoring", storage: { storageClass: "gp3" } })))).toEqual([]);
    });

    it("the Pushgateway ServiceMonitor validates", async () => {
        expect(await crdProblems(buildPushgatewayServiceMonitor(resolvePushgatewayArgs("pgw", { namespace: "monitoring" })))).toEqual([]);
    });
});
