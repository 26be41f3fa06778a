/**
 * The object-storage settings shared by the stack configuration and the
 * object-storage components (ThanosBucket, BucketAccess, VersityObjectStorage),
 * and the rules that refuse dangerous or contradictory settings. The rules are
 * pure functions of plain values, so the configuration (with key paths) and
 * the components (for people using them directly) report the same sentence.
 */
import type { ResourceRequirements } from "../defaults";
import type { VolumeSettings } from "./pod";

/** Where the bucket lives. */
export const ObjectStorageProvider = { S3: "s3", Versitygw: "versitygw" } as const;
/** Where the bucket lives. */
export type ObjectStorageProvider = (typeof ObjectStorageProvider)[keyof typeof ObjectStorageProvider];
/** Server-side encryption of the bucket. */
export const EncryptionType = { SseS3: "sse-s3", SseKms: "sse-kms" } as const;
/** Server-side encryption of the bucket. */
export type EncryptionType = (typeof EncryptionType)[keyof typeof EncryptionType];
/** How bucket users obtain AWS credentials. */
export const IdentityMechanism = { Irsa: "irsa", PodIdentity: "podIdentity" } as const;
/** How bucket users obtain AWS credentials. */
export type IdentityMechanism = (typeof IdentityMechanism)[keyof typeof IdentityMechanism];

/** Server-side encryption settings. */
export interface EncryptionSettings {
    /**
     * `sse-s3` (AES256 with S3-managed keys) or `sse-kms` (a customer-managed KMS key, with an S3 bucket key).
     * @default "sse-s3"
     */
    type?: EncryptionType;
    /**
     * ARN of an existing customer-managed KMS key (with `sse-kms`).
     * @default undefined (no existing key)
     */
    kmsKeyArn?: string;
    /**
     * Create a customer-managed KMS key (rotation on, retained on delete) instead of naming one (with `sse-kms`).
     * @default false
     */
    createKey?: boolean;
}

/** Bucket versioning. */
export interface VersioningSettings {
    /**
     * Keep deleted and overwritten objects as non-current versions.
     * @default false
     */
    enabled?: boolean;
    /**
     * Days after which a non-current version is expired, so deleted blocks do not pile up.
     * @default 30
     */
    noncurrentExpirationDays?: number;
}

/** Cross-region replication of the bucket (the backup of the metrics history). */
export interface ReplicationSettings {
    /**
     * Replicate every object (and delete marker) to a second bucket in another region. Needs versioning.
     * @default false
     */
    enabled?: boolean;
    /**
     * Region of the replica bucket; must differ from the source region.
     * @default undefined (required when enabled)
     */
    region?: string;
    /**
     * Name of the replica bucket (created by the stack, with the same security settings).
     * @default undefined (required when enabled)
     */
    bucketName?: string;
    /**
     * With `sse-kms`: an existing KMS key in the replica region for the replica bucket.
     * @default undefined (a key is created in the replica region)
     */
    kmsKeyArn?: string;
}

/** Server access logging. */
export interface AccessLoggingSettings {
    /** Existing bucket that receives the access logs (it must allow the S3 logging service to write). */
    bucketName: string;
    /**
     * Key prefix of the log objects.
     * @default "<bucketName>/"
     */
    prefix?: string;
}

/** A storage-class transition (refused for current objects; declared so a user gets a reason, not "unknown key"). */
export interface LifecycleTransition {
    /** Days after creation. */
    days: number;
    /** Target storage class. */
    storageClass: string;
}

