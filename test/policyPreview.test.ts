/**
 * What the policy pack can judge in the first `pulumi preview` of a new stack, when every value computed on
 * create (ARNs, ids, generated keys) is still unknown.
 *
 * CrossGuard wraps each resource's inputs in a proxy that throws on reading an unknown value, and turns that into
 * an advisory "can't run ... during preview" instead of a verdict. This test renders each stack as such a preview
 * (the mock provider knows only inputs), wraps the inputs in the same proxy from @pulumi/policy, and runs every
 * check: the checks that keep users safe must reach a verdict, and the few that cannot are listed with the reason.
 * The offline render (every value known) still runs every check in CI (test/render.test.ts).
 */
import { describe, expect, it } from "vitest";
import { ALL_CHECKS, type ResourceView } from "../policy/checks";
import { UNKNOWN_PLACEHOLDER } from "../scripts/lib/capture";
import { renderInProcess } from "./support/harness";

// The proxy CrossGuard wraps resource inputs in (an internal module of @pulumi/policy, its own unknown sentinels).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy<T>(value: T): T;
    unknownStringValue: unknown;
    UnknownValueError: new (...args: unknown[]) => Error;
};

/** The captured inputs with each `[unknown]` as the policy SDK's unknown sentinel. */
function asPolicySees(value: unknown): unknown {
    if (value === UNKNOWN_PLACEHOLDER) return proxy.unknownStringValue;
    if (Array.isArray(value)) return value.map(asPolicySees);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asPolicySees(v)]));
    return value;
}

interface Unjudged {
    readonly check: string;
    readonly resource: string;
    readonly reason: string;
}

/** Runs every check as CrossGuard would in preview; returns what could not be judged. */
function unjudged(resources: ResourceView[]): Unjudged[] {
    const out: Unjudged[] = [];
    const views = resources.map((r) => ({ ...r, props: proxy.unknownCheckingProxy(asPolicySees(r.props) as Record<string, unknown>) }));
    for (const check of ALL_CHECKS) {
        const attempt = (resource: string, run: () => unknown): void => {
            try {
                run();
            } catch (e) {
                if (!(e instanceof proxy.UnknownValueError)) throw e;
                out.push({ check: check.name, resource, reason: e.message });
            }
        };
        if (check.kind === "resource") for (const v of views) attempt(`${v.type}::${v.name}`, () => check.check(v));
        else attempt("(stack)", () => check.check(views));
    }
    return out;
}

const judgeAll = (render: Awaited<ReturnType<typeof renderInProcess>>): Unjudged[] => unjudged(render.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs })));

describe.each(["dev", "staging", "prod"])("policy pack in the first preview of %s", (stack) => {
    it("reaches a verdict on every check", async () => {
        const render = await renderInProcess(stack, [], false, true);
        const unknowns = JSON.stringify(render.resources).split(`"${UNKNOWN_PLACEHOLDER}"`).length - 1;
        // The preview render really has unknowns (role ARNs, ids), else this test would prove nothing.
        expect(unknowns).toBeGreaterThan(0);
        expect(judgeAll(render)).toEqual([]);
    });
});

describe("policy pack in the first preview of prod with a KMS key created in the same update", () => {
    it("leaves only the bucket users' IAM policies advisory (they name the key's ARN, which AWS assigns on create)", async () => {
        const render = await renderInProcess("prod", ["objectStorage.encryption.type=sse-kms", "objectStorage.encryption.createKey=true"], false, true);
        const left = judgeAll(render).map((u) => `${u.check} ${u.resource}`);
        const users = ["compactor", "prometheus", "ruler", "storeGateway"];
        expect(left.sort()).toEqual([...users.map((u) => `iam-no-wildcards aws:iam/rolePolicy:RolePolicy::thanos-access-${u}-policy`), "only-compactor-deletes (stack)"].sort());
    });
});

describe("the preview harness", () => {
    it("reports a check that reads an unknown value", () => {
        const resource: ResourceView = { type: "aws:iam/policy:Policy", name: "p", props: { policy: UNKNOWN_PLACEHOLDER } };
        const found = unjudged([resource]);
        expect(found.some((u) => u.resource === "aws:iam/policy:Policy::p" && /can't be known during preview/.test(u.reason))).toBe(true);
    });
});
