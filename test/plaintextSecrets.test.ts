/**
 * Credentials in the stack configuration must be Pulumi secrets (`secure:` in the stack file): Slack webhook URLs,
 * PagerDuty routing keys, webhook URLs (their path or query often is the token) and the UI's password hashes. A
 * plaintext one is refused before anything is created, with the command that stores it encrypted, and the value
 * is never repeated. A webhook inside the cluster, addressed by its Service name without user, password or query,
 * is an address, not a credential.
 */
import { describe, expect, it } from "vitest";
import { plaintextSecretProblems } from "../infra/config/load";
import { RenderInputError } from "../scripts/lib/render";
import { renderInProcess } from "./support/harness";

const message = (key: string) =>
    `${key}: is a credential written in plaintext (anyone who can read the stack file can use it); it must be a Pulumi secret: pulumi config set --secret --path 'thanos-stack:${key}' <value>`;

const nothingSecret = () => false;

describe("credentials must be secrets", () => {
    it.each([
        ["a Slack webhook URL", { receivers: [{ name: "s", slack: [{ apiUrl: "https://hooks.slack.com/services/T0/B0/tok3n" }] }] }, "alertmanager.receivers[0].slack[0].apiUrl"],
        ["a PagerDuty routing key", { receivers: [{ name: "p", pagerduty: [{ routingKey: "r0ut1ngk3y" }] }] }, "alertmanager.receivers[0].pagerduty[0].routingKey"],
        ["an external webhook URL", { receivers: [{ name: "w", webhook: [{ url: "https://alerts.example.com/hook/tok3n" }] }] }, "alertmanager.receivers[0].webhook[0].url"],
        ["an in-cluster webhook with a password", { receivers: [{ name: "w", webhook: [{ url: "http://bot:tok3n@relay.team.svc:8080/a" }] }] }, "alertmanager.receivers[0].webhook[0].url"],
        ["an in-cluster webhook with a token in the query", { receivers: [{ name: "w", webhook: [{ url: "http://relay.team.svc.cluster.local:8080/a?token=tok3n" }] }] }, "alertmanager.receivers[0].webhook[0].url"],
        ["the second of two webhooks", { receivers: [{ name: "w", webhook: [{ url: "http://relay.team.svc:8080/a" }, { url: "https://tok3n.example.com/" }] }] }, "alertmanager.receivers[0].webhook[1].url"],
    ])("refuses %s in plaintext, without repeating it", (_what, alertmanager, key) => {
        const problems = plaintextSecretProblems({ environment: "prod", alertmanager }, nothingSecret);
        expect(problems).toEqual([message(key)]);
        expect(problems.join("\n")).not.toMatch(/tok3n|r0ut1ngk3y/);
    });

    it("refuses a UI password hash in plaintext, naming the user", () => {
        const ui = { enabled: true, auth: { mode: "basicAuth", basicAuth: { users: { "alice.smith": "$2y$05$abcdefghijklmnopqrstuv" } } } };
        expect(plaintextSecretProblems({ ui }, nothingSecret)).toEqual([message('ui.auth.basicAuth.users["alice.smith"]')]);
    });

    it("accepts the same values when their top-level key is a secret", () => {
        const alertmanager = { receivers: [{ name: "s", slack: [{ apiUrl: "https://hooks.slack.com/services/T0/B0/tok3n" }] }] };
        expect(plaintextSecretProblems({ alertmanager }, (k) => k === "thanos-stack:alertmanager")).toEqual([]);
        // A secret elsewhere does not cover it.
        expect(plaintextSecretProblems({ alertmanager }, (k) => k === "thanos-stack:ui")).toHaveLength(1);
    });

    it("accepts an in-cluster webhook addressed by its Service, and settings that are not credentials", () => {
        const alertmanager = { replicas: 2, receivers: [{ name: "w", webhook: [{ url: "http://e2e-webhook.e2e-receiver.svc.cluster.local:8080/alerts", sendResolved: false }, { url: "http://relay.team.svc:9000/" }] }], route: { receiver: "w" } };
        expect(plaintextSecretProblems({ environment: "prod", alertmanager, querier: { replicas: 2 } }, nothingSecret)).toEqual([]);
    });

    it("a render with a plaintext credential is refused before any resource exists; with --set-secret it renders", async () => {
        const receivers = 'alertmanager.receivers=[{"name":"s","slack":[{"apiUrl":"https://hooks.slack.com/services/T0/B0/tok3n"}]}]';
        const error = await renderInProcess("local", [receivers, "alertmanager.route.receiver=s"]).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(RenderInputError);
        expect((error as RenderInputError).problems).toEqual([message("alertmanager.receivers[0].slack[0].apiUrl")]);
        const rendered = await renderInProcess("local", ["alertmanager.route.receiver=s"], false, false, [receivers]);
        expect(rendered.resources.length).toBeGreaterThan(0);
        expect(JSON.stringify(rendered.resources)).not.toContain("tok3n");
    });
});
