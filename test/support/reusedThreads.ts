/**
 * The pool of the mutation run only (vitest.mutation.config.mts): one worker thread kept from one mutant's run
 * to the next.
 *
 * Stryker's vitest runner calls `vitest.start()` once per mutant with `pool: 'threads'`, and vitest 4's pool
 * keeps a worker only while its queue holds another file of the same run: at the end of every run the thread is
 * terminated, so every mutant paid for a new thread that imported @pulumi/pulumi, @pulumi/aws and
 * @pulumi/kubernetes again (3-4 s) before its covering tests ran (0.5-1 s). No vitest option changes that
 * (`isolate: false`, `maxWorkers`, `fileParallelism` and vmThreads all end the worker with the run), so this pool
 * wraps vitest's own ThreadsPoolWorker and keeps its thread between runs:
 *
 * - the thread is kept only between runs of mutants that are activated at run time (`mutantActivation:
 *   'runtime'`, which Stryker sets before each run): the dry run and any run planned with `'static'` get a
 *   fresh thread. (With `--testFiles`, Stryker 9.6.1 plans static mutants with `'runtime'` too; they share the
 *   kept thread, and test/support/keptThreadReset.ts activates them before the modules load again.)
 * - the thread's `start` message (config, environment) is answered here after the first run; the run's current
 *   configuration (Stryker's test name filter, which it changes per mutant) is passed with each `run` instead;
 * - each run starts as in a fresh thread: test/support/keptThreadReset.ts (a setup file) sees the run number
 *   passed here, clears the active mutant of the previous run and has every project module (not node_modules)
 *   evaluated again, so no state of an earlier mutant's run survives in the code under test (module-level
 *   values computed while a mutant was active would otherwise stay); only node_modules stay loaded;
 * - `stop` waits for the run to end (a bail cancels the run while a test may still be rendering), and the
 *   thread is replaced when it exited, after RECYCLE_AFTER runs (memory), and when vitest closes.
 *
 * Only vitest's public pool interface (`vitest/node`: ThreadsPoolWorker, PoolWorker) and worker protocol
 * messages are used; nothing of Stryker is changed.
 */
import type { PoolOptions, PoolWorker, TestProject, Vitest, WorkerRequest } from "vitest/node";
import { ThreadsPoolWorker } from "vitest/node";

export const POOL_NAME = "threads-kept";
/** Runs one thread serves before it is replaced (the Pulumi SDK keeps a little state per render). */
const RECYCLE_AFTER = 200;

type Listener = (arg: unknown) => void;
interface Message {
    __vitest_worker_request__?: boolean;
    __vitest_worker_response__?: boolean;
    type?: string;
    context?: Record<string, unknown>;
}

/** The thread kept between runs (one per Stryker test runner process: its pool has one worker). */
interface Kept {
    inner: ThreadsPoolWorker;
    /** The thread answered a `start` message: later ones are answered here. */
    started: boolean;
    /** Kept after its run: only threads of runtime-activated mutants. */
    reusable: boolean;
    runs: number;
    exited: boolean;
    /** Resolves when the current run's `testfileFinished` arrives. */
    running?: Promise<void>;
    finish?: () => void;
}

let kept: Kept | undefined;

function drop(k: Kept): Promise<void> {
    if (kept === k) kept = undefined;
    return k.exited ? Promise.resolve() : k.inner.stop().catch(() => undefined);
}

/** Whether the run about to start may use a kept thread: a mutant activated at run time. */
function runtimeMutant(project: TestProject): boolean {
    const provided = project.getProvidedContext() as unknown as Record<string, unknown>;
    return provided["mode"] === "mutant" && provided["mutantActivation"] === "runtime";
}

class KeptThreadsWorker implements PoolWorker {
    readonly name = POOL_NAME;
    private k: Kept | undefined;
    /** This runner's listeners, on the thread and for the answers given here. */
    private readonly listeners: [string, Listener][] = [];
    private readonly answers = new Set<Listener>();
    private stopAnswered = false;
    /** The configuration of the latest `start` answered here, for the run. */
    private config: unknown;

    constructor(private readonly options: PoolOptions) {}

