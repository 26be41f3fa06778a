/**
 * The real `promtool` (Debian's `prometheus` package, installed by `.ci/run`) for tests that check rules.
 *
 * Use:
 *   const promtool = findPromtool();
 *   it("promtool is available", (ctx) => requirePromtool(promtool, ctx));
 *   describe.skipIf(!promtool)("...", () => { ... runPromtool(promtool!, ["check", "rules", file]) ... });
 *
 * Missing promtool fails the suite when `CI` is set and skips (with a message saying how to install it)
 * otherwise.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { tempDir } from "./tempDirs";

/** How to get promtool, for the skip/fail message. */
export const PROMTOOL_HINT = "install it (Debian/Ubuntu: `apt-get install prometheus`, which ships /usr/bin/promtool) or set PROMTOOL=/path/to/promtool";

/** The promtool executable: `$PROMTOOL`, else the first `promtool` on `$PATH`; `undefined` when there is none. */
export function findPromtool(): string | undefined {
    const explicit = process.env["PROMTOOL"];
    if (explicit) return fs.existsSync(explicit) ? explicit : undefined;
    for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
        if (!dir) continue;
        const candidate = path.join(dir, "promtool");
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            return candidate;
        } catch {
            // not here
        }
    }
    return undefined;
}

/** Fails (in CI) or skips (elsewhere) the current test when promtool is missing. */
export function requirePromtool(promtool: string | undefined, ctx: { skip: (note?: string) => void }): void {
    if (promtool) return;
    if (process.env["CI"]) throw new Error(`promtool is required in CI but was not found: ${PROMTOOL_HINT}`);
    ctx.skip(`promtool not found, promtool checks skipped: ${PROMTOOL_HINT}`);
}

/** The result of one promtool run. */
export interface PromtoolResult {
    /** Exit code (non-zero: the check failed). */
    code: number;
    /** stdout and stderr together, for assertion messages. */
    output: string;
}

/** Runs promtool with `args`. */
export function runPromtool(promtool: string, args: string[], cwd?: string): PromtoolResult {
    const r = spawnSync(promtool, args, { cwd, encoding: "utf8", timeout: 30_000 });
    if (r.error) throw r.error;
    return { code: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** A fresh temporary directory. */
export function promtoolWorkDir(): string {
    return tempDir("promtool-");
}

/** Writes `{ groups }` as a Prometheus rule file and returns its path. */
export function writeRuleFile(dir: string, fileName: string, groups: unknown[]): string {
    const file = path.join(dir, fileName);
    fs.writeFileSync(file, stringify({ groups }, { lineWidth: 0 }));
    return file;
}

/** `promtool check rules <file>` on one file holding all `groups`. */
export function checkRules(promtool: string, groups: unknown[], dir = promtoolWorkDir()): PromtoolResult {
    return runPromtool(promtool, ["check", "rules", writeRuleFile(dir, "rules.yaml", groups)]);
}
