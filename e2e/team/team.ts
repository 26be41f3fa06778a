/** What the e2e team program deploys, shared with the scenarios that check it. */
import { BENCH_IMAGES } from "../images/refs";

export const E2E_TEAM = {
    namespace: "e2e-team",
    receiverNamespace: "e2e-receiver",
    exporterImage: BENCH_IMAGES.exporter,
    webhookImage: BENCH_IMAGES.webhook,
    /** Targets behind a Service (ServiceMonitor) and bare pods (PodMonitor); enough that both shards get some. */
    serviceTargets: { app: "svc-exporter", replicas: 5 },
    podTargets: { app: "pod-exporter", replicas: 5 },
    /** `e2e_test_value{series="0".."n-1"}` per target, value = index. */
    seriesPerTarget: 10,
    alert: "E2ESamplesPresent",
    globalRecord: "e2e:test_value:sum",
    shardRecord: "job:e2e_test_value:sum",
    webhook: "e2e-webhook",
    /** Not 443: Alertmanager must reach the receiver's own port. */
    webhookPort: 8080,
} as const;

/** The receiver URL the e2e stack's Alertmanager is configured with (stacks/Pulumi.e2e.yaml). */
export const WEBHOOK_URL = `http://${E2E_TEAM.webhook}.${E2E_TEAM.receiverNamespace}.svc.cluster.local:${E2E_TEAM.webhookPort}/alerts`;

/** Every `e2e_test_value` series the team's exporters serve (what one deduplicated query returns). */
export const E2E_SERIES = (E2E_TEAM.serviceTargets.replicas + E2E_TEAM.podTargets.replicas) * E2E_TEAM.seriesPerTarget;
