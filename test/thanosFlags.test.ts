import { beforeAll, describe, expect, it } from "vitest";
import type { Container } from "kubernetes-types/core/v1";
import { IMAGES } from "../components/constants";
import { compactorArgs, compactorPlan } from "../components/thanos/compactor";
import { querierArgs, querierPlan } from "../components/thanos/querier";
import { queryFrontendArgs, queryFrontendPlan } from "../components/thanos/queryFrontend";
import { storeArgs, storeGatewayPlan } from "../components/thanos/storeGateway";
import type { RenderResult } from "../scripts/lib/render";
import { renderInProcess } from "./support/harness";
import { thanosArgProblems } from "../policy/checks/thanosFlags";

const objstoreSecret = { name: "objstore", key: "objstore.yml" };

describe("the Thanos flag checker", () => {
    it("accepts valid flags, bool --no- forms and repeatable flags", () => {
        expect(thanosArgProblems(["query", "--query.replica-label=a", "--query.replica-label=b", "--no-query.auto-downsampling", "--query.timeout=2m"])).toEqual([]);
        expect(thanosArgProblems(["compact", "--compact.enable-vertical-compaction", "--wait"])).toEqual([]);
    });

    it("refuses unknown, removed and deprecated flags", () => {
        expect(thanosArgProblems(["query", "--query.nope=1"])).toEqual(["container: query has no flag --query.nope in Thanos v0.42.4"]);
        for (const f of ["--store", "--rule", "--metadata", "--exemplar", "--endpoint", "--endpoint-group", "--endpoint-strict"]) {
            expect(thanosArgProblems(["query", `${f}=x:10901`])[0]).toMatch(/removed|deprecated/);
        }
        for (const f of ["--store.grpc.touched-series-limit", "--store.grpc.series-sample-limit"]) {
            expect(thanosArgProblems(["store", `${f}=10`])[0]).toMatch(/deprecated; use --store\.limits/);
        }
    });

    it("refuses a non-repeatable flag twice, a bad duration, a value flag without value and a bool with one", () => {
        expect(thanosArgProblems(["query", "--query.timeout=1m", "--query.timeout=2m"])).toEqual(["container: query --query.timeout is not repeatable but appears 2 times"]);
        expect(thanosArgProblems(["compact", "--delete-delay=two days"])).toEqual(['container: compact --delete-delay takes a duration, got "two days"']);
        expect(thanosArgProblems(["store", "--min-time"])[0]).toMatch(/needs a value/);
        expect(thanosArgProblems(["store", "--disable-admin-operations=yes"])[0]).toMatch(/boolean flag/);
        expect(thanosArgProblems(["nope"])[0]).toMatch(/unknown Thanos subcommand/);
    });
});

/** Every container running the Thanos image in a render, with the args the Thanos binary receives. */
function thanosContainers(result: RenderResult): Array<{ where: string; args: string[] }> {
    const out: Array<{ where: string; args: string[] }> = [];
    for (const m of result.manifests) {
        const obj = m.object as { kind?: string; metadata?: { name?: string }; spec?: { template?: { spec?: { containers?: Container[] } }; additionalArgs?: Array<{ name: string; value?: string }> } };
        for (const c of obj.spec?.template?.spec?.containers ?? []) {
            if (c.image === IMAGES.thanos) out.push({ where: `${obj.kind}/${obj.metadata?.name}/${c.name}`, args: c.args ?? [] });
        }
        if (obj.kind === "ThanosRuler") {
            const extra = (obj.spec?.additionalArgs ?? []).map((a) => (a.value === undefined ? `--${a.name}` : `--${a.name}=${a.value}`));
            out.push({ where: `ThanosRuler/${obj.metadata?.name}/additionalArgs`, args: ["rule", ...extra] });
        }
    }
    return out;
}

describe.each(["prod", "local"])("every Thanos container of the %s render", (stack) => {
    let result: RenderResult;
    beforeAll(async () => {
        result = await renderInProcess(stack);
    });

    it("uses only flags of Thanos v0.42.4, each valid", () => {
        const containers = thanosContainers(result);
        const subcommands = new Set(containers.map((c) => c.args[0]));
        for (const s of ["store", "query", "query-frontend", "compact", "rule"]) expect(subcommands, `a ${s} container`).toContain(s);
        for (const c of containers) expect(thanosArgProblems(c.args, c.where)).toEqual([]);
    });
});

describe("every option of the builders emits valid flags", () => {
    it("store gateway with memcached caches, shards and time partitions", () => {
        const plan = storeGatewayPlan("s", {
            namespace: "m",
            objstoreSecret,
            shards: 2,
            timePartitions: [{ maxTime: "-14d" }, { minTime: "-15d" }],
            indexCache: { type: "memcached" },
            cachingBucket: { enabled: true },
        });
        expect(plan.instances).toHaveLength(4);
        for (const i of plan.instances) expect(thanosArgProblems(storeArgs(plan, i))).toEqual([]);
    });

    it("compactor with deduplication and sharding, and with downsampling off", () => {
        const plan = compactorPlan("c", {
            namespace: "m",
            objstoreSecret,
            deduplicationReplicaLabels: ["prometheus_replica", "thanos_ruler_replica"],
            sharding: { label: "cluster", groups: [["a"], ["b", "c"]] },
            downsampling: false,
        });
        for (const i of plan.instances) expect(thanosArgProblems(compactorArgs(plan, i))).toEqual([]);
    });

    it("query-frontend with a memcached results cache and querier with extra settings", () => {
        const qf = queryFrontendPlan("qf", { namespace: "m", downstreamUrl: "http://q:10902", resultsCache: { type: "memcached" } });
        expect(thanosArgProblems(queryFrontendArgs(qf))).toEqual([]);
        const q = querierPlan("q", { namespace: "m", endpoints: [{ address: "a:10901", group: false, description: "a" }], replicaLabels: ["r"], timeout: "5m" });
        expect(thanosArgProblems(querierArgs(q))).toEqual([]);
    });
});
