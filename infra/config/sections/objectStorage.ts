/**
 * The bucket behind Thanos (S3 or the in-cluster S3 server): encryption, versioning,
 * replication, access logging, lifecycle, and how bucket users get AWS
 * credentials. The rules live in components/lib/objectStorage.ts, shared with
 * the components; this file gives them key paths.
 */
import { z } from "zod";
import { DEFAULTS } from "../../../components/defaults";
import { MAX_ABORT_MULTIPART_DAYS, lifecycleRuleProblems, objectStorageSettingsProblems } from "../../../components/lib/objectStorage";
import type { Problem } from "../common";
import { resources } from "../common";
import { awsRegion, bool, bucketName, integer, quantity, stringMap, text } from "../rules";

const d = DEFAULTS.objectStorage;

const kmsKeyArn = () =>
    z
        .string({ error: "must be a KMS key ARN" })
        .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/, {
            error: "must be a KMS key ARN, like arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        });

const lifecycleRule = z
    .strictObject({
        id: text("a non-empty rule id").max(255, { error: "must be at most 255 characters" }).meta({ description: "Unique id of the rule." }),
        enabled: bool().default(true).meta({ description: "Whether the rule is active." }),
        prefix: z.string({ error: "must be a string" }).optional().meta({ description: "Only objects under this key prefix (the whole bucket when unset)." }),
        abortIncompleteMultipartUploadDays: integer(1, MAX_ABORT_MULTIPART_DAYS)
            .optional()
            .meta({ description: "Abort incomplete multipart uploads after this many days." }),
        noncurrentVersionExpirationDays: integer(1)
            .optional()
            .meta({ description: "Expire non-current versions after this many days (versioned buckets)." }),
        expiredObjectDeleteMarker: bool().optional().meta({ description: "Remove delete markers that no longer hide any version." }),
        expirationDays: z
            .number({ error: "must be a number" })
            .optional()
            .meta({ description: "Refused: expiring current objects corrupts Thanos blocks; retention is `compactor.retention`." }),
        transitions: z
            .array(z.strictObject({ days: z.number({ error: "must be a number" }).meta({ description: "Age in days." }), storageClass: text().meta({ description: "S3 storage class." }) }))
            .optional()
            .meta({ description: "Refused: transitioning current objects makes blocks unreadable or slow; retention is `compactor.retention`." }),
    })
    .superRefine((rule, ctx) => {
        for (const p of lifecycleRuleProblems(rule)) ctx.addIssue({ code: "custom", path: p.path, message: p.message, input: p.input });
    });

/** `objectStorage` section. */
export const objectStorage = z
    .strictObject({
        provider: z
            .enum(["s3", "versitygw"], {
                error: (issue) =>
                    issue.input === "minio"
                        ? "minio is no longer offered (its server is AGPL and its community images stopped in 2025): use versitygw, the in-cluster S3 server (Apache-2.0) on the same S3 code path"
                        : "must be one of: s3, versitygw",
            })
            .meta({ description: "`s3` (an AWS bucket) or `versitygw` (the in-cluster S3 server, Versity S3 Gateway, for the local stack)." }),
        bucketName: bucketName().meta({ description: "Name of the one bucket that holds every Thanos block." }),
        identity: z
            .enum(["irsa", "podIdentity"], { error: "must be one of: irsa, podIdentity" })
            .default(d.identity)
            .meta({
                description:
                    "How bucket users get AWS credentials: `irsa` (needs cluster.eks.oidcProviderArn) or `podIdentity` (EKS Pod Identity, needs cluster.eks.clusterName).",
            }),
        encryption: z
            .strictObject({
                type: z
                    .enum(["sse-s3", "sse-kms"], { error: "must be one of: sse-s3, sse-kms" })
                    .default(d.encryption)
                    .meta({ description: "`sse-s3` (S3-managed keys) or `sse-kms` (a customer-managed KMS key, with an S3 bucket key)." }),
                kmsKeyArn: kmsKeyArn().optional().meta({ description: "Existing KMS key for `sse-kms`." }),
                createKey: bool().default(false).meta({ description: "With `sse-kms`: create a KMS key (rotation on, retained on delete) instead of naming one." }),
            })
            .prefault({})
            .meta({ description: "Server-side encryption of the bucket." }),
        versioning: z
            .strictObject({
                enabled: bool().default(d.versioning.enabled).meta({ description: "Keep deleted and overwritten objects as non-current versions (recoverable)." }),
                noncurrentExpirationDays: integer(1)
                    .default(d.versioning.noncurrentExpirationDays)
                    .meta({ description: "Days after which non-current versions expire, so deleted blocks do not pile up." }),
            })
            .prefault({})
            .meta({ description: "Bucket versioning." }),
        replication: z
            .strictObject({
                enabled: bool().default(false).meta({ description: "Replicate the bucket to a second bucket in another region (needs versioning.enabled)." }),
                region: awsRegion().optional().meta({ description: "Region of the replica bucket (must differ from aws.region)." }),
                bucketName: bucketName().optional().meta({ description: "Name of the replica bucket (created with the same security settings)." }),
                kmsKeyArn: kmsKeyArn()
                    .optional()
                    .meta({ description: "With `sse-kms`: a KMS key in the replica region (a key is created there when unset)." }),
            })
            .prefault({})
            .meta({ description: "Cross-region replication: the backup of the metrics history." }),
        accessLogging: z
            .strictObject({
                bucketName: bucketName().meta({ description: "Existing bucket that receives the S3 server access logs." }),
                prefix: z.string({ error: "must be a string" }).optional().meta({ description: "Key prefix of the log objects (default: `<bucketName>/`)." }),
            })
            .optional()
            .meta({ description: "S3 server access logging (off when unset)." }),
        lifecycle: z
            .strictObject({
                abortIncompleteMultipartUploadDays: integer(1, MAX_ABORT_MULTIPART_DAYS)
                    .default(d.abortIncompleteMultipartUploadDays)
                    .meta({ description: "Abort incomplete multipart uploads after this many days." }),
                rules: z
                    .array(lifecycleRule, { error: "must be a list of lifecycle rules" })
                    .default([])
                    .meta({
                        description:
                            "Extra lifecycle rules, each `{ id, enabled, prefix, abortIncompleteMultipartUploadDays, noncurrentVersionExpirationDays, expiredObjectDeleteMarker }`. " +
                            "`expirationDays` and `transitions` are refused: the Thanos compactor owns retention, and S3 expiring or archiving block files corrupts blocks.",
                    }),
            })
            .prefault({})
            .meta({ description: "Bucket lifecycle. Never expires or transitions current objects." }),
        tags: stringMap().default({}).meta({ description: "Tags on the bucket, KMS keys and IAM roles (on top of aws.tags)." }),
        versitygw: z
            .strictObject({
                storage: z
                    .strictObject({
                        size: quantity().default(d.versitygw.storageSize).meta({ description: "Size of the S3 server's data volume." }),
                        storageClass: text().optional().meta({ description: "StorageClass of the volume (the cluster default when unset)." }),
                    })
                    .prefault({})
                    .meta({ description: "The S3 server's data volume (buckets, accounts, object versions)." }),
                resources: resources(d.versitygw.resources),
            })
            .optional()
            .meta({ description: "The in-cluster S3 server (provider `versitygw` only)." }),
    })
    .meta({ description: "The object storage bucket behind Thanos." });

/** The facts the object-storage rules need from the rest of the configuration. */
interface ObjectStorageContext {
    objectStorage: z.output<typeof objectStorage>;
    aws: { region?: string | undefined };
    cluster: { eks?: { clusterName: string; oidcProviderArn?: string | undefined } | undefined };
}

/**
 * Rules across the object-storage settings and the facts they need (aws.region, cluster.eks), with full key
 * paths. Wired into the stack schema's cross-field rules. `aws.region` is reported by the stack schema itself.
 */
export function objectStorageProblems(c: ObjectStorageContext): Problem[] {
    const problems = objectStorageSettingsProblems({
        ...c.objectStorage,
        ...(c.aws.region !== undefined ? { region: c.aws.region } : {}),
        ...(c.cluster.eks !== undefined ? { eks: c.cluster.eks } : {}),
    });
    const out: Problem[] = [];
    for (const p of problems) {
        const [head, ...rest] = p.path;
        if (head === "region") continue;
        const path = head === "eks" ? ["cluster", "eks", ...rest] : ["objectStorage", ...p.path];
        out.push({ path, message: p.message, input: p.input });
    }
    return out;
}
