/**
 * Rules and alerts: a `global` alert evaluated by the ruler through the querier reaches Alertmanager and is
 * delivered once to a webhook in another namespace; a `shard` recording rule stays one series per shard; and a
 * Prometheus replica that is down leaves queries complete while the stack's own alert names the missing endpoint;
 * the stack watches its own Prometheus, Alertmanager and config reloaders under the jobs its rules select.
 */
import { expectThat, type Scenario, type ScenarioContext } from "./types";
import { eventually, sleep } from "../lib/kube";
import { ReadPath } from "../lib/querier";
import { E2E_SERIES, E2E_TEAM } from "../team/team";
import { pods } from "./platform";
import { SELECT, shardOf } from "./selectors";
import { SELF_MONITORING } from "../../components/constants";

interface Notification {
    received: string;
    body: { status: string; alerts: Array<{ labels: Record<string, string>; fingerprint: string; status: string }> };
}

async function notifications(ctx: ScenarioContext): Promise<Notification[]> {
    const forward = await ctx.kube.portForward(E2E_TEAM.receiverNamespace, `svc/${E2E_TEAM.webhook}`, E2E_TEAM.webhookPort);
    try {
        return (await (await fetch(`${forward.url}/notifications`)).json()) as Notification[];
    } finally {
        forward.close();
    }
}

export const rulerAlertDelivered: Scenario = {
    name: "ruler-alert-delivered-once",
    proves: "a global-scope alert over every shard is evaluated by the ruler through the querier, reaches Alertmanager and is delivered once (not once per ruler replica) to a webhook in another namespace on port 8080",
    async run(ctx) {
        const started = Date.now();
        const ofAlert = (ns: Notification[]) => ns.filter((n) => n.body.alerts.some((a) => a.labels["alertname"] === E2E_TEAM.alert));
        const first = await eventually(
            `a notification for ${E2E_TEAM.alert} at the webhook`,
            async () => {
                const got = ofAlert(await notifications(ctx));
                return got.length > 0 ? got : undefined;
            },
            300_000,
            3000,
        );
        const deliverySeconds = (Date.now() - started) / 1000;
        // Both ruler replicas fire it and both Alertmanager replicas receive it: wait past one group interval
        // (1m in this stack) for any duplicate to arrive.
        await sleep(75_000);
        const all = ofAlert(await notifications(ctx));
        const alerts = all.flatMap((n) => n.body.alerts.filter((a) => a.labels["alertname"] === E2E_TEAM.alert));
        const fingerprints = new Set(alerts.map((a) => a.fingerprint));
        expectThat(fingerprints.size === 1, `${fingerprints.size} distinct ${E2E_TEAM.alert} alerts (one per ruler replica?): ${JSON.stringify(alerts.map((a) => a.labels))}`);
        expectThat(all.length === 1, `${all.length} notifications for ${E2E_TEAM.alert}, expected exactly one`);
        const labels = alerts[0]!.labels;
        expectThat(!("thanos_ruler_replica" in labels), `the alert carries the ruler replica label: ${JSON.stringify(labels)}`);
        return { deliverySeconds, notifications: all.length, distinctAlerts: fingerprints.size, firstDeliveredAt: first[0]!.received };
    },
};

export const shardScopeRules: Scenario = {
    name: "shard-scope-rules-per-shard",
    proves: "a shard-scope recording rule that aggregates across targets (sum by (job)) yields one distinct series per shard and job through the querier with deduplication on, not one merged series",
    async run(ctx) {
        const rp = await ReadPath.open(ctx.kube, ctx.namespace);
        try {
            const shards = new Set(pods(ctx, SELECT.prometheus).map((p) => shardOf(p.metadata.labels))).size;
            const jobs = (await rp.query(`count by (job) (e2e_test_value)`)).result.map((s) => s.metric["job"]);
            // Each shard records sum by (job) over its own targets: one series per (shard, job) that shard scrapes.
            const perShardJob = await rp.query(`count by (job, prometheus_shard) (e2e_test_value)`);
            const expected = perShardJob.result.length;
            expectThat(jobs.length > 0 && expected >= 2, `too little to compare: ${jobs.length} jobs, ${expected} (shard, job) pairs of e2e_test_value`);
            const recorded = await eventually(
                `${E2E_TEAM.shardRecord} from every shard`,
                async () => {
                    const r = await rp.query(E2E_TEAM.shardRecord);
                    return r.result.length === expected ? r : undefined;
                },
                180_000,
            );
            const keys = recorded.result.map((s) => `${s.metric["prometheus_shard"]}/${s.metric["job"]}`);
            expectThat(new Set(keys).size === expected, `series not distinct per shard: ${keys.join(", ")}`);
            // Each shard's sum is exactly the sum of that shard's own targets.
            const sums = await rp.query(`sum by (job, prometheus_shard) (e2e_test_value)`);
            const byKey = new Map(sums.result.map((s) => [`${s.metric["prometheus_shard"]}/${s.metric["job"]}`, Number(s.value?.[1])]));
            const mismatched = recorded.result.filter((s) => byKey.get(`${s.metric["prometheus_shard"]}/${s.metric["job"]}`) !== Number(s.value?.[1]));
            expectThat(mismatched.length === 0, `recorded sums differ from the shards' own sums: ${JSON.stringify(mismatched.map((m) => m.metric))}`);
            return { shards, jobs: jobs.length, seriesPerShardAndJob: expected, recordedSeries: recorded.result.length, merged: 0 };
        } finally {
            rp.close();
        }
    },
};

