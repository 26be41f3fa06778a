/**
 * The ServiceAccount a Thanos component creates for itself when the stack did not give it one (bucket users
 * normally get theirs, with the IAM role, from BucketAccess).
 */
import type * as pulumi from "@pulumi/pulumi";
import { ServiceAccount as K8sServiceAccount } from "@pulumi/kubernetes/core/v1";
import { objectMeta } from "./meta";
import { childOptions } from "./providers";
import { buildServiceAccount } from "./thanos";

/** What a component's plan says about its ServiceAccount. */
export interface ServiceAccountPlan {
    createServiceAccount: boolean;
    serviceAccountName: string;
    namespace: string;
}

/** Creates `<name>-sa` as a child of `parent` when the plan asks for it. */
export function ownServiceAccount(parent: pulumi.ComponentResource, name: string, component: string, plan: ServiceAccountPlan, opts?: pulumi.ComponentResourceOptions): void {
    if (!plan.createServiceAccount) return;
    new K8sServiceAccount(
        `${name}-sa`,
        buildServiceAccount(objectMeta({ name: plan.serviceAccountName, namespace: plan.namespace, component, instance: name })),
        childOptions(parent, opts),
    );
}
