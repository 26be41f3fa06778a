/**
 * ThanosBucket: the one S3 bucket that holds every Thanos block, locked down.
 *
 * All four public-access blocks, `BucketOwnerEnforced`, default encryption
 * (SSE-S3, or SSE-KMS with a customer-managed key and an S3 bucket key), a
 * policy that denies every request made without TLS, and a lifecycle that
 * only aborts incomplete multipart uploads and expires non-current versions:
 * no rule ever expires or transitions current objects, because the Thanos
 * compactor owns retention. Optional versioning, access logging, and
 * replication to a second bucket in another region (the backup of the metrics
 * history; the replica gets the same security settings).
 *
 * The bucket, its security settings and its KMS keys are retained when
 * removed from the program (never `forceDestroy`), and protected when
 * `protect` is set. The replica lives in another region through the AWS
 * provider v7 per-resource `region` input, so no second provider is needed.
 */
import * as pulumi from "@pulumi/pulumi";
import { Bucket } from "@pulumi/aws/s3/bucket";
import { BucketLifecycleConfiguration } from "@pulumi/aws/s3/bucketLifecycleConfiguration";
import { BucketLogging } from "@pulumi/aws/s3/bucketLogging";
import { BucketOwnershipControls } from "@pulumi/aws/s3/bucketOwnershipControls";
import { BucketPolicy } from "@pulumi/aws/s3/bucketPolicy";
import { BucketPublicAccessBlock } from "@pulumi/aws/s3/bucketPublicAccessBlock";
import { BucketReplicationConfig } from "@pulumi/aws/s3/bucketReplicationConfig";
import { BucketServerSideEncryptionConfiguration } from "@pulumi/aws/s3/bucketServerSideEncryptionConfiguration";
import { BucketVersioning } from "@pulumi/aws/s3/bucketVersioning";
import { Key } from "@pulumi/aws/kms/key";
import { Role } from "@pulumi/aws/iam/role";
import { RolePolicy } from "@pulumi/aws/iam/rolePolicy";
import { AWS_IDENTITY } from "../constants";
import { DEFAULTS } from "../defaults";
import {
    AccessLoggingSettings,
    EncryptionSettings,
    LifecycleRuleSettings,
    LifecycleSettings,
    ReplicationSettings,
    VersioningSettings,
    bucketSettingsProblems,
    showValue,
} from "../lib/objectStorage";
import { withDependencies } from "../lib/options";
import { childOptions } from "../lib/providers";

/** Arguments of `ThanosBucket`. */
export interface ThanosBucketArgs {
    /** Name of the bucket (globally unique, no dots: Thanos uses virtual-hosted addressing over TLS). */
    bucketName: string;
    /** AWS region of the bucket (the region of the `aws` provider passed in opts). */
    region: string;
    /**
     * Protect the bucket and its KMS keys from `pulumi destroy` (they are retained on delete in any case).
     * @default false
     */
    protect?: boolean;
    /**
     * Server-side encryption.
     * @default { type: "sse-s3" }
     */
    encryption?: EncryptionSettings;
    /**
     * Versioning (with non-current version expiry).
     * @default { enabled: false }
     */
    versioning?: VersioningSettings;
    /**
     * Lifecycle: incomplete multipart uploads are always aborted; extra rules must not touch current objects.
     * @default { abortIncompleteMultipartUploadDays: 7, rules: [] }
     */
    lifecycle?: LifecycleSettings;
    /**
     * Cross-region replication to a second bucket created here (needs versioning).
     * @default { enabled: false }
     */
    replication?: ReplicationSettings;
    /**
     * Server access logging to an existing bucket.
     * @default undefined (off)
     */
    accessLogging?: AccessLoggingSettings;
    /**
     * Tags on the bucket(s), keys and the replication role.
     * @default {}
     */
    tags?: Record<string, string>;
}

/** An IAM policy statement. */
export interface PolicyStatement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Principal?: "*" | Record<string, string | string[]>;
    Action: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

/** An IAM policy document. */
export interface PolicyDocument {
    Version: typeof AWS_IDENTITY.policyVersion;
    Statement: PolicyStatement[];
}

