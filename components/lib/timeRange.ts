/**
 * Thanos `--min-time` / `--max-time` values and the coverage check for store time partitions.
 *
 * A value is either an RFC 3339 timestamp (`2025-01-01T00:00:00Z`) or a duration relative to now
 * (`-30d`, `-2w`; Thanos also accepts an unsigned duration, meaning the future). Relative and absolute
 * bounds cannot be compared without a clock, so one partition list uses one kind.
 */
import { parseDuration } from "./duration";

/** A parsed bound: its kind and a comparable number (epoch ms, or signed offset from now in ms). */
export interface TimeBound {
    kind: "absolute" | "relative";
    value: number;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses a Thanos time value, or returns `undefined` when it is not one. */
export function parseTimeBound(text: string): TimeBound | undefined {
    if (RFC3339.test(text)) {
        const ms = Date.parse(text);
        return Number.isNaN(ms) ? undefined : { kind: "absolute", value: ms };
    }
    const negative = text.startsWith("-");
    const ms = parseDuration(negative ? text.slice(1) : text);
    if (ms === undefined) return undefined;
    return { kind: "relative", value: negative ? -ms : ms };
}

/** One time partition of the store gateway; an omitted bound is unbounded. */
export interface TimePartition {
    /** Lower bound (`--min-time`); omitted = the beginning of time. */
    minTime?: string;
    /** Upper bound (`--max-time`); omitted = the end of time. */
    maxTime?: string;
}

/** One problem with a partition list: where (`[index, key]` below the list), the rule and the bad value. */
export interface TimePartitionProblem {
    at: Array<string | number>;
    rule: string;
    input: unknown;
}

/**
 * Problems with a partition list: every bound parses, one kind of bound, min < max, and together the
 * partitions cover all time without gaps (overlap is allowed: the querier deduplicates identical blocks).
 */
export function timePartitionIssues(partitions: readonly TimePartition[]): TimePartitionProblem[] {
    if (partitions.length === 0) return [];
    const problems: TimePartitionProblem[] = [];
    const parsed: Array<{ i: number; min: number; max: number }> = [];
    const kinds = new Set<string>();
    partitions.forEach((p, i) => {
        const bound = (key: "minTime" | "maxTime", unbounded: number): number | undefined => {
            const text = p[key];
            if (text === undefined) return unbounded;
            const b = parseTimeBound(text);
            if (b === undefined) {
                problems.push({ at: [i, key], rule: "must be an RFC 3339 time (2025-01-01T00:00:00Z) or a duration relative to now (-30d)", input: text });
                return undefined;
            }
            kinds.add(b.kind);
            return b.value;
        };
        const min = bound("minTime", Number.NEGATIVE_INFINITY);
        const max = bound("maxTime", Number.POSITIVE_INFINITY);
        if (min === undefined || max === undefined) return;
        if (min >= max) problems.push({ at: [i, "maxTime"], rule: `must be after minTime (${p.minTime})`, input: p.maxTime });
        parsed.push({ i, min, max });
    });
    if (problems.length > 0) return problems;
    if (kinds.size > 1) {
        return [{ at: [], rule: "bounds must be all absolute (RFC 3339) or all relative (-30d); a mix cannot be checked for gaps", input: partitions }];
    }
    const sorted = [...parsed].sort((a, b) => a.min - b.min);
    const first = sorted[0]!;
    if (first.min !== Number.NEGATIVE_INFINITY) {
        problems.push({ at: [first.i, "minTime"], rule: "the earliest partition must have no minTime, or older blocks are served by no store (a gap)", input: partitions[first.i]!.minTime });
    }
    let covered = first.max;
    let coveredBy = first.i;
    for (const p of sorted.slice(1)) {
        if (p.min > covered) {
            problems.push({
                at: [p.i, "minTime"],
                rule: `leaves a gap after partition ${coveredBy}'s maxTime ${partitions[coveredBy]!.maxTime}: blocks in between are served by no store`,
                input: partitions[p.i]!.minTime,
            });
        }
        if (p.max > covered) {
            covered = p.max;
            coveredBy = p.i;
        }
    }
    if (covered !== Number.POSITIVE_INFINITY) {
        problems.push({ at: [coveredBy, "maxTime"], rule: "the latest partition must have no maxTime, or recent blocks are served by no store (a gap)", input: partitions[coveredBy]!.maxTime });
    }
    return problems;
}

/** {@link timePartitionIssues} as lines: `<path>[i].<key>: <rule>, got <value>`. */
export function timePartitionProblems(partitions: readonly TimePartition[], path: string): string[] {
    return timePartitionIssues(partitions).map(
        (p) => `${path}${p.at.map((a) => (typeof a === "number" ? `[${a}]` : `.${a}`)).join("")}: ${p.rule}, got ${JSON.stringify(p.input) ?? "nothing"}`,
    );
}
