/**
 * The Thanos objstore configuration (`type: S3`) and the one Secret that holds
 * it, read by every bucket user (Prometheus sidecars, ruler, store gateway,
 * compactor). Pure builders: AWS S3 and the in-cluster S3 server take the same code
 * path, only the target differs.
 *
 * Thanos parses this file strictly (an unknown key is fatal), so only keys of
 * the objstore S3 schema of the pinned Thanos version are emitted.
 */
import type { Secret } from "kubernetes-types/core/v1";
import { stringify } from "yaml";
import { PORTS } from "../constants";
import { OBJSTORE_SECRET_KEY, ObjstoreSecretRef, serviceFqdn } from "../lib/contracts";
import { objectMeta } from "../lib/meta";

/** An AWS S3 bucket reached with the SDK credential chain (IRSA or EKS Pod Identity). */
export interface AwsS3Target {
    kind: "aws";
    /** Bucket name. */
    bucket: string;
    /** AWS region of the bucket. */
    region: string;
    /**
     * KMS key ARN when the bucket is encrypted with SSE-KMS; objects are then written with that key.
     * @default undefined (SSE-S3, the bucket default)
     */
    kmsKeyArn?: string;
}

/** The in-cluster S3 server (versitygw) of the `local` stack, reached over plain HTTP with static credentials. */
export interface VersityTarget {
    kind: "versitygw";
    /** Bucket name. */
    bucket: string;
    /** Name of the S3 server's Service. */
    service: string;
    /** Namespace of the S3 server's Service. */
    namespace: string;
    /** Access key. */
    accessKey: string;
    /** Secret key. */
    secretKey: string;
}

/** Where the objstore configuration points. */
export type ObjstoreTarget = AwsS3Target | VersityTarget;

/** The `config` block of the S3 objstore type (the subset this stack emits). */
export interface S3ObjstoreConfig {
    bucket: string;
    endpoint: string;
    region?: string;
    aws_sdk_auth?: boolean;
    access_key?: string;
    secret_key?: string;
    insecure?: boolean;
    bucket_lookup_type?: "auto" | "virtual-hosted" | "path";
    sse_config?: { type: "SSE-S3" | "SSE-KMS"; kms_key_id?: string };
}

/** The objstore file. */
export interface ObjstoreConfig {
    type: "S3";
    config: S3ObjstoreConfig;
}

/** The regional S3 endpoint (no scheme: Thanos adds https unless `insecure`). */
export function s3Endpoint(region: string): string {
    return `s3.${region}.amazonaws.com`;
}

/** The in-cluster S3 server's endpoint. */
export function versityEndpoint(service: string, namespace: string): string {
    return `${serviceFqdn(service, namespace)}:${PORTS.versitygwS3}`;
}

/** Builds the objstore configuration for a target. */
export function buildObjstoreConfig(target: ObjstoreTarget): ObjstoreConfig {
    if (target.kind === "aws") {
        const config: S3ObjstoreConfig = {
            bucket: target.bucket,
            endpoint: s3Endpoint(target.region),
            region: target.region,
            // The AWS SDK credential chain picks up IRSA (web identity token) and EKS Pod Identity alike.
            aws_sdk_auth: true,
        };
        if (target.kmsKeyArn !== undefined) config.sse_config = { type: "SSE-KMS", kms_key_id: target.kmsKeyArn };
        return { type: "S3", config };
    }
    return {
        type: "S3",
        config: {
            bucket: target.bucket,
            endpoint: versityEndpoint(target.service, target.namespace),
            access_key: target.accessKey,
            secret_key: target.secretKey,
            insecure: true,
            bucket_lookup_type: "path",
        },
    };
}

/** The objstore file as YAML. */
export function renderObjstoreYaml(config: ObjstoreConfig): string {
    return stringify(config, { lineWidth: 0 });
}

/** The name of the objstore Secret of a stack. */
export function objstoreSecretName(stackName: string): string {
    return `${stackName}-objstore`;
}

/** The reference every bucket user receives. */
export function objstoreSecretRef(stackName: string): ObjstoreSecretRef {
    return { name: objstoreSecretName(stackName), key: OBJSTORE_SECRET_KEY };
}

/** A Secret whose `stringData` values have type `V` (a string, or a Pulumi output of one). */
export type SecretWith<V> = Omit<Secret, "stringData"> & { stringData: Record<string, V> };

/**
 * The objstore Secret. Generic over the value type so the same builder serves plain tests (`string`) and the
 * Pulumi wiring (a secret output).
 */
export function buildObjstoreSecret<V>(opts: { ref: ObjstoreSecretRef; namespace: string; instance: string; yaml: V }): SecretWith<V> {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: objectMeta({ name: opts.ref.name, namespace: opts.namespace, component: "objstore", instance: opts.instance }),
        type: "Opaque",
        stringData: { [opts.ref.key]: opts.yaml },
    };
}
