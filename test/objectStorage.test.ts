/**
 * Object storage: the bucket's security settings, least-privilege identities per bucket user, the objstore
 * configuration, the in-cluster S3 server for the local stack, and the configuration rules that refuse dangerous settings.
 */
import * as fs from "fs";
import * as path from "path";
import Ajv2019 from "ajv/dist/2019";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { AWS_IDENTITY } from "../components/constants";
import { BucketAccess, BUCKET_PERMISSIONS, buildBucketUserPolicy, buildIrsaTrustPolicy, oidcIssuer, serviceAccountName } from "../components/storage/bucketAccess";
import { BUCKET_USERS, BucketUser, OBJSTORE_SECRET_KEY } from "../components/lib/contracts";
import { LIFECYCLE_EXPIRATION_RULE } from "../components/lib/objectStorage";
import { buildVersityBucketJob, buildVersityStatefulSet, VersityObjectStorage, type VersitySpec } from "../components/storage/versitygw";
import { DynamicProvider } from "../components/lib/generatedSecret";
import { buildObjstoreConfig, buildObjstoreSecret, objstoreSecretRef, renderObjstoreYaml } from "../components/storage/objstoreConfig";
import { buildLifecycleRules, buildTlsOnlyPolicy, PolicyDocument, PolicyStatement, ThanosBucket, ThanosBucketArgs } from "../components/storage/s3Bucket";
import { validateStackConfig } from "../infra/config/load";
import type { RenderResult } from "../scripts/lib/render";
import { CapturedResource, captureComponent, find, objectsOfKind, ofType, renderInProcess, ROOT } from "./support/harness";

const OIDC_ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
const ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789";
const BUCKET_ARN = "arn:aws:s3:::acme-thanos";
const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const T = {
    bucket: "aws:s3/bucket:Bucket",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    logging: "aws:s3/bucketLogging:BucketLogging",
    key: "aws:kms/key:Key",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    podIdentity: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    sa: "kubernetes:core/v1:ServiceAccount",
    secret: "kubernetes:core/v1:Secret",
} as const;

// ---------------------------------------------------------------------------------------------- helpers

const objstoreSchema = JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/thanos-v0.42.4/objstore-s3.schema.json"), "utf8")) as object;
const validateObjstore = new Ajv2019({ allErrors: true, strict: false }).compile(objstoreSchema);

function doc(value: unknown): PolicyDocument {
    expect(typeof value, "a policy is a JSON string").toBe("string");
    return JSON.parse(value as string) as PolicyDocument;
}

function list(v: string | string[] | undefined): string[] {
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Every allowed action on every resource: `action resource`. */
function grants(policy: PolicyDocument): string[] {
    return policy.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => list(s.Action).flatMap((a) => list(s.Resource).map((r) => `${a} ${r}`)));
}

function expectNoWildcards(policy: PolicyDocument) {
    for (const s of policy.Statement.filter((st: PolicyStatement) => st.Effect === "Allow")) {
        for (const a of list(s.Action)) expect(a, "no wildcard action in an Allow").not.toMatch(/\*/);
        for (const r of list(s.Resource)) expect(r, "no resource *").not.toBe("*");
    }
}

function problems(raw: unknown): string[] {
    const r = validateStackConfig(raw);
    return r.ok ? [] : r.problems;
}

function base(objectStorage: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        environment: "dev",
        cluster: { name: "eks-dev", eks: { clusterName: "eks-dev", oidcProviderArn: OIDC_ARN } },
        aws: { region: "eu-west-1" },
        objectStorage: { provider: "s3", bucketName: "acme-thanos-dev", ...objectStorage },
        ...overrides,
    };
}

function expectProblem(lines: string[], expected: string) {
    expect(lines.some((l) => l.startsWith(expected)), `expected a line starting with:\n  ${expected}\ngot:\n  ${lines.join("\n  ")}`).toBe(true);
}

function captureBucket(args: Partial<ThanosBucketArgs> = {}): Promise<CapturedResource[]> {
    return captureComponent((p) => {
        new ThanosBucket("tb", { bucketName: "acme-thanos", region: "eu-west-1", ...args }, { providers: { aws: p.aws } });
    });
}

// ---------------------------------------------------------------------------------------------- the bucket

