/**
 * Where the stack runs: the cluster and the AWS account settings.
 */
import { z } from "zod";
import { awsRegion, labelValue, stringMap, text } from "../rules";

/** `cluster` section. */
export const cluster = z
    .strictObject({
        name: labelValue().meta({
            description: "Name of the Kubernetes cluster; the value of the `cluster` external label on every block.",
        }),
        context: text()
            .optional()
            .meta({ description: "kubeconfig context for the Kubernetes provider (the current context when unset)." }),
        kubeconfig: text()
            .optional()
            .meta({ description: "Path to a kubeconfig file (the default kubeconfig lookup when unset)." }),
        eks: z
            .strictObject({
                clusterName: text().meta({ description: "EKS cluster name (for EKS Pod Identity associations)." }),
                oidcProviderArn: z
                    .string({ error: "must be an IAM OIDC provider ARN" })
                    .regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/, {
                        error: "must be an IAM OIDC provider ARN, like arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
                    })
                    .optional()
                    .meta({ description: "ARN of the cluster's IAM OIDC provider (required for IRSA)." }),
            })
            .optional()
            .meta({ description: "EKS facts used by the per-component IAM roles." }),
    })
    .meta({ description: "The Kubernetes cluster the stack is deployed to." });

/** `aws` section. */
export const aws = z
    .strictObject({
        region: awsRegion().optional().meta({ description: "AWS region of the bucket and the IAM calls. Required with objectStorage.provider=s3." }),
        tags: stringMap().default({}).meta({ description: "Tags on every AWS resource." }),
    })
    .prefault({})
    .meta({ description: "AWS provider settings (only used when objectStorage.provider=s3)." });

