/**
 * PromQL syntax checks at program time, with the grammar of the pinned
 * Prometheus line (`@prometheus-io/lezer-promql` 0.313.x = Prometheus 3.13).
 * A rule whose expression does not parse fails the program before anything
 * is deployed, instead of being refused later by the Operator's admission
 * webhook or silently dropped by Prometheus.
 */
import { parser } from "@prometheus-io/lezer-promql";

/** Where a PromQL expression stops parsing. */
export interface PromqlSyntaxError {
    /** 1-based line within the expression. */
    line: number;
    /** 1-based column within the line. */
    column: number;
    /** 0-based character offset within the expression. */
    offset: number;
    /** The text around the error, for the message. */
    near: string;
}

/** 1-based line and column of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
    const before = text.slice(0, offset);
    const lines = before.split("\n");
    return { line: lines.length, column: (lines[lines.length - 1] ?? "").length + 1 };
}

/** The first syntax error of `expr`, or `undefined` when it parses. */
export function findPromqlSyntaxError(expr: string): PromqlSyntaxError | undefined {
    if (expr.trim() === "") return { line: 1, column: 1, offset: 0, near: "(empty expression)" };
    const tree = parser.parse(expr);
    let first: number | undefined;
    tree.iterate({
        enter: (node) => {
            if (first !== undefined) return false;
            if (node.type.isError) {
                first = node.from;
                return false;
            }
            return undefined;
        },
    });
    if (first === undefined) return undefined;
    const { line, column } = lineColumn(expr, first);
    const near = expr.slice(Math.max(0, first - 10), first + 10).replace(/\s+/g, " ");
    return { line, column, offset: first, near: near === "" ? "(end of expression)" : near };
}

/** Identifies a rule in an error message. */
export interface RuleLocation {
    /** The rule group. */
    group: string;
    /** `alert <name>` or `record <name>`. */
    rule: string;
}

/** One problem with a rule expression, as a sentence naming the group, the rule and the position. */
export function describePromqlError(where: RuleLocation, err: PromqlSyntaxError): string {
    return `group "${where.group}", ${where.rule}: PromQL syntax error at line ${err.line}:${err.column} near "${err.near}"`;
}
