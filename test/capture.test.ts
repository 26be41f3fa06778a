/**
 * What a capture records of a program run under the mock runtime (scripts/lib/capture.ts): the tree order of
 * the resources, their inputs as a render writes them (secrets, resource references, unknowns), their options,
 * the stack it runs as, a failing program's error, and stack traces switched off during the run. Small programs
 * of their own, run in this process.
 */
import { createHmac } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureResources, stackTraceHint, treeOrder, urnKey, type CapturedResource } from "../scripts/lib/capture";
import { SECRET_DIGEST_KEY_ENV } from "../scripts/lib/secrets";

/** Internal runtime hook (not in the SDK's typings): whether the running program's config key is a secret. */
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

const STACK = "pulumi:pulumi:Stack::thanos-stack-test";
const NO_OPTIONS = { protect: false, retainOnDelete: false, dependsOn: [], provider: null };

class Group extends pulumi.ComponentResource {
    constructor(name: string, opts: pulumi.ComponentResourceOptions = {}) {
        super("test:index:Group", name, {}, opts);
    }
}

/** A provider-managed resource; of a type the mock knows nothing about, its outputs are its inputs. */
class Custom extends pulumi.CustomResource {
    constructor(type: string, name: string, inputs: pulumi.Inputs = {}, opts: pulumi.CustomResourceOptions = {}) {
        super(type, name, inputs, opts);
    }
}

function thing(name: string, inputs: pulumi.Inputs = {}, opts: pulumi.CustomResourceOptions = {}): Custom {
    return new Custom("test:index:Thing", name, inputs, opts);
}

class Provider extends pulumi.ProviderResource {
    constructor(pkg: string, name: string) {
        super(pkg, name, {});
    }
}

/** An IAM role as the mock sees it: its ARN is computed from its name on create (scripts/lib/mockOutputs.ts). */
class Role extends pulumi.CustomResource {
    declare readonly arn: pulumi.Output<string>;
    constructor(name: string) {
        super("aws:iam/role:Role", name, { arn: undefined });
    }
}

const keys = (resources: CapturedResource[]) => resources.map((r) => `${r.type}::${r.name}`);

/** Sets (or, with undefined, removes) environment variables for one test; afterEach puts them back. */
const savedEnv = new Map<string, string | undefined>();
function setEnv(name: string, value: string | undefined): void {
    if (!savedEnv.has(name)) savedEnv.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
}
afterEach(() => {
    for (const [name, value] of savedEnv) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
    savedEnv.clear();
});

describe("urnKey", () => {
    it("keeps the resource's own type (not its parents') and its whole name, even one with '::' in it", () => {
        expect(urnKey("urn:pulumi:dev::thanos-stack::pulumi:pulumi:Stack$test:index:Group$test:index:Thing::a::b")).toBe("test:index:Thing::a::b");
        expect(urnKey("urn:pulumi:dev::thanos-stack::test:index:Group::g")).toBe("test:index:Group::g");
    });
});

describe("the tree order of captured resources", () => {
    const resource = (type: string, name: string, parent: string | null): CapturedResource => ({ type, name, parent, inputs: {}, options: NO_OPTIONS, custom: true });
    // Siblings whose types and names sort in opposite orders (t:Group::m before t:Thing::a), two of one type,
    // and a grandchild that must follow its parent before the parent's next sibling.
    const root = resource("t:Stack", "s", null);
    const group = resource("t:Group", "m", "t:Stack::s");
    const grandchild = resource("t:Thing", "k", "t:Group::m");
    const other = resource("t:Other", "c", "t:Stack::s");
    const thingA = resource("t:Thing", "a", "t:Stack::s");
    const thingB = resource("t:Thing", "b", "t:Stack::s");
    const EXPECTED = ["t:Stack::s", "t:Group::m", "t:Thing::k", "t:Other::c", "t:Thing::a", "t:Thing::b"];

    function permutations<T>(items: T[]): T[][] {
        if (items.length <= 1) return [items];
        return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
    }

    it("is depth-first with siblings sorted by type then name, whatever the registration order", () => {
        const all = permutations([root, group, grandchild, other, thingA, thingB]);
        expect(all).toHaveLength(720);
        for (const registered of all) expect(keys(treeOrder(registered)), keys(registered).join(", ")).toEqual(EXPECTED);
    });

    it("keeps resources whose parent was not captured, first, each orphaned group sorted", () => {
        const orphans = [resource("t:Thing", "y", "t:Group::gone"), resource("t:Other", "z", "t:Group::gone"), resource("t:Thing", "x", "t:Group::gone")];
        const child = resource("t:Thing", "under-x", "t:Thing::x");
        expect(keys(treeOrder([root, orphans[0]!, child, orphans[1]!, thingA, orphans[2]!]))).toEqual(["t:Other::z", "t:Thing::x", "t:Thing::under-x", "t:Thing::y", "t:Stack::s", "t:Thing::a"]);
    });
});

