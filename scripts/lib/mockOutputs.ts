/**
 * What the mock provider answers: the inputs back, plus plausible values for
 * the outputs that other resources consume (ARNs, generated passwords), so the
 * render shows real-looking policies and wiring. Deterministic by design.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The AWS account id used in mocked ARNs. */
export const MOCK_ACCOUNT_ID = "123456789012";

type State = Record<string, unknown>;

function str(v: unknown, fallback: string): string {
    return typeof v === "string" && v.length > 0 ? v : fallback;
}

/** Computed outputs per resource type. */
const COMPUTED: Record<string, (name: string, inputs: State) => State> = {
    "aws:s3/bucket:Bucket": (name, i) => {
        const bucket = str(i["bucket"], name);
        return { bucket, arn: `arn:aws:s3:::${bucket}`, bucketRegionalDomainName: `${bucket}.s3.amazonaws.com` };
    },
    "aws:s3/bucketV2:BucketV2": (name, i) => {
        const bucket = str(i["bucket"], name);
        return { bucket, arn: `arn:aws:s3:::${bucket}` };
    },
    "aws:iam/role:Role": (name, i) => {
        const roleName = str(i["name"], name);
        return { name: roleName, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${roleName}` };
    },
    "aws:iam/policy:Policy": (name, i) => {
        const policyName = str(i["name"], name);
        return { name: policyName, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/${policyName}` };
    },
    "aws:kms/key:Key": (name) => ({
        keyId: `mock-key-${name}`,
        arn: `arn:aws:kms:eu-west-1:${MOCK_ACCOUNT_ID}:key/mock-key-${name}`,
    }),
    // GeneratedSecret (a dynamic resource): a deterministic stand-in for the generated value.
    "pulumi-nodejs:dynamic:Resource": (name) => ({ value: `mock-generated-${name}` }),
    // A referenced collector stack (central.collectorStacks): its `storeApiEndpoints` output, two pods over TLS.
    "pulumi:pulumi:StackReference": (name, i) => {
        const stack = str(i["name"], name).split("/").pop();
        return {
            outputs: {
                storeApiEndpoints: [0, 1].map((r) => ({ address: `shard-0-replica-${r}.storeapi.${stack}.mock.invalid:10901`, tls: true })),
            },
        };
    },
};

/** The wire value of an unknown (what the engine sends for a value that is computed on create). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * The mock's answer to a resource registration. In `preview` (a first `pulumi preview` of a new stack) the
 * provider knows only the inputs: every computed output that is not an input, and the id, are unknown.
 */
export function mockOutputs(args: pulumi.runtime.MockResourceArgs, preview = false): { id: string; state: State } {
    const inputs = args.inputs as State;
    const computed = COMPUTED[args.type]?.(args.name, inputs) ?? {};
    if (preview) {
        const unknown = Object.fromEntries(Object.keys(computed).filter((k) => inputs[k] === undefined).map((k) => [k, UNKNOWN_VALUE]));
        return { id: "", state: { ...inputs, ...unknown } };
    }
    const id = str(computed["bucket"], `${args.name}-id`);
    return { id, state: { ...inputs, ...computed } };
}

/** The mock's answer to a provider function call. */
export function mockCall(args: pulumi.runtime.MockCallArgs): State {
    switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/mock`, userId: "mock" };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com" };
        default:
            return {};
    }
}