export const prometheusReplicaDown: Scenario = {
    name: "prometheus-replica-down",
    proves: "with one Prometheus replica down, queries over its shard still return complete, deduplicated data from the other replica, and the stack's own alert reports the missing sidecar endpoint",
    async run(ctx) {
        const victim = "prometheus-thanos-prometheus-0";
        const rp = await ReadPath.open(ctx.kube, ctx.namespace);
        const node = String((ctx.kube.get("pod", ctx.namespace, victim) as { spec: { nodeName: string } }).spec.nodeName);
        try {
            const before = (await rp.scalar("count(e2e_test_value)")) ?? 0;
            expectThat(before === E2E_SERIES, `before the replica goes down the querier returns ${before} series of e2e_test_value, the exporters serve ${E2E_SERIES}`);
            // Keep the replica down: no node takes its replacement while the node is cordoned.
            ctx.kube.run(["cordon", node]);
            ctx.kube.run(["-n", ctx.namespace, "delete", "pod", victim, "--wait=true", "--timeout=180s"]);
            const down = Date.now();
            const during = (await rp.scalar("count(e2e_test_value)")) ?? 0;
            const duringOnShard0 = (await rp.scalar(`count(e2e_test_value{prometheus_shard="0"})`)) ?? 0;
            const alert = await eventually(
                "ThanosQueryMissingSidecarEndpoints firing",
                async () => {
                    const r = await rp.query(`ALERTS{alertname="ThanosQueryMissingSidecarEndpoints", alertstate="firing"}`);
                    return r.result.length > 0 ? r.result[0]!.metric : undefined;
                },
                480_000,
                10_000,
            );
            const alertSeconds = (Date.now() - down) / 1000;
            expectThat(during === before, `with one replica down the querier returns ${during} series, ${before} before`);
            expectThat(duringOnShard0 > 0, "with one replica down, shard 0 (the victim's shard) returns no series");
            return { seriesBefore: before, seriesWithReplicaDown: during, shard0Series: duringOnShard0, samplesLost: before - during, alert: alert["alertname"] ?? "", alertSeconds };
        } finally {
            ctx.kube.run(["uncordon", node]);
            rp.close();
            await eventually("the replica back", () => (pods(ctx, SELECT.prometheus).find((p) => p.metadata.name === victim)?.status.containerStatuses?.every((c) => c.ready) ? true : undefined), 300_000);
        }
    },
};

interface RuleObject {
    spec: { groups: Array<{ name: string; rules: Array<{ alert?: string; expr: string }> }> };
}

/** The expression of one of the stack's alerts, as the cluster holds it (the PrometheusRule objects). */
function alertExpr(ctx: ScenarioContext, alert: string): string {
    const rules = ctx.kube.items("prometheusrules", ctx.namespace) as unknown as RuleObject[];
    const expr = rules.flatMap((r) => r.spec.groups.flatMap((g) => g.rules)).find((r) => r.alert === alert)?.expr;
    expectThat(expr !== undefined, `no PrometheusRule of the stack holds ${alert}`);
    return expr!;
}