describe("ThanosBucket", () => {
    let defaults: CapturedResource[];
    beforeAll(async () => {
        defaults = await captureBucket({ protect: true, tags: { team: "platform" } });
    });

    it("creates the bucket retained, protected on request, never force-destroyed, with tags", () => {
        const bucket = find(defaults, T.bucket);
        expect(bucket.inputs["bucket"]).toBe("acme-thanos");
        expect(bucket.inputs["forceDestroy"]).toBe(false);
        expect(bucket.inputs["tags"]).toEqual({ team: "platform" });
        expect(bucket.options).toMatchObject({ retainOnDelete: true, protect: true });
        expect(bucket.options.provider).toMatch(/^pulumi:providers:aws::/);
    });

    it("keeps every security setting when removed from the program (retainOnDelete)", () => {
        for (const type of [T.pab, T.ownership, T.sse, T.policy, T.lifecycle]) {
            expect(find(defaults, type).options.retainOnDelete, type).toBe(true);
        }
    });

    it("is not protected unless asked", async () => {
        const r = await captureBucket();
        expect(find(r, T.bucket).options.protect).toBe(false);
        expect(find(r, T.bucket).options.retainOnDelete).toBe(true);
    });

    it("blocks all four kinds of public access", () => {
        expect(find(defaults, T.pab).inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true, bucket: "acme-thanos" });
    });

    it("enforces bucket-owner ownership (ACLs off)", () => {
        expect(find(defaults, T.ownership).inputs["rule"]).toEqual({ objectOwnership: "BucketOwnerEnforced" });
    });

    it("encrypts with SSE-S3 by default", () => {
        expect(find(defaults, T.sse).inputs["rules"]).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
        expect(ofType(defaults, T.key)).toHaveLength(0);
    });

    it("denies every request without TLS, on the bucket and its objects", () => {
        const policy = doc(find(defaults, T.policy).inputs["policy"]);
        expect(policy.Statement).toHaveLength(1);
        const [deny] = policy.Statement;
        expect(deny).toMatchObject({ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
        expect(list(deny!.Resource).sort()).toEqual([BUCKET_ARN, `${BUCKET_ARN}/*`]);
        expect(find(defaults, T.policy).options.dependsOn).toContain(`${T.pab}::tb-public-access-block`);
    });

    it("aborts incomplete multipart uploads within 7 days, and never expires or transitions current objects", () => {
        const rules = find(defaults, T.lifecycle).inputs["rules"] as Array<Record<string, unknown>>;
        expect(rules).toEqual([
            { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: { prefix: "" }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
        ]);
        expect(ofType(defaults, T.versioning)).toHaveLength(0);
    });

    it("with versioning: versioning on, non-current versions expire, orphaned delete markers go", async () => {
        const r = await captureBucket({ versioning: { enabled: true, noncurrentExpirationDays: 14 }, lifecycle: { abortIncompleteMultipartUploadDays: 3 } });
        expect(find(r, T.versioning).inputs["versioningConfiguration"]).toEqual({ status: "Enabled" });
        expect(find(r, T.versioning).options.retainOnDelete).toBe(true);
        const lifecycle = find(r, T.lifecycle);
        const rules = lifecycle.inputs["rules"] as Array<Record<string, unknown>>;
        expect(rules.find((x) => x["id"] === "abort-incomplete-multipart-uploads")?.["abortIncompleteMultipartUpload"]).toEqual({ daysAfterInitiation: 3 });
        expect(rules.find((x) => x["id"] === "expire-noncurrent-versions")?.["noncurrentVersionExpiration"]).toEqual({ noncurrentDays: 14 });
        expect(rules.find((x) => x["id"] === "remove-expired-delete-markers")?.["expiration"]).toEqual({ expiredObjectDeleteMarker: true });
        for (const rule of rules) {
            expect(rule["transitions"]).toBeUndefined();
            expect((rule["expiration"] as Record<string, unknown> | undefined)?.["days"]).toBeUndefined();
        }
        expect(lifecycle.options.dependsOn).toContain(`${T.versioning}::tb-versioning`);
    });

    it("with a KMS key ARN: SSE-KMS on that key with an S3 bucket key, no key created", async () => {
        const r = await captureBucket({ encryption: { type: "sse-kms", kmsKeyArn: KEY_ARN } });
        expect(find(r, T.sse).inputs["rules"]).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN }, bucketKeyEnabled: true }]);
        expect(ofType(r, T.key)).toHaveLength(0);
    });

    it("with createKey: a rotating, retained, protected customer-managed key encrypts the bucket", async () => {
        const r = await captureBucket({ protect: true, encryption: { type: "sse-kms", createKey: true } });
        const key = find(r, T.key);
        expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
        expect(key.options).toMatchObject({ retainOnDelete: true, protect: true });
        const rule = (find(r, T.sse).inputs["rules"] as Array<{ applyServerSideEncryptionByDefault: { kmsMasterKeyId: string }; bucketKeyEnabled: boolean }>)[0]!;
        expect(rule.applyServerSideEncryptionByDefault.kmsMasterKeyId).toBe("arn:aws:kms:eu-west-1:123456789012:key/mock-key-tb-key");
        expect(rule.bucketKeyEnabled).toBe(true);
    });

    it("logs access to the given bucket", async () => {
        const r = await captureBucket({ accessLogging: { bucketName: "acme-logs" } });
        expect(find(r, T.logging).inputs).toMatchObject({ bucket: "acme-thanos", targetBucket: "acme-logs", targetPrefix: "acme-thanos/" });
        const custom = await captureBucket({ accessLogging: { bucketName: "acme-logs", prefix: "s3/thanos/" } });
        expect(find(custom, T.logging).inputs["targetPrefix"]).toBe("s3/thanos/");
    });

    describe("replication", () => {
        let r: CapturedResource[];
        beforeAll(async () => {
            r = await captureBucket({
                protect: true,
                versioning: { enabled: true },
                encryption: { type: "sse-kms", createKey: true },
                replication: { enabled: true, region: "eu-central-1", bucketName: "acme-thanos-replica" },
            });
        });

        it("creates a replica bucket in the other region with the same security settings", () => {
            const replica = find(r, T.bucket, "tb-replica-bucket");
            expect(replica.inputs).toMatchObject({ bucket: "acme-thanos-replica", region: "eu-central-1", forceDestroy: false });
            expect(replica.options).toMatchObject({ retainOnDelete: true, protect: true });
            expect(find(r, T.pab, "tb-replica-public-access-block").inputs).toMatchObject({ region: "eu-central-1", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
            expect(find(r, T.ownership, "tb-replica-ownership").inputs["rule"]).toEqual({ objectOwnership: "BucketOwnerEnforced" });
            expect(find(r, T.versioning, "tb-replica-versioning").inputs["versioningConfiguration"]).toEqual({ status: "Enabled" });
            const replicaPolicy = doc(find(r, T.policy, "tb-replica-policy").inputs["policy"]);
            expect(replicaPolicy.Statement[0]).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
            const replicaKey = find(r, T.key, "tb-replica-key");
            expect(replicaKey.inputs).toMatchObject({ region: "eu-central-1", enableKeyRotation: true });
            const sse = find(r, T.sse, "tb-replica-encryption").inputs["rules"] as Array<{ applyServerSideEncryptionByDefault: { kmsMasterKeyId: string } }>;
            expect(sse[0]!.applyServerSideEncryptionByDefault.kmsMasterKeyId).toContain("mock-key-tb-replica-key");
            const rules = find(r, T.lifecycle, "tb-replica-lifecycle").inputs["rules"] as Array<Record<string, unknown>>;
            expect(rules.map((x) => x["id"])).toEqual(["abort-incomplete-multipart-uploads", "expire-noncurrent-versions", "remove-expired-delete-markers"]);
        });

        it("replicates everything (delete markers and KMS objects too) after versioning is on", () => {
            const rep = find(r, T.replication);
            expect(rep.inputs["bucket"]).toBe("acme-thanos");
            expect(rep.inputs["role"]).toMatch(/^arn:aws:iam::123456789012:role\//);
            const [rule] = rep.inputs["rules"] as Array<Record<string, unknown>>;
            expect(rule).toMatchObject({
                status: "Enabled",
                filter: { prefix: "" },
                deleteMarkerReplication: { status: "Enabled" },
                sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
                destination: { bucket: "arn:aws:s3:::acme-thanos-replica" },
            });
            expect(rep.options.dependsOn).toEqual(expect.arrayContaining([`${T.versioning}::tb-versioning`, `${T.versioning}::tb-replica-versioning`]));
        });

        it("gives the replication role only what replication needs", () => {
            const role = find(r, T.role, "tb-replication-role");
            expect(doc(role.inputs["assumeRolePolicy"]).Statement).toEqual([
                expect.objectContaining({ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }),
            ]);
            const policy = doc(find(r, T.rolePolicy, "tb-replication-policy").inputs["policy"]);
            expectNoWildcards(policy);
            const src = "arn:aws:s3:::acme-thanos";
            const dst = "arn:aws:s3:::acme-thanos-replica";
            const g = grants(policy);
            expect(g).toEqual(
                expect.arrayContaining([
                    `s3:GetReplicationConfiguration ${src}`,
                    `s3:ListBucket ${src}`,
                    `s3:GetObjectVersionForReplication ${src}/*`,
                    `s3:ReplicateObject ${dst}/*`,
                    `s3:ReplicateDelete ${dst}/*`,
                ]),
            );
            expect(g.filter((x) => x.endsWith(dst + "/*")).every((x) => x.startsWith("s3:Replicate"))).toBe(true);
            expect(g.some((x) => x.startsWith("s3:DeleteObject") || x.startsWith("s3:PutObject"))).toBe(false);
            const kms = policy.Statement.filter((s) => list(s.Action).some((a) => a.startsWith("kms:")));
            expect(kms.map((s) => [list(s.Action), s.Condition])).toEqual([
                [["kms:Decrypt"], { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } }],
                [["kms:Encrypt", "kms:GenerateDataKey"], { StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } }],
            ]);
        });
    });

    it.each<[string, Partial<ThanosBucketArgs>, RegExp]>([
        ["an expiring lifecycle rule", { lifecycle: { rules: [{ id: "old", expirationDays: 30 }] } }, /^ThanosBucket lifecycle\.rules\.0\.expirationDays: must not be set: .*never expire current objects.*compactor owns retention.*got 30$/],
        ["a transition", { lifecycle: { rules: [{ id: "cold", transitions: [{ days: 30, storageClass: "GLACIER" }] }] } }, /^ThanosBucket lifecycle\.rules\.0\.transitions: .*never transition current objects/],
        ["KMS without a key", { encryption: { type: "sse-kms" } }, /^ThanosBucket encryption\.kmsKeyArn: is required when encryption\.type is sse-kms/],
        ["replication without versioning", { replication: { enabled: true, region: "eu-central-1", bucketName: "x-replica" } }, /^ThanosBucket replication\.enabled: needs versioning\.enabled true/],
        ["abort after 30 days", { lifecycle: { abortIncompleteMultipartUploadDays: 30 } }, /^ThanosBucket lifecycle\.abortIncompleteMultipartUploadDays: must be an integer between 1 and 7/],
    ])("refuses %s before creating anything", async (_what, args, message) => {
        await expect(captureBucket(args)).rejects.toThrow(message);
    });
});

