import { describe, expect, it } from "vitest";
import { collectProjectConfig, parseConfigValue, validateStackConfig } from "../infra/config/load";
import { bucketNameProblem } from "../infra/config/rules";
import { parseDuration, formatDuration } from "../components/lib/duration";
import { parseQuantity } from "../components/lib/quantity";
import { configProblems, minimalConfig } from "./support/configFixtures";

/** A minimal valid configuration; tests override one thing at a time. */
const base = (overrides: Record<string, unknown> = {}) => minimalConfig("dev", overrides);
const problems = configProblems;

function valid(raw: unknown) {
    const r = validateStackConfig(raw);
    if (!r.ok) throw new Error(`expected valid config, got:\n${r.problems.join("\n")}`);
    return r.config;
}

describe("stack configuration", () => {
    it("accepts a minimal config and fills production defaults", () => {
        const c = valid(base());
        // The documented values (test/configDefaults.test.ts has every default).
        expect(c.namespace).toBe("monitoring");
        expect(c.prometheus.shards).toBe(1);
        expect(c.prometheus.replicas).toBe(2);
        expect(c.prometheus.retention).toBe("24h");
        expect(c.compactor.retention).toEqual({ raw: "30d", fiveMinutes: "90d", oneHour: "1y" });
        expect(c.querier.resources.limits.memory).toBe("2Gi");
        expect(c.protect).toBe(false);
    });

    it("protects by default in prod only, and lets the user decide", () => {
        expect(valid(base({ environment: "prod" })).protect).toBe(true);
        expect(valid(base({ environment: "prod", protect: false })).protect).toBe(false);
        expect(valid(base({ environment: "staging", protect: true })).protect).toBe(true);
    });

    it("keeps defaults for the leaves a user does not set", () => {
        const c = valid(base({ prometheus: { resources: { limits: { memory: "8Gi" } } } }));
        expect(c.prometheus.resources.limits.memory).toBe("8Gi");
        expect(c.prometheus.resources.requests.memory).toBe("2Gi");
        expect(c.prometheus.shards).toBe(1);
    });

    it.each([
        [{ prometheus: { shards: 0 } }, "prometheus.shards: must be an integer between 1 and 256, got 0"],
        [{ prometheus: { shards: 2.5 } }, "prometheus.shards: must be an integer between 1 and 256, got 2.5"],
        [{ prometheus: { shards: "4" } }, 'prometheus.shards: must be an integer between 1 and 256, got "4"'],
        [{ prometheus: { replicas: 0 } }, "prometheus.replicas: must be an integer between 1 and 10, got 0"],
        [{ prometheus: { retention: "2h" } }, 'prometheus.retention: must cover three 2h blocks so the sidecar can upload each before it is deleted (at least 6h), got "2h"'],
        [{ prometheus: { retention: "2 days" } }, 'prometheus.retention: must be a duration in Prometheus syntax, like 30s, 6h, 30d or 1y, got "2 days"'],
        [{ namespace: "Monitoring" }, 'namespace: must be a DNS-1123 label: at most 63 lowercase letters, digits or \'-\', starting and ending with a letter or digit, got "Monitoring"'],
        [{ namespace: "a".repeat(64) }, "namespace: must be a DNS-1123 label"],
        [{ environment: "prod_1" }, "environment: must be a DNS-1123 label"],
        [{ objectStorage: { provider: "gcs", bucketName: "acme-thanos" } }, 'objectStorage.provider: must be one of: s3, versitygw, got "gcs"'],
        [{ objectStorage: { provider: "s3", bucketName: "Acme" } }, "objectStorage.bucketName: S3 bucket name may contain only lowercase letters"],
        [{ aws: { region: "europe" } }, 'aws.region: must be an AWS region code, like eu-west-1 or us-east-2, got "europe"'],
        [{ aws: {} }, "aws.region: is required when objectStorage.provider is s3"],
        [{ compactor: { retention: { raw: "24h" } } }, 'compactor.retention.raw: must keep raw data long enough to downsample it to 5m while compactor.downsampling is on (at least 1d16h), got "24h"'],
        [{ compactor: { retention: { fiveMinutes: "7d" } } }, "compactor.retention.fiveMinutes: must keep 5m data long enough to downsample it to 1h while compactor.downsampling is on (at least 10d)"],
        [{ querier: { resources: { requests: { memory: "4Gi" }, limits: { memory: "1Gi" } } } }, 'querier.resources.limits.memory: must be >= requests.memory (4Gi), got "1Gi"'],
        [{ querier: { resources: { requests: { cpu: "lots" } } } }, 'querier.resources.requests.cpu: must be a Kubernetes quantity, like 500m, 2, 512Mi or 50Gi, got "lots"'],
        [{ prometheus: { storage: { size: "0Gi" } } }, 'prometheus.storage.size: must be a volume size greater than zero, like 50Gi, got "0Gi"'],
        [{ protect: "yes" }, 'protect: must be true or false, got "yes"'],
        // Go's transport keeps no idle connection with keep-alive off: a pool size there would be silently ignored.
        [{ queryFrontend: { maxIdleConnsPerHost: 200 } }, "queryFrontend.maxIdleConnsPerHost: applies only with downstreamKeepAlive: true (keep-alive to the querier is off by default, so no connection is kept), got 200"],
        [{ cluster: { name: "eks", eks: { clusterName: "eks", oidcProviderArn: "oidc" } } }, "cluster.eks.oidcProviderArn: must be an IAM OIDC provider ARN"],
        [{ prometheus: { shardz: 2 } }, "prometheus.shardz: unknown key (did you mean 'shards'?)"],
        [{ promethus: {} }, "promethus: unknown key (did you mean 'prometheus'?)"],
        [{ cluster: {} }, "cluster.name: is required"],
    ])("refuses %j with a line naming the key, the value and the rule", (override, expected) => {
        const lines = problems(base(override));
        expect(lines.some((l) => l.startsWith(expected)), `expected a line starting with:\n  ${expected}\ngot:\n  ${lines.join("\n  ")}`).toBe(true);
    });

    it("allows short retentions once downsampling is off", () => {
        const c = valid(base({ compactor: { downsampling: false, retention: { raw: "7d", fiveMinutes: "1d", oneHour: "1d" } } }));
        expect(c.compactor.retention.raw).toBe("7d");
    });

    it("reports every problem at once, one line each", () => {
        const lines = problems({
            environment: "Prod",
            cluster: { name: "x", nope: 1 },
            objectStorage: { provider: "s3", bucketName: "x" },
            prometheus: { shards: 0, replicas: 0, retention: "1h" },
            extra: true,
        });
        const keys = lines.map((l) => l.split(":")[0]);
        expect(keys).toEqual(
            expect.arrayContaining([
                "environment",
                "cluster.nope",
                "objectStorage.bucketName",
                "prometheus.shards",
                "prometheus.replicas",
                "prometheus.retention",
                "extra",
                "aws.region",
            ]),
        );
        for (const l of lines) expect(l).not.toMatch(/\n|at .*\.ts:\d+/);
    });

    it("reports a missing required section as required", () => {
        expect(problems({ environment: "dev", cluster: { name: "c" } })).toContain("objectStorage: is required");
    });
});

