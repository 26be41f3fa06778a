/**
 * UiAccess: Grafana, the Thanos query UI (through the query-frontend) and the ruler UI reachable from
 * outside the cluster, through Ingresses (networking.k8s.io/v1, ingress-nginx annotations).
 *
 * Never without TLS and never without authentication:
 * - TLS: every Ingress names a cert-manager ClusterIssuer (`cert-manager.io/cluster-issuer`) and a TLS
 *   Secret per host; plain HTTP is redirected.
 * - Authentication, one mode for all UIs:
 *   - `oauth2-proxy`: ingress-nginx asks an oauth2-proxy (`auth-url`) before every request and sends
 *     unauthenticated users to its sign-in page (`auth-signin`).
 *   - `basicAuth`: ingress-nginx checks a bcrypt htpasswd Secret (`auth-type: basic`). Grafana cannot be
 *     exposed in this mode: its own basic-auth handling consumes the same `Authorization` header (users
 *     would meet two password prompts and Grafana's API keys break), so Grafana needs oauth2-proxy.
 *   Basic auth lives in the Ingress, not in Thanos' `--http.config`: Thanos applies `--http.config` users to
 *   every HTTP endpoint of the process, so the kubelet probes, the self-monitoring scrapes, Grafana's
 *   datasource and the ruler's queries would all need the credentials too.
 */
import * as pulumi from "@pulumi/pulumi";
import { Secret as K8sSecret } from "@pulumi/kubernetes/core/v1";
import { Ingress as K8sIngress } from "@pulumi/kubernetes/networking/v1";
import type { Secret } from "kubernetes-types/core/v1";
import type { Ingress } from "kubernetes-types/networking/v1";
import { GRAFANA, INGRESS, PORTS } from "../constants";
import { objectMeta } from "../lib/meta";
import { withDependencies } from "../lib/options";
import { childOptions, refuseProblems } from "../lib/providers";
import { kubeArgs } from "../lib/thanos";

/** How users authenticate before reaching a UI. */
export const UiAuthMode = { Oauth2Proxy: "oauth2-proxy", BasicAuth: "basicAuth" } as const;
/** How users authenticate before reaching a UI. */
export type UiAuthMode = (typeof UiAuthMode)[keyof typeof UiAuthMode];
/** The UIs that can be exposed. */
export const UI_NAMES = ["grafana", "query", "ruler"] as const;
/** One of `UI_NAMES`. */
export type UiName = (typeof UI_NAMES)[number];
/** The authentication modes. */
export const UI_AUTH_MODES: readonly UiAuthMode[] = ["oauth2-proxy", "basicAuth"];

/** One UI behind an Ingress. */
export interface UiRoute {
    /** Public hostname of the UI. */
    host: string;
    /** The in-cluster Service serving the UI. */
    serviceName: string;
    /** Port (number) of that Service. */
    servicePort: number;
}

/** A value per UI (public hostnames, URLs); a UI without one is not exposed. */
export interface UiHosts {
    /**
     * Grafana.
     * @default not exposed
     */
    grafana?: string;
    /**
     * The Thanos query UI (through the query-frontend).
     * @default not exposed
     */
    query?: string;
    /**
     * The Thanos ruler UI.
     * @default not exposed
     */
    ruler?: string;
}

/** UI exposure settings that a ThanosStack passes through (the stack supplies namespace and the routes of each UI). */
export interface UiAccessOptions {
    /** cert-manager ClusterIssuer that signs each host's certificate (required: no UI without TLS). */
    clusterIssuer: string;
    /** Authentication in front of every UI (required: no UI without authentication). */
    authMode: UiAuthMode;
    /**
     * Base URL of the oauth2-proxy (`https://auth.example.com`); `auth-url` is `<url>/oauth2/auth`, `auth-signin`
     * `<url>/oauth2/start`. Required with `oauth2-proxy`.
     * @default none
     */
    oauth2ProxyUrl?: string;
    /**
     * Users and their bcrypt password hashes (`htpasswd -nbB`), for `basicAuth`; stored as a Secret.
     * @default none
     */
    basicAuthUsers?: Record<string, string>;
    /**
     * IngressClass of the Ingresses.
     * @default the cluster's default IngressClass
     */
    ingressClassName?: string;
    /**
     * Namespace of the ingress controller's pods: the only namespace the exposed UIs accept connections from.
     * @default "ingress-nginx"
     */
    ingressControllerNamespace?: string;
}

