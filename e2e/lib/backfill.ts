/**
 * History without waiting two hours for a block: `promtool tsdb create-blocks-from openmetrics` writes 2h TSDB
 * blocks (like Prometheus' own) inside a Prometheus pod, and that pod's Thanos sidecar container uploads them with
 * `thanos tools bucket upload-blocks`, which runs the sidecar's own shipper (the same upload order, meta.json last,
 * and the same shipper meta file) with the pod's own external labels, credentials and network identity. The blocks
 * live in a directory of the pod's volume outside the TSDB (Prometheus never loads them, so its retention never
 * deletes them first).
 */
import { parse as parseYaml } from "yaml";
import type { Kube } from "./kube";
import { PORTS, PROMETHEUS } from "../../components/constants";

/**
 * A deterministic series set over a time range: `metric{series="<i>"}` every `step` seconds, with the value
 * `i * seriesFactor + floor((t - start) / period)`: constant within each period, so a downsampled aggregate over a
 * window inside a period equals the raw value, and every sample can be checked.
 */
export interface SeriesSpec {
    readonly metric: string;
    readonly series: number;
    /** Seconds since the epoch, inclusive. */
    readonly start: number;
    /** Seconds since the epoch, exclusive. */
    readonly end: number;
    readonly step: number;
    readonly seriesFactor: number;
    readonly period: number;
}

export function valueAt(spec: SeriesSpec, series: number, t: number): number {
    return series * spec.seriesFactor + Math.floor((t - spec.start) / spec.period);
}

export function samplesOf(spec: SeriesSpec): number {
    return spec.series * Math.ceil((spec.end - spec.start) / spec.step);
}

/**
 * A shell command that writes the series as OpenMetrics text (timestamps in seconds) to `file`, generated inside
 * the pod with awk (piping megabytes through `kubectl exec` stdin is cut short).
 */
export function openMetricsCommand(spec: SeriesSpec, file: string): string {
    const program = [
        "BEGIN {",
        `printf "# HELP ${spec.metric} Backfilled by the thanos-stack end-to-end tests.\\n# TYPE ${spec.metric} gauge\\n";`,
        `for (i = 0; i < ${spec.series}; i++) for (t = ${spec.start}; t < ${spec.end}; t += ${spec.step})`,
        `printf "${spec.metric}{series=\\"%d\\"} %d %d\\n", i, i * ${spec.seriesFactor} + int((t - ${spec.start}) / ${spec.period}), t;`,
        'printf "# EOF\\n" }',
    ].join(" ");
    return `awk '${program}' > ${file}`;
}

const DIR = "/prometheus/e2e-backfill";

/** The external labels a Prometheus pod's blocks carry (its loaded configuration, as the sidecar reads them). */
export async function externalLabels(kube: Kube, namespace: string, pod: string): Promise<Record<string, string>> {
    const forward = await kube.portForward(namespace, `pod/${pod}`, PORTS.prometheusHttp);
    try {
        const res = await fetch(`${forward.url}/api/v1/status/config`);
        const body = (await res.json()) as { data: { yaml: string } };
        return ((parseYaml(body.data.yaml) as { global?: { external_labels?: Record<string, string> } }).global?.external_labels ?? {}) as Record<string, string>;
    } finally {
        forward.close();
    }
}

/** Writes the series as 2h blocks in the pod and returns the block directory and the ULIDs made. */
export async function makeBlocks(kube: Kube, namespace: string, pod: string, name: string, spec: SeriesSpec): Promise<{ dir: string; blocks: string[] }> {
    const dir = `${DIR}/${name}`;
    const prom = PROMETHEUS.containers.prometheus;
    kube.run(["-n", namespace, "exec", pod, "-c", prom, "--", "sh", "-c", `rm -rf ${dir} && mkdir -p ${dir}/in ${dir}/blocks && ${openMetricsCommand(spec, `${dir}/in/data.om`)}`]);
    // The root filesystem is read-only: promtool's scratch space is on the volume too.
    kube.run(["-n", namespace, "exec", pod, "-c", prom, "--", "sh", "-c", `mkdir -p ${dir}/tmp && TMPDIR=${dir}/tmp promtool tsdb create-blocks-from openmetrics ${dir}/in/data.om ${dir}/blocks`]);
    kube.run(["-n", namespace, "exec", pod, "-c", prom, "--", "rm", "-rf", `${dir}/in`, `${dir}/tmp`]);
    const blocks = kube
        .run(["-n", namespace, "exec", pod, "-c", prom, "--", "ls", `${dir}/blocks`])
        .split(/\s+/)
        .filter((b) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(b))
        .sort();
    return { dir: `${dir}/blocks`, blocks };
}

/** The sidecar's shipper uploading a block directory with the given external labels. */
export function uploadCommand(dir: string, labels: Record<string, string>): string[] {
    const flags = Object.entries(labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `--label=${k}="${v}"`);
    // The sidecar's own objstore configuration, from the environment the Operator gives it.
    return ["sh", "-c", `exec thanos tools bucket upload-blocks --objstore.config="$OBJSTORE_CONFIG" --path=${dir} ${flags.map((f) => `'${f}'`).join(" ")}`];
}

export function upload(kube: Kube, namespace: string, pod: string, dir: string, labels: Record<string, string>): string {
    return kube.run(["-n", namespace, "exec", pod, "-c", PROMETHEUS.containers.sidecar, "--", ...uploadCommand(dir, labels)]);
}

/** Backfills the series into the bucket as the given Prometheus pod's blocks; returns the ULIDs. */
export async function backfill(kube: Kube, namespace: string, pod: string, name: string, spec: SeriesSpec, labels?: Record<string, string>): Promise<string[]> {
    const { dir, blocks } = await makeBlocks(kube, namespace, pod, name, spec);
    upload(kube, namespace, pod, dir, labels ?? (await externalLabels(kube, namespace, pod)));
    return blocks;
}
