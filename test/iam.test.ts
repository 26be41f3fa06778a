/**
 * IAM of the rendered stacks against an oracle written from the documentation, not from the builders:
 *
 * - what each Thanos component does with the bucket (Thanos docs, "Object storage" and the components' pages):
 *   the sidecar and the ruler upload blocks (list, read meta, put, abort failed multipart uploads); the store
 *   gateway only lists and reads; the compactor lists, reads, writes compacted and downsampled blocks, and is
 *   the only one that deletes; the querier and the query-frontend never touch the bucket;
 * - the S3 actions that take the bucket ARN (`s3:ListBucket`) and the ones that take `<bucket>/*` (object
 *   actions) (AWS Service Authorization Reference, Amazon S3);
 * - SSE-KMS (S3 User Guide, "Using server-side encryption with AWS KMS keys"): an upload needs
 *   `kms:GenerateDataKey`, and a multipart upload and every read `kms:Decrypt`; nothing else, on that key only;
 * - IRSA (EKS User Guide, "IAM roles for service accounts"): `sts:AssumeRoleWithWebIdentity` from the cluster's
 *   OIDC provider, `sub` = `system:serviceaccount:<namespace>:<name>`, `aud` = `sts.amazonaws.com`, and the
 *   `eks.amazonaws.com/role-arn` annotation on that ServiceAccount; EKS Pod Identity ("Pod Identity"): the
 *   `pods.eks.amazonaws.com` principal with `sts:AssumeRole` and `sts:TagSession`, and one association per
 *   ServiceAccount.
 *
 * Each bucket role is followed to the pods that use it (the role the ServiceAccount names, the ServiceAccount
 * the workload runs as), so a role granted to the wrong pod fails as surely as a wrong action.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { RenderResult } from "../scripts/lib/render";
import type { CapturedResource } from "./support/harness";
import { ofType, renderInProcess } from "./support/harness";

type Component = "sidecar" | "ruler" | "store" | "compactor";

const S3: Record<Component, { bucket: string[]; objects: string[] }> = {
    sidecar: { bucket: ["s3:ListBucket"], objects: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"] },
    ruler: { bucket: ["s3:ListBucket"], objects: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"] },
    store: { bucket: ["s3:ListBucket"], objects: ["s3:GetObject"] },
    compactor: { bucket: ["s3:ListBucket"], objects: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"] },
};
const KMS: Record<Component, string[]> = {
    sidecar: ["kms:Decrypt", "kms:GenerateDataKey"],
    ruler: ["kms:Decrypt", "kms:GenerateDataKey"],
    store: ["kms:Decrypt"],
    compactor: ["kms:Decrypt", "kms:GenerateDataKey"],
};

const ACCOUNT = "123456789012";
const NS = "monitoring";

interface Statement {
    Sid?: string;
    Effect: string;
    Action: string | string[];
    Resource?: string | string[];
    Principal?: unknown;
    Condition?: Record<string, Record<string, string>>;
}
interface Document {
    Version: string;
    Statement: Statement[];
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const doc = (v: unknown): Document => JSON.parse(String(v)) as Document;
/** `action resource` of every Allow. */
const grants = (d: Document): string[] =>
    d.Statement.filter((s) => s.Effect === "Allow")
        .flatMap((s) => list(s.Action).flatMap((a) => list(s.Resource).map((r) => `${a} ${r}`)))
        .sort();

function expected(component: Component, bucket: string, keyArn?: string): string[] {
    const arn = `arn:aws:s3:::${bucket}`;
    return [
        ...S3[component].bucket.map((a) => `${a} ${arn}`),
        ...S3[component].objects.map((a) => `${a} ${arn}/*`),
        ...(keyArn !== undefined ? KMS[component].map((a) => `${a} ${keyArn}`) : []),
    ].sort();
}

/** The Thanos component a pod-describing object runs, from what it is (not from any name we give it). */
function componentOf(kind: string, args: string[]): Component | "querier" | "query-frontend" | undefined {
    if (kind === "Prometheus") return "sidecar";
    if (kind === "ThanosRuler") return "ruler";
    const sub = args[0];
    if (sub === "store") return "store";
    if (sub === "compact") return "compactor";
    if (sub === "query") return "querier";
    if (sub === "query-frontend") return "query-frontend";
    return undefined;
}

