import { describe, expect, it } from "vitest";
import { validateStackConfig } from "../infra/config/load";
import { ALL_CHECKS, evaluate } from "../policy/checks";
import { INGRESS, PORTS } from "../components/constants";
import { buildBasicAuthSecret, buildUiIngress, htpasswd, uiAccessProblems, type UiAccessArgs } from "../components/network/uiAccess";
import { objectsOfKind, renderInProcess } from "./support/harness";

/** A real bcrypt hash (of "secret"); never a password in the configuration. */
const HASH = "$2y$10$CwTycUXWue0Thq9StjUM0uJ8DgJ8E0P5j1d8aY6Zq0c6C9Q1kX5XS";

interface IngressObject {
    metadata: { name: string; annotations: Record<string, string> };
    spec: { ingressClassName?: string; tls: Array<{ hosts: string[]; secretName: string }>; rules: Array<{ host: string; http: { paths: Array<{ backend: { service: { name: string; port: { number: number } } } }> } }> };
}

const oauth: UiAccessArgs = {
    namespace: "monitoring",
    clusterIssuer: "letsencrypt",
    authMode: "oauth2-proxy",
    oauth2ProxyUrl: "https://auth.example.com/",
    ingressClassName: "nginx",
    query: { host: "thanos.example.com", serviceName: "thanos-query-frontend", servicePort: PORTS.thanosHttp },
};

describe("UI Ingresses (pure)", () => {
    it("put TLS from the ClusterIssuer and the oauth2-proxy check on every route", () => {
        const ingress = buildUiIngress("ui", oauth, "query")!;
        expect(ingress.metadata?.annotations).toEqual({
            [INGRESS.clusterIssuerAnnotation]: "letsencrypt",
            [INGRESS.nginx.sslRedirect]: "true",
            [INGRESS.nginx.authUrl]: "https://auth.example.com/oauth2/auth",
            [INGRESS.nginx.authSignin]: "https://auth.example.com/oauth2/start?rd=$scheme://$host$escaped_request_uri",
            [INGRESS.nginx.authResponseHeaders]: INGRESS.oauth2ProxyResponseHeaders,
        });
        expect(ingress.spec?.tls).toEqual([{ hosts: ["thanos.example.com"], secretName: "ui-query-tls" }]);
        expect(ingress.spec?.rules?.[0]?.http?.paths[0]?.backend.service).toEqual({ name: "thanos-query-frontend", port: { number: PORTS.thanosHttp } });
        expect(buildUiIngress("ui", oauth, "ruler")).toBeUndefined();
        expect(buildBasicAuthSecret("ui", oauth)).toBeUndefined();
    });

    it("basic auth: an htpasswd Secret of bcrypt hashes and the nginx basic-auth annotations", () => {
        const args: UiAccessArgs = { ...oauth, authMode: "basicAuth", basicAuthUsers: { bob: HASH, alice: HASH } };
        expect(uiAccessProblems(args)).toEqual([]);
        expect(buildBasicAuthSecret("ui", args)?.stringData).toEqual({ auth: `alice:${HASH}\nbob:${HASH}\n` });
        expect(htpasswd({})).toBe("");
        expect(buildUiIngress("ui", args, "query")?.metadata?.annotations).toMatchObject({
            [INGRESS.nginx.authType]: "basic",
            [INGRESS.nginx.authSecret]: "ui-basic-auth",
            [INGRESS.nginx.authSecretType]: "auth-file",
        });
    });

    it("are refused without TLS, without authentication, with a password instead of a hash, and for Grafana with basic auth", () => {
        expect(uiAccessProblems({ ...oauth, clusterIssuer: "" })).toEqual(['UiAccess clusterIssuer: is required, UIs are only exposed over TLS, got ""']);
        expect(uiAccessProblems({ ...oauth, authMode: "none" as never })).toEqual([
            'UiAccess authMode: must be one of oauth2-proxy, basicAuth, UIs are never exposed without authentication, got "none"',
        ]);
        const p = uiAccessProblems({
            ...oauth,
            authMode: "basicAuth",
            basicAuthUsers: { alice: "hunter2" },
            grafana: { host: "grafana.example.com", serviceName: "g", servicePort: 80 },
        });
        expect(p).toEqual([
            "UiAccess basicAuthUsers.alice: must be a bcrypt hash ($2y$..., e.g. from htpasswd -nbB), got a value that is not",
            expect.stringMatching(/^UiAccess grafana: cannot be exposed with authMode basicAuth/),
        ]);
        expect(p.join("\n")).not.toContain("hunter2");
    });
});

