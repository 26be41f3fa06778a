/**
 * The data path with real query results: scrape -> Prometheus shards -> sidecars -> querier, with the team
 * helpers' ServiceMonitor and PodMonitor and the Pushgateway; every series exactly once with deduplication and
 * once per replica without.
 */
import { expectThat, type Scenario, type ScenarioContext } from "./types";
import { ReadPath } from "../lib/querier";
import { E2E_SERIES, E2E_TEAM } from "../team/team";
import { PORTS } from "../../components/constants";
import { pods } from "./platform";
import { SELECT, shardOf } from "./selectors";

/** Series the Pushgateway is given (one gauge per index). */
const PUSHED_SERIES = 5;
const PUSH_JOB = "e2e-push";

async function push(ctx: ScenarioContext): Promise<number> {
    const forward = await ctx.kube.portForward(ctx.namespace, "svc/thanos-pushgateway", PORTS.pushgatewayHttp);
    try {
        const body = Array.from({ length: PUSHED_SERIES }, (_, i) => `e2e_pushed_value{index="${i}"} ${i + 100}`).join("\n") + "\n";
        const res = await fetch(`${forward.url}/metrics/job/${PUSH_JOB}`, { method: "PUT", body, headers: { "Content-Type": "text/plain" } });
        expectThat(res.ok, `pushing to the Pushgateway failed: HTTP ${res.status} ${await res.text()}`);
        return PUSHED_SERIES;
    } finally {
        forward.close();
    }
}

export const scrapeToQuery: Scenario = {
    name: "scrape-to-query",
    proves: "team ServiceMonitors and PodMonitors (the team helpers) and the Pushgateway are scraped, every shard scrapes its share, and the querier returns each series exactly once with deduplication and once per replica without",
    async run(ctx) {
        const targets = E2E_TEAM.serviceTargets.replicas + E2E_TEAM.podTargets.replicas;
        const seriesIn = E2E_SERIES;
        const pushedIn = await push(ctx);
        const replicas = pods(ctx, SELECT.prometheus).length;
        const rp = await ReadPath.open(ctx.kube, ctx.namespace);
        try {
            const seconds = await rp.until("count(e2e_test_value)", seriesIn, 240_000);
            await rp.until(`count(e2e_pushed_value{job="${PUSH_JOB}"})`, pushedIn, 120_000);
            // Every replica scrapes on its own schedule (and discovers targets on its own): wait until each has them all.
            const plannedShards = new Set(pods(ctx, SELECT.prometheus).map((p) => shardOf(p.metadata.labels))).size;
            await rp.until("count(e2e_test_value)", seriesIn * (replicas / plannedShards), 120_000, { dedup: false });
            const dedupOff = (await rp.scalar("count(e2e_test_value)", { dedup: false })) ?? 0;
            // Per replica (deduplication off): which targets each Prometheus pod scraped.
            const perReplica = await rp.query("count by (prometheus_replica) (e2e_test_value)", { dedup: false });
            const byReplica: Record<string, number> = Object.fromEntries(perReplica.result.map((s) => [s.metric["prometheus_replica"] ?? "?", Number(s.value?.[1])]));
            const shards = new Map<string, number>();
            for (const [replica, n] of Object.entries(byReplica)) {
                const shard = /-shard-(\d+)-/.exec(replica)?.[1] ?? "0";
                const prev = shards.get(shard);
                expectThat(prev === undefined || prev === n, `replicas of shard ${shard} scraped different series counts: ${JSON.stringify(byReplica)}`);
                shards.set(shard, n);
            }
            const perShard = Object.fromEntries([...shards].map(([s, n]) => [`shard-${s}`, n]));
            const shardTotal = [...shards.values()].reduce((a, b) => a + b, 0);
            const pushed = (await rp.query(`e2e_pushed_value{job="${PUSH_JOB}"}`)).result;
            const pushedOut = pushed.length;
            const pushedValuesOk = pushed.filter((s) => Number(s.value?.[1]) === Number(s.metric["index"]) + 100).length;
            expectThat(Object.keys(byReplica).length === replicas, `${Object.keys(byReplica).length} of ${replicas} Prometheus pods returned series: ${JSON.stringify(byReplica)}`);
            expectThat([...shards.values()].every((n) => n > 0), `a shard scraped nothing: ${JSON.stringify(perShard)}`);
            expectThat(shardTotal === seriesIn, `the shards together scraped ${shardTotal} series, expected ${seriesIn} (a target scraped by two shards, or by none)`);
            expectThat(dedupOff === seriesIn * (replicas / shards.size), `without deduplication ${dedupOff} series, expected ${seriesIn} x ${replicas / shards.size} replicas`);
            expectThat(pushedOut === pushedIn && pushedValuesOk === pushedIn, `pushed ${pushedIn} series, the querier returns ${pushedOut}`);
            return { targets, seriesIn, seriesOutDedup: seriesIn, seriesOutNoDedup: dedupOff, perShard, perReplica: byReplica, pushedIn, pushedOut, samplesLost: seriesIn - shardTotal, secondsToQueryable: seconds };
        } finally {
            rp.close();
        }
    },
};
