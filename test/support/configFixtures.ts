/** Minimal stack configurations for the config tests: each test overrides one thing at a time. */
import { validateStackConfig } from "../../infra/config/load";

/** A minimal valid configuration of an EKS stack in `environment`, with `overrides` on top. */
export function minimalConfig(environment: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        environment,
        cluster: { name: `eks-${environment}`, eks: { clusterName: `eks-${environment}`, oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/TEST" } },
        aws: { region: "eu-west-1" },
        objectStorage: { provider: "s3", bucketName: `acme-thanos-${environment}` },
        ...overrides,
    };
}

/** The validation problems of a raw configuration (none when it is valid). */
export function configProblems(raw: unknown): string[] {
    const r = validateStackConfig(raw);
    return r.ok ? [] : r.problems;
}
