import { defineConfig } from "vitest/config";
import { GROUPS, groupTests } from "./stryker.config.mjs";
import { keptThreadsPlugin } from "./test/support/reusedThreads";

/**
 * The vitest configuration of the mutation run (`npm run test:mutation`): the test files of the groups in
 * stryker.config.mjs (each Stryker run narrows them to its group's), a setup file that starts each run in a
 * kept worker thread as in a fresh one, one that lets Pulumi serialize dynamic providers in Stryker's worker
 * threads, and one that attributes what `beforeAll` hooks cover to the tests that use it.
 */
const include = [...new Set(Object.keys(GROUPS).flatMap((g) => groupTests(g)))];

export default defineConfig({
    // Under Stryker, one worker thread serves run after run of the mutants activated at run time instead of a
    // new thread per mutant that loads the Pulumi SDKs again: see test/support/reusedThreads.ts (measured on
    // 2 busy cores, the flags group: 1.9 -> 1.0 s per mutant, every mutant with the same outcome).
    // STRYKER_FRESH_THREADS=1 runs without it.
    plugins: process.env["STRYKER_FRESH_THREADS"] === "1" ? [] : [keptThreadsPlugin()],
    test: {
        // As vitest.config.mts (Stryker runs its own pool of one worker thread).
        isolate: false,
        // Instrumented code on a busy machine: renders take longer than under `npm test`.
        testTimeout: 180_000,
        hookTimeout: 180_000,
        include,
        setupFiles: ["test/support/keptThreadReset.ts", "test/support/workerThreads.ts", "test/support/mutationCoverage.ts", "test/support/cleanup.ts"],
        sequence: { hooks: "stack" },
    },
});
