/**
 * The stack configuration: every key under the `thanos-stack:` config
 * namespace, validated as one typed object before any resource is created.
 *
 * Descriptions and defaults here are the source of `docs/configuration.md`
 * (`npm run docs:config`); a test fails when the document is stale.
 */
import { z } from "zod";
import { DEFAULTS, ResourceRequirements } from "../../components/defaults";
import { parseDuration, formatDuration, HOUR_MS, DAY_MS } from "../../components/lib/duration";
import { parseQuantity } from "../../components/lib/quantity";
import {
    awsRegion,
    bool,
    bucketName,
    dnsLabel,
    duration,
    integer,
    labelValue,
    quantity,
    stringMap,
    text,
} from "./rules";

/** Requests and limits of one container; every leaf defaults to the component's production value. */
function resources(d: ResourceRequirements) {
    return z
        .strictObject({
            requests: z
                .strictObject({
                    cpu: quantity().default(d.requests.cpu).meta({ description: "CPU request." }),
                    memory: quantity().default(d.requests.memory).meta({ description: "Memory request." }),
                })
                .prefault({}),
            limits: z
                .strictObject({
                    memory: quantity()
                        .default(d.limits.memory)
                        .meta({ description: "Memory limit (GOMEMLIMIT is derived from it)." }),
                    cpu: quantity().optional().meta({ description: "CPU limit (unset by default: throttling hurts Go latency)." }),
                })
                .prefault({}),
        })
        .prefault({})
        .meta({ description: "Container resources." });
}

function storage(size: string) {
    return z
        .strictObject({
            size: quantity().default(size).meta({ description: "Size of the persistent volume per pod." }),
            storageClass: text()
                .optional()
                .meta({ description: "StorageClass of the volume (the cluster default when unset)." }),
        })
        .prefault({});
}

const cluster = z
    .strictObject({
        name: labelValue().meta({
            description: "Name of the Kubernetes cluster; the value of the `cluster` external label on every block.",
        }),
        context: text()
            .optional()
            .meta({ description: "kubeconfig context for the Kubernetes provider (the current context when unset)." }),
        kubeconfig: text()
            .optional()
            .meta({ description: "Path to a kubeconfig file (the default kubeconfig lookup when unset)." }),
        eks: z
            .strictObject({
                clusterName: text().meta({ description: "EKS cluster name (for EKS Pod Identity associations)." }),
                oidcProviderArn: z
                    .string({ error: "must be an IAM OIDC provider ARN" })
                    .regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/, {
                        error: "must be an IAM OIDC provider ARN, like arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
                    })
                    .optional()
                    .meta({ description: "ARN of the cluster's IAM OIDC provider (required for IRSA)." }),
            })
            .optional()
            .meta({ description: "EKS facts used by the per-component IAM roles." }),
    })
    .meta({ description: "The Kubernetes cluster the stack is deployed to." });

const aws = z
    .strictObject({
        region: awsRegion().optional().meta({ description: "AWS region of the bucket and the IAM calls. Required with objectStorage.provider=s3." }),
        tags: stringMap().default({}).meta({ description: "Tags on every AWS resource." }),
    })
    .prefault({})
    .meta({ description: "AWS provider settings (only used when objectStorage.provider=s3)." });

const objectStorage = z
    .strictObject({
        provider: z
            .enum(["s3", "minio"], { error: "must be one of: s3, minio" })
            .meta({ description: "`s3` (an AWS bucket) or `minio` (in-cluster MinIO, for the local stack)." }),
        bucketName: bucketName().meta({ description: "Name of the one bucket that holds every Thanos block." }),
    })
    .meta({ description: "The object storage bucket behind Thanos." });

const prometheus = z
    .strictObject({
        shards: integer(1, 256).default(DEFAULTS.prometheus.shards).meta({ description: "Number of Prometheus shards (targets are split by hashmod)." }),
        replicas: integer(1, 10).default(DEFAULTS.prometheus.replicas).meta({ description: "Replicas per shard (HA pairs; deduplicated by the querier)." }),
        retention: duration().default(DEFAULTS.prometheus.retention).meta({ description: "Local TSDB retention; at least 6h (3 x the 2h block duration)." }),
        storage: storage(DEFAULTS.prometheus.storageSize).meta({ description: "Persistent volume of each Prometheus pod." }),
        resources: resources(DEFAULTS.prometheus.resources),
        sidecarResources: resources(DEFAULTS.prometheus.sidecarResources).meta({ description: "Resources of the Thanos sidecar container." }),
    })
    .prefault({})
    .meta({ description: "The sharded Prometheus (Prometheus Operator `Prometheus` resource)." });

