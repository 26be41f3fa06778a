/**
 * Where a component's pods run, where their images come from and how they log: the settings the Helm charts
 * call nodeSelector, tolerations, affinity, imagePullSecrets, global.imageRegistry and logLevel/logFormat. Every
 * component's Args extends {@link PodSettingsArgs}; ThanosStack fills them from its stack-wide values
 * ({@link withPodSettings} in stack/stackPlan.ts). Pure.
 */
import type { Affinity, Container, LocalObjectReference, NodeAffinity, PodSpec, Toleration } from "kubernetes-types/core/v1";

/** Placement of a component's pods and the origin of their images. */
export interface PodPlacement {
    /**
     * Node labels every pod requires (`spec.nodeSelector`).
     * @default {} (any node)
     */
    nodeSelector?: Record<string, string>;
    /**
     * Taints the pods tolerate (`spec.tolerations`).
     * @default []
     */
    tolerations?: Toleration[];
    /**
     * Node affinity of the pods (`spec.affinity.nodeAffinity`). The stack's own pod anti-affinity and zone spread
     * (`replicaSpread`) stay as they are.
     * @default none
     */
    nodeAffinity?: NodeAffinity;
    /**
     * Secrets in the component's namespace to pull its images with (`spec.imagePullSecrets`).
     * @default []
     */
    imagePullSecrets?: string[];
    /**
     * A registry mirror that serves every image under the same path: it replaces the registry host of each image
     * (`quay.io/thanos/thanos:v0.42.4` -> `<imageRegistry>/thanos/thanos:v0.42.4`).
     * @default none (each image's own registry)
     */
    imageRegistry?: string;
}

/** Log level of the Thanos, Prometheus and Alertmanager processes (`--log.level`). */
export const LogLevel = { Debug: "debug", Info: "info", Warn: "warn", Error: "error" } as const;
/** See `LogLevel`. */
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];
/** Log format of the Thanos, Prometheus and Alertmanager processes (`--log.format`). */
export const LogFormat = { Logfmt: "logfmt", Json: "json" } as const;
/** See `LogFormat`. */
export type LogFormat = (typeof LogFormat)[keyof typeof LogFormat];
/** Every log level. */
export const LOG_LEVELS: readonly LogLevel[] = Object.values(LogLevel);
/** Every log format. */
export const LOG_FORMATS: readonly LogFormat[] = Object.values(LogFormat);

/** How a component's processes log. */
export interface LogSettings {
    /**
     * `--log.level` (the Operator's `logLevel`).
     * @default "info"
     */
    level?: LogLevel;
    /**
     * `--log.format` (the Operator's `logFormat`).
     * @default "logfmt"
     */
    format?: LogFormat;
}

/** The pod settings every component's Args has (defined once). */
export interface PodSettingsArgs {
    /**
     * Node selector, tolerations, node affinity, image pull Secrets and registry mirror of the component's pods.
     * @default none (any node, the images' own registries)
     */
    placement?: PodPlacement;
    /**
     * Log level and format of the component's processes.
     * @default level info, format logfmt
     */
    logging?: LogSettings;
}

/** The default log settings. */
export const DEFAULT_LOGGING: Required<LogSettings> = { level: LogLevel.Info, format: LogFormat.Logfmt };

/** Log settings with the defaults applied. */
export function resolvedLogging(l: LogSettings | undefined): Required<LogSettings> {
    return { level: l?.level ?? DEFAULT_LOGGING.level, format: l?.format ?? DEFAULT_LOGGING.format };
}

/** A component's settings over the stack-wide ones, field by field (a component's field replaces the stack's). */
export function overPodSettings(stack: PodSettingsArgs, own: PodSettingsArgs | undefined): PodSettingsArgs {
    const placement = { ...stack.placement, ...definedFields(own?.placement) };
    const logging = { ...stack.logging, ...definedFields(own?.logging) };
    return {
        ...(Object.keys(placement).length > 0 ? { placement } : {}),
        ...(Object.keys(logging).length > 0 ? { logging } : {}),
    };
}