export const stackWatchesItself: Scenario = {
    name: "stack-watches-itself",
    proves:
        "Prometheus, Alertmanager and every config reloader (Prometheus, Alertmanager, ruler pods) are scraped under the jobs the stack's rules select, their reloads succeed, the rule groups load and evaluate without failures, and the pods-down alerts count exactly the pods that run (one more planned pod would fire them)",
    async run(ctx) {
        const jobs = SELF_MONITORING.platformJobs;
        const rp = await ReadPath.open(ctx.kube, ctx.namespace);
        try {
            const prometheusPods = pods(ctx, SELECT.prometheus).length;
            const alertmanagerPods = pods(ctx, SELECT.alertmanager).length;
            const rulerPods = pods(ctx, SELECT.ruler).length;
            const reloaders = prometheusPods + alertmanagerPods + rulerPods;
            expectThat(prometheusPods >= 2 && alertmanagerPods >= 1 && rulerPods >= 1, `too few pods to compare: ${prometheusPods} Prometheus, ${alertmanagerPods} Alertmanager, ${rulerPods} ruler`);
            const upSeconds = await rp.until(`count(up{job="${jobs.prometheus}"} == 1)`, prometheusPods, 240_000);
            await rp.until(`count(up{job="${jobs.alertmanager}"} == 1)`, alertmanagerPods, 120_000);
            await rp.until(`count(up{job="${jobs.configReloader}"} == 1)`, reloaders, 120_000);
            // Every reload succeeded: Prometheus', Alertmanager's and every reloader's own flag.
            for (const metric of [`prometheus_config_last_reload_successful{job="${jobs.prometheus}"}`, `alertmanager_config_last_reload_successful{job="${jobs.alertmanager}"}`, `reloader_last_reload_successful{job="${jobs.configReloader}"}`]) {
                const [lowest, n] = [await rp.scalar(`min(${metric})`), await rp.scalar(`count(${metric})`)];
                expectThat(lowest === 1 && (n ?? 0) > 0, `${metric}: min ${String(lowest)} over ${String(n)} series`);
            }
            // The rule groups are loaded where their scope says: shard groups in every Prometheus pod, global ones in the ruler.
            const loaded = async (job: string, group: string) => (await rp.scalar(`count(prometheus_rule_group_rules{job="${job}", rule_group=~".*;${group}"})`)) ?? 0;
            const shardGroups = { prometheus: await loaded(jobs.prometheus, "prometheus"), alertmanager: await loaded(jobs.prometheus, "alertmanager"), reloaders: await loaded(jobs.prometheus, "config-reloaders") };
            const globalGroups = { prometheus: await loaded(SELF_MONITORING.jobs.rule, "prometheus-global"), alertmanager: await loaded(SELF_MONITORING.jobs.rule, "alertmanager-global") };
            expectThat(Object.values(shardGroups).every((n) => n === prometheusPods), `shard groups loaded by ${JSON.stringify(shardGroups)} Prometheus pods, expected ${prometheusPods}`);
            expectThat(Object.values(globalGroups).every((n) => n === rulerPods), `global groups loaded by ${JSON.stringify(globalGroups)} ruler pods, expected ${rulerPods}`);
            // No evaluation fails while the stack runs: the failure counters of the platform groups (every Prometheus pod
            // and ruler) stand still over three evaluation intervals. (Right after deploy the ruler's first evaluations
            // may fail while the querier still connects to its StoreAPIs; those are not the rules' failures.)
            const groups = `rule_group=~".*;(prometheus|prometheus-global|alertmanager|alertmanager-global|config-reloaders)"`;
            const failuresBy = async () => new Map((await rp.query(`sum by (job, rule_group) (prometheus_rule_evaluation_failures_total{${groups}})`)).result.map((s) => [`${s.metric["job"]} ${s.metric["rule_group"]}`, Number(s.value?.[1])]));
            const before = await failuresBy();
            await sleep(95_000);
            const after = await failuresBy();
            const failing = [...after].filter(([k, v]) => v > (before.get(k) ?? 0)).map(([k, v]) => `${k}: +${v - (before.get(k) ?? 0)}`);
            expectThat(after.size > 0, "no failure counters of the platform rule groups (are they evaluated?)");
            expectThat(failing.length === 0, `platform rule groups failing to evaluate: ${failing.join(", ")}`);
            const failures = failing.length;
            // The pods-down alerts, as the cluster holds them: quiet with every pod up, firing with one more pod planned.
            const counted: Record<string, { now: number; planned: number }> = {};
            for (const [alert, running] of [["PrometheusPodsDown", prometheusPods], ["AlertmanagerReplicasDown", alertmanagerPods]] as const) {
                const expr = alertExpr(ctx, alert);
                const planned = Number(/< (\d+)$/.exec(expr)?.[1]);
                expectThat(planned === running, `${alert} expects ${planned} pods, ${running} run`);
                const now = await rp.query(expr);
                expectThat(now.result.length === 0, `${alert} would fire with all ${running} pods up: ${JSON.stringify(now.result)}`);
                const oneMore = await rp.query(expr.replace(/< \d+$/, `< ${running + 1}`));
                expectThat(oneMore.result.length === 1, `${alert} with ${running + 1} planned pods returns ${oneMore.result.length} series, expected 1`);
                counted[alert] = { now: running, planned };
            }
            return { prometheusPods, alertmanagerPods, rulerPods, reloadersScraped: reloaders, secondsUntilScraped: upSeconds, shardGroupsLoadedBy: prometheusPods, globalGroupsLoadedBy: rulerPods, failedEvaluations: failures, failureCountersWatched: after.size };
        } finally {
            rp.close();
        }
    },
};