describe("lifecycle and policy builders", () => {
    it("translate user rules and keep only safe actions", () => {
        const rules = buildLifecycleRules({ rules: [{ id: "markers", prefix: "debug/", expiredObjectDeleteMarker: true, enabled: false }] }, undefined);
        expect(rules[1]).toEqual({ id: "markers", status: "Disabled", filter: { prefix: "debug/" }, expiration: { expiredObjectDeleteMarker: true } });
        expect(rules[0]!.abortIncompleteMultipartUpload!.daysAfterInitiation).toBe(7);
    });

    it("TLS-only policy names exactly the bucket and its objects", () => {
        expect(list(buildTlsOnlyPolicy("arn:aws:s3:::b").Statement[0]!.Resource)).toEqual(["arn:aws:s3:::b", "arn:aws:s3:::b/*"]);
    });
});

// ---------------------------------------------------------------------------------------------- identities

/** What each bucket user may do with the bucket `arn` (Thanos: uploaders list, read and write; the store reads; only the compactor deletes). */
function leastPrivilege(user: BucketUser, arn: string): string[] {
    const obj = `${arn}/*`;
    const table: Record<BucketUser, string[]> = {
        prometheus: [`s3:ListBucket ${arn}`, `s3:GetObject ${obj}`, `s3:PutObject ${obj}`, `s3:AbortMultipartUpload ${obj}`],
        ruler: [`s3:ListBucket ${arn}`, `s3:GetObject ${obj}`, `s3:PutObject ${obj}`, `s3:AbortMultipartUpload ${obj}`],
        storeGateway: [`s3:ListBucket ${arn}`, `s3:GetObject ${obj}`],
        compactor: [`s3:ListBucket ${arn}`, `s3:GetObject ${obj}`, `s3:PutObject ${obj}`, `s3:DeleteObject ${obj}`, `s3:AbortMultipartUpload ${obj}`],
    };
    return [...table[user]].sort();
}