/** A bucket lifecycle rule, as the AWS provider takes it. */
export interface LifecycleRule {
    id: string;
    status: "Enabled" | "Disabled";
    filter: { prefix: string };
    abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
    noncurrentVersionExpiration?: { noncurrentDays: number };
    expiration?: { expiredObjectDeleteMarker: boolean };
}

/** A default-encryption rule, as the AWS provider takes it. */
export interface EncryptionRule<K = string> {
    applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" | "aws:kms"; kmsMasterKeyId?: K };
    bucketKeyEnabled?: boolean;
}

/** The AWS partition of a region (`aws`, `aws-cn`, `aws-us-gov`). */
export function awsPartition(region: string): "aws" | "aws-cn" | "aws-us-gov" {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

/**
 * The ARN of a bucket, from its name and region. Known before the bucket exists (unlike the provider's `arn`
 * output), so the policies that name it are complete in a first `pulumi preview` and the policy pack judges them.
 */
export function bucketArnFor(bucketName: string, region: string): string {
    return `arn:${awsPartition(region)}:s3:::${bucketName}`;
}

/** The ARN of every object of a bucket. */
export function objectsArn(bucketArn: string): string {
    return `${bucketArn}/*`;
}

/** A bucket policy that denies every request made without TLS (bucket and objects, every S3 action). */
export function buildTlsOnlyPolicy(bucketArn: string): PolicyDocument {
    return {
        Version: AWS_IDENTITY.policyVersion,
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, objectsArn(bucketArn)],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    };
}

/** Default encryption: SSE-S3, or SSE-KMS with the given key and an S3 bucket key (fewer KMS calls). */
export function buildEncryptionRule<K>(kmsKeyArn: K | undefined): EncryptionRule<K> {
    if (kmsKeyArn === undefined) return { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } };
    return { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn }, bucketKeyEnabled: true };
}

/** Translates one user rule (already validated: it never touches current objects). */
function userRule(r: LifecycleRuleSettings): LifecycleRule {
    const rule: LifecycleRule = { id: r.id, status: r.enabled === false ? "Disabled" : "Enabled", filter: { prefix: r.prefix ?? "" } };
    if (r.abortIncompleteMultipartUploadDays !== undefined) rule.abortIncompleteMultipartUpload = { daysAfterInitiation: r.abortIncompleteMultipartUploadDays };
    if (r.noncurrentVersionExpirationDays !== undefined) rule.noncurrentVersionExpiration = { noncurrentDays: r.noncurrentVersionExpirationDays };
    if (r.expiredObjectDeleteMarker !== undefined) rule.expiration = { expiredObjectDeleteMarker: r.expiredObjectDeleteMarker };
    return rule;
}

/**
 * The lifecycle rules: abort incomplete multipart uploads; with versioning, expire non-current versions and
 * clean up orphaned delete markers; then the user's rules. Nothing here expires or transitions a current object.
 */
export function buildLifecycleRules(lifecycle: LifecycleSettings | undefined, versioning: VersioningSettings | undefined): LifecycleRule[] {
    const d = DEFAULTS.objectStorage;
    const rules: LifecycleRule[] = [
        {
            id: "abort-incomplete-multipart-uploads",
            status: "Enabled",
            filter: { prefix: "" },
            abortIncompleteMultipartUpload: { daysAfterInitiation: lifecycle?.abortIncompleteMultipartUploadDays ?? d.abortIncompleteMultipartUploadDays },
        },
    ];
    if (versioning?.enabled) {
        rules.push({
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: { prefix: "" },
            noncurrentVersionExpiration: { noncurrentDays: versioning.noncurrentExpirationDays ?? d.versioning.noncurrentExpirationDays },
        });
        rules.push({ id: "remove-expired-delete-markers", status: "Enabled", filter: { prefix: "" }, expiration: { expiredObjectDeleteMarker: true } });
    }
    return [...rules, ...(lifecycle?.rules ?? []).map(userRule)];
}

/** The trust policy of the S3 replication role. */
export function buildReplicationTrustPolicy(): PolicyDocument {
    return {
        Version: AWS_IDENTITY.policyVersion,
        Statement: [{ Sid: "S3Replication", Effect: "Allow", Principal: { Service: AWS_IDENTITY.s3ReplicationPrincipal }, Action: "sts:AssumeRole" }],
    };
}