describe("S3 bucket names", () => {
    it.each(["acme-thanos-prod", "abc", "a1-b2-c3", "x".repeat(63)])("accepts %s", (name) => {
        expect(bucketNameProblem(name)).toBeUndefined();
    });
    it.each([
        ["ab", "3-63"],
        ["x".repeat(64), "3-63"],
        ["-abc", "start and end"],
        ["abc-", "start and end"],
        ["a_bc", "only lowercase"],
        ["192.168.1.1", "IP address"],
        ["xn--abc", "xn--"],
        ["abc-s3alias", "-s3alias"],
        ["acme.thanos", "must not contain '.'"],
    ])("refuses %s (%s)", (name, why) => {
        expect(bucketNameProblem(name)).toContain(why);
    });
});

describe("durations and quantities", () => {
    it.each([
        ["30s", 30_000],
        ["6h", 6 * 3600_000],
        ["1d12h", 36 * 3600_000],
        ["1y", 365 * 86400_000],
        ["2w", 14 * 86400_000],
        ["500ms", 500],
        ["0", 0],
    ])("parses %s", (text, ms) => expect(parseDuration(text)).toBe(ms));
    it.each(["", "6", "1.5h", "h", "1h1d", "-1h", "1H"])("refuses %j", (text) => expect(parseDuration(text)).toBeUndefined());
    it("formats in the largest exact units", () => {
        expect(formatDuration(40 * 3600_000)).toBe("1d16h");
        expect(formatDuration(24 * 3600_000)).toBe("1d");
        expect(formatDuration(90 * 60_000)).toBe("1h30m");
    });
    it.each([
        ["500m", 0.5],
        ["2", 2],
        ["512Mi", 512 * 1024 ** 2],
        ["1.5Gi", 1.5 * 1024 ** 3],
        ["1e3", 1000],
        ["1k", 1000],
    ])("parses quantity %s", (text, value) => expect(parseQuantity(text)).toBe(value));
    it.each(["", "lots", "1..5", "5Qi", "Mi"])("refuses quantity %j", (text) => expect(parseQuantity(text)).toBeUndefined());
});

