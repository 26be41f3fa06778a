/**
 * Temporary directories of the tests, removed after each test file (test/support/cleanup.ts, a setup file of both
 * vitest configurations) and at process exit, so that runs — thousands of them under mutation testing — leave
 * nothing behind in the system's temporary directory.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const made: string[] = [];
let hooked = false;

/** Removes every directory {@link tempDir} made so far. */
export function removeTempDirs(): void {
    for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** A fresh directory under the system's temporary directory, removed after the test file. */
export function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    if (!hooked) {
        hooked = true;
        process.once("exit", removeTempDirs);
    }
    return dir;
}
