/**
 * BucketAccess: one identity per bucket-using component, least privilege.
 *
 * For every bucket user (Prometheus sidecars, ruler, store gateway, compactor)
 * a Kubernetes ServiceAccount and, on AWS, an IAM role whose inline policy
 * grants exactly what that component does with the bucket: the store gateway
 * only reads, only the compactor deletes, the querier and query-frontend get
 * nothing. The role is assumed through IRSA (web identity on the cluster's
 * OIDC provider) or EKS Pod Identity.
 *
 * The ServiceAccount name is derived once ({@link serviceAccountName}) and
 * used for the ServiceAccount object, the IRSA trust condition and the Pod
 * Identity association alike; workloads read it from
 * {@link BucketAccess.serviceAccountNames}, so the identity a pod runs as is
 * the identity the role trusts.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ServiceAccount as K8sServiceAccount } from "kubernetes-types/core/v1";
import { ServiceAccount } from "@pulumi/kubernetes/core/v1";
import { Role } from "@pulumi/aws/iam/role";
import { RolePolicy } from "@pulumi/aws/iam/rolePolicy";
import { PodIdentityAssociation } from "@pulumi/aws/eks/podIdentityAssociation";
import { AWS_IDENTITY } from "../constants";
import { BUCKET_USERS, BucketUser, type BucketUserNames } from "../lib/contracts";
import { objectMeta } from "../lib/meta";
import { EksFacts, IdentityMechanism, identitySettingsProblems, showValue } from "../lib/objectStorage";
import { withDependencies } from "../lib/options";
import { childOptions } from "../lib/providers";
import { objectsArn, PolicyDocument, PolicyStatement } from "./s3Bucket";

/** What a bucket user may do. */
export interface BucketPermissions {
    /** Actions on the bucket ARN. */
    bucket: readonly string[];
    /** Actions on `<bucket-arn>/*`. */
    objects: readonly string[];
    /** Actions on the bucket's KMS key (SSE-KMS only). */
    kms: readonly string[];
}

const WRITER_KMS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;
const READER_KMS = ["kms:Decrypt"] as const;

/**
 * The permissions of each bucket user. The querier and query-frontend are not bucket users: they get no role.
 * Writers need `kms:GenerateDataKey` (new data keys) and `kms:Decrypt` (multipart uploads, reads); readers only decrypt.
 */