describe("reading the Pulumi config map", () => {
    it("parses objects as JSON and scalars as YAML scalars", () => {
        expect(parseConfigValue('{"shards":4}')).toEqual({ shards: 4 });
        expect(parseConfigValue("4")).toBe(4);
        expect(parseConfigValue("true")).toBe(true);
        expect(parseConfigValue("prod")).toBe("prod");
    });

    it("takes the project namespace, ignores pulumi:, and refuses ambient provider keys", () => {
        const { raw, problems } = collectProjectConfig({
            "thanos-stack:environment": "prod",
            "thanos-stack:prometheus": '{"shards":4}',
            "pulumi:disable-default-providers": '["*"]',
            "aws:region": "eu-west-1",
            "kubernetes:context": "kind",
        });
        expect(raw).toEqual({ environment: "prod", prometheus: { shards: 4 } });
        expect(problems).toHaveLength(2);
        expect(problems[0]).toMatch(/^aws:region: is ignored, .* set thanos-stack:aws.region/);
        expect(problems[1]).toMatch(/^kubernetes:context: is ignored, .* set thanos-stack:cluster\.context/);
    });

    it.each([
        ["thanos-stak:storeGateway", "thanos-stak", "thanos-stack:storeGateway"],
        ["thanos_stack:storeGateway", "thanos_stack", "thanos-stack:storeGateway"],
        ["Thanos-Stack:prometheus", "Thanos-Stack", "thanos-stack:prometheus"],
        ["thanosstack:prometheus", "thanosstack", "thanos-stack:prometheus"],
        ["thanos.stack:prometheus", "thanos.stack", "thanos-stack:prometheus"],
    ])("refuses the near-miss namespace of %s, naming the key, the namespace and the rule", (key, ns, meant) => {
        const { raw, problems } = collectProjectConfig({ "thanos-stack:environment": "dev", [key]: '{"shards":2}' });
        expect(raw).toEqual({ environment: "dev" });
        expect(problems).toEqual([`${key}: config namespace "${ns}" is not this project's, so the key would be ignored; the namespace must be "thanos-stack" (did you mean ${meant}?)`]);
    });

    it("leaves other programs' namespaces alone", () => {
        const { problems } = collectProjectConfig({ "thanos-stack:environment": "dev", "pulumi:tags": "{}", "thanos-policy:level": "mandatory", "grafana:url": "x", "thanos:foo": "1" });
        expect(problems).toEqual([]);
    });

    it("refuses a dotted key written without --path, with the commands that fix it and without its value", () => {
        const { raw, problems } = collectProjectConfig({ "thanos-stack:environment": "dev", "thanos-stack:prometheus.shards": "2", "thanos-stack:alertmanager.receivers": "hunter2-secret" });
        expect(raw).toEqual({ environment: "dev" });
        expect(problems).toEqual([
            'thanos-stack:alertmanager.receivers: is one key named "alertmanager.receivers" (pulumi config set without --path), not a path; a key must not contain ".": run pulumi config rm thanos-stack:alertmanager.receivers && pulumi config set --path thanos-stack:alertmanager.receivers <value> (add --secret for a secret)',
            'thanos-stack:prometheus.shards: is one key named "prometheus.shards" (pulumi config set without --path), not a path; a key must not contain ".": run pulumi config rm thanos-stack:prometheus.shards && pulumi config set --path thanos-stack:prometheus.shards <value> (add --secret for a secret)',
        ]);
        expect(problems.join("\n")).not.toContain("hunter2");
    });
});

describe("error polish: one problem, one line, where it is", () => {
    it("a YAML error names the file, line and column, and keeps the parser's code frame", async () => {
        const { readStackFile, InputError } = await import("../scripts/lib/stackConfig");
        const fs = await import("fs");
        const os = await import("os");
        const path = await import("path");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "yaml-error-"));
        try {
            fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), "config:\n  thanos-stack:prometheus:\n    shards: 2\n   replicas: 3\n");
            let problems: string[] = [];
            try {
                readStackFile("bad", dir);
            } catch (e) {
                expect(e).toBeInstanceOf(InputError);
                problems = (e as InstanceType<typeof InputError>).problems;
            }
            expect(problems).toHaveLength(1);
            const [first, ...frame] = problems[0]!.split("\n");
            expect(first).toBe("Pulumi.bad.yaml:4:1: not valid YAML: All mapping items must start at the same column");
            // The offending line, indented under the problem, and a caret line.
            expect(frame.some((l) => l.includes("replicas: 3"))).toBe(true);
            expect(frame[frame.length - 1]).toMatch(/^ {4}\s*\^/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("a misspelt required key is one line: the unknown key and the name it should have", () => {
        const problems = configProblems(minimalConfig("dev", { querier: { extraEndpoints: [{ adress: "store.example:10901" }] } }));
        expect(problems).toEqual(["querier.extraEndpoints[0].adress: unknown key (did you mean 'address'? It is required)"]);
        // A misspelt optional key keeps the plain hint; a missing key without a near miss stays required.
        expect(configProblems(minimalConfig("dev", { querier: { replicsa: 2 } }))).toEqual(["querier.replicsa: unknown key (did you mean 'replicas'?)"]);
        expect(configProblems(minimalConfig("dev", { querier: { extraEndpoints: [{ group: true }] } }))).toEqual(["querier.extraEndpoints[0].address: is required"]);
    });

    it('gives "did you mean" inside lists and maps too', () => {
        expect(configProblems(minimalConfig("dev", { storeGateway: { timePartitions: [{ minTim: "-30d" }] } }))).toEqual(["storeGateway.timePartitions[0].minTim: unknown key (did you mean 'minTime'?)"]);
        expect(configProblems(minimalConfig("dev", { placement: { tolerations: [{ efect: "NoSchedule" }] } }))[0]).toBe("placement.tolerations[0].efect: unknown key (did you mean 'effect'?)");
    });
});
