// Mutation testing (StrykerJS): `npm run test:mutation [-- --group <name>[,<name>...]]`.
//
// GROUPS is the one list of the code that keeps users safe, by domain: the files Stryker mutates and the test
// files that exercise them. When files move, update the paths here; scripts/mutation.ts (the run, the score
// per group) and scripts/breaks.ts (the kept breaks) read this list.
//
// Each group is its own Stryker run with its own record (test/mutation/<group>.json, Stryker's incremental report,
// committed), so a run only tests mutants in changed code or covered by changed tests; the HTML report of a
// group is out/mutation/<group>/index.html and the summary of all groups out/mutation/summary.json.

/**
 * Test files every group runs besides its own. (test/golden.test.ts renders in child processes, which run the
 * active mutant too, but Stryker only counts what a test covers in its own process, so it is left out.)
 */
const RENDER_TESTS = [];

/** @type {Record<string, { mutate: string[]; tests: string[] }>} */
export const GROUPS = {
    config: {
        mutate: ["infra/config/**/*.ts"],
        tests: ["test/config.test.ts", "test/configDefaults.test.ts", "test/objectStorage.test.ts", "test/multiCluster.test.ts", "test/uiAccess.test.ts", "test/networkPolicies.test.ts", "test/thanosInvariants.test.ts"],
    },
    invariants: {
        mutate: ["components/stack/invariants.ts", "components/stack/thanosPlan.ts"],
        tests: ["test/thanosInvariants.test.ts", "test/invariantRules.test.ts", "test/multiCluster.test.ts", "test/thanosComponents.test.ts"],
    },
    network: {
        mutate: ["components/network/networkPolicies.ts", "components/network/stackNetwork.ts"],
        tests: ["test/networkPolicies.test.ts", "test/networkFlows.test.ts", "test/networkModel.test.ts", "test/networkBuilder.test.ts", "test/multiCluster.test.ts", "test/uiAccess.test.ts", "test/alertmanagerEgress.test.ts", "test/productionReadiness.test.ts", "test/createOrder.test.ts", "test/stackPlan.test.ts", "test/stackNetwork.test.ts"],
    },
    iam: {
        mutate: ["components/storage/bucketAccess.ts", "components/storage/s3Bucket.ts", "components/lib/objectStorage.ts"],
        tests: ["test/objectStorage.test.ts", "test/iam.test.ts", "test/config.test.ts"],
    },
    flags: {
        mutate: ["policy/checks/thanosFlags.ts"],
        tests: ["test/thanosFlags.test.ts", "test/thanosFlagsOracle.test.ts", "test/thanosFlagsReference.test.ts", "test/policyConditions.test.ts"],
    },
    policy: {
        mutate: ["policy/checks/aws.ts", "policy/checks/baseline.ts", "policy/checks/network.ts", "policy/checks/thanos.ts", "policy/checks/types.ts", "policy/checks/workloads.ts"],
        tests: ["test/policy.test.ts", "test/policyConditions.test.ts", "test/labelSelector.test.ts", "test/render.test.ts", "test/multiCluster.test.ts", "test/uiAccess.test.ts"],
    },
    render: {
        mutate: ["scripts/lib/capture.ts", "scripts/lib/render.ts", "scripts/lib/secrets.ts"],
        tests: ["test/render.test.ts", "test/capture.test.ts", "test/diff.test.ts", "test/diffWorktree.test.ts", "test/objectStorage.test.ts"],
    },
    diff: {
        mutate: ["scripts/lib/diff.ts", "scripts/diff.ts"],
        tests: ["test/diff.test.ts", "test/diffReview.test.ts", "test/diffWorktree.test.ts", "test/diffCli.test.ts"],
    },
};

/** Every mutated file pattern. */
export const MUTATED = Object.values(GROUPS).flatMap((g) => g.mutate);

/** The test files of a group. */
export function groupTests(name) {
    return [...new Set([...GROUPS[name].tests, ...RENDER_TESTS])];
}

/** Where scripts/mutation.ts wants the group's reports and type-checker configuration. */
const REPORT_DIR = process.env["STRYKER_GROUP_REPORT_DIR"] ?? "out/mutation";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
    packageManager: "npm",
    testRunner: "vitest",
    vitest: { configFile: "vitest.mutation.config.mts", related: false },
    checkers: ["typescript"],
    // scripts/mutation.ts writes a tsconfig per group: only the mutated files and what they import, so checking a
    // mutant does not re-check the whole project.
    tsconfigFile: process.env["STRYKER_GROUP_TSCONFIG"] ?? "tsconfig.json",
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    mutate: MUTATED,
    coverageAnalysis: "perTest",
    incremental: true,
    incrementalFile: `${REPORT_DIR}/incremental.json`,
    reporters: ["html", "json", "clear-text", "progress"],
    htmlReporter: { fileName: `${REPORT_DIR}/index.html` },
    jsonReporter: { fileName: `${REPORT_DIR}/mutation.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    tempDirName: ".stryker-tmp",
    cleanTempDir: "always",
    concurrency: 2,
    timeoutMS: 60000,
    // The dry run renders every stack of the group's tests, under instrumentation, on a shared machine.
    dryRunTimeoutMinutes: 30,
    timeoutFactor: 2,
    thresholds: { high: 90, low: 85, break: null },
    ignorePatterns: ["out", "bin", "e2e", "bench/results.json", ".vitest-cache", ".stryker-tmp*"],
    warnings: { slow: false },
};