interface PodIdentity {
    component: ReturnType<typeof componentOf>;
    serviceAccount: string;
}

/** Every Thanos pod of the render with the ServiceAccount it runs as. */
function thanosPods(result: RenderResult): PodIdentity[] {
    const out: PodIdentity[] = [];
    for (const m of result.manifests) {
        const o = m.object as { kind: string; metadata: { namespace?: string }; spec?: { serviceAccountName?: string; template?: { spec?: { serviceAccountName?: string; containers?: Array<{ args?: string[] }> } } } };
        if (o.metadata.namespace !== NS) continue;
        const podSpec = o.kind === "Prometheus" || o.kind === "ThanosRuler" ? o.spec : o.spec?.template?.spec;
        const component = componentOf(o.kind, podSpec && "containers" in podSpec ? (podSpec.containers?.[0]?.args ?? []) : []);
        if (component === undefined) continue;
        out.push({ component, serviceAccount: podSpec?.serviceAccountName ?? "default" });
    }
    return out;
}

function serviceAccount(resources: CapturedResource[], name: string): CapturedResource | undefined {
    return ofType(resources, "kubernetes:core/v1:ServiceAccount").find((s) => (s.inputs["metadata"] as { name: string; namespace?: string }).name === name);
}

/** The role a ServiceAccount's pods assume under IRSA: the annotation's ARN, and the role that trusts exactly that ServiceAccount. */
function irsaRole(resources: CapturedResource[], saName: string): { role: CapturedResource; policy: Document } | undefined {
    const sa = serviceAccount(resources, saName);
    const arn = (sa?.inputs["metadata"] as { annotations?: Record<string, string> } | undefined)?.annotations?.["eks.amazonaws.com/role-arn"];
    const trusting = ofType(resources, "aws:iam/role:Role").filter((r) =>
        doc(r.inputs["assumeRolePolicy"]).Statement.some((s) => Object.values(s.Condition?.["StringEquals"] ?? {}).includes(`system:serviceaccount:${NS}:${saName}`)),
    );
    if (arn === undefined) {
        expect(trusting, `no role trusts ${saName}, which has no role annotation`).toEqual([]);
        return undefined;
    }
    expect(trusting, `exactly one role trusts ${saName}`).toHaveLength(1);
    const role = trusting[0]!;
    expect(arn).toBe(`arn:aws:iam::${ACCOUNT}:role/${role.name}`);
    const policies = ofType(resources, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs["role"] === role.name || String(p.inputs["role"]).endsWith(`/${role.name}`) || p.options.dependsOn.includes(`aws:iam/role:Role::${role.name}`));
    expect(policies, `one inline policy on ${role.name}`).toHaveLength(1);
    expect(role.inputs["managedPolicyArns"] ?? [], "no managed policies").toEqual([]);
    return { role, policy: doc(policies[0]!.inputs["policy"]) };
}