function definedFields<T extends object>(o: T | undefined): Partial<T> {
    return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** An image from the mirror: the registry host (a first path part with a dot, a colon or `localhost`) replaced. */
export function mirroredImage(image: string, registry: string | undefined): string {
    if (registry === undefined) return image;
    const slash = image.indexOf("/");
    const first = slash === -1 ? "" : image.slice(0, slash);
    const path = first.includes(".") || first.includes(":") || first === "localhost" ? image.slice(slash + 1) : image;
    return `${registry.replace(/\/+$/, "")}/${path}`;
}

/** The Secrets as a pod's `imagePullSecrets`. */
export function pullSecretRefs(names: readonly string[] | undefined): LocalObjectReference[] {
    return (names ?? []).map((name) => ({ name }));
}

/** The placement and log fields of the Operator's Prometheus, Alertmanager and ThanosRuler specs. */
export type OperatorPodFields = Pick<PodSpec, "nodeSelector" | "tolerations" | "affinity" | "imagePullSecrets"> & { logLevel?: LogLevel; logFormat?: LogFormat };

/**
 * The placement fields of a pod spec (or of the Operator's Prometheus, Alertmanager and ThanosRuler specs,
 * which take the same fields): only those that are set. `affinity` is the component's own affinity with the
 * node affinity added.
 */
export function placementFields(p: PodPlacement | undefined, affinity?: Affinity): Pick<PodSpec, "nodeSelector" | "tolerations" | "affinity" | "imagePullSecrets"> {
    const nodeSelector = p?.nodeSelector ?? {};
    const tolerations = p?.tolerations ?? [];
    const merged: Affinity | undefined = p?.nodeAffinity !== undefined ? { ...affinity, nodeAffinity: p.nodeAffinity } : affinity;
    return {
        ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
        ...(tolerations.length > 0 ? { tolerations } : {}),
        ...(merged !== undefined ? { affinity: merged } : {}),
        ...((p?.imagePullSecrets ?? []).length > 0 ? { imagePullSecrets: pullSecretRefs(p?.imagePullSecrets) } : {}),
    };
}

/** A pod spec placed: the placement fields set, every container's image from the mirror. */
export function placedPodSpec(spec: PodSpec, p: PodPlacement | undefined): PodSpec {
    if (p === undefined) return spec;
    const image = (c: Container): Container => (c.image === undefined ? c : { ...c, image: mirroredImage(c.image, p.imageRegistry) });
    return {
        ...spec,
        ...placementFields(p, spec.affinity),
        containers: spec.containers.map(image),
        ...(spec.initContainers !== undefined ? { initContainers: spec.initContainers.map(image) } : {}),
    };
}

/** Thanos' log flags; none for a default, so the defaults render as before. */
export function thanosLogFlags(l: LogSettings | undefined): string[] {
    const r = resolvedLogging(l);
    return [`--log.format=${r.format}`, ...(r.level !== DEFAULT_LOGGING.level ? [`--log.level=${r.level}`] : [])];
}

/** The Operator's `logLevel`/`logFormat` fields of its Prometheus, Alertmanager and ThanosRuler specs, when set. */
export function operatorLogFields(l: LogSettings | undefined): { logLevel?: LogLevel; logFormat?: LogFormat } {
    return { ...(l?.level !== undefined ? { logLevel: l.level } : {}), ...(l?.format !== undefined ? { logFormat: l.format } : {}) };
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const REGISTRY = /^[A-Za-z0-9.-]+(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const TOLERATION_OPERATORS = ["Exists", "Equal"];
const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** One problem of a setting: where under it (keys and indexes), the rule, the value. */
export interface SettingIssue {
    path: Array<string | number>;
    rule: string;
    input: unknown;
}

/** A path as a key suffix (`.nodeSelector.zone`, `.tolerations[0].effect`). */
function pathText(path: Array<string | number>): string {
    return path.map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`)).join("");
}

/** The issues of a placement. */
export function placementIssues(p: PodPlacement | undefined): SettingIssue[] {
    if (p === undefined) return [];
    const issues: SettingIssue[] = [];
    for (const [k, v] of Object.entries(p.nodeSelector ?? {})) {
        if (!LABEL_NAME.test(k)) issues.push({ path: ["nodeSelector"], rule: "keys must be Kubernetes label keys", input: k });
        if (typeof v !== "string" || v.length > 63 || !LABEL_VALUE.test(v)) issues.push({ path: ["nodeSelector", k], rule: "must be a Kubernetes label value (at most 63 letters, digits, -, _ or .)", input: v });
    }
    (p.tolerations ?? []).forEach((t, i) => {
        const at = (k: string) => ["tolerations", i, k];
        if (t.operator !== undefined && !TOLERATION_OPERATORS.includes(t.operator)) issues.push({ path: at("operator"), rule: "must be Exists or Equal", input: t.operator });
        if (t.effect !== undefined && !TAINT_EFFECTS.includes(t.effect)) issues.push({ path: at("effect"), rule: `must be one of ${TAINT_EFFECTS.join(", ")}`, input: t.effect });
        if (t.operator === "Exists" && t.value !== undefined && t.value !== "") issues.push({ path: at("value"), rule: "must be empty with operator Exists", input: t.value });
        if (t.key === undefined && t.operator !== "Exists") issues.push({ path: at("operator"), rule: "must be Exists in a toleration without a key (it tolerates every taint)", input: t.operator ?? "Equal" });
        if (t.tolerationSeconds !== undefined && t.effect !== "NoExecute") issues.push({ path: at("tolerationSeconds"), rule: "applies only with effect NoExecute", input: t.tolerationSeconds });
    });
    (p.imagePullSecrets ?? []).forEach((s, i) => {
        if (!DNS_SUBDOMAIN.test(s) || s.length > 253) issues.push({ path: ["imagePullSecrets", i], rule: "must be a Secret name (a DNS subdomain)", input: s });
    });
    if (p.imageRegistry !== undefined && !REGISTRY.test(p.imageRegistry)) {
        issues.push({ path: ["imageRegistry"], rule: "must be a registry host with an optional port and path, without a scheme (like registry.example.com/mirror)", input: p.imageRegistry });
    }
    return issues;
}

/** Problems of a placement, one line each, naming the field under `key`. */
export function placementProblems(p: PodPlacement | undefined, key = "placement"): string[] {
    return placementIssues(p).map((i) => `${key}${pathText(i.path)}: ${i.rule}, got ${JSON.stringify(i.input)}`);
}

/** Problems of log settings, one line each. */
export function loggingProblems(l: LogSettings | undefined, key = "logging"): string[] {
    if (l === undefined) return [];
    const problems: string[] = [];
    if (l.level !== undefined && !(LOG_LEVELS as readonly string[]).includes(l.level)) problems.push(`${key}.level: must be one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(l.level)}`);
    if (l.format !== undefined && !(LOG_FORMATS as readonly string[]).includes(l.format)) problems.push(`${key}.format: must be one of ${LOG_FORMATS.join(", ")}, got ${JSON.stringify(l.format)}`);
    return problems;
}
