/**
 * Access to the UIs from outside the cluster: Grafana, the Thanos query UI (query-frontend) and the
 * ruler UI, behind Ingresses with TLS (cert-manager) and authentication (oauth2-proxy or basic auth).
 * Off by default: the UIs stay internal-only.
 */
import { z } from "zod";
import { DEFAULTS } from "../../../components/defaults";
import { isBcryptHash, OFFLINE_SECRET_PLACEHOLDER, UI_AUTH_MODES, UI_NAMES } from "../../../components/network/uiAccess";
import type { Problem } from "../common";
import { bool, dnsLabel, text } from "../rules";

const HOST_RULE = "must be a lowercase DNS name, like thanos.example.com";
const hostname = () => z.string({ error: HOST_RULE }).regex(/^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, { error: HOST_RULE });
const HTTPS_RULE = "must be an https URL, like https://auth.example.com";

function route(what: string) {
    return z
        .strictObject({ host: hostname().optional().meta({ description: `Public hostname of ${what} (not exposed when unset).` }) })
        .prefault({})
        .meta({ description: what });
}

/** `ui` section. */
export const ui = z
    .strictObject({
        enabled: bool().default(false).meta({ description: "Expose the UIs that have a host through Ingresses (TLS and authentication required). Off: internal-only." }),
        ingressClassName: text().optional().meta({ description: "IngressClass of the UI Ingresses (the cluster default when unset; the auth annotations are ingress-nginx's)." }),
        ingressControllerNamespace: dnsLabel()
            .default(DEFAULTS.ui.ingressControllerNamespace)
            .meta({ description: "Namespace of the ingress controller's pods: the only namespace the exposed UIs accept connections from (NetworkPolicy)." }),
        tls: z
            .strictObject({ clusterIssuer: text().optional().meta({ description: "cert-manager ClusterIssuer of the UI certificates. Required when ui.enabled." }) })
            .prefault({})
            .meta({ description: "TLS of the UI Ingresses." }),
        auth: z
            .strictObject({
                mode: z
                    .enum(UI_AUTH_MODES as ["oauth2-proxy", "basicAuth"], { error: `must be one of: ${UI_AUTH_MODES.join(", ")}` })
                    .optional()
                    .meta({ description: "`oauth2-proxy` (ingress-nginx auth-url/auth-signin to an oauth2-proxy) or `basicAuth` (bcrypt htpasswd at the Ingress; Grafana cannot be exposed with it). Required when ui.enabled." }),
                oauth2Proxy: z
                    .strictObject({ url: z.string({ error: HTTPS_RULE }).regex(/^https:\/\/[^/\s]+(\/\S*)?$/, { error: HTTPS_RULE }).optional().meta({ description: "Base URL of the oauth2-proxy." }) })
                    .prefault({})
                    .meta({ description: "oauth2-proxy mode." }),
                basicAuth: z
                    .strictObject({
                        users: z
                            .record(z.string(), z.string({ error: "must be a bcrypt hash" }).meta({ secret: true }), { error: "must be a map of user to bcrypt hash" })
                            .default({})
                            .meta({ description: "User -> bcrypt hash (`htpasswd -nbB user pw`); set it as a secret (`pulumi config set --secret --path`)." }),
                    })
                    .prefault({})
                    .meta({ description: "basicAuth mode." }),
            })
            .prefault({})
            .meta({ description: "Authentication in front of every UI." }),
        grafana: route("Grafana"),
        query: route("the Thanos query UI (served by the query-frontend)"),
        ruler: route("the Thanos ruler UI"),
    })
    .prefault({})
    .meta({ description: "Access to the UIs from outside the cluster." });

/** The facts the UI rules need. */
interface UiContext {
    role: "all" | "collector" | "central";
    ui: z.output<typeof ui>;
    operator: { grafana: boolean };
}

/** Rules across the UI settings: exposure only with TLS, authentication and something to expose. */
export function uiProblems(c: UiContext): Problem[] {
    const problems: Problem[] = [];
    const u = c.ui;
    if (!u.enabled) return problems;
    if (c.role === "collector") {
        problems.push({ path: ["ui", "enabled"], message: "must be false with role collector (it runs no query-frontend, ruler or Grafana)", input: true });
        return problems;
    }
    if (u.tls.clusterIssuer === undefined) problems.push({ path: ["ui", "tls", "clusterIssuer"], message: "is required when ui.enabled is true: UIs are only exposed over TLS", input: undefined });
    if (u.auth.mode === undefined) {
        problems.push({ path: ["ui", "auth", "mode"], message: `is required when ui.enabled is true: UIs are never exposed without authentication (${UI_AUTH_MODES.join(" or ")})`, input: undefined });
    }
    if (u.auth.mode === "oauth2-proxy" && u.auth.oauth2Proxy.url === undefined) {
        problems.push({ path: ["ui", "auth", "oauth2Proxy", "url"], message: "is required with ui.auth.mode oauth2-proxy", input: undefined });
    }
    if (u.auth.mode === "basicAuth") {
        const users = Object.entries(u.auth.basicAuth.users);
        if (users.length === 0) problems.push({ path: ["ui", "auth", "basicAuth", "users"], message: "must name at least one user with ui.auth.mode basicAuth", input: {} });
        for (const [user, hash] of users) {
            if (!/^[^:\s]+$/.test(user)) problems.push({ path: ["ui", "auth", "basicAuth", "users", user], message: "user names must not contain ':' or spaces", input: user });
            // The offline render cannot decrypt secure values; a real run sees the hash. Never echo the value.
            if (hash !== OFFLINE_SECRET_PLACEHOLDER && !isBcryptHash(hash)) {
                problems.push({ path: ["ui", "auth", "basicAuth", "users", user], message: "must be a bcrypt hash ($2y$..., from htpasswd -nbB), never a password", input: "[redacted]" });
            }
        }
        if (u.grafana.host !== undefined) {
            problems.push({
                path: ["ui", "grafana", "host"],
                message: "cannot be exposed with ui.auth.mode basicAuth (Grafana's own login consumes the Authorization header); use oauth2-proxy or leave Grafana internal",
                input: u.grafana.host,
            });
        }
    }
    const exposed = UI_NAMES.filter((n) => u[n].host !== undefined);
    if (exposed.length === 0) problems.push({ path: ["ui"], message: `must set at least one of ${UI_NAMES.map((n) => `ui.${n}.host`).join(", ")} when ui.enabled is true`, input: undefined });
    if (u.grafana.host !== undefined && !c.operator.grafana) problems.push({ path: ["ui", "grafana", "host"], message: "needs Grafana (operator.grafana is false)", input: u.grafana.host });
    const hosts = new Map<string, string>();
    for (const n of exposed) {
        const h = u[n].host!;
        const other = hosts.get(h);
        if (other !== undefined) problems.push({ path: ["ui", n, "host"], message: `must differ from ui.${other}.host (one UI per host)`, input: h });
        hosts.set(h, n);
    }
    return problems;
}
