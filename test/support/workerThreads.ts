/**
 * Setup file of the mutation run only (vitest.mutation.config.mts). Stryker's vitest runner runs the tests in
 * worker threads, where `require("trace_events")` throws ERR_TRACE_EVENTS_UNAVAILABLE; Pulumi's closure
 * serialization requires every built-in module while it serializes a dynamic provider (the local stack's
 * generated credentials), so the render would fail there. In a worker thread, that one module loads as an
 * empty object instead. `npm test` runs in forked processes and never loads this file.
 */
import Module from "module";
import { isMainThread } from "worker_threads";

type Load = (request: string, ...rest: unknown[]) => unknown;
const loader = Module as unknown as { _load: Load & { traceEventsTolerated?: true } };

// Setup files run again for every test file, and the mutation run keeps its thread between runs
// (test/support/reusedThreads.ts): wrap the loader once.
if (!isMainThread && loader._load.traceEventsTolerated === undefined) {
    const load = loader._load;
    const tolerant = function (this: unknown, request: string, ...rest: unknown[]): unknown {
        if (request === "trace_events" || request === "node:trace_events") {
            try {
                return load.call(this, request, ...rest);
            } catch {
                return {};
            }
        }
        return load.call(this, request, ...rest);
    };
    loader._load = Object.assign(tolerant, { traceEventsTolerated: true as const });
}
