/**
 * Runs Pulumi code under the mock runtime and captures every resource
 * registration: type, name, parent, inputs and the options the engine would
 * see (protect, retainOnDelete, dependencies, provider).
 *
 * Used by `npm run render` and by the tests; nothing here is imported by the
 * program itself.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { setMockOptions } from "@pulumi/pulumi/runtime/settings";
import { mockOutputs, mockCall, UNKNOWN_VALUE } from "./mockOutputs";
import { secretPlaceholder } from "./secrets";

/** One captured resource, as written to `resources.json`. */
export interface CapturedResource {
    type: string;
    name: string;
    /** `type::name` of the parent, or null for the root. */
    parent: string | null;
    inputs: Record<string, unknown>;
    options: {
        protect: boolean;
        retainOnDelete: boolean;
        /** `type::name` of every resource this one depends on (explicit and through inputs), sorted. */
        dependsOn: string[];
        /** `type::name` of the explicit provider, or null for a component or a default provider. */
        provider: string | null;
    };
    /** Whether this is a custom (provider-managed) resource rather than a component. */
    custom: boolean;
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const UNKNOWN = UNKNOWN_VALUE;

/** The placeholder for values unknown until the resources are created (only in a preview render). */
export const UNKNOWN_PLACEHOLDER = "[unknown]";

/** Internal runtime hook (not in the SDK's typings): resolves once every outstanding RPC has finished. */
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

export { SECRET_PLACEHOLDER } from "./secrets";

/** `urn:pulumi:stack::project::parent$type::name` -> `type::name`. */
export function urnKey(urn: string): string {
    const parts = urn.split("::");
    const qualified = parts[2] ?? "";
    const name = parts.slice(3).join("::");
    return `${qualified.split("$").pop()}::${name}`;
}

/** Replaces Pulumi's wire markers: secrets, unknowns and resource references. */
function plain(value: unknown, showSecrets: boolean): unknown {
    if (value === UNKNOWN) return UNKNOWN_PLACEHOLDER;
    if (Array.isArray(value)) return value.map((v) => plain(v, showSecrets));
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SIG_KEY] === SECRET_SIG) return showSecrets ? plain(obj["value"], showSecrets) : secretPlaceholder(obj["value"]);
        if (obj[SIG_KEY] === RESOURCE_SIG) return `[resource ${urnKey(String(obj["urn"]))}]`;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) out[k] = plain(v, showSecrets);
        return out;
    }
    return value;
}

/** A dynamic resource's `__provider` input is its provider's serialized source code: shown as a placeholder. */
export const DYNAMIC_PROVIDER_PLACEHOLDER = "[dynamic provider code]";

