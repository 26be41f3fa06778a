/**
 * npm run diff -- --stack <name> [--base <git-ref>] [--set <key.path>=<value> ...] [--set-secret ...]
 *                 [--base-set <key.path>=<value> ...] [--base-set-secret ...] [--full]
 *
 * Renders the stack at the base ref (default: the merge-base with main) and at
 * the work tree, then prints what changes: objects added, removed and changed
 * with their changed fields (secrets stay masked; a changed secret is marked as
 * changed), a `!` line for each change the cluster cannot make in place and each
 * new block stream, and a one-line summary. `--set`/`--set-secret` override the
 * work tree's configuration only (the change to preview), `--base-set`/
 * `--base-set-secret` the base's only; `--full` shows long values whole.
 * Exit codes, like `git diff --exit-code`: 0 no change, 1 changes, 2 errors.
 */
import { execFileSync, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stackTraceHint } from "./lib/capture";
import { parseStackArgs } from "./lib/cli";
import { SECRET_DIGEST_KEY_ENV } from "./lib/secrets";
import { diffRenders, formatDiff, RenderedResource } from "./lib/diff";

const USAGE =
    "usage: npm run diff -- --stack <name> [--base <git-ref>] [--set <key.path>=<value> ...] [--set-secret <key.path>=<value> ...] " +
    "[--base-set <key.path>=<value> ...] [--base-set-secret <key.path>=<value> ...] [--full]";

class DiffError extends Error {}

function git(cwd: string, args: string[]): string {
    try {
        return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    } catch (e) {
        throw new DiffError(`git ${args.join(" ")}: ${String((e as { stderr?: string }).stderr ?? e).trim()}`);
    }
}

function defaultBase(repo: string): string {
    for (const candidate of ["main", "origin/main"]) {
        try {
            return git(repo, ["merge-base", "HEAD", candidate]);
        } catch {
            // try the next candidate
        }
    }
    throw new DiffError("no --base given and no 'main' or 'origin/main' branch to take the merge-base with");
}

/** The configuration overrides of one side of the diff. */
interface Overrides {
    sets: string[];
    secretSets: string[];
}

/** The overrides as the header shows them: secret values never. */
function describeOverrides(o: Overrides): string {
    const shown = [...o.sets.map((s) => `--set ${s}`), ...o.secretSets.map((s) => `--set-secret ${s.split("=")[0]!}=[secret]`)];
    return shown.length === 0 ? "" : ` (${shown.join(" ")})`;
}

/** Runs a tree's own render script; resolves with its resources.json. */
function render(tree: string, stack: string, overrides: Overrides, out: string, label: string, env: NodeJS.ProcessEnv): Promise<RenderedResource[]> {
    return new Promise((resolve, reject) => {
        const args = [
            path.join(tree, "scripts", "run.js"),
            path.join(tree, "scripts", "render.ts"),
            "--stack",
            stack,
            "--out",
            out,
            ...overrides.sets.flatMap((s) => ["--set", s]),
            ...overrides.secretSets.flatMap((s) => ["--set-secret", s]),
        ];
        const child = spawn(process.execPath, args, { cwd: tree, env, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", (e) => reject(new DiffError(`${label}: ${e.message}`)));
        child.on("close", (code) => {
            if (code !== 0) return reject(new DiffError(`${label}: render failed (exit ${String(code)}):\n${stderr.trim()}`));
            resolve(JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8")) as RenderedResource[]);
        });
    });
}

/** Where `runDiff` writes, and the directory it runs in (any directory of the repository). */
export interface DiffIo {
    cwd: string;
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    /** Environment of the renders. @default process.env */
    env?: NodeJS.ProcessEnv;
}

/** The diff command; resolves with its exit code. */
export async function runDiff(argv: string[], io: DiffIo): Promise<number> {
    const many = { type: "string", multiple: true } as const;
    const parsed = parseStackArgs(
        { stack: { type: "string" }, base: { type: "string" }, set: many, "set-secret": many, "base-set": many, "base-set-secret": many, full: { type: "boolean" } },
        USAGE,
        argv,
    );
    if ("exit" in parsed) return parsed.exit;
    const { values } = parsed;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "thanos-diff-"));
    try {
        const repo = git(io.cwd, ["rev-parse", "--show-toplevel"]);
        const baseRef = values.base ?? defaultBase(repo);
        const sha = git(repo, ["rev-parse", "--verify", `${baseRef}^{commit}`]);
        const baseTree = path.join(tmp, "base");
        fs.mkdirSync(baseTree);
        execFileSync("sh", ["-c", `git -C "${repo}" archive "${sha}" | tar -x -C "${baseTree}"`]);
        // The base tree reuses this checkout's installed dependencies.
        if (!fs.existsSync(path.join(baseTree, "node_modules"))) fs.symlinkSync(path.join(repo, "node_modules"), path.join(baseTree, "node_modules"), "dir");
        const head: Overrides = { sets: values.set ?? [], secretSets: values["set-secret"] ?? [] };
        const base: Overrides = { sets: values["base-set"] ?? [], secretSets: values["base-set-secret"] ?? [] };
        // Both renders digest secrets with one random key: equal digests, equal secrets; the key dies with this run.
        const env = { ...(io.env ?? process.env), [SECRET_DIGEST_KEY_ENV]: randomBytes(32).toString("hex") };
        const renders = [
            render(baseTree, values.stack, base, path.join(tmp, "out-base"), `base ${baseRef} (${sha.slice(0, 12)})`, env),
            render(repo, values.stack, head, path.join(tmp, "out-head"), "work tree", env),
        ];
        // The first failure is the one reported, but only once the other render has ended too: still running, it
        // would write into the temporary directory (the base tree, its output) while that is being removed.
        const [before, after] = await Promise.all(renders).finally(() => Promise.allSettled(renders));
        const d = diffRenders(before, after);
        const sides = `${baseRef} (${sha.slice(0, 12)})${describeOverrides(base)} -> work tree${describeOverrides(head)}`;
        io.stdout(`stack ${values.stack}: ${sides}\n${formatDiff(d, { full: values.full ?? false })}\n`);
        return d.added.length + d.removed.length + d.changed.length > 0 ? 1 : 0;
    } catch (e) {
        if (e instanceof DiffError) {
            io.stderr(`${e.message}\n`);
            return 2;
        }
        throw e;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

if (process.argv[1] === __filename) {
    runDiff(process.argv.slice(2), { cwd: process.cwd(), stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then(
        (code) => process.exit(code),
        (e: unknown) => {
            process.stderr.write(`diff failed unexpectedly: ${(e as Error).stack ?? String(e)}${stackTraceHint()}\n`);
            process.exit(2);
        },
    );
}
