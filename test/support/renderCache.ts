/**
 * Renders shared between the test files of one mutant's run under mutation testing. A render is a pure function
 * of its arguments and of the code (test/golden.test.ts checks that it is byte-identical across time zones,
 * locales, working directories and registration orders), and the code only changes from one mutant to the
 * next: so within one mutant's run, the files that render the same stack with the same settings may share one
 * render. The group's test files render `prod` alone a dozen times per run.
 *
 * Off unless a scope is set, which only test/support/keptThreadReset.ts does, for a mutant's run (never for the
 * dry run, whose per-test coverage must see each file's renders, nor under `npm test`). Each caller gets its own
 * copy, so a test that changes what it got changes nothing for the others.
 */
/** On the global object: the setup file and the test files may hold different instances of this module. */
interface Shared {
    scope: string | undefined;
    renders: Map<string, Promise<unknown>>;
}
const shared = ((globalThis as unknown as { __thanosStackRenderCache?: Shared }).__thanosStackRenderCache ??= { scope: undefined, renders: new Map() });

/** Starts sharing renders for one run (`undefined`: stop). Forgets the renders of the previous run. */
export function setRenderCacheScope(next: string | undefined): void {
    if (next !== shared.scope) shared.renders.clear();
    shared.scope = next;
}

/** `render()`, or, while a scope is set, a copy of the render with the same key made earlier in the scope. */
export async function sharedRender<T>(key: readonly unknown[], render: () => Promise<T>): Promise<T> {
    if (shared.scope === undefined) return render();
    const k = JSON.stringify(key);
    let p = shared.renders.get(k) as Promise<T> | undefined;
    if (p === undefined) {
        p = render();
        shared.renders.set(k, p);
    }
    return structuredClone(await p);
}