/** One user lifecycle rule. Only rules that never touch current objects are accepted. */
export interface LifecycleRuleSettings {
    /** Unique rule id. */
    id: string;
    /**
     * Whether the rule is active.
     * @default true
     */
    enabled?: boolean;
    /**
     * Only objects under this key prefix.
     * @default "" (the whole bucket)
     */
    prefix?: string;
    /**
     * Abort incomplete multipart uploads after this many days (1-7).
     * @default undefined
     */
    abortIncompleteMultipartUploadDays?: number;
    /**
     * Expire non-current versions after this many days (versioned buckets).
     * @default undefined
     */
    noncurrentVersionExpirationDays?: number;
    /**
     * Remove delete markers that no longer hide any version.
     * @default undefined
     */
    expiredObjectDeleteMarker?: boolean;
    /**
     * Refused: expiring current objects corrupts Thanos blocks.
     * @default undefined
     */
    expirationDays?: number;
    /**
     * Refused: transitioning current objects.
     * @default undefined
     */
    transitions?: LifecycleTransition[];
}

/** Bucket lifecycle. */
export interface LifecycleSettings {
    /**
     * Abort incomplete multipart uploads after this many days (1-7).
     * @default 7
     */
    abortIncompleteMultipartUploadDays?: number;
    /**
     * Additional rules (only rules that never expire or transition current objects).
     * @default []
     */
    rules?: LifecycleRuleSettings[];
}

/** The in-cluster S3 server (provider `versitygw`). */
export interface VersitySettings {
    /**
     * The data volume.
     * @default { size: "10Gi" }
     */
    storage?: Partial<VolumeSettings>;
    /**
     * Container resources.
     * @default DEFAULTS.objectStorage.versitygw.resources
     */
    resources?: ResourceRequirements;
}

/** EKS facts the IAM roles need. */
export interface EksFacts {
    /**
     * EKS cluster name (EKS Pod Identity associations).
     * @default undefined
     */
    clusterName?: string;
    /**
     * ARN of the cluster's IAM OIDC provider (IRSA).
     * @default undefined
     */
    oidcProviderArn?: string;
}

/** Everything about the stack's bucket: the shape of the `objectStorage` configuration plus the facts it needs. */
export interface ObjectStorageSettings {
    /** `s3` (an AWS bucket) or `versitygw` (the in-cluster S3 server, for local development). */
    provider: ObjectStorageProvider;
    /** Name of the bucket. */
    bucketName: string;
    /**
     * AWS region of the bucket (required with `s3`).
     * @default undefined
     */
    region?: string;
    /**
     * How bucket users obtain AWS credentials.
     * @default "irsa"
     */
    identity?: IdentityMechanism;
    /**
     * Server-side encryption.
     * @default { type: "sse-s3" }
     */
    encryption?: EncryptionSettings;
    /**
     * Versioning.
     * @default { enabled: false }
     */
    versioning?: VersioningSettings;
    /**
     * Cross-region replication.
     * @default { enabled: false }
     */
    replication?: ReplicationSettings;
    /**
     * Server access logging.
     * @default undefined (off)
     */
    accessLogging?: AccessLoggingSettings;
    /**
     * Lifecycle rules.
     * @default { abortIncompleteMultipartUploadDays: 7, rules: [] }
     */
    lifecycle?: LifecycleSettings;
    /**
     * Tags on the bucket, keys and roles (on top of the provider's default tags).
     * @default {}
     */
    tags?: Record<string, string>;
    /**
     * The in-cluster S3 server (provider `versitygw` only).
     * @default undefined (production defaults)
     */
    versitygw?: VersitySettings;
    /**
     * EKS facts (IRSA needs `oidcProviderArn`, Pod Identity needs `clusterName`).
     * @default undefined
     */
    eks?: EksFacts;
}

/** A problem with the settings: the key path relative to `ObjectStorageSettings`, the rule, the value. */
export interface SettingsProblem {
    path: string[];
    message: string;
    input: unknown;
}

/** The most days S3 may keep an incomplete multipart upload before aborting it. */
export const MAX_ABORT_MULTIPART_DAYS = 7;

/** Why a lifecycle rule that touches current objects is refused. */
export const LIFECYCLE_EXPIRATION_RULE =
    "must not be set: a lifecycle rule must never expire current objects, because the Thanos compactor owns retention " +
    "(compactor.retention.*) and S3 deleting block files behind its back leaves partial, corrupt blocks";