/** Arguments of `UiAccess`. */
export interface UiAccessArgs extends UiAccessOptions {
    /** Namespace of the Services and the Ingresses. */
    namespace: string;
    /**
     * Grafana (oauth2-proxy only).
     * @default not exposed
     */
    grafana?: UiRoute;
    /**
     * The Thanos query UI, served by the query-frontend.
     * @default not exposed
     */
    query?: UiRoute;
    /**
     * The Thanos ruler UI.
     * @default not exposed
     */
    ruler?: UiRoute;
}

const HOST_RE = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const BCRYPT_RE = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const USER_RE = /^[^:\s]+$/;

/** What the offline render shows for a secure config value it cannot decrypt (accepted in place of a hash). */
export const OFFLINE_SECRET_PLACEHOLDER = "[secret]";

/** Whether a string is a bcrypt hash (`$2y$10$...`). */
export function isBcryptHash(value: string): boolean {
    return BCRYPT_RE.test(value);
}

/** Problems with the Args, `UiAccess <arg>: <rule>, got <value>` each. */
export function uiAccessProblems(args: UiAccessArgs): string[] {
    const problems: string[] = [];
    const show = (v: unknown) => JSON.stringify(v);
    if (!args.clusterIssuer) problems.push(`UiAccess clusterIssuer: is required, UIs are only exposed over TLS, got ${show(args.clusterIssuer)}`);
    if (!UI_AUTH_MODES.includes(args.authMode)) problems.push(`UiAccess authMode: must be one of ${UI_AUTH_MODES.join(", ")}, UIs are never exposed without authentication, got ${show(args.authMode)}`);
    if (args.authMode === "oauth2-proxy" && !/^https:\/\/[^/\s]+(\/\S*)?$/.test(args.oauth2ProxyUrl ?? "")) {
        problems.push(`UiAccess oauth2ProxyUrl: must be an https URL with authMode oauth2-proxy, got ${show(args.oauth2ProxyUrl)}`);
    }
    if (args.authMode === "basicAuth") {
        const users = Object.entries(args.basicAuthUsers ?? {});
        if (users.length === 0) problems.push(`UiAccess basicAuthUsers: must name at least one user with authMode basicAuth, got ${show(args.basicAuthUsers)}`);
        for (const [user, hash] of users) {
            if (!USER_RE.test(user)) problems.push(`UiAccess basicAuthUsers.${user}: user names must not contain ':' or spaces, got ${show(user)}`);
            // Never echo the hash back.
            if (hash !== OFFLINE_SECRET_PLACEHOLDER && !isBcryptHash(hash)) problems.push(`UiAccess basicAuthUsers.${user}: must be a bcrypt hash ($2y$..., e.g. from htpasswd -nbB), got a value that is not`);
        }
        if (args.grafana) problems.push(`UiAccess grafana: cannot be exposed with authMode basicAuth (Grafana's own login consumes the Authorization header); use oauth2-proxy, got host ${show(args.grafana.host)}`);
    }
    const routes = UI_NAMES.filter((n) => args[n] !== undefined);
    if (routes.length === 0) problems.push(`UiAccess: at least one of ${UI_NAMES.join(", ")} must be exposed, got none`);
    const hosts = new Map<string, UiName>();
    for (const n of routes) {
        const host = args[n]!.host;
        if (!HOST_RE.test(host)) problems.push(`UiAccess ${n}.host: must be a lowercase DNS name, got ${show(host)}`);
        const other = hosts.get(host);
        if (other !== undefined) problems.push(`UiAccess ${n}.host: must differ from ${other}.host (one UI per host), got ${show(host)}`);
        hosts.set(host, n);
    }
    return problems;
}

/** Name of the basic-auth Secret. */
export function basicAuthSecretName(name: string): string {
    return `${name}-basic-auth`;
}

/** Name of the Ingress (and of its TLS Secret, plus `-tls`) of one UI. */
export function uiIngressName(name: string, ui: UiName): string {
    return `${name}-${ui}`;
}

/** The htpasswd file (ingress-nginx `auth-file` format): `user:hash` lines, sorted. */
export function htpasswd(users: Record<string, string>): string {
    return Object.keys(users)
        .sort()
        .map((u) => `${u}:${users[u]}\n`)
        .join("");
}

