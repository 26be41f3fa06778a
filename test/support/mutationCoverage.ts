/**
 * Setup file of the mutation run only (vitest.mutation.config.mts), loaded after Stryker's own.
 *
 * Stryker records which tests cover each mutant while the current test id is set, i.e. inside a test; code
 * run by a `beforeAll` hook (our renders) counts as "static" and would make every such mutant run the whole
 * suite with a reloaded environment. This file moves the coverage that hooks gain during a test file to every
 * test of that file from that point on: those tests are the ones that see what the hook built. Coverage
 * gained while the file's modules are imported stays static (it is code that runs only at load time).
 */
import { beforeAll, beforeEach, inject } from "vitest";

type Counts = Record<string, number>;
interface StrykerNamespace {
    currentTestId?: string;
    mutantCoverage?: { static: Counts; perTest: Record<string, Counts> };
}

declare module "vitest" {
    interface ProvidedContext {
        globalNamespace: string;
        mode: "dry-run" | "mutant";
    }
}

const namespaceName = inject("globalNamespace");
const globals = globalThis as unknown as Record<string, StrykerNamespace | undefined>;

if (inject("mode") === "dry-run" && namespaceName !== undefined) {
    let seen: Counts = {};
    let fromHooks: Counts = {};
    const coverage = () => {
        const ns = (globals[namespaceName] ??= {});
        return (ns.mutantCoverage ??= { static: {}, perTest: {} });
    };

    beforeAll(() => {
        // What is static by now was covered while the file's modules loaded.
        seen = { ...coverage().static };
        fromHooks = {};
    });

    beforeEach(() => {
        const cov = coverage();
        for (const [id, n] of Object.entries(cov.static)) {
            const gained = n - (seen[id] ?? 0);
            if (gained <= 0) continue;
            fromHooks[id] = (fromHooks[id] ?? 0) + gained;
            if (seen[id] === undefined) delete cov.static[id];
            else cov.static[id] = seen[id];
        }
        const test = globals[namespaceName]?.currentTestId;
        if (test === undefined) return;
        const own = (cov.perTest[test] ??= {});
        for (const [id, n] of Object.entries(fromHooks)) own[id] = (own[id] ?? 0) + n;
    });
}
