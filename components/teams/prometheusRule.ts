/**
 * PrometheusRule: a team-facing helper for alerting and recording rules, with
 * an explicit evaluation scope:
 *
 * - `shard`: evaluated inside each Prometheus shard. Only for rules about a
 *   single target, because a shard sees only its own targets.
 * - `global` (default): evaluated by the Thanos ruler through the querier, so
 *   sums across the fleet, `absent()` and dashboard recording rules see every
 *   shard's data.
 *
 * Every expression is parsed at program time; a syntax error fails the
 * program with the group, the rule and the line:column, before anything is
 * deployed.
 */
import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import type { ObjectMeta } from "kubernetes-types/meta/v1";
import { parser } from "@prometheus-io/lezer-promql";
import { PROMETHEUS, RULE_SCOPES } from "../constants";
import { isDuration } from "../lib/duration";
import { isAlertingRule, MONITORING_API_VERSION, Rule, RuleGroup, ruleLabels, RuleScope, stripUndefined, type TeamObjectArgs, teamObjectMeta, teamPlacement, type TeamObjectPlacement } from "../lib/monitoringTypes";
import { describePromqlError, findPromqlSyntaxError } from "../lib/promql";
import { childOptions, refuseProblems } from "../lib/providers";

export type { AlertingRule, RecordingRule, Rule, RuleGroup } from "../lib/monitoringTypes";
export { RuleScope } from "../lib/monitoringTypes";

/** A `PrometheusRule` object. */
export interface PrometheusRuleObject {
    apiVersion: typeof MONITORING_API_VERSION;
    kind: "PrometheusRule";
    metadata: ObjectMeta;
    spec: { groups: RuleGroup[] };
}

/** Arguments of `PrometheusRule`. */
export interface PrometheusRuleArgs extends TeamObjectArgs {
    /** Rule groups; every expression is parsed at program time. */
    groups: RuleGroup[];
    /**
     * Where the rules are evaluated: `shard` (each Prometheus shard; single-target rules only) or `global`
     * (the Thanos ruler through the querier; anything that aggregates across targets, `absent()`, recording
     * rules for dashboards).
     * @default "global"
     */
    scope?: RuleScope;
}

/** The default scope: a shard sees only its own targets and would silently compute wrong sums. */
export const DEFAULT_RULE_SCOPE: RuleScope = "global";

/** Functions whose answer depends on series that may live in another shard. */
const CROSS_SHARD_FUNCTIONS = new Set(["absent", "absent_over_time"]);

const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Names of the functions an expression calls (from the parse tree). */
export function calledFunctions(expr: string): string[] {
    const names: string[] = [];
    parser.parse(expr).iterate({
        enter: (node) => {
            if (node.name === "FunctionIdentifier") names.push(expr.slice(node.from, node.to));
            return undefined;
        },
    });
    return names;
}

function ruleName(rule: Rule): string {
    return isAlertingRule(rule) ? `alert ${rule.alert}` : `record ${String(rule.record)}`;
}

/**
 * Every problem with the rule groups, one sentence each: PromQL syntax errors (group, rule, line:column),
 * malformed names and durations, and cross-shard functions in `shard` scope.
 */
export function ruleProblems(groups: RuleGroup[], scope: RuleScope): string[] {
    const problems: string[] = [];
    if (!(RULE_SCOPES as readonly string[]).includes(scope)) problems.push(`scope: must be one of ${RULE_SCOPES.join(", ")}, got ${JSON.stringify(scope)}`);
    if (!Array.isArray(groups) || groups.length === 0) return [...problems, "groups: at least one rule group is required, got none"];
    const seen = new Set<string>();
    for (const group of groups) {
        if (seen.has(group.name)) problems.push(`group "${group.name}": group names must be unique, got it twice`);
        seen.add(group.name);
        if (group.interval !== undefined && !isDuration(group.interval)) problems.push(`group "${group.name}": interval must be a Prometheus duration, got ${JSON.stringify(group.interval)}`);
        if (group.rules.length === 0) problems.push(`group "${group.name}": at least one rule is required, got none`);
        for (const rule of group.rules) {
            const name = ruleName(rule);
            const where = { group: group.name, rule: name };
            const hasAlert = "alert" in rule;
            const hasRecord = "record" in rule;
            if (hasAlert === hasRecord) {
                problems.push(`group "${group.name}": a rule needs exactly one of alert and record, got ${hasAlert ? "both" : "neither"}`);
                continue;
            }
            if (!isAlertingRule(rule) && !METRIC_NAME_RE.test(String(rule.record))) {
                problems.push(`group "${group.name}", ${name}: record must be a metric name (letters, digits, '_' and ':'), got ${JSON.stringify(rule.record)}`);
            }
            if (isAlertingRule(rule)) {
                for (const key of ["for", "keepFiringFor"] as const) {
                    const v = rule[key];
                    if (v !== undefined && !isDuration(v)) problems.push(`group "${group.name}", ${name}: ${key} must be a Prometheus duration, got ${JSON.stringify(v)}`);
                }
            }
            const err = findPromqlSyntaxError(rule.expr);
            if (err) {
                problems.push(describePromqlError(where, err));
                continue;
            }
            if (scope === "shard") {
                const cross = calledFunctions(rule.expr).filter((f) => CROSS_SHARD_FUNCTIONS.has(f));
                if (cross.length > 0) {
                    problems.push(
                        `group "${group.name}", ${name}: ${cross[0]}() cannot be evaluated in scope shard (the series may live in another shard); use scope global`,
                    );
                }
            }
        }
    }
    return problems;
}

/** Builds the PrometheusRule object (pure); the scope and monitor labels route it to its evaluator. */
export function buildPrometheusRule(opts: TeamObjectPlacement & { groups: RuleGroup[]; scope?: RuleScope }): PrometheusRuleObject {
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "PrometheusRule",
        metadata: teamObjectMeta("prometheus-rule", opts, ruleLabels(opts.scope ?? DEFAULT_RULE_SCOPE, opts.monitor ?? PROMETHEUS.defaultMonitor)),
        spec: { groups: stripUndefined(opts.groups) },
    };
}

/** Alerting and recording rules, evaluated where their scope says. */
export class PrometheusRule extends pulumi.ComponentResource {
    /** Kubernetes name of the PrometheusRule. */
    public readonly ruleName: string;
    /** Where the rules are evaluated. */
    public readonly scope: RuleScope;

    constructor(name: string, args: PrometheusRuleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:PrometheusRule", name, {}, opts);
        this.scope = args.scope ?? DEFAULT_RULE_SCOPE;
        const problems = ruleProblems(args.groups, this.scope);
        refuseProblems(`PrometheusRule ${name}:`, problems);
        const placement = teamPlacement(name, args);
        this.ruleName = placement.name;
        const obj = buildPrometheusRule({ ...placement, groups: args.groups, scope: this.scope });
        new CustomResource(`${name}-prometheusrule`, obj, childOptions(this, opts));
        this.registerOutputs({ ruleName: this.ruleName, scope: this.scope });
    }
}