describe("a captured program", () => {
    beforeEach(() => setEnv(SECRET_DIGEST_KEY_ENV, undefined));

    it("lists its resources in tree order under the stack, whatever order it registered them in", async () => {
        const { resources } = await captureResources(() => {
            thing("z");
            const b = new Group("b");
            const a = new Group("a");
            thing("y", {}, { parent: a });
            new Custom("test:index:Other", "w", {}, { parent: a });
            thing("x", {}, { parent: a });
            thing("v", {}, { parent: b });
        });
        expect(keys(resources)).toEqual([
            STACK,
            "test:index:Group::a",
            "test:index:Other::w",
            "test:index:Thing::x",
            "test:index:Thing::y",
            "test:index:Group::b",
            "test:index:Thing::v",
            "test:index:Thing::z",
        ]);
        expect(resources.map((r) => [r.name, r.parent, r.custom])).toEqual([
            ["thanos-stack-test", null, false],
            ["a", STACK, false],
            ["w", "test:index:Group::a", true],
            ["x", "test:index:Group::a", true],
            ["y", "test:index:Group::a", true],
            ["b", STACK, false],
            ["v", "test:index:Group::b", true],
            ["z", STACK, true],
        ]);
    });

    it("records its inputs as plain values: scalars, null, lists and maps as they are, resources as [resource type::name], secrets masked", async () => {
        const { resources } = await captureResources(() => {
            const group = new Group("g");
            const target = thing("target");
            thing("x", { text: "abc", count: 3, flag: false, none: null, list: ["p", 1, { q: "r" }], nested: { k: "v" }, custom: target, component: group, token: pulumi.secret("s3cr3t") });
        });
        expect(resources.find((r) => r.name === "x")?.inputs).toEqual({
            text: "abc",
            count: 3,
            flag: false,
            none: null,
            list: ["p", 1, { q: "r" }],
            nested: { k: "v" },
            custom: "[resource test:index:Thing::target]",
            component: "[resource test:index:Group::g]",
            token: "[secret]",
        });
    });

    it("shows secrets only when asked to, and with a digest key writes an HMAC of the value instead of [secret]", async () => {
        const program = () => {
            thing("x", { token: pulumi.secret("s3cr3t"), map: pulumi.secret({ users: ["u"] }) });
        };
        const inputsOf = (r: { resources: CapturedResource[] }) => r.resources.find((x) => x.name === "x")?.inputs;
        expect(inputsOf(await captureResources(program, { showSecrets: true }))).toEqual({ token: "s3cr3t", map: { users: ["u"] } });
        setEnv(SECRET_DIGEST_KEY_ENV, "k1");
        // `[secret <first 16 hex digits of HMAC-SHA256(key, the value's JSON)>]`
        const digest = (json: string) => `[secret ${createHmac("sha256", "k1").update(json).digest("hex").slice(0, 16)}]`;
        expect(inputsOf(await captureResources(program))).toEqual({ token: digest('"s3cr3t"'), map: digest('{"users":["u"]}') });
    });

    it("records protect, retainOnDelete, every dependency once and sorted, and the explicit provider", async () => {
        const { resources } = await captureResources(() => {
            const z = thing("z");
            const w = thing("w");
            const provider = new Provider("test", "p");
            thing("x", { from: w.id }, { protect: true, retainOnDelete: true, dependsOn: [z, w, z], provider });
        });
        const byName = new Map(resources.map((r) => [r.name, r]));
        expect(byName.get("x")?.options).toEqual({ protect: true, retainOnDelete: true, dependsOn: ["test:index:Thing::w", "test:index:Thing::z"], provider: "pulumi:providers:test::p" });
        expect(byName.get("z")?.options).toEqual(NO_OPTIONS);
        expect(byName.get("p")).toMatchObject({ type: "pulumi:providers:test", custom: true, options: NO_OPTIONS });
    });

    it("runs as project thanos-stack, stack test, not a preview, with the given config and no secret keys, unless told otherwise", async () => {
        const seen = () => ({
            project: pulumi.getProject(),
            stack: pulumi.getStack(),
            dryRun: pulumi.runtime.isDryRun(),
            level: new pulumi.Config("app").get("level"),
            levelSecret: isConfigSecret("app:level"),
            tokenSecret: isConfigSecret("app:token"),
        });
        let defaults: ReturnType<typeof seen> | undefined;
        const plain = await captureResources(() => {
            defaults = seen();
        }, { config: { "app:level": "info", "app:token": "t" } });
        expect(defaults).toEqual({ project: "thanos-stack", stack: "test", dryRun: false, level: "info", levelSecret: false, tokenSecret: false });
        expect(keys(plain.resources)).toEqual(["pulumi:pulumi:Stack::thanos-stack-test"]);

        let given: ReturnType<typeof seen> | undefined;
        const other = await captureResources(() => {
            given = seen();
        }, { project: "proj", stack: "dev", preview: true, config: { "app:level": "debug", "app:token": "t" }, secretKeys: ["app:token"] });
        expect(given).toEqual({ project: "proj", stack: "dev", dryRun: true, level: "debug", levelSecret: false, tokenSecret: true });
        expect(keys(other.resources)).toEqual(["pulumi:pulumi:Stack::proj-dev"]);
    });

    it("returns the program's exports as the stack outputs", async () => {
        const { outputs } = await captureResources(() => ({ endpoint: "http://x", replicas: 2 }));
        expect(outputs).toEqual({ endpoint: "http://x", replicas: 2 });
    });

    it("knows the outputs computed on create, except in a preview, where it writes them [unknown]", async () => {
        const program = () => {
            thing("uses-role", { roleArn: new Role("reader").arn, fixed: "f" });
        };
        const inputsOf = (r: { resources: CapturedResource[] }) => r.resources.find((x) => x.name === "uses-role")?.inputs;
        expect(inputsOf(await captureResources(program))).toEqual({ roleArn: "arn:aws:iam::123456789012:role/reader", fixed: "f" });
        expect(inputsOf(await captureResources(program, { preview: true }))).toEqual({ roleArn: "[unknown]", fixed: "f" });
    });
});

