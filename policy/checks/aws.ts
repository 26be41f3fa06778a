/**
 * The S3 bucket and IAM rules: a bucket nobody can read from the internet,
 * encrypted, TLS-only, whose objects only the compactor deletes.
 */
import { at, Check, isRecord, list, ResourceCheck, ResourceView, StackCheck, str } from "./types";

export const T = {
    bucket: "aws:s3/bucket:Bucket",
    publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    role: "aws:iam/role:Role",
    policy: "aws:iam/policy:Policy",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    user: "aws:iam/user:User",
    accessKey: "aws:iam/accessKey:AccessKey",
} as const;

/** Maximum age of an incomplete multipart upload. */
export const MAX_ABORT_MULTIPART_DAYS = 7;

/** A policy document's statements, from a JSON string or an object; undefined when not (yet) known. */
export function statements(doc: unknown): Array<Record<string, unknown>> | undefined {
    let parsed: unknown = doc;
    if (typeof doc === "string") {
        try {
            parsed = JSON.parse(doc);
        } catch {
            return undefined;
        }
    }
    if (!isRecord(parsed)) return undefined;
    const st = parsed["Statement"];
    return (Array.isArray(st) ? st : [st]).filter(isRecord);
}

function asList(v: unknown): string[] {
    return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");
}

function resourceCheck(name: string, description: string, type: string, fn: (props: Record<string, unknown>) => string[]): ResourceCheck {
    return { kind: "resource", name, description, check: (r) => (r.type === type ? fn(r.props) : []) };
}

export const bucketNoForceDestroy = resourceCheck("s3-no-force-destroy", "The metrics bucket is never force-destroyed with its objects.", T.bucket, (p) =>
    p["forceDestroy"] === true ? ["forceDestroy must not be true"] : [],
);

export const publicAccessBlock = resourceCheck("s3-public-access-block", "All four S3 public-access blocks are on.", T.publicAccessBlock, (p) =>
    ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].filter((k) => p[k] !== true).map((k) => `${k} must be true`),
);

export const ownershipEnforced = resourceCheck("s3-bucket-owner-enforced", "Object ownership is BucketOwnerEnforced (ACLs off).", T.ownership, (p) =>
    at(p, "rule", "objectOwnership") === "BucketOwnerEnforced" ? [] : ["rule.objectOwnership must be BucketOwnerEnforced"],
);

export const encryption = resourceCheck("s3-encryption", "Default server-side encryption is SSE-S3 or SSE-KMS.", T.encryption, (p) => {
    const algos = list(p["rules"]).map((r) => at(r, "applyServerSideEncryptionByDefault", "sseAlgorithm"));
    return algos.length > 0 && algos.every((a) => a === "AES256" || a === "aws:kms" || a === "aws:kms:dsse") ? [] : ["rules must set sseAlgorithm AES256 or aws:kms"];
});

export const lifecycleSafe = resourceCheck(
    "s3-lifecycle-safe",
    "No lifecycle rule expires or transitions current objects (the compactor owns retention); incomplete multipart uploads are aborted within 7 days.",
    T.lifecycle,
    (p) => {
        const out: string[] = [];
        let aborts = false;
        for (const rule of list(p["rules"])) {
            const id = String(at(rule, "id"));
            const exp = at(rule, "expiration");
            if (isRecord(exp) && (exp["days"] !== undefined || exp["date"] !== undefined)) out.push(`rule ${id}: must not expire current objects`);
            if (list(at(rule, "transitions")).length > 0) out.push(`rule ${id}: must not transition current objects`);
            const days = at(rule, "abortIncompleteMultipartUpload", "daysAfterInitiation");
            if (at(rule, "status") === "Enabled" && typeof days === "number" && days <= MAX_ABORT_MULTIPART_DAYS) aborts = true;
        }
        if (!aborts) out.push(`an enabled rule must abort incomplete multipart uploads within ${MAX_ABORT_MULTIPART_DAYS} days`);
        return out;
    },
);