    async start(): Promise<void> {
        const reusable = runtimeMutant(this.options.project);
        if (kept !== undefined && (!reusable || !kept.reusable || kept.exited || kept.runs >= RECYCLE_AFTER)) await drop(kept);
        if (kept === undefined) {
            const inner = new ThreadsPoolWorker(this.options);
            await inner.start();
            const k: Kept = { inner, started: false, reusable, runs: 0, exited: false };
            inner.on("exit", () => {
                k.exited = true;
                k.finish?.();
                if (kept === k) kept = undefined;
            });
            inner.on("message", (m: Message) => {
                if (m?.__vitest_worker_response__ && m.type === "testfileFinished") k.finish?.();
            });
            kept = k;
        }
        this.k = kept;
    }

    on(event: string, callback: Listener): void {
        this.thread().inner.on(event, callback);
        this.listeners.push([event, callback]);
        if (event === "message") this.answers.add(callback);
    }

    off(event: string, callback: Listener): void {
        if (this.k !== undefined && !this.k.exited) this.k.inner.off(event, callback);
        const i = this.listeners.findIndex(([e, c]) => e === event && c === callback);
        if (i !== -1) this.listeners.splice(i, 1);
        if (event === "message") this.answers.delete(callback);
    }

    send(request: WorkerRequest): void {
        const k = this.thread();
        const message = request as unknown as Message;
        if (message.__vitest_worker_request__ && message.type === "start") {
            if (k.started) {
                // The thread is set up: keep the configuration for the run, answer as the thread would.
                this.config = (message.context as { config: unknown }).config;
                this.answer({ type: "started" });
                return;
            }
            k.started = true;
        } else if (message.__vitest_worker_request__ && message.type === "run") {
            k.runs++;
            k.running = new Promise((resolve) => (k.finish = resolve));
            // test/support/keptThreadReset.ts starts each run as a fresh thread would (see there).
            const context = message.context!;
            request = {
                ...request,
                context: {
                    ...context,
                    ...(k.runs > 1 && this.config !== undefined ? { config: this.config } : {}),
                    providedContext: { ...(context["providedContext"] as object), keptThreadRun: k.runs },
                },
            } as unknown as WorkerRequest;
        } else if (message.__vitest_worker_request__ && message.type === "stop" && k.reusable) {
            // Kept: the worker's own teardown runs when the thread is dropped.
            this.stopAnswered = true;
            void (k.running ?? Promise.resolve()).then(() => this.answer({ type: "stopped" }));
            return;
        }
        k.inner.send(request);
    }

    private answer(response: Message): void {
        const m = { ...response, __vitest_worker_response__: true };
        setImmediate(() => {
            for (const l of [...this.answers]) l(m);
        });
    }

    async stop(): Promise<void> {
        const k = this.k;
        if (k === undefined) return;
        for (const [event, callback] of this.listeners.splice(0)) if (!k.exited) k.inner.off(event, callback);
        this.answers.clear();
        // Kept when its `stop` was answered here, which waited for the run to end (a bail cancels the run while
        // a test may still be rendering); replaced on a forced stop, which does not wait.
        if (!k.reusable || !this.stopAnswered || k.exited) await drop(k);
    }

    deserialize(data: unknown): unknown {
        return data;
    }

    private thread(): Kept {
        if (this.k === undefined) throw new Error("threads-kept: the worker was not started");
        return this.k;
    }
}

/** The pool, as vitest's `poolRunner`. */
export const keptThreads = {
    name: POOL_NAME,
    createPoolWorker: (options: PoolOptions): PoolWorker => new KeptThreadsWorker(options),
};

/**
 * A plugin that puts every project on the kept-thread pool when Stryker runs vitest (STRYKER_MUTATOR_WORKER is
 * set in Stryker's test runner processes; Stryker's own `pool: 'threads'` option is replaced after it is
 * resolved), and ends the kept thread when vitest closes.
 */
export function keptThreadsPlugin() {
    return {
        name: "stryker-kept-threads",
        configureVitest({ project, vitest }: { project: TestProject; vitest: Vitest }) {
            if (process.env["STRYKER_MUTATOR_WORKER"] === undefined) return;
            const config = project.config as unknown as { pool: string; poolRunner?: unknown };
            config.pool = POOL_NAME;
            config.poolRunner = keptThreads;
            vitest.onClose(async () => {
                if (kept !== undefined) await drop(kept);
            });
        },
    };
}
