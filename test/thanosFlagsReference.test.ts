/**
 * The flag checker against facts of Thanos v0.42.4 written here from its `--help` output and release notes
 * (not read from the checker's data file): real flags of each subcommand with their kind, flags `--help` hides,
 * and every flag that was removed (v0.38) or deprecated. One row per fact.
 */
import { describe, expect, it } from "vitest";
import { thanosArgProblems } from "../policy/checks/thanosFlags";

describe("flags Thanos v0.42.4 has", () => {
    it.each<[string, string[]]>([
        ["sidecar", ["--prometheus.url=http://localhost:9090", "--tsdb.path=/prometheus", "--shipper.upload-compacted", "--grpc-address=0.0.0.0:10901"]],
        ["store", ["--data-dir=/var/thanos/store", "--ignore-deletion-marks-delay=24h", "--store.limits.request-series=1000", "--store.enable-index-header-lazy-reader", "--min-time=-30d", "--max-time=-1d"]],
        ["query", ["--query.replica-label=prometheus_replica", "--query.replica-label=thanos_ruler_replica", "--endpoint.sd-config=endpoints: []", "--query.timeout=2m", "--store.response-timeout=1m"]],
        ["query-frontend", ["--query-frontend.downstream-url=http://q:10902", "--query-range.split-interval=24h", "--query-frontend.log-queries-longer-than=10s", "--query-range.max-retries-per-request=5"]],
        ["compact", ["--wait", "--delete-delay=48h", "--retention.resolution-raw=30d", "--retention.resolution-5m=90d", "--retention.resolution-1h=1y", "--deduplication.replica-label=a", "--deduplication.replica-label=b", "--downsampling.disable"]],
        ["rule", ["--label=cluster=\"a\"", "--label=env=\"b\"", "--query=http://q:10902", "--alertmanagers.config=alertmanagers: []", "--eval-interval=30s"]],
        ["compact", ["--debug.halt-on-error", "--compact.enable-vertical-compaction"]],
        ["store", ["--store.caching-bucket.config=type: MEMCACHED", "--store.caching-bucket.config-file=/etc/c.yaml"]],
        ["query", ["--no-query.auto-downsampling", "--no-enable-auto-gomemlimit"]],
    ])("%s accepts %j", (sub, flags) => {
        expect(thanosArgProblems([sub, ...flags])).toEqual([]);
    });
});

describe("flags refused", () => {
    it.each<[string, string, RegExp]>([
        ["query", "--store=x:10901", /query --store is removed in v0\.38; use --endpoint\.sd-config/],
        ["query", "--rule=x:10901", /--rule is removed in v0\.38/],
        ["query", "--metadata=x:10901", /--metadata is removed in v0\.38/],
        ["query", "--exemplar=x:10901", /--exemplar is removed in v0\.38/],
        ["query", "--target=x:10901", /--target is removed in v0\.38/],
        ["query", "--endpoint=x:10901", /--endpoint is deprecated/],
        ["query", "--endpoint-group=x:10901", /--endpoint-group is deprecated/],
        ["query", "--endpoint-strict=x:10901", /--endpoint-strict is deprecated/],
        ["query", "--endpoint-group-strict=x:10901", /--endpoint-group-strict is deprecated/],
        ["query", "--store.sd-files=/f.yaml", /--store\.sd-files is deprecated/],
        ["query", "--store.sd-interval=5m", /--store\.sd-interval is deprecated/],
        ["store", "--store.grpc.touched-series-limit=10", /deprecated; use --store\.limits\.request-series/],
        ["store", "--store.grpc.series-sample-limit=10", /deprecated; use --store\.limits\.request-samples/],
        ["query", "--query.nope=1", /^container: query has no flag --query\.nope in Thanos v0\.42\.4$/],
        ["store", "--wait", /store has no flag --wait/],
        ["compact", "--debug.series-batch-size=10", /compact has no flag --debug\.series-batch-size/],
        ["query", "--no-query.timeout", /query has no flag --no-query\.timeout/],
        ["compact", "--wait=true", /--wait is a boolean flag and takes no value/],
        ["store", "--data-dir", /--data-dir needs a value/],
        ["compact", "--delete-delay=2 days", /--delete-delay takes a duration, got "2 days"/],
        ["query", "--query.timeout=soon", /--query\.timeout takes a duration/],
        ["query-frontend", "--query-frontend.log-queries-longer-than=long", /takes a duration/],
        ["query", "positional", /query takes no positional argument, got "positional"/],
    ])("%s %s", (sub, flag, message) => {
        const problems = thanosArgProblems([sub, flag]);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(message);
    });

    it("names where the flag is, counts a non-repeatable flag given twice, and knows every subcommand", () => {
        expect(thanosArgProblems(["store", "--data-dir=/a", "--data-dir=/b"], "StatefulSet/x")).toEqual(["StatefulSet/x: store --data-dir is not repeatable but appears 2 times"]);
        expect(thanosArgProblems(["query", "--query.replica-label=a", "--query.replica-label=a"])).toEqual([]);
        for (const sub of ["sidecar", "store", "query", "query-frontend", "compact", "rule", "receive"]) expect(thanosArgProblems([sub]), sub).toEqual([]);
        expect(thanosArgProblems(["tools"])).toEqual(['container: unknown Thanos subcommand "tools"']);
        expect(thanosArgProblems([])).toEqual(["container: unknown Thanos subcommand undefined"]);
    });
});
