/**
 * ServiceMonitor: a team-facing helper that scrapes the ports of Services.
 * The arguments mirror the Operator's `ServiceMonitor.spec`; the label our
 * Prometheus selects on is set for the user.
 */
import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import type { ObjectMeta } from "kubernetes-types/meta/v1";
import { PROMETHEUS } from "../constants";
import { endpointDurationProblems, MONITORING_API_VERSION, monitorLabels, type ServiceMonitorEndpoint, ServiceMonitorSpec, stripUndefined, type TeamObjectArgs, teamObjectMeta, teamPlacement, type TeamObjectPlacement, withoutPlacement } from "../lib/monitoringTypes";
import { childOptions, refuseProblems } from "../lib/providers";

export type { ServiceMonitorEndpoint, ServiceMonitorSpec } from "../lib/monitoringTypes";

/** A `ServiceMonitor` object. */
export interface ServiceMonitorObject {
    apiVersion: typeof MONITORING_API_VERSION;
    kind: "ServiceMonitor";
    metadata: ObjectMeta;
    spec: ServiceMonitorSpec;
}

/** Arguments of `ServiceMonitor`: the Operator's `ServiceMonitor.spec` plus where to put it. */
export interface ServiceMonitorArgs extends ServiceMonitorSpec, TeamObjectArgs {}

/** Problems with ServiceMonitor arguments, one sentence each. */
export function serviceMonitorProblems(spec: ServiceMonitorSpec): string[] {
    const problems: string[] = [];
    if (!Array.isArray(spec.endpoints) || spec.endpoints.length === 0) problems.push("endpoints: at least one endpoint is required, got none");
    (spec.endpoints ?? []).forEach((e, i) => {
        if (e.port === undefined && e.targetPort === undefined) problems.push(`endpoints[${i}]: one of port or targetPort is required, got neither`);
    });
    problems.push(...endpointDurationProblems(spec.endpoints ?? [], "endpoints"));
    const sel = spec.selector;
    if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
        problems.push("selector: must select Services by matchLabels or matchExpressions, got an empty selector");
    }
    return problems;
}

/**
 * A ServiceMonitor endpoint whose series carry `job="<job>"`: the Operator sets `job` from the Service name first,
 * this relabeling runs after it and wins (so the rules and dashboards do not depend on Service names).
 */
export function jobEndpoint(port: string, job: string, extra: Omit<ServiceMonitorEndpoint, "port" | "relabelings"> = {}): ServiceMonitorEndpoint {
    return { port, path: "/metrics", ...extra, relabelings: [{ action: "replace", targetLabel: "job", replacement: job }] };
}

/** Builds the ServiceMonitor object (pure). */
export function buildServiceMonitor(opts: TeamObjectPlacement & { spec: ServiceMonitorSpec }): ServiceMonitorObject {
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "ServiceMonitor",
        metadata: teamObjectMeta("service-monitor", opts, monitorLabels(opts.monitor ?? PROMETHEUS.defaultMonitor)),
        spec: stripUndefined(opts.spec),
    };
}

/** Scrapes Services selected by label, through our Prometheus. */
export class ServiceMonitor extends pulumi.ComponentResource {
    /** Kubernetes name of the ServiceMonitor. */
    public readonly monitorName: string;

    constructor(name: string, args: ServiceMonitorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:ServiceMonitor", name, {}, opts);
        const problems = serviceMonitorProblems(args);
        refuseProblems(`ServiceMonitor ${name}:`, problems);
        const placement = teamPlacement(name, args);
        this.monitorName = placement.name;
        const obj = buildServiceMonitor({ ...placement, spec: withoutPlacement(args) });
        new CustomResource(`${name}-servicemonitor`, obj, childOptions(this, opts));
        this.registerOutputs({ monitorName: this.monitorName });
    }
}