/** The authentication annotations of every UI Ingress. */
export function authAnnotations(name: string, args: Pick<UiAccessArgs, "authMode" | "oauth2ProxyUrl">): Record<string, string> {
    if (args.authMode === "oauth2-proxy") {
        const base = (args.oauth2ProxyUrl ?? "").replace(/\/+$/, "");
        return {
            [INGRESS.nginx.authUrl]: `${base}/oauth2/auth`,
            [INGRESS.nginx.authSignin]: `${base}/oauth2/start?rd=$scheme://$host$escaped_request_uri`,
            [INGRESS.nginx.authResponseHeaders]: INGRESS.oauth2ProxyResponseHeaders,
        };
    }
    return {
        [INGRESS.nginx.authType]: "basic",
        [INGRESS.nginx.authSecret]: basicAuthSecretName(name),
        [INGRESS.nginx.authSecretType]: "auth-file",
        [INGRESS.nginx.authRealm]: "thanos-stack",
    };
}

/** The Ingress of one UI: TLS from the ClusterIssuer, the auth annotations, one host to one Service port (pure). */
export function buildUiIngress(name: string, args: UiAccessArgs, ui: UiName): Ingress | undefined {
    const route = args[ui];
    if (route === undefined) return undefined;
    const ingressName = uiIngressName(name, ui);
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: objectMeta({
            name: ingressName,
            namespace: args.namespace,
            component: `${ui}-ui`,
            instance: name,
            annotations: { [INGRESS.clusterIssuerAnnotation]: args.clusterIssuer, [INGRESS.nginx.sslRedirect]: "true", ...authAnnotations(name, args) },
        }),
        spec: {
            ...(args.ingressClassName !== undefined ? { ingressClassName: args.ingressClassName } : {}),
            tls: [{ hosts: [route.host], secretName: `${ingressName}-tls` }],
            rules: [
                {
                    host: route.host,
                    http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: route.serviceName, port: { number: route.servicePort } } } }] },
                },
            ],
        },
    };
}

/** The basic-auth Secret (`basicAuth` only), holding bcrypt hashes, never passwords (pure). */
export function buildBasicAuthSecret(name: string, args: UiAccessArgs): Secret | undefined {
    if (args.authMode !== "basicAuth") return undefined;
    return {
        apiVersion: "v1",
        kind: "Secret",
        type: "Opaque",
        metadata: objectMeta({ name: basicAuthSecretName(name), namespace: args.namespace, component: "ui-auth", instance: name }),
        stringData: { [INGRESS.basicAuthKey]: htpasswd(args.basicAuthUsers ?? {}) },
    };
}

/** Grafana's Service as the kube-prometheus-stack chart names it (`<release>-grafana`, port 80). */
export function grafanaUiTarget(operatorReleaseName: string): Pick<UiRoute, "serviceName" | "servicePort"> {
    return { serviceName: `${operatorReleaseName}-${GRAFANA.serviceSuffix}`, servicePort: GRAFANA.servicePort };
}

/** A Thanos component's HTTP Service (query-frontend, ruler) as a UI target. */
export function thanosUiTarget(serviceName: string): Pick<UiRoute, "serviceName" | "servicePort"> {
    return { serviceName, servicePort: PORTS.thanosHttp };
}

/** Ingresses (TLS + authentication) in front of the stack's UIs. */
export class UiAccess extends pulumi.ComponentResource {
    /** The public URL of each exposed UI. */
    public readonly urls: UiHosts;

    constructor(name: string, args: UiAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:UiAccess", name, {}, opts);
        const problems = uiAccessProblems(args);
        refuseProblems("UiAccess", problems);
        const child = childOptions(this, opts);
        const secret = buildBasicAuthSecret(name, args);
        const deps: pulumi.Resource[] = [];
        if (secret) {
            deps.push(new K8sSecret(`${name}-basic-auth`, { ...kubeArgs<Record<string, unknown>>(secret), stringData: pulumi.secret(secret.stringData ?? {}) }, { ...child, additionalSecretOutputs: ["data", "stringData"] }));
        }
        this.urls = {};
        for (const ui of UI_NAMES) {
            const ingress = buildUiIngress(name, args, ui);
            if (!ingress) continue;
            new K8sIngress(`${name}-${ui}-ingress`, kubeArgs(ingress), withDependencies(child, deps));
            this.urls[ui] = `https://${args[ui]!.host}/`;
        }
        this.registerOutputs({ urls: this.urls });
    }
}
