/**
 * Checks shared by the tests of the stack's alert rules (Thanos and platform): PromQL syntax-tree helpers on the
 * pinned lezer grammar (the scope rule: a `shard` expression keeps `instance` in every aggregation and join), the
 * runbook anchors of docs/runbooks.md, and the `promtool test rules` files.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode } from "@lezer/common";
import { SELF_MONITORING } from "../../components/constants";
import { expect } from "vitest";
import { alertsOf, specGroups, type ScopedRuleGroup } from "../../components/monitoring/thanosRules";
import type { RuleTestFile } from "../fixtures/rule-tests";
import { ROOT } from "./harness";
import { checkRules, promtoolWorkDir, runPromtool, writeRuleFile } from "./promtool";

export function nodes(expr: string, name: string): SyntaxNode[] {
    const found: SyntaxNode[] = [];
    parser.parse(expr).iterate({
        enter: (n) => {
            if (n.name === name) found.push(n.node);
        },
    });
    return found;
}

export function text(expr: string, n: SyntaxNode | null | undefined): string {
    return n ? expr.slice(n.from, n.to) : "";
}

/** Grouping labels of a `by (...)` / `on (...)` clause. */
export function groupingLabels(expr: string, clause: SyntaxNode): string[] {
    return clause.getChild("GroupingLabels")?.getChildren("LabelName").map((l) => text(expr, l)) ?? [];
}

/** `{ op, value }` of every matcher on `label`. */
export function matchers(expr: string, label: string): Array<{ op: string; value: string }> {
    return nodes(expr, "UnquotedLabelMatcher")
        .filter((m) => text(expr, m.getChild("LabelName")) === label)
        .map((m) => ({ op: text(expr, m.getChild("MatchOp")), value: JSON.parse(text(expr, m.getChild("StringLiteral"))) as string }));
}

/** Why an expression needs more than one target's series, or `undefined` when one target's series suffice. */
export function crossTargetReason(expr: string): string | undefined {
    const fns = nodes(expr, "FunctionIdentifier").map((f) => text(expr, f));
    const absent = fns.find((f) => f === "absent" || f === "absent_over_time");
    if (absent) return `calls ${absent}()`;
    for (const agg of nodes(expr, "AggregateExpr")) {
        const mod = agg.getChild("AggregateModifier");
        if (!mod || mod.getChild("Without") || !groupingLabels(expr, mod).includes("instance")) return `aggregation "${text(expr, agg).slice(0, 40)}" drops instance`;
    }
    for (const clause of nodes(expr, "MatchingModifierClause")) {
        if (clause.getChild("Ignoring") || !groupingLabels(expr, clause).includes("instance")) return `join "${text(expr, clause)}" does not keep instance`;
    }
    return undefined;
}

/** GitHub's anchor of a Markdown heading. */
export function anchorOf(heading: string): string {
    return heading
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9 _-]/g, "")
        .replace(/ /g, "-");
}

export const RUNBOOKS = fs.readFileSync(path.join(ROOT, SELF_MONITORING.runbooksPath), "utf8");
export const RUNBOOK_ANCHORS = new Set([...RUNBOOKS.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1] ?? "")));

/**
 * The rules a unit-test file loads: only the alerts it covers (promtool evaluates every loaded rule at every step,
 * so this keeps the run fast), with annotations dropped (the tests compare alert labels, not texts).
 */
export function unitTestGroups(groups: ScopedRuleGroup[], alerts: string[]) {
    return specGroups(groups)
        .map((g) => ({ ...g, rules: g.rules.filter((r) => "alert" in r && r.alert !== undefined && alerts.includes(r.alert)).map((r) => ({ ...r, annotations: undefined })) }))
        .filter((g) => g.rules.length > 0);
}

/** Writes each test file and its rule file into `dir`; returns the test files. */
export function writeTestFiles(dir: string, groups: ScopedRuleGroup[], files: RuleTestFile[]): string[] {
    return files.map((f) => {
        const rulesFile = writeRuleFile(dir, `${f.name}.rules.yaml`, unitTestGroups(groups, f.alerts));
        const file = path.join(dir, `${f.name}.test.yaml`);
        const evaluationInterval = f.evaluationInterval ?? "1m";
        fs.writeFileSync(file, stringify({ rule_files: [path.basename(rulesFile)], evaluation_interval: evaluationInterval, tests: f.tests }, { lineWidth: 0 }));
        return file;
    });
}

/** `promtool check rules` accepts every group, and counts every rule of them. */
export function expectRulesAccepted(promtool: string, groups: ScopedRuleGroup[]): void {
    const r = checkRules(promtool, specGroups(groups));
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain(`SUCCESS: ${groups.reduce((n, g) => n + g.rules.length, 0)} rules found`);
}

/**
 * `promtool test rules` passes every unit-test file against `groups`; each file covers alerts of `groups` only and
 * proves both directions (the alert fires, and it stays quiet).
 */
export function expectRuleTestsPass(promtool: string, groups: ScopedRuleGroup[], files: RuleTestFile[]): void {
    const names = alertsOf(groups).map((a) => a.alert);
    for (const f of files) {
        for (const a of f.alerts) expect(names, `${f.name} covers ${a}`).toContain(a);
        const all = f.tests.flatMap((t) => t.alert_rule_test);
        expect(all.some((x) => x.exp_alerts.length > 0), f.name).toBe(true);
        expect(all.some((x) => x.exp_alerts.length === 0), f.name).toBe(true);
    }
    const dir = promtoolWorkDir();
    const r = runPromtool(promtool, ["test", "rules", ...writeTestFiles(dir, groups, files)], dir);
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toMatch(/FAILED/);
}
