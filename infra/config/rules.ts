/**
 * Reusable validation rules for the stack configuration. Each rule carries the
 * sentence shown to the user, so every error names the rule it broke.
 */
import { z } from "zod";
import { isDuration } from "../../components/lib/duration";
import { isQuantity } from "../../components/lib/quantity";

/** An integer within bounds, with one message for every way it can be wrong. */
export function integer(min: number, max?: number) {
    const rule = max === undefined ? `must be an integer >= ${min}` : `must be an integer between ${min} and ${max}`;
    const base = z.number({ error: rule }).int({ error: rule }).min(min, { error: rule });
    return max === undefined ? base : base.max(max, { error: rule });
}

/** A Prometheus duration such as `30s`, `6h`, `30d` or `1y`. */
export function duration() {
    const rule = "must be a duration in Prometheus syntax, like 30s, 6h, 30d or 1y";
    return z.string({ error: rule }).refine(isDuration, { error: rule });
}

/** A Kubernetes quantity such as `500m`, `2`, `512Mi`. */
export function quantity() {
    const rule = "must be a Kubernetes quantity, like 500m, 2, 512Mi or 50Gi";
    return z.string({ error: rule }).refine(isQuantity, { error: rule });
}

/** A boolean. */
export function bool() {
    return z.boolean({ error: "must be true or false" });
}

/** A non-empty string. */
export function text(what = "a non-empty string") {
    return z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}` });
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** An RFC 1123 DNS label: what Kubernetes accepts as a namespace or Service name. */
export function dnsLabel() {
    const rule = "must be a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit";
    return z
        .string({ error: rule })
        .max(63, { error: rule })
        .regex(DNS1123_LABEL, { error: rule });
}

/** A Prometheus label value-safe identifier used as an external label value. */
export function labelValue() {
    const rule = "must be 1-63 characters of letters, digits, '-', '_' or '.'";
    return z
        .string({ error: rule })
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, { error: rule });
}

/** Why an S3 bucket name is refused, or `undefined` when it is valid (AWS general-purpose bucket rules). */
export function bucketNameProblem(name: string): string | undefined {
    if (name.length < 3 || name.length > 63) return "must be 3-63 characters long";
    if (!/^[a-z0-9.-]+$/.test(name)) return "may contain only lowercase letters, digits, '.' and '-'";
    if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return "must start and end with a letter or digit";
    if (name.includes("..")) return "must not contain two adjacent periods";
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return "must not be formatted as an IP address";
    for (const prefix of ["xn--", "sthree-", "amzn-s3-demo-"]) {
        if (name.startsWith(prefix)) return `must not start with the reserved prefix '${prefix}'`;
    }
    for (const suffix of ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]) {
        if (name.endsWith(suffix)) return `must not end with the reserved suffix '${suffix}'`;
    }
    if (name.includes(".")) {
        return "must not contain '.': Thanos addresses the bucket virtual-hosted style over TLS, and a dotted name breaks the *.s3 certificate";
    }
    return undefined;
}

/** An S3 bucket name. */
export function bucketName() {
    return z
        .string({ error: "must be an S3 bucket name" })
        .superRefine((name, ctx) => {
            const problem = bucketNameProblem(name);
            if (problem) ctx.addIssue({ code: "custom", message: `S3 bucket name ${problem}`, input: name });
        });
}

/** An AWS region code such as `eu-west-1`. */
export function awsRegion() {
    const rule = "must be an AWS region code, like eu-west-1 or us-east-2";
    return z.string({ error: rule }).regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, { error: rule });
}

/** A map of string to string (tags, labels). */
export function stringMap() {
    return z.record(z.string(), z.string({ error: "must be a string" }), { error: "must be a map of string to string" });
}

/** Whether replicas of one shard may share a node (`hard`: never; `soft`: when nothing else fits). */
export function replicaSpread(defaultValue: "hard" | "soft") {
    return z
        .enum(["hard", "soft"], { error: "must be one of: hard, soft" })
        .default(defaultValue)
        .meta({
            description:
                "Whether the replicas of one shard may share a node: `hard` never (a replica stays Pending rather than join another on its node, so one node's loss never takes a whole shard); `soft` when nothing else fits (single-node clusters). Zone spread is always soft.",
        });
}