/** Why a transition of current objects is refused. */
export const LIFECYCLE_TRANSITION_RULE =
    "must not be set: a lifecycle rule must never transition current objects, because the Thanos store gateway and " +
    "compactor read every block the compactor keeps, and archived storage classes make them unreadable (retention is the compactor's job)";

/** Problems of one lifecycle rule (paths relative to the rule). */
export function lifecycleRuleProblems(rule: LifecycleRuleSettings): SettingsProblem[] {
    const problems: SettingsProblem[] = [];
    if (rule.expirationDays !== undefined) problems.push({ path: ["expirationDays"], message: LIFECYCLE_EXPIRATION_RULE, input: rule.expirationDays });
    if (rule.transitions !== undefined && rule.transitions.length > 0) problems.push({ path: ["transitions"], message: LIFECYCLE_TRANSITION_RULE, input: rule.transitions });
    const days = rule.abortIncompleteMultipartUploadDays;
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > MAX_ABORT_MULTIPART_DAYS)) {
        problems.push({ path: ["abortIncompleteMultipartUploadDays"], message: `must be an integer between 1 and ${MAX_ABORT_MULTIPART_DAYS}`, input: days });
    }
    const actions = [rule.abortIncompleteMultipartUploadDays, rule.noncurrentVersionExpirationDays, rule.expiredObjectDeleteMarker, rule.expirationDays, rule.transitions];
    if (actions.every((a) => a === undefined)) {
        problems.push({ path: [], message: "must have at least one action (abortIncompleteMultipartUploadDays, noncurrentVersionExpirationDays or expiredObjectDeleteMarker)", input: rule.id });
    }
    return problems;
}

/** Options that only an AWS bucket has (refused with the in-cluster server), with the test that tells whether one is set. */
const S3_ONLY: Array<{ path: string[]; set: (s: ObjectStorageSettings) => unknown }> = [
    { path: ["encryption", "type"], set: (s) => (s.encryption?.type === "sse-kms" ? s.encryption.type : undefined) },
    { path: ["encryption", "kmsKeyArn"], set: (s) => s.encryption?.kmsKeyArn },
    { path: ["encryption", "createKey"], set: (s) => (s.encryption?.createKey ? true : undefined) },
    { path: ["replication", "enabled"], set: (s) => (s.replication?.enabled ? true : undefined) },
    { path: ["accessLogging"], set: (s) => s.accessLogging },
    { path: ["lifecycle", "rules"], set: (s) => (s.lifecycle?.rules?.length ? s.lifecycle.rules.map((r) => r.id) : undefined) },
    { path: ["identity"], set: (s) => (s.identity === "podIdentity" ? s.identity : undefined) },
    { path: ["tags"], set: (s) => (s.tags && Object.keys(s.tags).length > 0 ? s.tags : undefined) },
];

/**
 * Every rule across the object-storage settings, with paths relative to {@link ObjectStorageSettings}
 * (`eks.*` and `region` are facts from outside the `objectStorage` configuration section).
 */
export function objectStorageSettingsProblems(s: ObjectStorageSettings): SettingsProblem[] {
    const problems = bucketSettingsProblems(s);
    return s.provider === "s3" ? [...problems, ...identitySettingsProblems(s)] : problems;
}

/** The rules about who may assume the bucket users' roles (AWS only). */
export function identitySettingsProblems(s: Pick<ObjectStorageSettings, "identity" | "eks">): SettingsProblem[] {
    const problems: SettingsProblem[] = [];
    const identity = s.identity ?? "irsa";
    if (identity === "irsa" && s.eks?.oidcProviderArn === undefined) {
        problems.push({ path: ["eks", "oidcProviderArn"], message: "is required when objectStorage.identity is irsa: every bucket user's role trusts the cluster's IAM OIDC provider", input: undefined });
    }
    if (identity === "podIdentity" && s.eks?.clusterName === undefined) {
        problems.push({ path: ["eks", "clusterName"], message: "is required when objectStorage.identity is podIdentity: the Pod Identity associations name the EKS cluster", input: undefined });
    }
    return problems;
}

