/**
 * Alertmanager reaches exactly its receivers (GUIDE invariant 13): an in-cluster webhook in another namespace on
 * its own port, an external one on its port with any address, and no blanket HTTPS egress when every receiver
 * URL is known.
 */
import { describe, expect, it } from "vitest";
import { receiverUrls, PAGERDUTY_EVENTS_URL } from "../components/prometheus/alertmanager";
import { objectsOfKind, renderInProcess } from "./support/harness";

interface Policy {
    metadata: { name: string };
    spec: { egress?: Array<{ to?: Array<Record<string, unknown>>; ports?: Array<{ port: number; protocol: string }> }> };
}

async function alertmanagerEgress(sets: string[], secretSets: string[] = []): Promise<NonNullable<Policy["spec"]["egress"]>> {
    const r = await renderInProcess("local", sets, false, false, secretSets);
    const policy = objectsOfKind<Policy>(r, "NetworkPolicy").find((p) => p.metadata.name === "thanos-alertmanager");
    expect(policy).toBeDefined();
    return policy!.spec.egress ?? [];
}

describe("Alertmanager egress follows its receivers", () => {
    it("lists every receiver URL, PagerDuty's endpoint, and counts the ones only known at deployment", () => {
        const out = receiverUrls([
            { name: "a", webhook: [{ url: "http://hook.team.svc.cluster.local:8080/alerts" }], pagerduty: [{ routingKey: "k" }] },
            { name: "b", slack: [{ apiUrl: "https://hooks.slack.com/services/T/B/X" }], webhook: [{ url: { then: () => undefined } as never }] },
        ]);
        expect(out).toEqual({ urls: ["http://hook.team.svc.cluster.local:8080/alerts", PAGERDUTY_EVENTS_URL, "https://hooks.slack.com/services/T/B/X"].sort(), unknown: 1 });
    });

    it("an in-cluster webhook: its namespace on its port, and nothing else outside the namespace", async () => {
        const egress = await alertmanagerEgress([
            'alertmanager.receivers=[{"name":"hook","webhook":[{"url":"http://e2e-webhook.e2e-receiver.svc.cluster.local:8080/alerts"}]}]',
            "alertmanager.route.receiver=hook",
        ]);
        const toReceiver = egress.filter((e) => JSON.stringify(e.to).includes('"kubernetes.io/metadata.name":"e2e-receiver"'));
        expect(toReceiver.map((e) => e.ports)).toEqual([[{ port: 8080, protocol: "TCP" }]]);
        expect(egress.some((e) => JSON.stringify(e.to ?? []).includes("0.0.0.0/0"))).toBe(false);
    });

    it("an external webhook: its port to any address (HTTPS only when that is its port)", async () => {
        // A URL outside the cluster is a credential: stored as a secret, as the configuration requires.
        const egress = await alertmanagerEgress(["alertmanager.route.receiver=hook"], ['alertmanager.receivers=[{"name":"hook","webhook":[{"url":"http://alerts.example.net:9095/hook"}]}]']);
        const external = egress.filter((e) => JSON.stringify(e.to ?? []).includes("0.0.0.0/0"));
        expect(external.map((e) => e.ports)).toEqual([[{ port: 9095, protocol: "TCP" }]]);
    });

    it("no receivers: no egress beyond the namespace's own peers and DNS", async () => {
        const egress = await alertmanagerEgress([]);
        expect(egress.some((e) => JSON.stringify(e.to ?? []).includes("0.0.0.0/0"))).toBe(false);
    });
});
