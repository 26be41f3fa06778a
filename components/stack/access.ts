/**
 * How to reach each UI of a stack from a workstation without an Ingress: one `kubectl port-forward` line per UI
 * (the Thanos query UI through the query-frontend, the querier, the ruler, Alertmanager, a Prometheus shard and
 * Grafana), and where Grafana's admin password is. The program exports them as the stack output `access`, so
 * `pulumi stack output access` prints them after `pulumi up`. A port-forward enters the pod's network namespace
 * through the kubelet, so the NetworkPolicies do not stand in its way. Pure.
 */
import { PORTS } from "../constants";
import { grafanaAdminSecret } from "../prometheus/prometheusOperator";
import { grafanaUiTarget } from "../network/uiAccess";
import { operatorReleaseName, type StackPlan } from "./stackPlan";

/** Local ports of the port-forwards: distinct, so every UI can be forwarded at once. */
export const ACCESS_LOCAL_PORTS = { queryFrontend: 10902, querier: 10903, ruler: 10904, alertmanager: 9093, prometheus: 9090, grafana: 3000 } as const;

/** The Operator's name of the pod of shard `shard`, replica 0 (`prometheus-<name>-0`, `prometheus-<name>-shard-<n>-0`). */
export function prometheusPodName(prometheusName: string, shard: number): string {
    return shard === 0 ? `prometheus-${prometheusName}-0` : `prometheus-${prometheusName}-shard-${shard}-0`;
}

/**
 * The access lines of a stack, by UI: a command and the URL it serves on localhost. `kubeContext` adds
 * `--context` (the stack's `cluster.context`).
 */
export function accessCommands(plan: StackPlan, kubeContext?: string): Record<string, string> {
    const kubectl = `kubectl${kubeContext !== undefined ? ` --context ${kubeContext}` : ""} -n ${plan.namespace}`;
    const forward = (target: string, local: number, remote: number, what: string) => `${kubectl} port-forward ${target} ${local}:${remote}  # ${what} on http://localhost:${local}`;
    const out: Record<string, string> = {};
    const t = plan.thanos;
    if (plan.parts.thanosReadPath) {
        out["query"] = forward(`svc/${t.names.queryFrontend}`, ACCESS_LOCAL_PORTS.queryFrontend, PORTS.thanosHttp, "the Thanos query UI, through the query-frontend");
        out["querier"] = forward(`svc/${t.names.query}`, ACCESS_LOCAL_PORTS.querier, PORTS.thanosHttp, "the querier itself (its stores page lists every StoreAPI)");
        out["ruler"] = forward(`svc/${t.names.rule}`, ACCESS_LOCAL_PORTS.ruler, PORTS.thanosHttp, "the ruler's rules and alerts");
    }
    out["alertmanager"] = forward(`svc/${plan.alertmanager.name}`, ACCESS_LOCAL_PORTS.alertmanager, PORTS.alertmanagerHttp, "Alertmanager");
    out["prometheus"] = forward(`pod/${prometheusPodName(plan.prometheus.name, 0)}`, ACCESS_LOCAL_PORTS.prometheus, PORTS.prometheusHttp, `Prometheus shard 0 (shard n: pod/${prometheusPodName(plan.prometheus.name, 1).replace("-shard-1-", "-shard-<n>-")})`);
    if (plan.operator.install !== false && plan.operator.grafana !== false) {
        const release = operatorReleaseName(plan.name);
        const grafana = grafanaUiTarget(release);
        const secret = grafanaAdminSecret(release, plan.operator.grafanaAdmin);
        out["grafana"] = forward(`svc/${grafana.serviceName}`, ACCESS_LOCAL_PORTS.grafana, grafana.servicePort, "Grafana");
        out["grafanaAdmin"] = `${kubectl} get secret ${secret.name} -o go-template='{{index .data "${secret.userKey}" | base64decode}} / {{index .data "${secret.passwordKey}" | base64decode}}{{"\\n"}}'  # Grafana's admin user / password`;
    }
    for (const [ui, route] of Object.entries(plan.uiRoutes)) out[`${ui}Url`] = `https://${route.host}/  # exposed through its Ingress (TLS and authentication)`;
    return out;
}