describe("ui configuration", () => {
    const base = (ui: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
        environment: "dev",
        cluster: { name: "eks-dev", eks: { clusterName: "eks-dev", oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X" } },
        aws: { region: "eu-west-1" },
        objectStorage: { provider: "s3", bucketName: "acme-thanos-dev" },
        ui,
        ...extra,
    });
    const problems = (raw: unknown) => {
        const r = validateStackConfig(raw);
        return r.ok ? [] : r.problems;
    };

    it("is off by default", () => {
        const r = validateStackConfig(base({}));
        expect(r.ok && r.config.ui.enabled).toBe(false);
    });

    it("refuses exposure without TLS and without an auth mode, naming the keys", () => {
        expect(problems(base({ enabled: true, query: { host: "thanos.example.com" } }))).toEqual([
            "ui.tls.clusterIssuer: is required when ui.enabled is true: UIs are only exposed over TLS, got nothing",
            "ui.auth.mode: is required when ui.enabled is true: UIs are never exposed without authentication (oauth2-proxy or basicAuth), got nothing",
        ]);
        expect(problems(base({ enabled: true, tls: { clusterIssuer: "le" }, auth: { mode: "oauth2-proxy" } }))).toEqual([
            "ui.auth.oauth2Proxy.url: is required with ui.auth.mode oauth2-proxy, got nothing",
            "ui: must set at least one of ui.grafana.host, ui.query.host, ui.ruler.host when ui.enabled is true, got nothing",
        ]);
    });

    it("refuses a plaintext password and Grafana with basic auth, and any UI in a collector", () => {
        const p = problems(base({ enabled: true, tls: { clusterIssuer: "le" }, auth: { mode: "basicAuth", basicAuth: { users: { alice: "hunter2" } } }, grafana: { host: "g.example.com" } }));
        expect(p).toEqual([
            'ui.auth.basicAuth.users.alice: must be a bcrypt hash ($2y$..., from htpasswd -nbB), never a password, got "[redacted]"',
            expect.stringMatching(/^ui\.grafana\.host: cannot be exposed with ui\.auth\.mode basicAuth .*got "g\.example\.com"$/),
        ]);
        expect(problems(base({ enabled: true }, { role: "collector", collector: { exposure: { domain: "s.example.internal" } } }))).toEqual([
            "ui.enabled: must be false with role collector (it runs no query-frontend, ruler or Grafana), got true",
        ]);
    });
});

describe("ui rendered (prod)", () => {
    it("renders no Ingress by default, and three authenticated TLS Ingresses when enabled, with zero policy violations", async () => {
        const [plain, exposed] = await Promise.all([
            renderInProcess("prod"),
            renderInProcess("prod", [
                "ui.enabled=true",
                "ui.ingressClassName=nginx",
                "ui.tls.clusterIssuer=letsencrypt",
                "ui.auth.mode=oauth2-proxy",
                "ui.auth.oauth2Proxy.url=https://auth.acme.example",
                "ui.grafana.host=grafana.acme.example",
                "ui.query.host=thanos.acme.example",
                "ui.ruler.host=rules.acme.example",
            ]),
        ]);
        expect(objectsOfKind(plain, "Ingress")).toEqual([]);
        const ingresses = objectsOfKind<IngressObject>(exposed, "Ingress");
        expect(ingresses.map((i) => i.spec.rules[0]!.http.paths[0]!.backend.service)).toEqual(
            expect.arrayContaining([
                { name: "thanos-operator-grafana", port: { number: 80 } },
                { name: "thanos-query-frontend", port: { number: PORTS.thanosHttp } },
                { name: "thanos-rule", port: { number: PORTS.thanosHttp } },
            ]),
        );
        for (const i of ingresses) {
            expect(i.spec.tls[0]!.hosts).toEqual([i.spec.rules[0]!.host]);
            expect(i.metadata.annotations[INGRESS.clusterIssuerAnnotation]).toBe("letsencrypt");
            expect(i.metadata.annotations[INGRESS.nginx.authUrl]).toBe("https://auth.acme.example/oauth2/auth");
            expect(i.spec.ingressClassName).toBe("nginx");
        }
        const violations = evaluate(ALL_CHECKS, exposed.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs })));
        expect(violations).toEqual([]);
        expect(exposed.outputs["uiUrls"]).toEqual({ grafana: "https://grafana.acme.example/", query: "https://thanos.acme.example/", ruler: "https://rules.acme.example/" });
    });
});
