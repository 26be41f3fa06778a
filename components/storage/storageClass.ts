/**
 * The StorageClass every volume of the stack names. EKS >= 1.30 creates no default StorageClass, and a volume
 * without one stays Pending (or lands on whatever class a cluster marks default), so the stack creates an
 * encrypted, expandable gp3 class of the EBS CSI driver, bound when the pod is scheduled (its zone), or is told
 * the name of one that exists.
 */
import type { StorageClass } from "kubernetes-types/storage/v1";
import { objectMeta } from "../lib/meta";

/** Settings of the stack's StorageClass. */
export interface StorageClassSettings {
    /**
     * Create the StorageClass (an encrypted gp3 class of the EBS CSI driver, `WaitForFirstConsumer`, expandable).
     * With `false`, `name` must name a class that exists in the cluster.
     * @default true
     */
    create?: boolean;
    /**
     * Name of the class every volume without its own `storageClass` names.
     * @default "thanos-gp3"
     */
    name?: string;
    /**
     * KMS key that encrypts the volumes (`kmsKeyId` of the EBS CSI driver).
     * @default the account's default EBS key
     */
    kmsKeyArn?: string;
    /**
     * What happens to a volume whose claim is deleted.
     * @default "Retain" (a deleted claim never deletes metrics by itself)
     */
    reclaimPolicy?: ReclaimPolicy;
}

/** What happens to a volume whose claim is deleted: kept (`Retain`) or deleted with it (`Delete`). */
export const ReclaimPolicy = { Retain: "Retain", Delete: "Delete" } as const;
/** See `ReclaimPolicy`. */
export type ReclaimPolicy = (typeof ReclaimPolicy)[keyof typeof ReclaimPolicy];
/** A deleted claim never deletes metrics by itself. */
export const DEFAULT_RECLAIM_POLICY: ReclaimPolicy = ReclaimPolicy.Retain;

/** A Kubernetes object name (DNS-1123 subdomain) and a KMS key ARN, as the settings take them. */
export const STORAGE_CLASS_NAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
export const KMS_KEY_ARN_RE = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/;

/** The EBS CSI driver's provisioner name. */
export const EBS_CSI_PROVISIONER = "ebs.csi.aws.com";
/** The default name of the stack's StorageClass. */
export const DEFAULT_STORAGE_CLASS = "thanos-gp3";

/** Problems with the settings, one line each (`storageClass.<key>: <rule>, got <value>`). */
export function storageClassProblems(s: StorageClassSettings): string[] {
    const problems: string[] = [];
    if (s.name !== undefined && !STORAGE_CLASS_NAME_RE.test(s.name)) problems.push(`storageClass.name: must be a Kubernetes object name, got ${JSON.stringify(s.name)}`);
    if (s.kmsKeyArn !== undefined && !KMS_KEY_ARN_RE.test(s.kmsKeyArn)) problems.push(`storageClass.kmsKeyArn: must be a KMS key ARN, got ${JSON.stringify(s.kmsKeyArn)}`);
    if (s.kmsKeyArn !== undefined && s.create === false) problems.push(`storageClass.kmsKeyArn: only applies to a class the stack creates (storageClass.create), got ${JSON.stringify(s.kmsKeyArn)}`);
    return problems;
}

/** The gp3 EBS CSI StorageClass (pure). */
export function buildStorageClass(s: StorageClassSettings, instance: string): StorageClass {
    return {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: objectMeta({ name: s.name ?? DEFAULT_STORAGE_CLASS, component: "storage", instance }),
        provisioner: EBS_CSI_PROVISIONER,
        parameters: { type: "gp3", encrypted: "true", ...(s.kmsKeyArn !== undefined ? { kmsKeyId: s.kmsKeyArn } : {}) },
        allowVolumeExpansion: true,
        // The volume is created in the zone the pod is scheduled to (an EBS volume cannot follow a pod across zones).
        volumeBindingMode: "WaitForFirstConsumer",
        reclaimPolicy: s.reclaimPolicy ?? DEFAULT_RECLAIM_POLICY,
    };
}
