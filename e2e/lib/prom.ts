/**
 * The Prometheus HTTP API as the Thanos querier (and query-frontend) serve it: instant and range queries with
 * the Thanos parameters (deduplication, partial response), and the querier's list of StoreAPI endpoints.
 */

export interface Sample {
    readonly metric: Record<string, string>;
    readonly value?: [number, string];
    readonly values?: Array<[number, string]>;
}

export interface QueryResult {
    readonly resultType: "vector" | "matrix" | "scalar" | "string";
    readonly result: Sample[];
    /** Thanos: warnings such as a partial response from a StoreAPI that did not answer. */
    readonly warnings: string[];
}

export interface QueryOptions {
    /** Thanos `dedup` (default true in the querier). */
    readonly dedup?: boolean;
    /** Thanos `partial_response`. */
    readonly partialResponse?: boolean;
    /** Evaluation time (instant) in seconds. */
    readonly time?: number;
    /** Range query: start, end (seconds) and step (seconds). */
    readonly range?: { start: number; end: number; step: number };
    /** Thanos `max_source_resolution` (`raw`, `5m`, `1h`, `auto`). */
    readonly maxSourceResolution?: string;
    /** `Cache-Control: no-store`: the query-frontend neither answers from nor fills its results cache. */
    readonly noCache?: boolean;
}

async function getJson(url: string, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
    const res = await fetch(url, { signal: AbortSignal.timeout(120_000), headers });
    const text = await res.text();
    let body: Record<string, unknown>;
    try {
        body = JSON.parse(text) as Record<string, unknown>;
    } catch {
        throw new Error(`${url}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    }
    if (!res.ok || body["status"] !== "success") throw new Error(`${url}: HTTP ${res.status}: ${String(body["error"] ?? text.slice(0, 300))}`);
    return body;
}

export async function query(base: string, promql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const params = new URLSearchParams({ query: promql });
    if (options.dedup !== undefined) params.set("dedup", String(options.dedup));
    if (options.partialResponse !== undefined) params.set("partial_response", String(options.partialResponse));
    if (options.maxSourceResolution !== undefined) params.set("max_source_resolution", options.maxSourceResolution);
    let path = "/api/v1/query";
    if (options.range) {
        path = "/api/v1/query_range";
        params.set("start", String(options.range.start));
        params.set("end", String(options.range.end));
        params.set("step", String(options.range.step));
    } else if (options.time !== undefined) params.set("time", String(options.time));
    const body = await getJson(`${base}${path}?${params.toString()}`, options.noCache ? { "Cache-Control": "no-store" } : {});
    const data = body["data"] as { resultType: QueryResult["resultType"]; result: Sample[] };
    return { resultType: data.resultType, result: data.result, warnings: (body["warnings"] as string[] | undefined) ?? [] };
}

export interface StoreInfo {
    readonly name: string;
    readonly lastCheck: string;
    readonly lastError: string | null;
    readonly labelSets: Array<Record<string, string>>;
    readonly minTime: number;
    readonly maxTime: number;
}

/** The querier's StoreAPI endpoints by type (`sidecar`, `store`, `rule`, ...), from `/api/v1/stores`. */
export async function stores(base: string): Promise<Record<string, StoreInfo[]>> {
    const body = await getJson(`${base}/api/v1/stores`);
    return body["data"] as Record<string, StoreInfo[]>;
}

/** Number of samples in a range result, over all series. */
export function sampleCount(result: QueryResult): number {
    return result.result.reduce((n, s) => n + (s.values?.length ?? (s.value ? 1 : 0)), 0);
}
