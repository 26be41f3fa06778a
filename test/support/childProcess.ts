/**
 * The environment of a child process a test starts (a render, a diff). Under `npm run test:mutation`, Stryker
 * activates a mutant in the test's process only; passing it on in `__STRYKER_ACTIVE_MUTANT__` (which Stryker's
 * instrumented code reads at start-up) makes the child run the same mutant, so tests that go through the CLI
 * count for the mutation score too. Outside a mutation run it is the process environment plus `extra`.
 */
interface StrykerGlobal {
    __stryker__?: { activeMutant?: string };
}

export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const active = (globalThis as StrykerGlobal).__stryker__?.activeMutant;
    return { ...process.env, ...extra, ...(active !== undefined ? { __STRYKER_ACTIVE_MUTANT__: active } : {}) };
}
