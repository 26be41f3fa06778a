/**
 * PodMonitor: a team-facing helper that scrapes pod ports directly (no
 * Service needed). The arguments mirror the Operator's `PodMonitor.spec`; the
 * label our Prometheus selects on is set for the user.
 */
import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import type { ObjectMeta } from "kubernetes-types/meta/v1";
import { PROMETHEUS } from "../constants";
import { endpointDurationProblems, MONITORING_API_VERSION, monitorLabels, PodMonitorSpec, stripUndefined, type TeamObjectArgs, teamObjectMeta, teamPlacement, type TeamObjectPlacement, withoutPlacement } from "../lib/monitoringTypes";
import { childOptions, refuseProblems } from "../lib/providers";

export type { PodMetricsEndpoint, PodMonitorSpec } from "../lib/monitoringTypes";

/** A `PodMonitor` object. */
export interface PodMonitorObject {
    apiVersion: typeof MONITORING_API_VERSION;
    kind: "PodMonitor";
    metadata: ObjectMeta;
    spec: PodMonitorSpec;
}

/** Arguments of `PodMonitor`: the Operator's `PodMonitor.spec` plus where to put it. */
export interface PodMonitorArgs extends PodMonitorSpec, TeamObjectArgs {}

/** Problems with PodMonitor arguments, one sentence each. */
export function podMonitorProblems(spec: PodMonitorSpec): string[] {
    const problems: string[] = [];
    const endpoints = spec.podMetricsEndpoints ?? [];
    if (endpoints.length === 0) problems.push("podMetricsEndpoints: at least one endpoint is required, got none");
    endpoints.forEach((e, i) => {
        if (e.port === undefined && e.portNumber === undefined) problems.push(`podMetricsEndpoints[${i}]: one of port or portNumber is required, got neither`);
    });
    problems.push(...endpointDurationProblems(endpoints, "podMetricsEndpoints"));
    const sel = spec.selector;
    if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
        problems.push("selector: must select pods by matchLabels or matchExpressions, got an empty selector");
    }
    return problems;
}

/** Builds the PodMonitor object (pure). */
export function buildPodMonitor(opts: TeamObjectPlacement & { spec: PodMonitorSpec }): PodMonitorObject {
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "PodMonitor",
        metadata: teamObjectMeta("pod-monitor", opts, monitorLabels(opts.monitor ?? PROMETHEUS.defaultMonitor)),
        spec: stripUndefined(opts.spec),
    };
}

/** Scrapes pods selected by label, through our Prometheus. */
export class PodMonitor extends pulumi.ComponentResource {
    /** Kubernetes name of the PodMonitor. */
    public readonly monitorName: string;

    constructor(name: string, args: PodMonitorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:PodMonitor", name, {}, opts);
        const problems = podMonitorProblems(args);
        refuseProblems(`PodMonitor ${name}:`, problems);
        const placement = teamPlacement(name, args);
        this.monitorName = placement.name;
        const obj = buildPodMonitor({ ...placement, spec: withoutPlacement(args) });
        new CustomResource(`${name}-podmonitor`, obj, childOptions(this, opts));
        this.registerOutputs({ monitorName: this.monitorName });
    }
}
