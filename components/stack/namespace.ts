/**
 * The namespace of the stack, with Pod Security Admission enforcing "restricted".
 */
import type { Namespace } from "kubernetes-types/core/v1";
import { LABELS } from "../constants";
import { objectMeta } from "../lib/meta";

/** Pod Security Standards level enforced on the namespace. */
export const POD_SECURITY_LEVEL = "restricted";

/** Builds the namespace object: restricted enforcement, audit and warnings. */
export function buildNamespace(name: string, instance: string): Namespace {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: objectMeta({
            name,
            component: "namespace",
            instance,
            labels: {
                [LABELS.podSecurityEnforce]: POD_SECURITY_LEVEL,
                [LABELS.podSecurityEnforceVersion]: "latest",
                [LABELS.podSecurityAudit]: POD_SECURITY_LEVEL,
                [LABELS.podSecurityWarn]: POD_SECURITY_LEVEL,
            },
        }),
    };
}
