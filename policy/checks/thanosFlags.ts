/**
 * Checks Thanos container args against the flag list of the pinned version
 * (policy/data/thanos-v0.42.4: `thanos <cmd> --help` per component, plus the hidden flags).
 * The policy pack and the tests share this one checker and this one copy of the data.
 */
import { parseDuration } from "../../components/lib/duration";
import FLAGS_JSON from "../data/thanos-v0.42.4/flags.json";
import HIDDEN_JSON from "../data/thanos-v0.42.4/hidden-flags.json";

interface FlagSpec {
    flag: string;
    type: "bool" | "value";
    default?: string;
    repeatable?: boolean;
}

const FLAGS = FLAGS_JSON as Record<string, FlagSpec[]>;
const HIDDEN = HIDDEN_JSON as Record<string, string[]>;

/** The Thanos subcommands the fixture knows. */
export const SUBCOMMANDS = Object.keys(FLAGS);

/** Source file of hidden flags -> subcommands that register them. */
const HIDDEN_SOURCES: Record<string, string[]> = {
    "compact.go": ["compact"],
    "query.go": ["query"],
    "query_frontend.go": ["query-frontend"],
    "store.go": ["store"],
    "receive.go": ["receive"],
    "config.go": ["sidecar", "rule", "receive"],
    "main.go": SUBCOMMANDS,
};

/**
 * Hidden flags the fixture's extraction missed: v0.42.4 cmd/thanos/store.go registers the caching-bucket
 * config with `extflag.RegisterPathOrContent(hidden.HiddenCmdClause(cmd), "store.caching-bucket.config", ...)`,
 * which defines both the `-file` and the content form.
 */
const EXTRA_HIDDEN: Record<string, string[]> = {
    store: ["store.caching-bucket.config", "store.caching-bucket.config-file"],
};

/** Removed (v0.38) or deprecated flags that must never be emitted, with the replacement. */
export const FORBIDDEN: Record<string, Record<string, string>> = {
    query: {
        "--store": "removed in v0.38; use --endpoint.sd-config",
        "--rule": "removed in v0.38; use --endpoint.sd-config",
        "--metadata": "removed in v0.38; use --endpoint.sd-config",
        "--exemplar": "removed in v0.38; use --endpoint.sd-config",
        "--target": "removed in v0.38; use --endpoint.sd-config",
        "--endpoint": "deprecated; use --endpoint.sd-config",
        "--endpoint-group": "deprecated; use --endpoint.sd-config with group: true",
        "--endpoint-strict": "deprecated; use --endpoint.sd-config with strict: true",
        "--endpoint-group-strict": "deprecated; use --endpoint.sd-config",
        "--store.sd-files": "deprecated; use --endpoint.sd-config",
        "--store.sd-interval": "deprecated; use --endpoint.sd-config",
    },
    store: {
        "--store.grpc.touched-series-limit": "deprecated; use --store.limits.request-series",
        "--store.grpc.series-sample-limit": "deprecated; use --store.limits.request-samples",
    },
};

/** Value flags whose default does not show they take a duration. */
const EXTRA_DURATION_FLAGS = new Set([
    "--query.lookback-delta",
    "--query-range.min-split-interval",
    "--query-range.max-split-interval",
    "--query-range.max-query-length",
    "--query-frontend.log-queries-longer-than",
    "--store.response-timeout",
]);

const DURATION_DEFAULT = /^\d+(ms|s|m|h|d|w|y)/;

interface Known {
    type: "bool" | "value" | "any";
    repeatable: boolean;
    duration: boolean;
}

function knownFlags(subcommand: string): Map<string, Known> {
    const known = new Map<string, Known>();
    for (const [source, names] of Object.entries(HIDDEN)) {
        if (!(HIDDEN_SOURCES[source] ?? []).includes(subcommand)) continue;
        for (const n of names) known.set(`--${n}`, { type: "any", repeatable: false, duration: false });
    }
    for (const n of EXTRA_HIDDEN[subcommand] ?? []) known.set(`--${n}`, { type: "value", repeatable: false, duration: false });
    for (const f of FLAGS[subcommand] ?? []) {
        known.set(f.flag, {
            type: f.type,
            repeatable: f.repeatable === true,
            duration: f.type === "value" && ((f.default !== undefined && DURATION_DEFAULT.test(f.default)) || EXTRA_DURATION_FLAGS.has(f.flag)),
        });
    }
    return known;
}

/**
 * Problems with the args of one Thanos container (`args[0]` is the subcommand), one line each:
 * unknown, removed or deprecated flags; a value flag without a value or a bool flag with one; a
 * non-repeatable flag given twice; a duration flag whose value does not parse.
 */
export function thanosArgProblems(args: readonly string[], where = "container"): string[] {
    const [subcommand, ...rest] = args;
    if (subcommand === undefined || !SUBCOMMANDS.includes(subcommand)) return [`${where}: unknown Thanos subcommand ${JSON.stringify(subcommand)}`];
    const known = knownFlags(subcommand);
    const forbidden = FORBIDDEN[subcommand] ?? {};
    const counts = new Map<string, number>();
    const problems: string[] = [];
    for (const arg of rest) {
        if (!arg.startsWith("--")) {
            problems.push(`${where}: ${subcommand} takes no positional argument, got ${JSON.stringify(arg)}`);
            continue;
        }
        const eq = arg.indexOf("=");
        let name = eq === -1 ? arg : arg.slice(0, eq);
        const value = eq === -1 ? undefined : arg.slice(eq + 1);
        if (forbidden[name] !== undefined) {
            problems.push(`${where}: ${subcommand} ${name} is ${forbidden[name]}`);
            continue;
        }
        let spec = known.get(name);
        if (spec === undefined && name.startsWith("--no-")) {
            const positive = `--${name.slice(5)}`;
            const s = known.get(positive);
            if (s !== undefined && s.type !== "value") {
                spec = s;
                name = positive;
            }
        }
        if (spec === undefined) {
            problems.push(`${where}: ${subcommand} has no flag ${name} in Thanos v0.42.4`);
            continue;
        }
        counts.set(name, (counts.get(name) ?? 0) + 1);
        if (spec.type === "bool" && value !== undefined) problems.push(`${where}: ${subcommand} ${name} is a boolean flag and takes no value, got ${JSON.stringify(arg)}`);
        if (spec.type === "value" && value === undefined) problems.push(`${where}: ${subcommand} ${name} needs a value (--flag=value), got ${JSON.stringify(arg)}`);
        if (spec.duration && value !== undefined && parseDuration(value) === undefined) {
            problems.push(`${where}: ${subcommand} ${name} takes a duration, got ${JSON.stringify(value)}`);
        }
    }
    for (const [name, n] of counts) {
        if (n > 1 && !known.get(name)!.repeatable) problems.push(`${where}: ${subcommand} ${name} is not repeatable but appears ${n} times`);
    }
    return problems;
}
