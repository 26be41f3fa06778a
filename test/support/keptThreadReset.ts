/**
 * Setup file of the mutation run only (vitest.mutation.config.mts), loaded after Stryker's own: when the worker
 * thread is kept from one mutant's run to the next (test/support/reusedThreads.ts, which numbers the runs of a
 * thread in the provided context as `keptThreadRun`), the first test file of each later run starts the run as a
 * fresh thread would:
 *
 * - no mutant is active while the run's modules load (Stryker activates a runtime mutant in a `beforeAll`; the
 *   previous run's mutant would otherwise be active while this run's test files are imported and collected);
 * - every module is evaluated again (`vi.resetModules()`: all but vitest's own; node_modules that Node loaded
 *   stay loaded), so no module-level value computed while an earlier mutant was active survives.
 */
import { inject, vi } from "vitest";

declare module "vitest" {
    interface ProvidedContext {
        keptThreadRun?: number;
        mutantActivation?: "static" | "runtime";
    }
}

const state = globalThis as unknown as Record<string, { activeMutant?: string } | number | undefined>;
const run = inject("keptThreadRun");

if (run !== undefined && state["__keptThreadRun"] !== run) {
    const first = state["__keptThreadRun"] === undefined;
    state["__keptThreadRun"] = run;
    if (!first) {
        const ns = state[inject("globalNamespace")];
        if (typeof ns === "object" && inject("mutantActivation") === "runtime") ns.activeMutant = undefined;
        vi.resetModules();
    }
}