export const BUCKET_PERMISSIONS: Readonly<Record<BucketUser, BucketPermissions>> = {
    prometheus: { bucket: ["s3:ListBucket"], objects: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"], kms: WRITER_KMS },
    ruler: { bucket: ["s3:ListBucket"], objects: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"], kms: WRITER_KMS },
    storeGateway: { bucket: ["s3:ListBucket"], objects: ["s3:GetObject"], kms: READER_KMS },
    compactor: { bucket: ["s3:ListBucket"], objects: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], kms: WRITER_KMS },
};

/** The suffix of each bucket user's ServiceAccount name (Thanos' own component names). */
export const SERVICE_ACCOUNT_SUFFIX: Readonly<Record<BucketUser, string>> = {
    prometheus: "prometheus",
    ruler: "rule",
    storeGateway: "store",
    compactor: "compact",
};

/** Bucket users that talk to the Kubernetes API (and so get a token mounted): Prometheus discovers its targets. */
export const KUBERNETES_API_USERS: readonly BucketUser[] = ["prometheus"];

/** The ServiceAccount name of a bucket user: the single source for the object, the trust policy and the workload. */
export function serviceAccountName(stackName: string, user: BucketUser): string {
    return `${stackName}-${SERVICE_ACCOUNT_SUFFIX[user]}`;
}

/** Every bucket user's ServiceAccount name. */
export function serviceAccountNames(stackName: string): Record<BucketUser, string> {
    return Object.fromEntries(BUCKET_USERS.map((u) => [u, serviceAccountName(stackName, u)])) as Record<BucketUser, string>;
}

/** The ServiceAccount of a bucket user; a token is mounted only for those that talk to the Kubernetes API. */
export function buildServiceAccount(opts: { user: BucketUser; name: string; namespace: string; instance: string }): K8sServiceAccount {
    return {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: objectMeta({ name: opts.name, namespace: opts.namespace, component: SERVICE_ACCOUNT_SUFFIX[opts.user], instance: opts.instance }),
        automountServiceAccountToken: KUBERNETES_API_USERS.includes(opts.user),
    };
}

/** The identity policy of a bucket user: its bucket and object actions, and its KMS actions on that one key. */
export function buildBucketUserPolicy(user: BucketUser, bucketArn: string, kmsKeyArn?: string): PolicyDocument {
    const p = BUCKET_PERMISSIONS[user];
    const statements: PolicyStatement[] = [
        { Sid: "Bucket", Effect: "Allow", Action: [...p.bucket], Resource: [bucketArn] },
        { Sid: "Objects", Effect: "Allow", Action: [...p.objects], Resource: [objectsArn(bucketArn)] },
    ];
    if (kmsKeyArn !== undefined) statements.push({ Sid: "BucketKey", Effect: "Allow", Action: [...p.kms], Resource: [kmsKeyArn] });
    return { Version: AWS_IDENTITY.policyVersion, Statement: statements };
}

/** The issuer (host/path) of an IAM OIDC provider ARN: the part after `oidc-provider/`. */
export function oidcIssuer(oidcProviderArn: string): string {
    const marker = ":oidc-provider/";
    const at = oidcProviderArn.indexOf(marker);
    if (at < 0 || at + marker.length >= oidcProviderArn.length) {
        throw new pulumi.RunError(`BucketAccess eks.oidcProviderArn: must be an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<issuer>), got ${showValue(oidcProviderArn)}`);
    }
    return oidcProviderArn.slice(at + marker.length);
}

/** IRSA trust: only this ServiceAccount's projected token, for the STS audience, from this cluster's OIDC provider. */
export function buildIrsaTrustPolicy(opts: { oidcProviderArn: string; namespace: string; serviceAccount: string }): PolicyDocument {
    const issuer = oidcIssuer(opts.oidcProviderArn);
    return {
        Version: AWS_IDENTITY.policyVersion,
        Statement: [
            {
                Sid: "IrsaServiceAccount",
                Effect: "Allow",
                Principal: { Federated: opts.oidcProviderArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${issuer}:sub`]: `system:serviceaccount:${opts.namespace}:${opts.serviceAccount}`,
                        [`${issuer}:aud`]: AWS_IDENTITY.irsaAudience,
                    },
                },
            },
        ],
    };
}

/** EKS Pod Identity trust: the Pod Identity agent; which ServiceAccount may use the role is the association's job. */
export function buildPodIdentityTrustPolicy(): PolicyDocument {
    return {
        Version: AWS_IDENTITY.policyVersion,
        Statement: [{ Sid: "EksPodIdentity", Effect: "Allow", Principal: { Service: AWS_IDENTITY.podIdentityPrincipal }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
    };
}

/** The AWS side of `BucketAccessArgs`. */
export interface BucketAccessAwsArgs {
    /** ARN of the bucket. */
    bucketArn: pulumi.Input<string>;
    /**
     * ARN of the bucket's KMS key (SSE-KMS); the roles get KMS actions on this key only.
     * @default undefined (SSE-S3: no KMS permissions)
     */
    kmsKeyArn?: pulumi.Input<string>;
    /**
     * How pods assume their role.
     * @default "irsa"
     */
    identity?: IdentityMechanism;
    /** EKS facts: `oidcProviderArn` for IRSA, `clusterName` for Pod Identity. */
    eks: EksFacts;
    /**
     * Tags on the roles and associations.
     * @default {}
     */
    tags?: Record<string, string>;
}

/** Arguments of `BucketAccess`. */
export interface BucketAccessArgs {
    /** Prefix of the ServiceAccount names (`<stackName>-store`, ...); the stack's component name. */
    stackName: string;
    /** Namespace of the ServiceAccounts (where the workloads run). */
    namespace: string;
    /**
     * The bucket users the stack deploys.
     * @default BUCKET_USERS (all)
     */
    users?: BucketUser[];
    /**
     * IAM roles for AWS; without it (the in-cluster S3 server) only the ServiceAccounts are created.
     * @default undefined
     */
    aws?: BucketAccessAwsArgs;
}

/** The ServiceAccount of each deployed bucket user. */
export interface BucketUserServiceAccounts {
    /** The Prometheus pods. @default none (not deployed) */
    prometheus?: ServiceAccount;
    /** The Thanos ruler. @default none (not deployed) */
    ruler?: ServiceAccount;
    /** The store gateways. @default none (not deployed) */
    storeGateway?: ServiceAccount;
    /** The compactor. @default none (not deployed) */
    compactor?: ServiceAccount;
}

/** The IAM role of each deployed bucket user (AWS only). */
export interface BucketUserRoles {
    /** The Prometheus pods. @default none (not deployed) */
    prometheus?: Role;
    /** The Thanos ruler. @default none (not deployed) */
    ruler?: Role;
    /** The store gateways. @default none (not deployed) */
    storeGateway?: Role;
    /** The compactor. @default none (not deployed) */
    compactor?: Role;
}

/** The inline IAM policy of each deployed bucket user's role (AWS only). */
export interface BucketUserPolicies {
    /** The Prometheus pods. @default none (not deployed) */
    prometheus?: RolePolicy;
    /** The Thanos ruler. @default none (not deployed) */
    ruler?: RolePolicy;
    /** The store gateways. @default none (not deployed) */
    storeGateway?: RolePolicy;
    /** The compactor. @default none (not deployed) */
    compactor?: RolePolicy;
}

/** The EKS Pod Identity association of each deployed bucket user's role (identity `podIdentity` only). */
export interface BucketUserPodIdentityAssociations {
    /** The Prometheus pods. @default none (not deployed) */
    prometheus?: PodIdentityAssociation;
    /** The Thanos ruler. @default none (not deployed) */
    ruler?: PodIdentityAssociation;
    /** The store gateways. @default none (not deployed) */
    storeGateway?: PodIdentityAssociation;
    /** The compactor. @default none (not deployed) */
    compactor?: PodIdentityAssociation;
}

/** The IAM role ARN of each deployed bucket user (AWS only). */
export interface BucketUserRoleArns {
    /** The Prometheus pods. @default none (not deployed) */
    prometheus?: pulumi.Output<string>;
    /** The Thanos ruler. @default none (not deployed) */
    ruler?: pulumi.Output<string>;
    /** The store gateways. @default none (not deployed) */
    storeGateway?: pulumi.Output<string>;
    /** The compactor. @default none (not deployed) */
    compactor?: pulumi.Output<string>;
}

/** The Pulumi name of a bucket user's IAM role, child of the BucketAccess component `accessName`. */
export function bucketUserRoleName(accessName: string, user: string): string {
    return `${accessName}-${user}-role`;
}

/** ServiceAccounts and (on AWS) least-privilege IAM roles for the bucket users. */
export class BucketAccess extends pulumi.ComponentResource {
    /** The ServiceAccount name of every bucket user; workloads must run as exactly these. */
    public readonly serviceAccountNames: BucketUserNames;
    /** The ServiceAccounts created (one per deployed bucket user). */
    public readonly serviceAccounts: BucketUserServiceAccounts;
    /** The IAM role of each deployed bucket user (AWS only). */
    public readonly roles: BucketUserRoles;
    /** The inline policy of each role (AWS only). */
    public readonly policies: BucketUserPolicies;
    /** The Pod Identity association of each role (identity `podIdentity` only). */
    public readonly podIdentityAssociations: BucketUserPodIdentityAssociations;
    /** The role ARN of each deployed bucket user (AWS only). */
    public readonly roleArns: BucketUserRoleArns;

    constructor(name: string, args: BucketAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:BucketAccess", name, {}, opts);
        const users = args.users ?? BUCKET_USERS;
        for (const u of users) {
            if (!BUCKET_USERS.includes(u)) throw new pulumi.RunError(`BucketAccess users: must be among ${BUCKET_USERS.join(", ")}, got ${showValue(u)}`);
        }
        if (new Set(users).size !== users.length) throw new pulumi.RunError(`BucketAccess users: must not repeat a bucket user, got ${showValue(users)}`);
        if (args.aws) {
            const problem = identitySettingsProblems(args.aws)[0];
            if (problem) throw new pulumi.RunError(`BucketAccess ${problem.path.join(".")}: ${problem.message}, got ${showValue(problem.input)}`);
            if (args.aws.eks.oidcProviderArn !== undefined && (args.aws.identity ?? "irsa") === "irsa") oidcIssuer(args.aws.eks.oidcProviderArn);
        }

        const base = childOptions(this, opts);
        this.serviceAccountNames = serviceAccountNames(args.stackName);
        this.serviceAccounts = {};
        this.roles = {};
        this.policies = {};
        this.podIdentityAssociations = {};
        this.roleArns = {};

        for (const user of users) {
            const saName = this.serviceAccountNames[user];
            const sa = buildServiceAccount({ user, name: saName, namespace: args.namespace, instance: args.stackName });
            const aws = args.aws;
            if (!aws) {
                this.serviceAccounts[user] = new ServiceAccount(`${name}-${user}-sa`, sa, base);
                continue;
            }
            const identity = aws.identity ?? "irsa";
            const trust =
                identity === "irsa"
                    ? buildIrsaTrustPolicy({ oidcProviderArn: aws.eks.oidcProviderArn!, namespace: args.namespace, serviceAccount: saName })
                    : buildPodIdentityTrustPolicy();
            const role = new Role(
                bucketUserRoleName(name, user),
                {
                    description: `Thanos ${user} (ServiceAccount ${args.namespace}/${saName}): bucket access`,
                    assumeRolePolicy: JSON.stringify(trust),
                    maxSessionDuration: 3600,
                    tags: aws.tags ?? {},
                },
                base,
            );
            const policy = new RolePolicy(
                `${name}-${user}-policy`,
                {
                    role: role.id,
                    policy: pulumi
                        .all([aws.bucketArn, aws.kmsKeyArn ?? ""])
                        .apply(([bucketArn, kmsKeyArn]) => JSON.stringify(buildBucketUserPolicy(user, bucketArn, kmsKeyArn === "" ? undefined : kmsKeyArn))),
                },
                base,
            );
            this.roles[user] = role;
            this.policies[user] = policy;
            this.roleArns[user] = role.arn;
            if (identity === "irsa") {
                this.serviceAccounts[user] = new ServiceAccount(
                    `${name}-${user}-sa`,
                    { ...sa, metadata: { ...sa.metadata, annotations: { ...sa.metadata?.annotations, [AWS_IDENTITY.irsaRoleArnAnnotation]: role.arn } } },
                    base,
                );
            } else {
                const account = new ServiceAccount(`${name}-${user}-sa`, sa, base);
                this.serviceAccounts[user] = account;
                this.podIdentityAssociations[user] = new PodIdentityAssociation(
                    `${name}-${user}-pod-identity`,
                    { clusterName: aws.eks.clusterName!, namespace: args.namespace, serviceAccount: saName, roleArn: role.arn, tags: aws.tags ?? {} },
                    withDependencies(base, [account, policy]),
                );
            }
        }

        this.registerOutputs({ serviceAccountNames: this.serviceAccountNames, roleArns: this.roleArns });
    }
}