const alertmanager = z
    .strictObject({
        replicas: integer(1, 10).default(DEFAULTS.alertmanager.replicas).meta({ description: "Alertmanager replicas (a gossip cluster)." }),
        storage: storage(DEFAULTS.alertmanager.storageSize),
        resources: resources(DEFAULTS.alertmanager.resources),
    })
    .prefault({})
    .meta({ description: "Alertmanager." });

const pushgateway = z
    .strictObject({
        enabled: bool().default(true).meta({ description: "Deploy the Pushgateway (always exactly one replica)." }),
        resources: resources(DEFAULTS.pushgateway.resources),
    })
    .prefault({})
    .meta({ description: "Pushgateway, for jobs that cannot be scraped." });

const storeGateway = z
    .strictObject({
        shards: integer(1, 256).default(DEFAULTS.storeGateway.shards).meta({ description: "Hash shards over block IDs." }),
        replicas: integer(1, 10).default(DEFAULTS.storeGateway.replicas).meta({ description: "Replicas per shard." }),
        storage: storage(DEFAULTS.storeGateway.storageSize),
        resources: resources(DEFAULTS.storeGateway.resources),
    })
    .prefault({})
    .meta({ description: "Thanos store gateway." });

const querier = z
    .strictObject({
        replicas: integer(1, 20).default(DEFAULTS.querier.replicas).meta({ description: "Querier replicas." }),
        resources: resources(DEFAULTS.querier.resources),
    })
    .prefault({})
    .meta({ description: "Thanos querier." });

const queryFrontend = z
    .strictObject({
        replicas: integer(1, 20).default(DEFAULTS.queryFrontend.replicas).meta({ description: "Query-frontend replicas." }),
        resources: resources(DEFAULTS.queryFrontend.resources),
    })
    .prefault({})
    .meta({ description: "Thanos query-frontend." });

const compactor = z
    .strictObject({
        retention: z
            .strictObject({
                raw: duration().default(DEFAULTS.compactor.retention.raw).meta({ description: "Retention of raw samples (>= 40h while downsampling is on)." }),
                fiveMinutes: duration().default(DEFAULTS.compactor.retention.fiveMinutes).meta({ description: "Retention of 5m downsampled data (>= 10d while downsampling is on)." }),
                oneHour: duration().default(DEFAULTS.compactor.retention.oneHour).meta({ description: "Retention of 1h downsampled data." }),
            })
            .prefault({})
            .meta({ description: "Retention per resolution; always explicit (Thanos' own default is forever)." }),
        downsampling: bool().default(DEFAULTS.compactor.downsampling).meta({ description: "Downsample to 5m and 1h resolutions." }),
        deleteDelay: duration().default(DEFAULTS.compactor.deleteDelay).meta({ description: "How long a block marked for deletion stays in the bucket (store gateways ignore it after half of this)." }),
        storage: storage(DEFAULTS.compactor.storageSize),
        resources: resources(DEFAULTS.compactor.resources),
    })
    .prefault({})
    .meta({ description: "Thanos compactor (exactly one per bucket stream)." });

const ruler = z
    .strictObject({
        replicas: integer(1, 10).default(DEFAULTS.ruler.replicas).meta({ description: "Ruler replicas (each a block producer with its own replica label)." }),
        storage: storage(DEFAULTS.ruler.storageSize),
        resources: resources(DEFAULTS.ruler.resources),
    })
    .prefault({})
    .meta({ description: "Thanos ruler (evaluates the `global`-scope rules through the querier)." });

/** The schema of the whole stack configuration (keys under the `thanos-stack:` namespace). */
export const stackConfigSchema = z
    .strictObject({
        environment: dnsLabel().meta({ description: "Environment name (`local`, `dev`, `staging`, `prod`, ...); the `environment` external label." }),
        namespace: dnsLabel().default(DEFAULTS.namespace).meta({ description: "Kubernetes namespace of the whole stack." }),
        protect: bool().optional().meta({ description: "Protect stateful resources (bucket, volumes) from deletion. Default: true when environment is `prod`." }),
        cluster,
        aws,
        objectStorage,
        prometheus,
        alertmanager,
        pushgateway,
        storeGateway,
        querier,
        queryFrontend,
        compactor,
        ruler,
    })
    .superRefine((c, ctx) => {
        for (const p of crossFieldProblems(c)) ctx.addIssue({ code: "custom", path: p.path, message: p.message, input: p.input });
    });

/** The raw (input) shape of the configuration. */
export type StackConfigInput = z.input<typeof stackConfigSchema>;
/** The validated configuration with every default applied. */
export type StackConfig = z.output<typeof stackConfigSchema> & { protect: boolean };

interface Problem {
    path: string[];
    message: string;
    input: unknown;
}

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
    if (c.objectStorage.provider === "s3" && c.aws.region === undefined) {
        problems.push({ path: ["aws", "region"], message: "is required when objectStorage.provider is s3", input: undefined });
    }
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
