/**
 * The flag checker against facts of the Thanos v0.42.4 sources, written down here (not read from the checker):
 * which subcommands register each file's hidden flags, the caching-bucket flags extflag registers, every removed or
 * deprecated querier/store flag with its replacement, and the duration flags whose defaults do not show it.
 */
import { describe, expect, it } from "vitest";
import { thanosArgProblems } from "../policy/checks/thanosFlags";

/** One hidden flag per cmd/thanos source file, and the subcommands whose command clause registers it. */
const HIDDEN_FLAG_OWNERS: Array<{ flag: string; file: string; registeredBy: string[]; notBy: string[] }> = [
    { flag: "--debug.halt-on-error", file: "compact.go", registeredBy: ["compact"], notBy: ["store", "query"] },
    { flag: "--query.disable-fallback", file: "query.go", registeredBy: ["query"], notBy: ["query-frontend", "rule"] },
    { flag: "--query-frontend.tenant-header", file: "query_frontend.go", registeredBy: ["query-frontend"], notBy: ["query"] },
    { flag: "--debug.series-batch-size", file: "store.go", registeredBy: ["store"], notBy: ["compact"] },
    { flag: "--receive.artificial-max-delay", file: "receive.go", registeredBy: ["receive"], notBy: ["sidecar"] },
    { flag: "--shipper.ignore-unequal-block-size", file: "config.go", registeredBy: ["sidecar", "rule", "receive"], notBy: ["store", "query", "compact"] },
    { flag: "--debug.name", file: "main.go", registeredBy: ["sidecar", "store", "query", "query-frontend", "compact", "rule", "receive"], notBy: [] },
];

const REMOVED_OR_DEPRECATED: Array<[subcommand: string, flag: string, message: string]> = [
    ["query", "--store", "removed in v0.38; use --endpoint.sd-config"],
    ["query", "--rule", "removed in v0.38; use --endpoint.sd-config"],
    ["query", "--metadata", "removed in v0.38; use --endpoint.sd-config"],
    ["query", "--exemplar", "removed in v0.38; use --endpoint.sd-config"],
    ["query", "--target", "removed in v0.38; use --endpoint.sd-config"],
    ["query", "--endpoint", "deprecated; use --endpoint.sd-config"],
    ["query", "--endpoint-group", "deprecated; use --endpoint.sd-config with group: true"],
    ["query", "--endpoint-strict", "deprecated; use --endpoint.sd-config with strict: true"],
    ["query", "--endpoint-group-strict", "deprecated; use --endpoint.sd-config"],
    ["query", "--store.sd-files", "deprecated; use --endpoint.sd-config"],
    ["query", "--store.sd-interval", "deprecated; use --endpoint.sd-config"],
    ["store", "--store.grpc.touched-series-limit", "deprecated; use --store.limits.request-series"],
    ["store", "--store.grpc.series-sample-limit", "deprecated; use --store.limits.request-samples"],
];

/** Duration flags whose default (0, 0ms or none) does not look like a duration. */
const DURATION_FLAGS: Array<[subcommand: string, flag: string]> = [
    ["query", "--query.lookback-delta"],
    ["query", "--store.response-timeout"],
    ["query-frontend", "--query-range.min-split-interval"],
    ["query-frontend", "--query-range.max-split-interval"],
    ["query-frontend", "--query-range.max-query-length"],
    ["query-frontend", "--query-frontend.log-queries-longer-than"],
];

describe("the flag checker, against the Thanos sources", () => {
    it.each(HIDDEN_FLAG_OWNERS)("$flag ($file) is known to exactly the subcommands that register it", ({ flag, registeredBy, notBy }) => {
        for (const sub of registeredBy) expect(thanosArgProblems([sub, `${flag}=x`]), `${sub} ${flag}`).toEqual([]);
        for (const sub of notBy) expect(thanosArgProblems([sub, `${flag}=x`]), `${sub} ${flag}`).toEqual([`container: ${sub} has no flag ${flag} in Thanos v0.42.4`]);
    });

    it("a hidden flag is not repeatable", () => {
        expect(thanosArgProblems(["compact", "--debug.halt-on-error", "--debug.halt-on-error"])).toEqual(["container: compact --debug.halt-on-error is not repeatable but appears 2 times"]);
    });

    it("knows the caching-bucket flags extflag registers on the store (content and -file form), as value flags of the store only", () => {
        for (const flag of ["--store.caching-bucket.config", "--store.caching-bucket.config-file"]) {
            expect(thanosArgProblems(["store", `${flag}=x`])).toEqual([]);
            expect(thanosArgProblems(["store", flag])).toEqual([`container: store ${flag} needs a value (--flag=value), got "${flag}"`]);
            expect(thanosArgProblems(["store", `${flag}=a`, `${flag}=b`])).toEqual([`container: store ${flag} is not repeatable but appears 2 times`]);
            expect(thanosArgProblems(["query", `${flag}=x`])).toEqual([`container: query has no flag ${flag} in Thanos v0.42.4`]);
        }
    });

    it.each(REMOVED_OR_DEPRECATED)("%s %s is refused with its replacement", (sub, flag, message) => {
        expect(thanosArgProblems([sub, `${flag}=x`])).toEqual([`container: ${sub} ${flag} is ${message}`]);
        expect(thanosArgProblems([sub, flag])).toEqual([`container: ${sub} ${flag} is ${message}`]);
    });

    it.each(DURATION_FLAGS)("%s %s takes a duration", (sub, flag) => {
        expect(thanosArgProblems([sub, `${flag}=5m`])).toEqual([]);
        expect(thanosArgProblems([sub, `${flag}=soon`])).toEqual([`container: ${sub} ${flag} takes a duration, got "soon"`]);
    });

    it("a value flag whose default is not a duration takes any value; a bool's --no- form is the bool", () => {
        expect(thanosArgProblems(["query", "--query.replica-label=5 minutes"])).toEqual([]);
        expect(thanosArgProblems(["query", "--no-query.auto-downsampling=1"])).toEqual(['container: query --query.auto-downsampling is a boolean flag and takes no value, got "--no-query.auto-downsampling=1"']);
        // A value flag has no --no- form, and a --no- prefix on an unknown name stays unknown.
        expect(thanosArgProblems(["query", "--no-query.timeout"])).toEqual(["container: query has no flag --no-query.timeout in Thanos v0.42.4"]);
        expect(thanosArgProblems(["query", "--no-such-flag"])).toEqual(["container: query has no flag --no-such-flag in Thanos v0.42.4"]);
        // kingpin negates a bool with exactly `--no-`: another prefix of the same length is no negation.
        expect(thanosArgProblems(["query", "--ok-query.auto-downsampling"])).toEqual(["container: query has no flag --ok-query.auto-downsampling in Thanos v0.42.4"]);
        expect(thanosArgProblems(["compact", "--on-debug.halt-on-error"])).toEqual(["container: compact has no flag --on-debug.halt-on-error in Thanos v0.42.4"]);
    });

    it("names the container and refuses positional arguments", () => {
        expect(thanosArgProblems(["query", "extra"], "pod/x")).toEqual(['pod/x: query takes no positional argument, got "extra"']);
    });
});