describe("a failing program", () => {
    it("rejects with its own error, which lists (not enumerably) what was registered before the failure", async () => {
        const refusal = new Error("refused");
        const failed = await captureResources(() => {
            thing("before");
            throw refusal;
        }).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(failed).toBe(refusal);
        const captured = (failed as { captured?: CapturedResource[] }).captured;
        expect(captured && keys(captured)).toEqual([STACK, "test:index:Thing::before"]);
        expect(Object.keys(refusal)).not.toContain("captured");
        expect(Object.getOwnPropertyDescriptor(refusal, "captured")?.enumerable).toBe(false);
    });

    it("rejects with a thrown value that is not an object as it is", async () => {
        for (const value of ["plain refusal", null, 42]) {
            await expect(
                captureResources(() => {
                    throw value;
                }),
            ).rejects.toBe(value);
        }
    });
});

describe("stack traces during a capture", () => {
    const original = Error.stackTraceLimit;
    afterEach(() => {
        Error.stackTraceLimit = original;
    });

    async function limitSeen(program: () => unknown = () => undefined): Promise<number | undefined> {
        let seen: number | undefined;
        await captureResources(() => {
            seen = Error.stackTraceLimit;
            return program();
        }).catch(() => undefined);
        return seen;
    }

    it("are off while the program runs and back to what they were afterwards, also after a failure", async () => {
        setEnv("THANOS_RENDER_STACK_TRACES", undefined);
        Error.stackTraceLimit = 17;
        expect(await limitSeen()).toBe(0);
        expect(Error.stackTraceLimit).toBe(17);
        expect(
            await limitSeen(() => {
                throw new Error("x");
            }),
        ).toBe(0);
        expect(Error.stackTraceLimit).toBe(17);
        setEnv("THANOS_RENDER_STACK_TRACES", "0");
        expect(await limitSeen()).toBe(0);
        expect(Error.stackTraceLimit).toBe(17);
    });

    it("stay on with THANOS_RENDER_STACK_TRACES=1", async () => {
        setEnv("THANOS_RENDER_STACK_TRACES", "1");
        Error.stackTraceLimit = 17;
        expect(await limitSeen()).toBe(17);
        expect(Error.stackTraceLimit).toBe(17);
    });

    it("are explained in an error report's hint, which is empty when they were kept", () => {
        setEnv("THANOS_RENDER_STACK_TRACES", undefined);
        expect(stackTraceHint()).toBe("\n(stack traces are off during a render; run again with THANOS_RENDER_STACK_TRACES=1 for the whole stack)");
        setEnv("THANOS_RENDER_STACK_TRACES", "0");
        expect(stackTraceHint()).toBe("\n(stack traces are off during a render; run again with THANOS_RENDER_STACK_TRACES=1 for the whole stack)");
        setEnv("THANOS_RENDER_STACK_TRACES", "1");
        expect(stackTraceHint()).toBe("");
    });
});
