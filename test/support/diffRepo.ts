/**
 * Temporary git repositories for the tests of `npm run diff` (scripts/diff.ts), which run its `runDiff` in this
 * process (so that a mutation run counts what they cover) while the renders it starts are child processes.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { runDiff } from "../../scripts/diff";
import { childEnv } from "./childProcess";
import { ROOT } from "./harness";
import { tempDir } from "./tempDirs";

/** Runs git in `repo` as a test user, quietly. */
export function git(repo: string, ...args: string[]): void {
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", ...args], { cwd: repo, stdio: "ignore" });
}

/** The commit `ref` names in `repo`. */
export function revParse(repo: string, ref: string): string {
    return execFileSync("git", ["rev-parse", ref], { cwd: repo, encoding: "utf8" }).trim();
}

/** How {@link repoWith} sets up the repository. */
export interface RepoOptions {
    /** The branch of the first commit. @default "main" */
    branch?: string;
    /** Commit the node_modules symlink instead of ignoring it. @default false */
    commitNodeModules?: boolean;
}

/** A repository with the project's scripts, the given files, and the project's dependencies; one commit. */
export function repoWith(files: Record<string, string>, copy: string[] = [], opts: RepoOptions = {}): string {
    const repo = tempDir("thanos-diff-worktree-");
    // The configuration checks Thanos flags with the policy pack's checker: infra/ needs policy/ beside it.
    const dirs = copy.includes("infra") && !copy.includes("policy") ? [...copy, "policy"] : copy;
    for (const p of ["scripts", "package.json", ...dirs]) fs.cpSync(path.join(ROOT, p), path.join(repo, p), { recursive: true });
    for (const [p, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(repo, p)), { recursive: true });
        fs.writeFileSync(path.join(repo, p), text);
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"), "dir");
    fs.writeFileSync(path.join(repo, ".gitignore"), opts.commitNodeModules ? "out\n" : "node_modules\nout\n");
    git(repo, "init", "-q", "-b", opts.branch ?? "main");
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", "base");
    return repo;
}

/** What one `npm run diff` wrote, and its exit code. */
export interface DiffRun {
    code: number;
    stdout: string;
    stderr: string;
}

/** `npm run diff -- <args>` in `cwd`, in this process; the renders get the test's environment plus `env`. */
export async function diff(cwd: string, args: string[], env: Record<string, string> = {}): Promise<DiffRun> {
    let stdout = "";
    let stderr = "";
    const code = await runDiff(args, { cwd, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: childEnv(env) });
    return { code, stdout, stderr };
}