describe("bucket user permissions (least privilege)", () => {
    const policy = (u: BucketUser, key?: string) => buildBucketUserPolicy(u, BUCKET_ARN, key);

    it.each<[BucketUser, string[]]>((["prometheus", "ruler", "storeGateway", "compactor"] as const).map((u) => [u, leastPrivilege(u, BUCKET_ARN)]))("%s gets exactly its actions", (user, expected) => {
        const p = policy(user);
        expect(grants(p).sort()).toEqual([...expected].sort());
        expect(p.Statement.every((s) => s.Effect === "Allow")).toBe(true);
        expectNoWildcards(p);
    });

    it("the store gateway cannot write, and only the compactor deletes", () => {
        expect(grants(policy("storeGateway")).some((g) => /s3:(Put|Delete|Abort)/.test(g))).toBe(false);
        for (const u of BUCKET_USERS) expect(grants(policy(u)).some((g) => g.startsWith("s3:DeleteObject")), u).toBe(u === "compactor");
    });

    it("with SSE-KMS: writers get GenerateDataKey and Decrypt, readers only Decrypt, on that key only", () => {
        expect(grants(policy("prometheus", KEY_ARN)).filter((g) => g.startsWith("kms:")).sort()).toEqual([`kms:Decrypt ${KEY_ARN}`, `kms:GenerateDataKey ${KEY_ARN}`]);
        expect(grants(policy("compactor", KEY_ARN)).filter((g) => g.startsWith("kms:")).sort()).toEqual([`kms:Decrypt ${KEY_ARN}`, `kms:GenerateDataKey ${KEY_ARN}`]);
        expect(grants(policy("storeGateway", KEY_ARN)).filter((g) => g.startsWith("kms:"))).toEqual([`kms:Decrypt ${KEY_ARN}`]);
        expect(grants(policy("ruler")).some((g) => g.startsWith("kms:"))).toBe(false);
    });

    it("the querier and query-frontend are not bucket users", () => {
        expect(Object.keys(BUCKET_PERMISSIONS).sort()).toEqual([...BUCKET_USERS].sort());
        expect(BUCKET_USERS as readonly string[]).not.toContain("querier");
        expect(BUCKET_USERS as readonly string[]).not.toContain("queryFrontend");
    });

    it("derives the OIDC issuer from the provider ARN and refuses anything else", () => {
        expect(oidcIssuer(OIDC_ARN)).toBe(ISSUER);
        expect(() => oidcIssuer("arn:aws:iam::123456789012:role/x")).toThrow(/BucketAccess eks\.oidcProviderArn: must be an IAM OIDC provider ARN/);
        const trust = buildIrsaTrustPolicy({ oidcProviderArn: OIDC_ARN, namespace: "ns", serviceAccount: "sa" });
        expect(trust.Statement[0]!.Condition).toEqual({ StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:ns:sa", [`${ISSUER}:aud`]: "sts.amazonaws.com" } });
    });
});

describe("BucketAccess", () => {
    const irsa = (kmsKeyArn?: string) =>
        captureComponent((p) => {
            new BucketAccess(
                "acc",
                { stackName: "thanos", namespace: "metrics", aws: { bucketArn: BUCKET_ARN, ...(kmsKeyArn ? { kmsKeyArn } : {}), eks: { oidcProviderArn: OIDC_ARN } } },
                { providers: { aws: p.aws, kubernetes: p.kubernetes } },
            );
        });

    it("IRSA: one ServiceAccount and one role per bucket user; the trust names exactly the ServiceAccount created", async () => {
        const r = await irsa();
        expect(ofType(r, T.sa)).toHaveLength(BUCKET_USERS.length);
        expect(ofType(r, T.role)).toHaveLength(BUCKET_USERS.length);
        expect(ofType(r, T.rolePolicy)).toHaveLength(BUCKET_USERS.length);
        expect(ofType(r, T.podIdentity)).toHaveLength(0);
        for (const user of BUCKET_USERS) {
            const sa = find(r, T.sa, `acc-${user}-sa`);
            const meta = sa.inputs["metadata"] as { name: string; namespace: string; annotations: Record<string, string> };
            expect(meta.name).toBe(serviceAccountName("thanos", user));
            const role = find(r, T.role, `acc-${user}-role`);
            const trust = doc(role.inputs["assumeRolePolicy"]);
            expect(trust.Statement).toHaveLength(1);
            expect(trust.Statement[0]).toMatchObject({ Effect: "Allow", Principal: { Federated: OIDC_ARN }, Action: "sts:AssumeRoleWithWebIdentity" });
            expect(trust.Statement[0]!.Condition).toEqual({
                StringEquals: { [`${ISSUER}:sub`]: `system:serviceaccount:${meta.namespace}:${meta.name}`, [`${ISSUER}:aud`]: AWS_IDENTITY.irsaAudience },
            });
            expect(meta.annotations[AWS_IDENTITY.irsaRoleArnAnnotation]).toMatch(new RegExp(`^arn:aws:iam::123456789012:role/acc-${user}-role`));
            expect(sa.inputs["automountServiceAccountToken"], user).toBe(user === "prometheus");
            const policy = doc(find(r, T.rolePolicy, `acc-${user}-policy`).inputs["policy"]);
            expect(grants(policy).sort()).toEqual(leastPrivilege(user, BUCKET_ARN));
        }
        expect(r.some((x) => /quer/i.test(x.name))).toBe(false);
    });

    it("IRSA with SSE-KMS: KMS actions on the key for each role", async () => {
        const r = await irsa(KEY_ARN);
        const kms = (u: BucketUser) => grants(doc(find(r, T.rolePolicy, `acc-${u}-policy`).inputs["policy"])).filter((g) => g.startsWith("kms:"));
        expect(kms("storeGateway")).toEqual([`kms:Decrypt ${KEY_ARN}`]);
        expect(kms("compactor").sort()).toEqual([`kms:Decrypt ${KEY_ARN}`, `kms:GenerateDataKey ${KEY_ARN}`]);
    });

    it("exposes the ServiceAccount names as plain strings", async () => {
        let names: Record<BucketUser, string> | undefined;
        await captureComponent((p) => {
            names = new BucketAccess("acc", { stackName: "thanos", namespace: "m" }, { providers: { kubernetes: p.kubernetes } }).serviceAccountNames;
        });
        expect(names).toEqual({ prometheus: "thanos-prometheus", ruler: "thanos-rule", storeGateway: "thanos-store", compactor: "thanos-compact" });
    });

    it("EKS Pod Identity: pods.eks.amazonaws.com trust and one association per ServiceAccount, no IRSA annotation", async () => {
        const r = await captureComponent((p) => {
            new BucketAccess(
                "acc",
                { stackName: "thanos", namespace: "metrics", users: ["storeGateway", "compactor"], aws: { bucketArn: BUCKET_ARN, identity: "podIdentity", eks: { clusterName: "eks-prod" } } },
                { providers: { aws: p.aws, kubernetes: p.kubernetes } },
            );
        });
        expect(ofType(r, T.role)).toHaveLength(2);
        for (const user of ["storeGateway", "compactor"] as const) {
            const trust = doc(find(r, T.role, `acc-${user}-role`).inputs["assumeRolePolicy"]);
            expect(trust.Statement).toEqual([expect.objectContaining({ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] })]);
            const sa = find(r, T.sa, `acc-${user}-sa`).inputs["metadata"] as { name: string; namespace: string; annotations?: Record<string, string> };
            expect(sa.annotations?.[AWS_IDENTITY.irsaRoleArnAnnotation]).toBeUndefined();
            const assoc = find(r, T.podIdentity, `acc-${user}-pod-identity`);
            expect(assoc.inputs).toMatchObject({ clusterName: "eks-prod", namespace: sa.namespace, serviceAccount: sa.name });
            expect(assoc.inputs["roleArn"]).toMatch(new RegExp(`role/acc-${user}-role`));
        }
    });

    it("without AWS (the in-cluster S3 server): ServiceAccounts only", async () => {
        const r = await captureComponent((p) => {
            new BucketAccess("acc", { stackName: "thanos", namespace: "m" }, { providers: { kubernetes: p.kubernetes } });
        });
        expect(ofType(r, T.sa)).toHaveLength(4);
        expect(r.filter((x) => x.type.startsWith("aws:"))).toEqual([]);
    });

    it.each<[string, Parameters<typeof captureComponent>[0], RegExp]>([
        [
            "IRSA without an OIDC provider",
            (p) => new BucketAccess("a", { stackName: "t", namespace: "m", aws: { bucketArn: BUCKET_ARN, eks: {} } }, { providers: { aws: p.aws, kubernetes: p.kubernetes } }),
            /^BucketAccess eks\.oidcProviderArn: is required when objectStorage\.identity is irsa/,
        ],
        [
            "Pod Identity without a cluster name",
            (p) => new BucketAccess("a", { stackName: "t", namespace: "m", aws: { bucketArn: BUCKET_ARN, identity: "podIdentity", eks: {} } }, { providers: { aws: p.aws, kubernetes: p.kubernetes } }),
            /^BucketAccess eks\.clusterName: is required when objectStorage\.identity is podIdentity/,
        ],
        [
            "an unknown bucket user",
            (p) => new BucketAccess("a", { stackName: "t", namespace: "m", users: ["querier" as BucketUser] }, { providers: { kubernetes: p.kubernetes } }),
            /^BucketAccess users: must be among prometheus, ruler, storeGateway, compactor, got "querier"/,
        ],
    ])("refuses %s", async (_what, build, message) => {
        await expect(captureComponent(build)).rejects.toThrow(message);
    });
});

// ---------------------------------------------------------------------------------------------- objstore

describe("objstore configuration", () => {
    it("AWS: bucket, regional endpoint, region, SDK auth; valid for Thanos v0.42.4", () => {
        const config = buildObjstoreConfig({ kind: "aws", bucket: "acme-thanos", region: "eu-west-1" });
        expect(config).toEqual({ type: "S3", config: { bucket: "acme-thanos", endpoint: "s3.eu-west-1.amazonaws.com", region: "eu-west-1", aws_sdk_auth: true } });
        const parsed = parseYaml(renderObjstoreYaml(config)) as unknown;
        expect(validateObjstore(parsed), JSON.stringify(validateObjstore.errors)).toBe(true);
    });

    it("AWS with SSE-KMS: writes with the key; valid", () => {
        const config = buildObjstoreConfig({ kind: "aws", bucket: "acme-thanos", region: "eu-west-1", kmsKeyArn: KEY_ARN });
        expect(config.config.sse_config).toEqual({ type: "SSE-KMS", kms_key_id: KEY_ARN });
        expect(validateObjstore(parseYaml(renderObjstoreYaml(config))), JSON.stringify(validateObjstore.errors)).toBe(true);
    });

    it("in-cluster S3 server: in-cluster endpoint, plain HTTP, path-style, static keys; valid", () => {
        const config = buildObjstoreConfig({ kind: "versitygw", bucket: "thanos-local", service: "thanos-versitygw", namespace: "monitoring", accessKey: "ak", secretKey: "sk" });
        expect(config.config).toEqual({
            bucket: "thanos-local",
            endpoint: "thanos-versitygw.monitoring.svc.cluster.local:7070",
            access_key: "ak",
            secret_key: "sk",
            insecure: true,
            bucket_lookup_type: "path",
        });
        expect(validateObjstore(parseYaml(renderObjstoreYaml(config))), JSON.stringify(validateObjstore.errors)).toBe(true);
    });

    it("the schema check can fail (unknown keys and SDK auth with static keys are refused)", () => {
        expect(validateObjstore({ type: "S3", config: { bucket: "b", endpoint: "e", sse: {} } })).toBe(false);
        expect(validateObjstore({ type: "S3", config: { bucket: "b", endpoint: "e", aws_sdk_auth: true, access_key: "a", secret_key: "s" } })).toBe(false);
    });

    it("one Secret, one key, for every bucket user", () => {
        const ref = objstoreSecretRef("thanos");
        expect(ref).toEqual({ name: "thanos-objstore", key: OBJSTORE_SECRET_KEY });
        const secret = buildObjstoreSecret({ ref, namespace: "monitoring", instance: "thanos", yaml: "type: S3\n" });
        expect(secret.metadata).toMatchObject({ name: "thanos-objstore", namespace: "monitoring" });
        expect(secret.stringData).toEqual({ [OBJSTORE_SECRET_KEY]: "type: S3\n" });
    });
});

// ---------------------------------------------------------------------------------------------- in-cluster S3 server

describe("the in-cluster S3 server (versitygw)", () => {
    const spec: VersitySpec = {
        name: "thanos-versitygw",
        namespace: "monitoring",
        instance: "thanos",
        bucketName: "thanos-local",
        versioning: false,
        storageSize: "5Gi",
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
        jobResources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
        jobBackoffLimit: 4,
        jobTtlSecondsAfterFinished: 600,
    };

    function expectBaseline(podSpec: NonNullable<NonNullable<ReturnType<typeof buildVersityStatefulSet>["spec"]>["template"]["spec"]>) {
        expect(podSpec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } });
        expect(podSpec.automountServiceAccountToken).toBe(false);
        expect(podSpec.hostNetwork).toBeUndefined();
        for (const c of [...(podSpec.initContainers ?? []), ...podSpec.containers]) {
            expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true });
            expect(c.resources?.requests?.["cpu"]).toBeDefined();
            expect(c.resources?.requests?.["memory"]).toBeDefined();
            expect(c.resources?.limits?.["memory"]).toBeDefined();
            expect(c.imagePullPolicy).toBe("IfNotPresent");
        }
    }

    it("server: one replica on a PVC, the POSIX backend under /data, health probes, the pod baseline", () => {
        const sts = buildVersityStatefulSet(spec);
        expect(sts.spec?.replicas).toBe(1);
        expect(sts.spec?.volumeClaimTemplates?.[0]?.spec?.resources?.requests?.["storage"]).toBe("5Gi");
        const podSpec = sts.spec!.template.spec!;
        expectBaseline(podSpec);
        const c = podSpec.containers[0]!;
        expect(c.image).toBe("ghcr.io/versity/versitygw:v1.8.0");
        expect(c.command).toEqual(["/usr/local/bin/versitygw"]);
        // Global flags first, then the backend: versitygw --port :7070 --health /_/health --iam-dir /data/iam posix /data/buckets
        expect(c.args).toEqual(["--port", ":7070", "--health", "/_/health", "--iam-dir", "/data/iam", "posix", "/data/buckets"]);
        expect(c.readinessProbe?.httpGet).toMatchObject({ path: "/_/health", port: "s3" });
        expect(c.livenessProbe?.httpGet).toMatchObject({ path: "/_/health", port: "s3" });
        expect(c.ports).toEqual([{ name: "s3", containerPort: 7070, protocol: "TCP" }]);
        expect(c.volumeMounts).toContainEqual({ name: "data", mountPath: "/data" });
        expect(podSpec.initContainers?.[0]?.command).toEqual(["mkdir", "-p", "/data/buckets", "/data/iam", "/data/versions"]);
        expect(c.env?.find((e) => e.name === "GOMEMLIMIT")).toBeDefined();
        expect(c.env?.find((e) => e.name === "ROOT_SECRET_ACCESS_KEY")?.valueFrom?.secretKeyRef).toEqual({ name: "thanos-versitygw-credentials", key: "ROOT_SECRET_ACCESS_KEY" });
        expect(c.env?.find((e) => e.name === "ROOT_ACCESS_KEY_ID")?.valueFrom?.secretKeyRef).toEqual({ name: "thanos-versitygw-credentials", key: "ROOT_ACCESS_KEY_ID" });
        expect(c.env?.some((e) => e.value !== undefined && /secret|access/i.test(e.name))).toBe(false);
    });

    it("versioning keeps object versions outside the backend's root", () => {
        const c = buildVersityStatefulSet({ ...spec, versioning: true }).spec!.template.spec!.containers[0]!;
        expect(c.args).toEqual(["--port", ":7070", "--health", "/_/health", "--iam-dir", "/data/iam", "posix", "--versioning-dir", "/data/versions", "/data/buckets"]);
        const script = buildVersityBucketJob({ ...spec, versioning: true }).spec!.template.spec!.containers[0]!.command!.join(" ");
        expect(script).toContain("--object-lock-enabled-for-bucket");
        expect(buildVersityBucketJob(spec).spec!.template.spec!.containers[0]!.command!.join(" ")).not.toContain("object-lock");
    });

    it("bucket Job: creates the bucket through the admin API unless it exists, bounded retries, cleaned up, the pod baseline", () => {
        const job = buildVersityBucketJob(spec);
        expect(job.spec).toMatchObject({ backoffLimit: 4, ttlSecondsAfterFinished: 600 });
        const podSpec = job.spec!.template.spec!;
        expectBaseline(podSpec);
        const c = podSpec.containers[0]!;
        expect(c.image).toBe("ghcr.io/versity/versitygw:v1.8.0");
        expect(c.command?.slice(0, 2)).toEqual(["sh", "-c"]);
        const script = c.command![2]!;
        expect(script).toContain("/usr/local/bin/versitygw admin --endpoint-url http://thanos-versitygw.monitoring.svc.cluster.local:7070 list-buckets");
        expect(script).toMatch(/create-bucket --owner "\$ADMIN_ACCESS_KEY_ID" --bucket 'thanos-local'/);
        expect(c.env?.map((e) => [e.name, e.valueFrom?.secretKeyRef?.key])).toEqual([
            ["ADMIN_ACCESS_KEY_ID", "ROOT_ACCESS_KEY_ID"],
            ["ADMIN_SECRET_ACCESS_KEY", "ROOT_SECRET_ACCESS_KEY"],
        ]);
    });

    it("credentials are generated once (dynamic resources on the explicit provider) and kept secret", async () => {
        const r = await captureComponent(
            (p) => {
                new VersityObjectStorage("thanos-versitygw", { namespace: "monitoring", bucketName: "thanos-local" }, { providers: { kubernetes: p.kubernetes, "pulumi-nodejs": new DynamicProvider("dyn") } });
            },
            { showSecrets: false },
        );
        const generated = ofType(r, "pulumi-nodejs:dynamic:Resource");
        expect(generated.map((g) => [g.name, g.inputs["length"], g.options.provider])).toEqual([
            ["thanos-versitygw-access-key", 20, "pulumi:providers:pulumi-nodejs::dyn"],
            ["thanos-versitygw-secret-key", 40, "pulumi:providers:pulumi-nodejs::dyn"],
        ]);
        expect(generated[0]!.inputs["__provider"]).toBe("[dynamic provider code]");
        const secret = find(r, T.secret, "thanos-versitygw-credentials");
        expect(secret.inputs["stringData"]).toBe("[secret]");
        expect(r.filter((x) => x.type.startsWith("aws:"))).toEqual([]);
        expect(find(r, "kubernetes:batch/v1:Job").options.dependsOn).toContain("kubernetes:apps/v1:StatefulSet::thanos-versitygw-sts");
    });

    it("refuses to run without an explicit dynamic-resource provider", async () => {
        await expect(
            captureComponent((p) => {
                new VersityObjectStorage("m", { namespace: "monitoring", bucketName: "thanos-local" }, { providers: { kubernetes: p.kubernetes } });
            }),
        ).rejects.toThrow(/VersityObjectStorage: no explicit 'pulumi-nodejs' provider/);
    });
});