/** The replication role's permissions: read the source's versions, replicate into the replica, nothing else. */
export function buildReplicationPolicy(opts: {
    sourceArn: string;
    replicaArn: string;
    sourceRegion: string;
    replicaRegion: string;
    sourceKmsKeyArn?: string;
    replicaKmsKeyArn?: string;
}): PolicyDocument {
    const statements: PolicyStatement[] = [
        { Sid: "ReadSourceConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: [opts.sourceArn] },
        {
            Sid: "ReadSourceVersions",
            Effect: "Allow",
            Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
            Resource: [objectsArn(opts.sourceArn)],
        },
        { Sid: "WriteReplica", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: [objectsArn(opts.replicaArn)] },
    ];
    if (opts.sourceKmsKeyArn !== undefined) {
        statements.push({
            Sid: "DecryptSource",
            Effect: "Allow",
            Action: ["kms:Decrypt"],
            Resource: [opts.sourceKmsKeyArn],
            Condition: { StringEquals: { "kms:ViaService": `s3.${opts.sourceRegion}.amazonaws.com` } },
        });
    }
    if (opts.replicaKmsKeyArn !== undefined) {
        statements.push({
            Sid: "EncryptReplica",
            Effect: "Allow",
            Action: ["kms:Encrypt", "kms:GenerateDataKey"],
            Resource: [opts.replicaKmsKeyArn],
            Condition: { StringEquals: { "kms:ViaService": `s3.${opts.replicaRegion}.amazonaws.com` } },
        });
    }
    return { Version: AWS_IDENTITY.policyVersion, Statement: statements };
}

/** The replication rule: everything, delete markers included, so the replica mirrors the compactor's view. */
export function buildReplicationRule<S>(replicaArn: S, replicaKmsKeyArn: S | undefined) {
    return {
        id: "replicate-everything",
        status: "Enabled" as const,
        priority: 1,
        filter: { prefix: "" },
        deleteMarkerReplication: { status: "Enabled" as const },
        ...(replicaKmsKeyArn !== undefined ? { sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" as const } } } : {}),
        destination: {
            bucket: replicaArn,
            storageClass: "STANDARD",
            ...(replicaKmsKeyArn !== undefined ? { encryptionConfiguration: { replicaKmsKeyId: replicaKmsKeyArn } } : {}),
        },
    };
}


/** The resources that secure one bucket (source or replica). */
interface SecuredBucket {
    bucket: Bucket;
    /** The bucket's ARN, known as soon as its name is. */
    arn: pulumi.Output<string>;
    publicAccessBlock: BucketPublicAccessBlock;
    ownershipControls: BucketOwnershipControls;
    encryption: BucketServerSideEncryptionConfiguration;
    policy: BucketPolicy;
    versioning?: BucketVersioning;
    lifecycle: BucketLifecycleConfiguration;
}

/**
 * A Thanos bucket with its security settings. Requires an explicit `aws` provider in `opts.providers`
 * (from a parent or directly).
 */
export class ThanosBucket extends pulumi.ComponentResource {
    /** The bucket. */
    public readonly bucket: Bucket;
    /** Its name. */
    public readonly bucketName: pulumi.Output<string>;
    /** Its ARN (what the IAM policies name). */
    public readonly bucketArn: pulumi.Output<string>;
    /** The KMS key that encrypts the bucket (SSE-KMS only). */
    public readonly kmsKeyArn?: pulumi.Output<string>;
    /** The KMS key created here (`encryption.createKey`). */
    public readonly kmsKey?: Key;
    /** All four public-access blocks. */
    public readonly publicAccessBlock: BucketPublicAccessBlock;
    /** `BucketOwnerEnforced`: ACLs are off. */
    public readonly ownershipControls: BucketOwnershipControls;
    /** Default encryption. */
    public readonly encryption: BucketServerSideEncryptionConfiguration;
    /** The TLS-only bucket policy. */
    public readonly policy: BucketPolicy;
    /** Versioning, when enabled. */
    public readonly versioning?: BucketVersioning;
    /** The lifecycle configuration. */
    public readonly lifecycle: BucketLifecycleConfiguration;
    /** Access logging, when configured. */
    public readonly logging?: BucketLogging;
    /** The replica bucket, when replication is enabled. */
    public readonly replicaBucket?: Bucket;
    /** The replication role, when replication is enabled. */
    public readonly replicationRole?: Role;
    /** The replication configuration, when replication is enabled. */
    public readonly replication?: BucketReplicationConfig;

    constructor(name: string, args: ThanosBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:ThanosBucket", name, {}, opts);
        // Same rules as the stack configuration (identity is BucketAccess's business).
        const problem = bucketSettingsProblems({ provider: "s3", ...args })[0];
        if (problem) throw new pulumi.RunError(`ThanosBucket ${problem.path.join(".")}: ${problem.message}, got ${showValue(problem.input)}`);

        const base = childOptions(this, opts);
        const protect = args.protect ?? false;
        /** Data and its security settings survive removal from the program. */
        const retained: pulumi.CustomResourceOptions = { ...base, retainOnDelete: true };
        /** What holds or unlocks data is also protected in protected stacks. */
        const guarded: pulumi.CustomResourceOptions = { ...retained, protect };
        const tags = args.tags ?? {};

        const enc = args.encryption ?? {};
        if (enc.type === "sse-kms" && enc.createKey) {
            this.kmsKey = new Key(
                `${name}-key`,
                {
                    description: `Encrypts the Thanos bucket ${args.bucketName}`,
                    enableKeyRotation: true,
                    deletionWindowInDays: 30,
                    tags,
                },
                guarded,
            );
            this.kmsKeyArn = this.kmsKey.arn;
        } else if (enc.type === "sse-kms" && enc.kmsKeyArn !== undefined) {
            this.kmsKeyArn = pulumi.output(enc.kmsKeyArn);
        }

        const source = this.secureBucket(name, {
            bucketName: args.bucketName,
            region: args.region,
            regionInput: false,
            kmsKeyArn: this.kmsKeyArn,
            versioning: args.versioning,
            lifecycle: args.lifecycle,
            tags,
            retained,
            guarded,
        });
        this.bucket = source.bucket;
        this.bucketName = source.bucket.bucket;
        this.bucketArn = source.arn;
        this.publicAccessBlock = source.publicAccessBlock;
        this.ownershipControls = source.ownershipControls;
        this.encryption = source.encryption;
        this.policy = source.policy;
        this.versioning = source.versioning;
        this.lifecycle = source.lifecycle;

        if (args.accessLogging !== undefined) {
            // Not retained: turning logging off in the configuration must turn it off in AWS.
            this.logging = new BucketLogging(
                `${name}-logging`,
                { bucket: this.bucket.bucket, targetBucket: args.accessLogging.bucketName, targetPrefix: args.accessLogging.prefix ?? `${args.bucketName}/` },
                base,
            );
        }

        const rep = args.replication;
        if (rep?.enabled && rep.region !== undefined && rep.bucketName !== undefined && source.versioning) {
            const replicaRegion = rep.region;
            let replicaKmsKeyArn: pulumi.Output<string> | undefined;
            if (this.kmsKeyArn !== undefined) {
                if (rep.kmsKeyArn !== undefined) {
                    replicaKmsKeyArn = pulumi.output(rep.kmsKeyArn);
                } else {
                    const replicaKey = new Key(
                        `${name}-replica-key`,
                        { region: replicaRegion, description: `Encrypts the Thanos replica bucket ${rep.bucketName}`, enableKeyRotation: true, deletionWindowInDays: 30, tags },
                        guarded,
                    );
                    replicaKmsKeyArn = replicaKey.arn;
                }
            }
            const replica = this.secureBucket(`${name}-replica`, {
                bucketName: rep.bucketName,
                region: replicaRegion,
                regionInput: true,
                kmsKeyArn: replicaKmsKeyArn,
                versioning: { enabled: true, noncurrentExpirationDays: args.versioning?.noncurrentExpirationDays },
                lifecycle: { abortIncompleteMultipartUploadDays: args.lifecycle?.abortIncompleteMultipartUploadDays },
                tags,
                retained,
                guarded,
            });
            this.replicaBucket = replica.bucket;
            this.replicationRole = new Role(
                `${name}-replication-role`,
                { description: `S3 replication of ${args.bucketName} to ${rep.bucketName}`, assumeRolePolicy: JSON.stringify(buildReplicationTrustPolicy()), tags },
                base,
            );
            const sourceKmsKeyArn = this.kmsKeyArn;
            const rolePolicy = new RolePolicy(
                `${name}-replication-policy`,
                {
                    role: this.replicationRole.id,
                    policy: pulumi.all([this.bucketArn, replica.arn, sourceKmsKeyArn ?? "", replicaKmsKeyArn ?? ""]).apply(([sourceArn, replicaArn, sourceKey, replicaKey]) =>
                        JSON.stringify(
                            buildReplicationPolicy({
                                sourceArn,
                                replicaArn,
                                sourceRegion: args.region,
                                replicaRegion,
                                ...(sourceKey ? { sourceKmsKeyArn: sourceKey } : {}),
                                ...(replicaKey ? { replicaKmsKeyArn: replicaKey } : {}),
                            }),
                        ),
                    ),
                },
                base,
            );
            // Not retained: turning replication off in the configuration must stop it in AWS (both buckets stay).
            this.replication = new BucketReplicationConfig(
                `${name}-replication`,
                {
                    bucket: this.bucket.bucket,
                    role: this.replicationRole.arn,
                    rules: [buildReplicationRule<pulumi.Input<string>>(replica.arn, replicaKmsKeyArn)],
                },
                withDependencies(base, [source.versioning, ...(replica.versioning ? [replica.versioning] : []), rolePolicy]),
            );
        }

        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, kmsKeyArn: this.kmsKeyArn });
    }

    /** A bucket with the public-access block, ownership, encryption, TLS-only policy, versioning and lifecycle. */
    private secureBucket(
        name: string,
        o: {
            bucketName: string;
            /** Where the bucket lives. */
            region: string;
            /** Pass `region` to each resource (a replica in another region than the provider's). */
            regionInput: boolean;
            kmsKeyArn: pulumi.Output<string> | undefined;
            versioning: VersioningSettings | undefined;
            lifecycle: LifecycleSettings | undefined;
            tags: Record<string, string>;
            retained: pulumi.CustomResourceOptions;
            guarded: pulumi.CustomResourceOptions;
        },
    ): SecuredBucket {
        const region = o.regionInput ? { region: o.region } : {};
        const bucket = new Bucket(`${name}-bucket`, { bucket: o.bucketName, forceDestroy: false, tags: o.tags, ...region }, o.guarded);
        // From the name (an input, known in preview) rather than the provider's computed `arn`; still depends on the bucket.
        const arn = bucket.bucket.apply((b) => bucketArnFor(b, o.region));
        const publicAccessBlock = new BucketPublicAccessBlock(
            `${name}-public-access-block`,
            { bucket: bucket.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true, ...region },
            o.retained,
        );
        const ownershipControls = new BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.bucket, rule: { objectOwnership: "BucketOwnerEnforced" }, ...region }, o.retained);
        const encryption = new BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            { bucket: bucket.bucket, rules: [buildEncryptionRule<pulumi.Input<string>>(o.kmsKeyArn)], ...region },
            o.retained,
        );
        const policy = new BucketPolicy(
            `${name}-policy`,
            { bucket: bucket.bucket, policy: arn.apply((a) => JSON.stringify(buildTlsOnlyPolicy(a))), ...region },
            withDependencies(o.retained, [publicAccessBlock]),
        );
        const versioning = o.versioning?.enabled
            ? new BucketVersioning(`${name}-versioning`, { bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" }, ...region }, o.retained)
            : undefined;
        const lifecycle = new BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            { bucket: bucket.bucket, rules: buildLifecycleRules(o.lifecycle, o.versioning), ...region },
            withDependencies(o.retained, versioning ? [versioning] : []),
        );
        return { bucket, arn, publicAccessBlock, ownershipControls, encryption, policy, versioning, lifecycle };
    }
}
