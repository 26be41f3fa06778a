/**
 * GeneratedSecret: a random alphanumeric value, made once when the resource is created and kept (as a secret)
 * in the stack's state until the resource is replaced, like @pulumi/random's RandomPassword.
 *
 * It is a Pulumi dynamic resource rather than @pulumi/random because the random provider's module is not
 * buildable from the registries the project's real-cluster bench uses; a dynamic resource needs only the
 * Node.js SDK (its `pulumi-resource-pulumi-nodejs` plugin ships with the SDK). Because stacks disable default
 * providers, it takes an explicit {@link DynamicProvider}.
 */
import * as pulumi from "@pulumi/pulumi";

/** The explicit provider of dynamic resources (package `pulumi-nodejs`); it has no settings. */
export class DynamicProvider extends pulumi.ProviderResource {
    constructor(name: string, opts?: pulumi.ResourceOptions) {
        super("pulumi-nodejs", name, {}, opts);
    }
}

/** The package name under which components look up a {@link DynamicProvider} in `opts.providers`. */
export const DYNAMIC_PROVIDER_PACKAGE = "pulumi-nodejs";

/** Arguments of `GeneratedSecret`. */
export interface GeneratedSecretArgs {
    /** Number of characters (letters and digits); changing it generates a new value. */
    length: number;
}

interface State {
    length: number;
    value: string;
}

const provider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: State, news: { length: number }) {
        const ok = Number.isInteger(news.length) && news.length >= 8 && news.length <= 128;
        return ok ? { inputs: news } : { inputs: news, failures: [{ property: "length", reason: `must be an integer between 8 and 128, got ${news.length}` }] };
    },
    async create(inputs: { length: number }) {
        // Loaded here: the provider is serialized into the state and runs in the dynamic-provider plugin.
        const crypto = require("crypto") as typeof import("crypto");
        const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let value = "";
        while (value.length < inputs.length) {
            // Rejection sampling keeps every character equally likely (248 = 4 x 62).
            for (const byte of crypto.randomBytes(inputs.length * 2)) if (byte < 248 && value.length < inputs.length) value += alphabet[byte % alphabet.length];
        }
        return { id: crypto.randomUUID(), outs: { length: inputs.length, value } };
    },
    async diff(_id: string, olds: State, news: { length: number }) {
        const changed = olds.length !== news.length;
        return { changes: changed, replaces: changed ? ["length"] : [], deleteBeforeReplace: false };
    },
};

/** A random value generated once (see the module comment). Its `value` output is a secret. */
export class GeneratedSecret extends pulumi.dynamic.Resource {
    /** The generated value (a Pulumi secret). */
    declare public readonly value: pulumi.Output<string>;

    constructor(name: string, args: GeneratedSecretArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { length: args.length, value: undefined }, { ...opts, additionalSecretOutputs: ["value"] });
    }
}
