/**
 * Setup file of the mutation run only (vitest.mutation.config.mts), loaded after Stryker's own: when the worker
 * thread is kept from one mutant's run to the next (test/support/reusedThreads.ts, which numbers the runs of a
 * thread in the provided context as `keptThreadRun`), the first test file of each later run starts the run as a
 * fresh thread would:
 *
 * - every module is evaluated again (`vi.resetModules()`: all but vitest's own; node_modules that Node loaded
 *   stay loaded), so no module-level value computed while an earlier mutant was active survives;
 * - the run's mutant is active from the start, while the run's modules load: also in a fresh thread (its first
 *   run). Stryker 9.6.1 activates a mutant in a `beforeAll` unless it plans a "static" activation, and it plans
 *   that only without a test filter: with `--testFiles` (scripts/mutation.ts) its filter of a static mutant is
 *   the group's test files (core's mutant-test-planner.js: `testFilter: this.globalTestFilter`, then
 *   `mutantActivation: testFilter ? 'runtime' : 'static'`), so a mutant of a module-level constant was never
 *   active when the constant was computed and survived every test (test/mutation-survivors.md). Activating a
 *   mutant that is not static earlier changes nothing: no code that runs while modules load reaches it (else the
 *   dry run would have found it static).
 * - the test files of one mutant's run share their renders (test/support/renderCache.ts); the dry run, whose
 *   coverage decides which tests run for each mutant, renders every time.
 */
import { inject, vi } from "vitest";
import { setRenderCacheScope } from "./renderCache";

declare module "vitest" {
    interface ProvidedContext {
        keptThreadRun?: number;
        activeMutant?: string;
    }
}

const state = globalThis as unknown as Record<string, { activeMutant?: string } | number | undefined>;
const run = inject("keptThreadRun");

if (run !== undefined && state["__keptThreadRun"] !== run) {
    const first = state["__keptThreadRun"] === undefined;
    state["__keptThreadRun"] = run;
    if (!first) vi.resetModules();
    if (inject("mode") === "mutant") {
        const name = inject("globalNamespace");
        const ns = (state[name] ??= {}) as { activeMutant?: string };
        ns.activeMutant = inject("activeMutant");
        // One mutant's run: the renders of its test files may be shared (test/support/harness.ts).
        setRenderCacheScope(`mutant ${String(ns.activeMutant)}`);
    } else setRenderCacheScope(undefined);
}
