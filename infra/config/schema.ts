/**
 * The stack configuration: every key under the `thanos-stack:` config
 * namespace, validated as one typed object before any resource is created.
 * Each section lives in `sections/`; this file composes them and holds the
 * rules that span sections.
 *
 * Descriptions and defaults are the source of `docs/configuration.md`
 * (`npm run docs:config`); a test fails when the document is stale.
 */
import { z } from "zod";
import { DEFAULTS } from "../../components/defaults";
import { parseDuration, formatDuration, HOUR_MS, DAY_MS } from "../../components/lib/duration";
import { parseQuantity } from "../../components/lib/quantity";
import { featureRule, retentionSizeRule } from "../../components/prometheus/settingsRules";
import type { Problem } from "./common";
import { bool, dnsLabel } from "./rules";
import { aws, cluster } from "./sections/cluster";
import { objectStorage, objectStorageProblems } from "./sections/objectStorage";
import { alertmanager, operator, prometheus, pushgateway, selfMonitoring } from "./sections/prometheus";
import { compactor, querier, queryFrontend, ruler, storeGateway, thanosCrossFieldProblems } from "./sections/thanos";
import { central, collector, multiClusterProblems, role } from "./sections/multiCluster";
import { ui, uiProblems } from "./sections/uiAccess";
import { networkPolicies, priorityClass, storageClass } from "./sections/hardening";
import { production, productionProblems } from "./sections/production";
import { teams } from "./sections/teams";
import { logging, placement } from "./sections/pods";

/** The schema of the whole stack configuration (keys under the `thanos-stack:` namespace). */
export const stackConfigSchema = z
    .strictObject({
        environment: dnsLabel().meta({ description: "Environment name (`local`, `dev`, `staging`, `prod`, ...); the `environment` external label." }),
        namespace: dnsLabel().default(DEFAULTS.namespace).meta({ description: "Kubernetes namespace of the whole stack." }),
        protect: bool().optional().meta({ description: "Protect stateful resources (bucket, volumes) from deletion. Default: true when environment is `prod`." }),
        production,
        cluster,
        aws,
        objectStorage,
        prometheus,
        operator,
        alertmanager,
        pushgateway,
        storeGateway,
        querier,
        queryFrontend,
        compactor,
        ruler,
        selfMonitoring,
        role,
        collector,
        central,
        ui,
        priorityClass,
        storageClass,
        networkPolicies,
        teams,
        placement: placement("Where every pod of the stack runs and where its images come from: node selector, tolerations, node affinity, pull Secrets and a registry mirror (node-exporter takes only the last two: it runs on every node). Each component's own `placement` replaces these field by field.", false),
        logging: logging("Log level and format of every Thanos, Prometheus, Alertmanager and Pushgateway process and of the Operator; each component's own `logging` replaces these field by field.", false),
    })
    .superRefine((c, ctx) => {
        // An index is a number, so the key reads like the schema's own (`a.b[1].c`).
        for (const p of crossFieldProblems(c)) ctx.addIssue({ code: "custom", path: p.path.map((s) => (/^\d+$/.test(s) ? Number(s) : s)), message: p.message, input: p.input });
    });

/** The raw (input) shape of the configuration. */
export type StackConfigInput = z.input<typeof stackConfigSchema>;
/** The validated configuration with every default applied. */
export type StackConfig = z.output<typeof stackConfigSchema> & { protect: boolean };

/** Minimum Prometheus local retention: three 2h blocks. */
export const MIN_PROMETHEUS_RETENTION_MS = 6 * HOUR_MS;
/** Minimum raw retention while downsampling (the 5m downsampling needs 40h of raw blocks). */
export const MIN_RAW_RETENTION_MS = 40 * HOUR_MS;
/** Minimum 5m retention while downsampling (the 1h downsampling needs 10d of 5m blocks). */
export const MIN_FIVE_MINUTE_RETENTION_MS = 10 * DAY_MS;

type Parsed = z.output<typeof stackConfigSchema>;

/** Rules across fields; they see values that already passed their own field rules. */
function crossFieldProblems(c: Parsed): Problem[] {
    const problems: Problem[] = [];
    const atLeast = (path: string[], value: string, min: number, rule: string) => {
        const ms = parseDuration(value);
        if (ms !== undefined && ms < min) problems.push({ path, message: `${rule} (at least ${formatDuration(min)})`, input: value });
    };
    atLeast(["prometheus", "retention"], c.prometheus.retention, MIN_PROMETHEUS_RETENTION_MS, "must cover three 2h blocks so the sidecar can upload each before it is deleted");
    if (c.compactor.downsampling) {
        atLeast(["compactor", "retention", "raw"], c.compactor.retention.raw, MIN_RAW_RETENTION_MS, "must keep raw data long enough to downsample it to 5m while compactor.downsampling is on");
        atLeast(["compactor", "retention", "fiveMinutes"], c.compactor.retention.fiveMinutes, MIN_FIVE_MINUTE_RETENTION_MS, "must keep 5m data long enough to downsample it to 1h while compactor.downsampling is on");
    }
    if (c.prometheus.retentionSize !== undefined) {
        const rule = retentionSizeRule(c.prometheus.retentionSize, c.prometheus.storage.size);
        if (rule !== undefined) problems.push({ path: ["prometheus", "retentionSize"], message: rule, input: c.prometheus.retentionSize });
    }
    c.prometheus.enableFeatures.forEach((f, n) => {
        const rule = featureRule(f);
        if (rule !== undefined) problems.push({ path: ["prometheus", "enableFeatures", String(n)], message: rule, input: f });
        else if (c.prometheus.enableFeatures.indexOf(f) !== n) problems.push({ path: ["prometheus", "enableFeatures", String(n)], message: "must be listed once", input: f });
    });
    if (c.objectStorage.provider === "s3" && c.aws.region === undefined) {
        problems.push({ path: ["aws", "region"], message: "is required when objectStorage.provider is s3", input: undefined });
    }
    problems.push(...objectStorageProblems(c));
    problems.push(...thanosCrossFieldProblems(c));
    problems.push(...multiClusterProblems(c));
    problems.push(...uiProblems(c));
    problems.push(...productionProblems(c));
    for (const [section, res] of resourceSections(c)) {
        const req = parseQuantity(res.requests.memory);
        const lim = parseQuantity(res.limits.memory);
        if (req !== undefined && lim !== undefined && lim < req) {
            problems.push({ path: [...section, "limits", "memory"], message: `must be >= requests.memory (${res.requests.memory})`, input: res.limits.memory });
        }
    }
    return problems;
}

interface MemoryResources {
    requests: { memory: string };
    limits: { memory: string };
}

function isMemoryResources(v: unknown): v is MemoryResources {
    const r = v as Partial<MemoryResources> | null;
    return typeof r === "object" && r !== null && typeof r.requests?.memory === "string" && typeof r.limits?.memory === "string";
}

/** Every container-resources object in the configuration, with its key path. */
function resourceSections(value: unknown, path: string[] = []): Array<[string[], MemoryResources]> {
    if (isMemoryResources(value)) return [[path, value]];
    if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
    return Object.entries(value).flatMap(([k, v]) => resourceSections(v, [...path, k]));
}