function withoutProviderCode(inputs: Record<string, unknown>): Record<string, unknown> {
    return "__provider" in inputs ? { ...inputs, __provider: DYNAMIC_PROVIDER_PLACEHOLDER } : inputs;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getDependenciesList(): string[];
    getProvider(): string;
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

/** A mock monitor that records each registration before answering like the stock one. */
class CapturingMonitor extends MockMonitor {
    readonly captured: CapturedResource[] = [];

    constructor(
        private readonly showSecrets: boolean,
        preview: boolean,
    ) {
        super({
            newResource: (args: pulumi.runtime.MockResourceArgs) => mockOutputs(args, preview),
            call: (args: pulumi.runtime.MockCallArgs) => mockCall(args),
        });
    }

    override async registerResource(req: RegisterRequest, callback: (err: unknown, resp: unknown) => void): Promise<void> {
        const provider = req.getProvider();
        this.captured.push({
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent() ? urnKey(req.getParent()) : null,
            inputs: withoutProviderCode(plain(req.getObject()?.toJavaScript() ?? {}, this.showSecrets) as Record<string, unknown>),
            options: {
                protect: req.getProtect() === true,
                retainOnDelete: req.getRetainondelete() === true,
                dependsOn: [...new Set(req.getDependenciesList().map(urnKey))].sort(),
                provider: provider ? urnKey(provider.split("::").slice(0, -1).join("::")) : null,
            },
            custom: req.getCustom(),
        });
        return super.registerResource(req, callback);
    }
}

/** Options of {@link captureResources}. */
export interface CaptureOptions {
    project?: string;
    stack?: string;
    /** Flat Pulumi config (`namespace:key` -> raw string value). */
    config?: Record<string, string>;
    /** Config keys holding secrets. */
    secretKeys?: string[];
    /** Show secret values instead of `[secret]`. */
    showSecrets?: boolean;
    /**
     * Run as the first `pulumi preview` of a new stack: outputs computed on create are unknown, and so is every
     * input built from them (`[unknown]`).
     */
    preview?: boolean;
}

/** The result of a captured run. */
export interface CaptureResult {
    resources: CapturedResource[];
    /** The stack outputs (the program's exports). */
    outputs: Record<string, unknown>;
}

/**
 * Runs `program` inside a mock Pulumi stack and returns every resource it
 * registered, in a deterministic tree order. Errors thrown by the program
 * reject the returned promise.
 */
export async function captureResources(program: () => unknown, opts: CaptureOptions = {}): Promise<CaptureResult> {
    // The runtime captures a stack trace for every promise it makes and every resource (`new Error().stack`);
    // the mock run shows no source positions, and formatting those traces was more than half of a render.
    const stackTraceLimit = Error.stackTraceLimit;
    if (process.env[STACK_TRACES_ENV] !== "1") Error.stackTraceLimit = 0;
    try {
        return await capture(program, opts);
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
}

/** Set to `1` to keep stack traces during a render (for a bug whose error needs its stack). */
export const STACK_TRACES_ENV = "THANOS_RENDER_STACK_TRACES";

/** What to add to an unexpected error's report: how to get its whole stack, unless it was kept. */
export function stackTraceHint(): string {
    return process.env[STACK_TRACES_ENV] === "1" ? "" : `\n(stack traces are off during a render; run again with ${STACK_TRACES_ENV}=1 for the whole stack)`;
}

async function capture(program: () => unknown, opts: CaptureOptions): Promise<CaptureResult> {
    const monitor = new CapturingMonitor(opts.showSecrets ?? false, opts.preview ?? false);
    const project = opts.project ?? "thanos-stack";
    const stack = opts.stack ?? "test";
    // setMocks turns on the runtime features a real engine offers; then our capturing monitor replaces its own.
    const preview = opts.preview ?? false;
    await pulumi.runtime.setMocks({ newResource: (args) => mockOutputs(args, preview), call: mockCall }, project, stack, preview);
    setMockOptions(monitor, project, stack, preview);
    pulumi.runtime.setAllConfig(opts.config ?? {}, opts.secretKeys ?? []);
    // The program's own error is kept aside and rethrown once the runtime is idle, so that it does not
    // also surface as an unhandled rejection of the root stack resource.
    let failure: { error: unknown } | undefined;
    const outputs = ((await pulumi.runtime.runInPulumiStack(async () => {
        try {
            return await program();
        } catch (error) {
            failure = { error };
            return {};
        }
    })) ?? {}) as Record<string, unknown>;
    await waitForRPCs();
    if (failure) {
        // What was registered before the failure: a clear refusal registers nothing of its own.
        if (typeof failure.error === "object" && failure.error !== null) Object.defineProperty(failure.error, "captured", { value: treeOrder(monitor.captured), enumerable: false });
        throw failure.error;
    }
    return { resources: treeOrder(monitor.captured), outputs };
}

/**
 * Depth-first order, siblings sorted by type then name: stable whatever the registration order. Resources whose
 * parent was not captured (orphans) come first, each orphaned group as a tree of its own.
 */
export function treeOrder(resources: CapturedResource[]): CapturedResource[] {
    const children = new Map<string | null, CapturedResource[]>();
    for (const r of resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const out: CapturedResource[] = [];
    const visit = (parent: string | null) => {
        const list = (children.get(parent) ?? []).sort((a, b) => compare(a.type, b.type) || compare(a.name, b.name));
        for (const r of list) {
            out.push(r);
            visit(`${r.type}::${r.name}`);
        }
    };
    const known = new Set(resources.map((r) => `${r.type}::${r.name}`));
    for (const parent of children.keys()) if (parent !== null && !known.has(parent)) visit(parent);
    visit(null);
    return out;
}

function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
