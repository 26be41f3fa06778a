/**
 * Where the bench keeps what it builds and runs. Everything lives outside the repository:
 * - the tool cache (`THANOS_STACK_CACHE`, default `~/.cache/thanos-stack`), keyed by tool and version;
 * - the cluster's state (`THANOS_STACK_E2E_STATE`, default `/var/lib/thanos-stack-e2e`), removed by `cluster down`.
 * Go's own module and build caches stay where `go env` puts them.
 */
import * as os from "os";
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export const CACHE_ROOT = process.env.THANOS_STACK_CACHE ?? path.join(os.homedir(), ".cache", "thanos-stack");

/** The directory a tool at a version is installed into (`<dir>/bin/...`, `<dir>/share/...`, `<dir>/manifest.json`). */
export function toolDir(name: string, version: string): string {
    return path.join(CACHE_ROOT, "tools", `${name}-${version}`);
}

/** A Python virtual environment of a tool (it cannot be moved once made). */
export function venvDir(name: string, version: string): string {
    return path.join(CACHE_ROOT, "venvs", `${name}-${version}`);
}

/** Scratch space for one build; removed when the build succeeds. */
export function workDir(name: string, version: string): string {
    return path.join(CACHE_ROOT, "work", `${name}-${version}`);
}

export function logDir(): string {
    return path.join(CACHE_ROOT, "logs");
}

/** Built OCI image archives, keyed by the image reference. */
export function imageDir(): string {
    return path.join(CACHE_ROOT, "images");
}

/** Output of the end-to-end run inside the repository (gitignored). */
export const OUT_DIR = path.join(REPO_ROOT, "out", "e2e");
