/**
 * `thanos-stack/teams`: what a team needs to add its monitors and rules to a shared stack — ServiceMonitor,
 * PodMonitor and PrometheusRule with their builders and checks — without loading the rest of the package (no AWS
 * SDK at run time: these need only @pulumi/pulumi and @pulumi/kubernetes).
 */
export { ServiceMonitor, buildServiceMonitor, serviceMonitorProblems } from "./serviceMonitor";
export type { ServiceMonitorArgs, ServiceMonitorObject, ServiceMonitorEndpoint, ServiceMonitorSpec } from "./serviceMonitor";
export { PodMonitor, buildPodMonitor, podMonitorProblems } from "./podMonitor";
export type { PodMonitorArgs, PodMonitorObject, PodMetricsEndpoint, PodMonitorSpec } from "./podMonitor";
export { PrometheusRule, buildPrometheusRule, ruleProblems, DEFAULT_RULE_SCOPE, RuleScope } from "./prometheusRule";
export type { PrometheusRuleArgs, PrometheusRuleObject, AlertingRule, RecordingRule, Rule, RuleGroup } from "./prometheusRule";