/** The rules about the bucket itself (and, with the in-cluster server, the options it does not have). */
export function bucketSettingsProblems(s: ObjectStorageSettings): SettingsProblem[] {
    const problems: SettingsProblem[] = [];
    const add = (path: string[], message: string, input: unknown) => problems.push({ path, message, input });

    (s.lifecycle?.rules ?? []).forEach((rule, i) => {
        for (const p of lifecycleRuleProblems(rule)) problems.push({ ...p, path: ["lifecycle", "rules", String(i), ...p.path] });
    });
    const ids = (s.lifecycle?.rules ?? []).map((r) => r.id);
    ids.forEach((id, i) => {
        if (ids.indexOf(id) !== i) add(["lifecycle", "rules", String(i), "id"], "must be unique among the lifecycle rules", id);
    });
    const abortDays = s.lifecycle?.abortIncompleteMultipartUploadDays;
    if (abortDays !== undefined && (!Number.isInteger(abortDays) || abortDays < 1 || abortDays > MAX_ABORT_MULTIPART_DAYS)) {
        add(["lifecycle", "abortIncompleteMultipartUploadDays"], `must be an integer between 1 and ${MAX_ABORT_MULTIPART_DAYS} (incomplete uploads are aborted within a week)`, abortDays);
    }

    if (s.provider === "versitygw") {
        for (const opt of S3_ONLY) {
            const value = opt.set(s);
            if (value !== undefined) add(opt.path, "only applies with objectStorage.provider s3; the in-cluster S3 server of the local stack has no such option", value);
        }
        return problems;
    }
    if (s.versitygw !== undefined) add(["versitygw"], "only applies with objectStorage.provider versitygw", s.versitygw);

    const enc = s.encryption ?? {};
    if (enc.type === "sse-kms") {
        if (enc.kmsKeyArn === undefined && !enc.createKey) {
            add(["encryption", "kmsKeyArn"], "is required when encryption.type is sse-kms, unless encryption.createKey is true (then a customer-managed key is created)", undefined);
        }
        if (enc.kmsKeyArn !== undefined && enc.createKey) add(["encryption", "createKey"], "must not be true together with encryption.kmsKeyArn: use an existing key or create one, not both", true);
    } else {
        if (enc.kmsKeyArn !== undefined) add(["encryption", "kmsKeyArn"], "only applies with encryption.type sse-kms", enc.kmsKeyArn);
        if (enc.createKey) add(["encryption", "createKey"], "only applies with encryption.type sse-kms", true);
    }

    const rep = s.replication ?? {};
    if (rep.enabled) {
        if (!s.versioning?.enabled) add(["replication", "enabled"], "needs versioning.enabled true: S3 replicates only versioned buckets (the replica is versioned too)", true);
        if (rep.region === undefined) add(["replication", "region"], "is required when replication is enabled", undefined);
        else if (rep.region === s.region) add(["replication", "region"], "must differ from aws.region: a replica in the same region is no backup against a regional outage", rep.region);
        if (rep.bucketName === undefined) add(["replication", "bucketName"], "is required when replication is enabled", undefined);
        else if (rep.bucketName === s.bucketName) add(["replication", "bucketName"], "must differ from objectStorage.bucketName", rep.bucketName);
        if (rep.kmsKeyArn !== undefined && enc.type !== "sse-kms") add(["replication", "kmsKeyArn"], "only applies with encryption.type sse-kms", rep.kmsKeyArn);
    }
    if (s.accessLogging !== undefined && s.accessLogging.bucketName === s.bucketName) {
        add(["accessLogging", "bucketName"], "must be another bucket: logging a bucket into itself writes a log object for every log object", s.accessLogging.bucketName);
    }
    if (s.region === undefined) add(["region"], "is required when objectStorage.provider is s3", undefined);
    return problems;
}

/** Renders a value for a component error message. */
export function showValue(value: unknown): string {
    if (value === undefined) return "nothing";
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
