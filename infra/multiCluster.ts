/**
 * Maps the validated `role`, `collector`, `central` and `ui` configuration to the ThanosStack Args.
 * The configuration rules (infra/config/sections/multiCluster.ts, uiAccess.ts) already guarantee the
 * required keys for the chosen role and UI exposure.
 */
import type { CentralSettings, CollectorSettings } from "../components/stack/multiCluster";
import type { ThanosStackArgs } from "../components/stack/thanosStack";
import type { UiName } from "../components/network/uiAccess";
import type { StackConfig } from "./config/schema";

/** The collector's exposure (role `collector`). */
export function collectorExposureFromConfig(config: StackConfig): CollectorSettings["exposure"] {
    const e = config.collector.exposure;
    return {
        type: e.type,
        domain: e.domain ?? "",
        sourceRanges: e.sourceRanges,
        ...(e.ingressClassName !== undefined ? { ingressClassName: e.ingressClassName } : {}),
        ...(e.clusterIssuer !== undefined ? { clusterIssuer: e.clusterIssuer } : {}),
    };
}

/** The central role's collectors and self-scrape Prometheus (role `central`). */
export function centralFromConfig(config: StackConfig): CentralSettings {
    const c = config.central;
    return {
        selfScrape: { replicas: c.selfScrape.replicas },
        collectors: c.collectors.map((x) => ({
            name: x.name,
            addresses: x.addresses,
            ...(x.tls !== undefined
                ? { tls: { ...(x.tls.serverName !== undefined ? { serverName: x.tls.serverName } : {}), ...(x.tls.caSecretName !== undefined ? { caSecretName: x.tls.caSecretName } : {}) } }
                : {}),
        })),
        collectorStacks: c.collectorStacks.map((x) => ({ stack: x.stack, ...(x.caSecretName !== undefined ? { caSecretName: x.caSecretName } : {}) })),
    };
}

/** The UI exposure (only called when `ui.enabled`; the rules guarantee the issuer and the auth mode). */
export function uiFromConfig(config: StackConfig): NonNullable<ThanosStackArgs["ui"]> {
    const u = config.ui;
    const hosts: Partial<Record<UiName, string>> = {};
    if (u.grafana.host !== undefined) hosts.grafana = u.grafana.host;
    if (u.query.host !== undefined) hosts.query = u.query.host;
    if (u.ruler.host !== undefined) hosts.ruler = u.ruler.host;
    return {
        clusterIssuer: u.tls.clusterIssuer ?? "",
        authMode: u.auth.mode ?? "oauth2-proxy",
        ...(u.auth.oauth2Proxy.url !== undefined ? { oauth2ProxyUrl: u.auth.oauth2Proxy.url } : {}),
        ...(u.auth.mode === "basicAuth" ? { basicAuthUsers: u.auth.basicAuth.users } : {}),
        ...(u.ingressClassName !== undefined ? { ingressClassName: u.ingressClassName } : {}),
        ingressControllerNamespace: u.ingressControllerNamespace,
        hosts,
    };
}