// ---------------------------------------------------------------------------------------------- configuration

describe("objectStorage configuration", () => {
    it("accepts a full AWS configuration and fills defaults", () => {
        const r = validateStackConfig(
            base({
                encryption: { type: "sse-kms", createKey: true },
                versioning: { enabled: true },
                replication: { enabled: true, region: "eu-central-1", bucketName: "acme-thanos-dev-replica" },
                accessLogging: { bucketName: "acme-logs" },
                lifecycle: { rules: [{ id: "tmp-uploads", prefix: "debug/", abortIncompleteMultipartUploadDays: 1 }] },
                tags: { costCenter: "metrics" },
            }),
        );
        if (!r.ok) throw new Error(r.problems.join("\n"));
        expect(r.config.objectStorage.identity).toBe("irsa");
        expect(r.config.objectStorage.versioning.noncurrentExpirationDays).toBe(30);
        expect(r.config.objectStorage.lifecycle.abortIncompleteMultipartUploadDays).toBe(7);
        const plain = validateStackConfig(base());
        expect(plain.ok && plain.config.objectStorage.encryption.type).toBe("sse-s3");
    });

    it.each<[string, Record<string, unknown>, string]>([
        ["an invalid bucket name", base({ bucketName: "Thanos_Bucket" }), 'objectStorage.bucketName: S3 bucket name may contain only lowercase letters, digits, \'.\' and \'-\', got "Thanos_Bucket"'],
        ["an expiring lifecycle rule", base({ lifecycle: { rules: [{ id: "old", expirationDays: 30 }] } }), `objectStorage.lifecycle.rules[0].expirationDays: ${LIFECYCLE_EXPIRATION_RULE}, got 30`],
        ["a transitioning lifecycle rule", base({ lifecycle: { rules: [{ id: "cold", transitions: [{ days: 30, storageClass: "GLACIER" }] }] } }), "objectStorage.lifecycle.rules[0].transitions: must not be set: a lifecycle rule must never transition current objects"],
        ["a rule without an action", base({ lifecycle: { rules: [{ id: "noop" }] } }), "objectStorage.lifecycle.rules[0]: must have at least one action"],
        ["duplicate rule ids", base({ lifecycle: { rules: [{ id: "a", expiredObjectDeleteMarker: true }, { id: "a", abortIncompleteMultipartUploadDays: 2 }] } }), 'objectStorage.lifecycle.rules[1].id: must be unique among the lifecycle rules, got "a"'],
        ["aborting uploads after 30 days", base({ lifecycle: { abortIncompleteMultipartUploadDays: 30 } }), "objectStorage.lifecycle.abortIncompleteMultipartUploadDays: must be an integer between 1 and 7, got 30"],
        ["KMS without a key", base({ encryption: { type: "sse-kms" } }), "objectStorage.encryption.kmsKeyArn: is required when encryption.type is sse-kms, unless encryption.createKey is true"],
        ["a key and createKey", base({ encryption: { type: "sse-kms", kmsKeyArn: KEY_ARN, createKey: true } }), "objectStorage.encryption.createKey: must not be true together with encryption.kmsKeyArn"],
        ["a KMS key with SSE-S3", base({ encryption: { kmsKeyArn: KEY_ARN } }), "objectStorage.encryption.kmsKeyArn: only applies with encryption.type sse-kms"],
        ["a malformed KMS key ARN", base({ encryption: { type: "sse-kms", kmsKeyArn: "my-key" } }), 'objectStorage.encryption.kmsKeyArn: must be a KMS key ARN, like arn:aws:kms:'],
        ["IRSA without an OIDC provider", base({}, { cluster: { name: "eks-dev", eks: { clusterName: "eks-dev" } } }), "cluster.eks.oidcProviderArn: is required when objectStorage.identity is irsa"],
        ["IRSA without any EKS facts", base({}, { cluster: { name: "eks-dev" } }), "cluster.eks.oidcProviderArn: is required when objectStorage.identity is irsa"],
        ["Pod Identity without a cluster name", base({ identity: "podIdentity" }, { cluster: { name: "eks-dev" } }), "cluster.eks.clusterName: is required when objectStorage.identity is podIdentity"],
        ["an unknown identity", base({ identity: "keys" }), 'objectStorage.identity: must be one of: irsa, podIdentity, got "keys"'],
        ["replication without versioning", base({ replication: { enabled: true, region: "eu-central-1", bucketName: "acme-replica" } }), "objectStorage.replication.enabled: needs versioning.enabled true"],
        ["replication into the same region", base({ versioning: { enabled: true }, replication: { enabled: true, region: "eu-west-1", bucketName: "acme-replica" } }), 'objectStorage.replication.region: must differ from aws.region: a replica in the same region is no backup against a regional outage, got "eu-west-1"'],
        ["replication without a bucket", base({ versioning: { enabled: true }, replication: { enabled: true, region: "eu-central-1" } }), "objectStorage.replication.bucketName: is required when replication is enabled"],
        ["logging into itself", base({ accessLogging: { bucketName: "acme-thanos-dev" } }), "objectStorage.accessLogging.bucketName: must be another bucket"],
        ["S3 server settings on S3", base({ versitygw: { storage: { size: "1Gi" } } }), "objectStorage.versitygw: only applies with objectStorage.provider versitygw"],
        ["the in-cluster server with KMS", base({ provider: "versitygw", encryption: { type: "sse-kms", createKey: true } }), 'objectStorage.encryption.type: only applies with objectStorage.provider s3; the in-cluster S3 server of the local stack has no such option, got "sse-kms"'],
        ["the in-cluster server with lifecycle rules", base({ provider: "versitygw", lifecycle: { rules: [{ id: "x", expiredObjectDeleteMarker: true }] } }), "objectStorage.lifecycle.rules: only applies with objectStorage.provider s3"],
        ["the in-cluster server with replication", base({ provider: "versitygw", versioning: { enabled: true }, replication: { enabled: true, region: "eu-central-1", bucketName: "acme-replica" } }), "objectStorage.replication.enabled: only applies with objectStorage.provider s3"],
        ["minio, which is no longer offered", base({ provider: "minio" }), 'objectStorage.provider: minio is no longer offered (its server is AGPL and its community images stopped in 2025): use versitygw'],
        ["an unknown key", base({ encrpytion: {} }), "objectStorage.encrpytion: unknown key (did you mean 'encryption'?)"],
    ])("refuses %s with a line naming the key, the rule and the value", (_what, raw, expected) => {
        expectProblem(problems(raw), expected);
    });

    it("the in-cluster S3 server needs no AWS facts, and takes versioning", () => {
        const r = validateStackConfig({ environment: "local", cluster: { name: "kind" }, objectStorage: { provider: "versitygw", bucketName: "thanos-local", versioning: { enabled: true }, versitygw: { storage: { size: "2Gi" } } } });
        expect(r.ok ? [] : r.problems).toEqual([]);
    });
});

