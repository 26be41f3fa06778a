/**
 * Rules on the sharded Prometheus' settings that the stack configuration checks too (with its own key paths):
 * size-based retention against the volume, the feature flags Thanos cannot live with, and the versions delayed
 * compaction needs. Pure functions, no Pulumi.
 */
import { PROMETHEUS, THANOS } from "../constants";
import { DEFAULTS } from "../defaults";
import { parseQuantity } from "../lib/quantity";
import { versionAtLeast } from "../lib/version";

/** Local compaction mode: `disabled` (mission default) or the Operator's `delayed` compaction (opt-in). */
export const CompactionMode = { Disabled: "disabled", Delayed: "delayed" } as const;
/** Local compaction mode: `disabled` (mission default) or the Operator's `delayed` compaction (opt-in). */
export type CompactionMode = (typeof CompactionMode)[keyof typeof CompactionMode];

/** Prometheus size units (base 2: `1KB` = 1024 B), as `retentionSize` takes them. */
const BYTE_SIZE_RE = /^(\d+(?:\.\d+)?)(B|KB|MB|GB|TB|PB|EB)$/;
const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB", "PB", "EB"];

/** Bytes of a Prometheus size (`80GB`), or `undefined`. */
export function parseByteSize(text: string): number | undefined {
    const m = BYTE_SIZE_RE.exec(text);
    return m === null ? undefined : Number(m[1]) * 1024 ** BYTE_UNITS.indexOf(m[2]!);
}

/** The default `retentionSize`: {@link DEFAULTS.prometheus.retentionSizeRatio} of the volume, in whole MB (base 2). */
export function defaultRetentionSize(volumeSize: string): string {
    const bytes = parseQuantity(volumeSize);
    return bytes === undefined ? "" : `${Math.floor((bytes * DEFAULTS.prometheus.retentionSizeRatio) / 1024 ** 2)}MB`;
}

/** Why a `retentionSize` is wrong for a volume of `volumeSize` (a rule sentence), or `undefined` when it is right. */
export function retentionSizeRule(retentionSize: string, volumeSize: string): string | undefined {
    const size = parseByteSize(retentionSize);
    if (size === undefined) return "must be a Prometheus size like 80GB (units B, KB, MB, GB, TB, PB, EB; base 2)";
    const volume = parseQuantity(volumeSize);
    if (volume !== undefined && size >= volume) return `must be below the volume size ${volumeSize} (the WAL and the head's chunks need room beyond the blocks)`;
    return undefined;
}

/**
 * Delayed compaction keeps Prometheus' local compaction on while the sidecar uploads: Prometheus >= 3.9 only
 * compacts blocks the sidecar has shipped, and only Thanos >= 0.41's sidecar tells it which.
 */
export function delayedCompactionProblems(compaction: CompactionMode, prometheusVersion: string, thanosVersion: string): string[] {
    if (compaction !== CompactionMode.Delayed) return [];
    const problems: string[] = [];
    if (!versionAtLeast(prometheusVersion, PROMETHEUS.delayedCompactionMinVersion)) {
        problems.push(`compaction: delayed needs Prometheus >= ${PROMETHEUS.delayedCompactionMinVersion} (older ones compact blocks the sidecar has not uploaded), got Prometheus ${prometheusVersion}`);
    }
    if (!versionAtLeast(thanosVersion, THANOS.delayedCompactionMinVersion)) {
        problems.push(`compaction: delayed needs a Thanos sidecar >= ${THANOS.delayedCompactionMinVersion} (older ones do not report what they uploaded), got Thanos ${thanosVersion}`);
    }
    return problems;
}

/** Feature flags the stack refuses, and why. */
export const REFUSED_FEATURES: Readonly<Record<string, string>> = {
    "xor2-encoding": "writes XOR2 float chunks, which Thanos v0.42 cannot read (thanos#8984): its blocks would be unreadable in the bucket",
    "st-storage": "forces XOR2 float chunks (start timestamps), which Thanos v0.42 cannot read",
    "delayed-compaction": "turns local compaction on behind the stack's back; use compaction: delayed, which checks the versions",
};

/** Why a feature flag is refused (a rule sentence), or `undefined` when it may be enabled. */
export function featureRule(feature: string): string | undefined {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(feature)) return "must be a Prometheus feature name like exemplar-storage";
    const why = REFUSED_FEATURES[feature];
    return why === undefined ? undefined : `is refused: ${feature} ${why}`;
}

/** Every feature flag must be one Prometheus may enable under Thanos, listed once. */
export function enableFeaturesProblems(features: readonly string[]): string[] {
    const problems: string[] = [];
    features.forEach((f, n) => {
        const rule = featureRule(f);
        if (rule !== undefined) problems.push(`enableFeatures[${n}]: ${rule}, got ${JSON.stringify(f)}`);
        if (features.indexOf(f) !== n) problems.push(`enableFeatures[${n}]: must be listed once, got ${JSON.stringify(f)} twice`);
    });
    return problems;
}
