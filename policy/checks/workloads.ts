/**
 * Views of the pods that Kubernetes workload objects describe.
 */
import { at, isRecord, list, ResourceCheck, ResourceView, str } from "./types";

/** One container of a pod template. */
export interface ContainerView {
    name: string;
    image: string;
    args: string[];
    raw: Record<string, unknown>;
    init: boolean;
}

/** The pod template of a workload. */
export interface PodView {
    kind: string;
    name: string;
    namespace: string | undefined;
    /** Replicas, when the kind has them (Deployment, StatefulSet). */
    replicas: number | undefined;
    /** Labels of the pod template. */
    labels: Record<string, string>;
    spec: Record<string, unknown>;
    containers: ContainerView[];
    /** Whether the pods run until stopped (not a Job / CronJob). */
    longRunning: boolean;
    /** The workload object itself. */
    object: Record<string, unknown>;
}

const TEMPLATE_PATHS: Record<string, string[]> = {
    Deployment: ["spec", "template"],
    StatefulSet: ["spec", "template"],
    DaemonSet: ["spec", "template"],
    ReplicaSet: ["spec", "template"],
    Job: ["spec", "template"],
    CronJob: ["spec", "jobTemplate", "spec", "template"],
};

/** True for Kubernetes objects (rendered `kubernetes:*` resources with apiVersion and kind). */
export function isKubernetes(r: ResourceView): boolean {
    return r.type.startsWith("kubernetes:") && typeof r.props["kind"] === "string" && typeof r.props["apiVersion"] === "string";
}

function stringRecord(v: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (isRecord(v)) for (const [k, val] of Object.entries(v)) if (typeof val === "string") out[k] = val;
    return out;
}

function containers(spec: unknown, key: "containers" | "initContainers"): ContainerView[] {
    return list(at(spec, key))
        .filter(isRecord)
        .map((c) => ({
            name: str(c["name"]) ?? "?",
            image: str(c["image"]) ?? "",
            args: [...list(c["command"]), ...list(c["args"])].filter((a): a is string => typeof a === "string"),
            raw: c,
            init: key === "initContainers",
        }));
}

/** The pod template of a workload object, or undefined for anything else. */
export function podOf(r: ResourceView): PodView | undefined {
    if (!isKubernetes(r)) return undefined;
    const kind = r.props["kind"] as string;
    let template: unknown;
    if (kind === "Pod") template = { metadata: r.props["metadata"], spec: r.props["spec"] };
    else if (TEMPLATE_PATHS[kind]) template = at(r.props, ...TEMPLATE_PATHS[kind]!);
    else return undefined;
    const spec = at(template, "spec");
    if (!isRecord(spec)) return undefined;
    const replicas = at(r.props, "spec", "replicas");
    return {
        kind,
        name: str(at(r.props, "metadata", "name")) ?? r.name,
        namespace: str(at(r.props, "metadata", "namespace")),
        replicas: typeof replicas === "number" ? replicas : kind === "Deployment" || kind === "StatefulSet" ? 1 : undefined,
        labels: stringRecord(at(template, "metadata", "labels")),
        spec,
        containers: [...containers(spec, "initContainers"), ...containers(spec, "containers")],
        longRunning: kind !== "Job" && kind !== "CronJob",
        object: r.props,
    };
}

/** Every pod template among the resources. */
export function podsOf(resources: ResourceView[]): PodView[] {
    return resources.map(podOf).filter((p): p is PodView => p !== undefined);
}

/** Whether a label selector (`matchLabels` only) selects these labels. */
export function selects(selector: unknown, labels: Record<string, string>): boolean {
    const match = stringRecord(at(selector, "matchLabels"));
    const keys = Object.keys(match);
    return keys.length > 0 && keys.every((k) => labels[k] === match[k]) && list(at(selector, "matchExpressions")).length === 0;
}

/** The Thanos subcommand a container runs (`query`, `store`, ...), or undefined for other images. */
export function thanosComponent(c: ContainerView): string | undefined {
    if (!/(^|\/)thanos(:|@|$)/.test(c.image.split("/").slice(-1)[0] ?? "") && !c.image.includes("/thanos/thanos")) return undefined;
    const first = c.args.find((a) => !a.startsWith("-") && a !== "thanos" && !a.endsWith("/thanos"));
    return first;
}

/** Flags of a container as name -> values (`--a=b`, `--a b` is not used by this project). */
export function flagsOf(c: ContainerView): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const a of c.args) {
        if (!a.startsWith("--")) continue;
        const eq = a.indexOf("=");
        const name = eq < 0 ? a : a.slice(0, eq);
        const value = eq < 0 ? "" : a.slice(eq + 1);
        out.set(name, [...(out.get(name) ?? []), value]);
    }
    return out;
}

/** A check over the pod template of each workload object (other resources pass). */
export function podCheck(name: string, description: string, fn: (pod: PodView) => string[]): ResourceCheck {
    return { kind: "resource", name, description, check: (r) => {
        const pod = podOf(r);
        return pod ? fn(pod) : [];
    } };
}

/** A check over each Thanos container (optionally of one subcommand) of each workload; messages name the container. */
export function thanosContainerCheck(
    name: string,
    description: string,
    subcommand: string | undefined,
    fn: (c: ContainerView, component: string, flags: Map<string, string[]>) => string[],
): ResourceCheck {
    return podCheck(name, description, (pod) =>
        pod.containers.flatMap((c) => {
            const component = thanosComponent(c);
            if (!component || (subcommand !== undefined && component !== subcommand)) return [];
            return fn(c, component, flagsOf(c)).map((m) => `container ${c.name}: ${m}`);
        }),
    );
}
