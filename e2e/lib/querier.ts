/**
 * The stack's read path for the scenarios: a port-forward to the querier (or the query-frontend) kept open for
 * the scenario, and the queries the scenarios count samples with.
 */
import type { Kube, PortForward } from "./kube";
import { eventually } from "./kube";
import { query, sampleCount, type QueryOptions, type QueryResult } from "./prom";
import { PORTS } from "../../components/constants";

/** The Services of the e2e stack's read path. */
export const READ_PATH = { querier: "svc/thanos-query", queryFrontend: "svc/thanos-query-frontend" } as const;

export class ReadPath {
    private constructor(private readonly forward: PortForward) {}

    static async open(kube: Kube, namespace: string, service: string = READ_PATH.querier): Promise<ReadPath> {
        return new ReadPath(await kube.portForward(namespace, service, PORTS.thanosHttp));
    }

    get url(): string {
        return this.forward.url;
    }

    query(promql: string, options: QueryOptions = {}): Promise<QueryResult> {
        return query(this.url, promql, options);
    }

    /** The value of a query that returns one sample (e.g. `count(...)`), or undefined when it returns none. */
    async scalar(promql: string, options: QueryOptions = {}): Promise<number | undefined> {
        const r = await this.query(promql, options);
        const v = r.result[0]?.value?.[1];
        return v === undefined ? undefined : Number(v);
    }

    /** Waits until `scalar(promql)` equals `expected`; returns the seconds it took. */
    async until(promql: string, expected: number, timeoutMs: number, options: QueryOptions = {}): Promise<number> {
        const started = Date.now();
        let last: number | undefined;
        await eventually(
            () => `${promql} == ${expected} (last: ${String(last)})`,
            async () => {
                last = await this.scalar(promql, options);
                return last === expected ? true : undefined;
            },
            timeoutMs,
        );
        return (Date.now() - started) / 1000;
    }

    async samples(promql: string, options: QueryOptions): Promise<number> {
        return sampleCount(await this.query(promql, options));
    }

    close(): void {
        this.forward.close();
    }
}