describe("IAM of the prod render (IRSA, SSE-S3)", () => {
    let result: RenderResult;
    let bucket: string;
    beforeAll(async () => {
        result = await renderInProcess("prod");
        bucket = String(ofType(result.resources, "aws:s3/bucket:Bucket")[0]!.inputs["bucket"]);
    });

    it("each bucket user's pods assume a role that grants exactly the documented actions, on exactly the bucket", () => {
        const pods = thanosPods(result);
        const seen = new Set<string>();
        for (const p of pods.filter((x) => x.component !== "querier" && x.component !== "query-frontend")) {
            const r = irsaRole(result.resources, p.serviceAccount);
            expect(r, `${p.component} (${p.serviceAccount}) has a role`).toBeDefined();
            expect(r!.policy.Version).toBe("2012-10-17");
            expect(r!.policy.Statement.every((s) => s.Effect === "Allow")).toBe(true);
            expect(grants(r!.policy), p.component).toEqual(expected(p.component as Component, bucket));
            seen.add(String(p.component));
        }
        expect([...seen].sort()).toEqual(["compactor", "ruler", "sidecar", "store"]);
    });

    it("the querier and the query-frontend run without any AWS identity", () => {
        const readers = thanosPods(result).filter((p) => p.component === "querier" || p.component === "query-frontend");
        expect(readers.map((p) => p.component).sort()).toEqual(["querier", "query-frontend"]);
        for (const p of readers) expect(irsaRole(result.resources, p.serviceAccount), p.component).toBeUndefined();
        expect(ofType(result.resources, "aws:iam/role:Role").map((r) => r.name).filter((n) => /quer/.test(n))).toEqual([]);
    });

    it("trusts only the cluster's OIDC provider, for the STS audience and that one ServiceAccount", () => {
        const oidc = (result.resources.find((r) => r.type === "aws:iam/role:Role")!.inputs["assumeRolePolicy"] as string).match(/arn:aws:iam::\d+:oidc-provider\/[^"]+/)![0];
        const issuer = oidc.split(":oidc-provider/")[1]!;
        for (const p of thanosPods(result).filter((x) => x.component !== "querier" && x.component !== "query-frontend")) {
            const { role } = irsaRole(result.resources, p.serviceAccount)!;
            expect(doc(role.inputs["assumeRolePolicy"]).Statement).toEqual([
                {
                    Sid: expect.any(String),
                    Effect: "Allow",
                    Principal: { Federated: oidc },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: { StringEquals: { [`${issuer}:sub`]: `system:serviceaccount:${NS}:${p.serviceAccount}`, [`${issuer}:aud`]: "sts.amazonaws.com" } },
                },
            ]);
        }
    });

    it("creates no IAM user, access key, wildcard action or resource", () => {
        expect(result.resources.filter((r) => r.type === "aws:iam/user:User" || r.type === "aws:iam/accessKey:AccessKey")).toEqual([]);
        for (const p of ofType(result.resources, "aws:iam/rolePolicy:RolePolicy")) {
            for (const s of doc(p.inputs["policy"]).Statement) {
                for (const a of list(s.Action)) expect(a).not.toMatch(/\*/);
                for (const r of list(s.Resource)) expect(r === "*" || r === "arn:aws:s3:::*").toBe(false);
            }
        }
    });
});

describe("IAM of the prod render with a created KMS key and EKS Pod Identity", () => {
    let result: RenderResult;
    beforeAll(async () => {
        result = await renderInProcess("prod", ["objectStorage.encryption.type=sse-kms", "objectStorage.encryption.createKey=true", "objectStorage.identity=podIdentity"]);
    });

    it("each bucket user gets the documented S3 and KMS actions, KMS on the bucket's key only; associations bind each role to its pods' ServiceAccount", () => {
        const bucket = String(ofType(result.resources, "aws:s3/bucket:Bucket")[0]!.inputs["bucket"]);
        const sse = ofType(result.resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")[0]!;
        const keyArn = (sse.inputs["rules"] as Array<{ applyServerSideEncryptionByDefault: { kmsMasterKeyId: string } }>)[0]!.applyServerSideEncryptionByDefault.kmsMasterKeyId;
        expect(keyArn).toMatch(/^arn:aws:kms:eu-west-1:\d+:key\//);
        const associations = ofType(result.resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation");
        const seen = new Set<string>();
        for (const p of thanosPods(result).filter((x) => x.component !== "querier" && x.component !== "query-frontend")) {
            const assoc = associations.filter((a) => a.inputs["serviceAccount"] === p.serviceAccount && a.inputs["namespace"] === NS);
            expect(assoc, `${p.component}: one association for ${p.serviceAccount}`).toHaveLength(1);
            const roleArn = String(assoc[0]!.inputs["roleArn"]);
            const role = ofType(result.resources, "aws:iam/role:Role").find((r) => roleArn === `arn:aws:iam::${ACCOUNT}:role/${r.name}`)!;
            expect(role, roleArn).toBeDefined();
            expect(doc(role.inputs["assumeRolePolicy"]).Statement).toEqual([
                { Sid: expect.any(String), Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] },
            ]);
            const policy = ofType(result.resources, "aws:iam/rolePolicy:RolePolicy").find((x) => x.options.dependsOn.includes(`aws:iam/role:Role::${role.name}`))!;
            expect(grants(doc(policy.inputs["policy"])), p.component).toEqual(expected(p.component as Component, bucket, keyArn));
            const sa = serviceAccount(result.resources, p.serviceAccount)!;
            expect((sa.inputs["metadata"] as { annotations?: Record<string, string> }).annotations?.["eks.amazonaws.com/role-arn"]).toBeUndefined();
            seen.add(String(p.component));
        }
        expect([...seen].sort()).toEqual(["compactor", "ruler", "sidecar", "store"]);
        expect(associations).toHaveLength(4);
    });
});