/** Policy documents carried by an IAM resource. */
function policyDocuments(r: ResourceView): Array<{ field: string; doc: unknown }> {
    if (r.type === T.policy || r.type === T.rolePolicy || r.type === T.bucketPolicy) return [{ field: "policy", doc: r.props["policy"] }];
    if (r.type === T.role) {
        return [
            ...list(r.props["inlinePolicies"]).map((p, i) => ({ field: `inlinePolicies[${i}]`, doc: at(p, "policy") })),
        ];
    }
    return [];
}

export const iamNoWildcards: ResourceCheck = {
    kind: "resource",
    name: "iam-no-wildcards",
    description: "No Allow statement grants a wildcard action (`*`, `s3:*`) or applies to resource `*`.",
    check: (r) => {
        const out: string[] = [];
        for (const { field, doc } of policyDocuments(r)) {
            for (const st of statements(doc) ?? []) {
                if (st["Effect"] !== "Allow") continue;
                for (const a of asList(st["Action"])) if (a === "*" || a.endsWith(":*")) out.push(`${field}: Allow of wildcard action ${a}`);
                if (st["NotAction"] !== undefined) out.push(`${field}: Allow with NotAction`);
                for (const res of asList(st["Resource"])) if (res === "*") out.push(`${field}: Allow on resource *`);
            }
        }
        return out;
    },
};

export const noIamUsers: ResourceCheck = {
    kind: "resource",
    name: "iam-no-users-or-keys",
    description: "No IAM users or access keys: workloads assume roles (IRSA or EKS Pod Identity).",
    check: (r) => (r.type === T.user || r.type === T.accessKey ? ["IAM users and access keys are not allowed"] : []),
};

export const onlyCompactorDeletes: StackCheck = {
    kind: "stack",
    name: "only-compactor-deletes",
    description: "Only the compactor's role may delete objects from the bucket.",
    check: (resources) => {
        const out: string[] = [];
        for (const r of resources) {
            if (r.type === T.bucketPolicy) continue;
            for (const { field, doc } of policyDocuments(r)) {
                for (const st of statements(doc) ?? []) {
                    if (st["Effect"] !== "Allow") continue;
                    const deletes = asList(st["Action"]).filter((a) => /^s3:Delete/.test(a));
                    if (deletes.length > 0 && !/compact/i.test(r.name)) out.push(`${r.type}::${r.name}: ${field} allows ${deletes.join(", ")}, but only the compactor may delete`);
                }
            }
        }
        return out;
    },
};

export const bucketHardening: StackCheck = {
    kind: "stack",
    name: "s3-bucket-hardening",
    description: "Every bucket has a public-access block, BucketOwnerEnforced ownership, default encryption, a TLS-only bucket policy and a lifecycle configuration.",
    check: (resources) => {
        const out: string[] = [];
        const byBucket = (type: string, bucket: string) =>
            resources.filter((r) => r.type === type && (r.props["bucket"] === bucket || str(r.props["bucket"])?.endsWith(`:::${bucket}`)));
        for (const b of resources.filter((r) => r.type === T.bucket)) {
            const name = str(b.props["bucket"]) ?? b.name;
            const where = `bucket ${name}`;
            if (byBucket(T.publicAccessBlock, name).length === 0) out.push(`${where}: no BucketPublicAccessBlock`);
            if (byBucket(T.ownership, name).length === 0) out.push(`${where}: no BucketOwnershipControls`);
            if (byBucket(T.encryption, name).length === 0) out.push(`${where}: no default encryption`);
            if (byBucket(T.lifecycle, name).length === 0) out.push(`${where}: no lifecycle configuration (incomplete multipart uploads pile up)`);
            const tlsOnly = byBucket(T.bucketPolicy, name).some((p) =>
                (statements(p.props["policy"]) ?? []).some(
                    (st) => st["Effect"] === "Deny" && JSON.stringify(st["Condition"] ?? {}).includes('"aws:SecureTransport":"false"'),
                ),
            );
            if (!tlsOnly) out.push(`${where}: no bucket policy denying requests without TLS (aws:SecureTransport = false)`);
        }
        return out;
    },
};

/** Every S3/IAM check. */
export const AWS_CHECKS: readonly Check[] = [
    bucketNoForceDestroy,
    publicAccessBlock,
    ownershipEnforced,
    encryption,
    lifecycleSafe,
    iamNoWildcards,
    noIamUsers,
    onlyCompactorDeletes,
    bucketHardening,
];