// ---------------------------------------------------------------------------------------------- the rendered stacks

describe("rendered stacks", () => {
    let prod: RenderResult;
    let local: RenderResult;
    beforeAll(async () => {
        prod = await renderInProcess("prod", [], true);
        local = await renderInProcess("local", [], true);
    });

    it("prod: the bucket with encryption, public-access block, ownership, TLS-only policy and lifecycle", () => {
        const r = prod.resources;
        expect(ofType(r, T.bucket)).toHaveLength(1);
        const bucket = ofType(r, T.bucket)[0]!;
        expect(bucket.options).toMatchObject({ protect: true, retainOnDelete: true });
        for (const type of [T.sse, T.pab, T.ownership, T.policy, T.lifecycle]) expect(ofType(r, type), type).toHaveLength(1);
        expect(doc(ofType(r, T.policy)[0]!.inputs["policy"]).Statement[0]!.Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
    });

    it("prod: one role per bucket user with exactly its permissions, trusting the ServiceAccount it runs as", () => {
        const r = prod.resources;
        expect(ofType(r, T.role)).toHaveLength(BUCKET_USERS.length);
        const bucketArn = `arn:aws:s3:::${String(ofType(r, T.bucket)[0]!.inputs["bucket"])}`;
        const accounts = ofType(r, T.sa).map((s) => s.inputs["metadata"] as { name: string; namespace: string });
        for (const user of BUCKET_USERS) {
            const role = ofType(r, T.role).find((x) => x.name.endsWith(`-${user}-role`))!;
            const policy = ofType(r, T.rolePolicy).find((x) => x.name.endsWith(`-${user}-policy`))!;
            expect(grants(doc(policy.inputs["policy"])).sort()).toEqual(leastPrivilege(user, bucketArn));
            const sub = Object.entries(doc(role.inputs["assumeRolePolicy"]).Statement[0]!.Condition!["StringEquals"]!).find(([k]) => k.endsWith(":sub"))![1];
            const [, , ns, name] = String(sub).split(":");
            expect(accounts.some((a) => a.name === name && a.namespace === ns), `${user}'s role trusts ${String(sub)}, a ServiceAccount that exists`).toBe(true);
        }
    });

    it("prod: the objstore Secret holds a valid S3 configuration for the bucket", () => {
        const secrets = objectsOfKind<{ metadata: { name: string }; stringData: Record<string, string> }>(prod, "Secret");
        const secret = secrets.find((s) => s.metadata.name === objstoreSecretRef("thanos").name)!;
        expect(secret).toBeDefined();
        const config = parseYaml(secret.stringData[OBJSTORE_SECRET_KEY]!) as { config: Record<string, unknown> };
        expect(validateObjstore(config), JSON.stringify(validateObjstore.errors)).toBe(true);
        expect(config.config).toMatchObject({ bucket: "acme-thanos-prod-eu-west-1", region: "eu-west-1", endpoint: "s3.eu-west-1.amazonaws.com", aws_sdk_auth: true });
    });

    it("local: the in-cluster S3 server, a valid objstore Secret pointing at it, and not one AWS resource", () => {
        const r = local.resources;
        expect(r.filter((x) => x.type.startsWith("aws:") || x.type === "pulumi:providers:aws")).toEqual([]);
        expect(ofType(r, "thanos-stack:index:VersityObjectStorage")).toHaveLength(1);
        const sts = objectsOfKind<{ metadata: { name: string } }>(local, "StatefulSet").find((s) => s.metadata.name === "thanos-versitygw");
        expect(sts).toBeDefined();
        expect(objectsOfKind<{ metadata: { name: string } }>(local, "Job").map((j) => j.metadata.name)).toContain("thanos-versitygw-make-bucket");
        const secret = objectsOfKind<{ metadata: { name: string }; stringData: Record<string, string> }>(local, "Secret").find((s) => s.metadata.name === "thanos-objstore")!;
        const config = parseYaml(secret.stringData[OBJSTORE_SECRET_KEY]!) as { config: Record<string, unknown> };
        expect(validateObjstore(config), JSON.stringify(validateObjstore.errors)).toBe(true);
        expect(config.config).toMatchObject({ endpoint: "thanos-versitygw.monitoring.svc.cluster.local:7070", insecure: true, bucket_lookup_type: "path", access_key: "mock-generated-thanos-versitygw-access-key" });
        expect(ofType(r, T.sa).map((s) => (s.inputs["metadata"] as { name: string }).name)).toEqual(expect.arrayContaining(["thanos-prometheus", "thanos-store", "thanos-compact", "thanos-rule"]));
    });

    it("the objstore Secret is a Pulumi secret", async () => {
        const hidden = await renderInProcess("local");
        const secret = objectsOfKind<{ metadata: { name: string }; stringData: unknown }>(hidden, "Secret").find((s) => s.metadata.name === "thanos-objstore")!;
        expect(secret.stringData).toBe("[secret]");
    });

    it("prod with a created KMS key and Pod Identity: the objstore writes with the key, roles use it, associations name the ServiceAccounts", async () => {
        const r = await renderInProcess("prod", ["objectStorage.encryption.type=sse-kms", "objectStorage.encryption.createKey=true", "objectStorage.identity=podIdentity"], true);
        const keyArn = "arn:aws:kms:eu-west-1:123456789012:key/mock-key-thanos-storage-key";
        expect(ofType(r.resources, T.key)).toHaveLength(1);
        const secret = objectsOfKind<{ metadata: { name: string }; stringData: Record<string, string> }>(r, "Secret").find((s) => s.metadata.name === "thanos-objstore")!;
        const config = parseYaml(secret.stringData[OBJSTORE_SECRET_KEY]!) as { config: Record<string, unknown> };
        expect(validateObjstore(config), JSON.stringify(validateObjstore.errors)).toBe(true);
        expect(config.config["sse_config"]).toEqual({ type: "SSE-KMS", kms_key_id: keyArn });
        const accounts = ofType(r.resources, T.sa).map((s) => s.inputs["metadata"] as { name: string; namespace: string });
        for (const user of BUCKET_USERS) {
            const policy = doc(ofType(r.resources, T.rolePolicy).find((x) => x.name === `thanos-access-${user}-policy`)!.inputs["policy"]);
            expect(grants(policy).filter((g) => g.startsWith("kms:")).every((g) => g.endsWith(` ${keyArn}`))).toBe(true);
            const assoc = ofType(r.resources, T.podIdentity).find((x) => x.name === `thanos-access-${user}-pod-identity`)!;
            expect(assoc.inputs["clusterName"]).toBe("eks-prod");
            expect(accounts.some((a) => a.name === assoc.inputs["serviceAccount"] && a.namespace === assoc.inputs["namespace"])).toBe(true);
        }
    });

    it.each<[string, string[], string]>([
        ["an expiring lifecycle rule", ['objectStorage.lifecycle.rules=[{"id":"old","expirationDays":30}]'], "objectStorage.lifecycle.rules[0].expirationDays: must not be set: a lifecycle rule must never expire current objects"],
        ["KMS without a key", ["objectStorage.encryption.type=sse-kms"], "objectStorage.encryption.kmsKeyArn: is required when encryption.type is sse-kms"],
        ["an invalid bucket name", ["objectStorage.bucketName=Bad_Bucket"], "objectStorage.bucketName: S3 bucket name may contain only lowercase letters"],
        ["IRSA without an OIDC provider", ['cluster.eks={"clusterName":"eks-prod"}'], "cluster.eks.oidcProviderArn: is required when objectStorage.identity is irsa"],
    ])("render refuses %s", async (_what, sets, expected) => {
        await expect(renderInProcess("prod", sets)).rejects.toMatchObject({ problems: expect.arrayContaining([expect.stringContaining(expected)]) });
    });
});

describe("ThanosStack used as a library", () => {
    it("refuses bad object-storage arguments before creating any child (no half-made stack)", async () => {
        const { ThanosStack } = await import("../components/stack/thanosStack");
        let error: unknown;
        try {
            await captureComponent((p) => {
                new ThanosStack(
                    "lib",
                    { environment: "dev", clusterName: "c", objectStorage: { provider: "s3", bucketName: "acme-thanos", region: "eu-west-1", encryption: { type: "sse-kms" } } },
                    { providers: { kubernetes: p.kubernetes, aws: p.aws } },
                );
            });
        } catch (e) {
            error = e;
        }
        expect(String(error)).toMatch(/ThanosStack objectStorage\.(provider|encryption\.kmsKeyArn): /);
        const captured = (error as { captured?: CapturedResource[] }).captured ?? [];
        expect(captured.some((r) => r.type === "thanos-stack:index:ThanosStack")).toBe(true);
        expect(captured.filter((r) => r.parent === "thanos-stack:index:ThanosStack::lib")).toEqual([]);
    });
});
