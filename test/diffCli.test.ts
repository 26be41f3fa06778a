/**
 * `npm run diff` (scripts/diff.ts) around the comparison itself: its arguments, the base it takes without
 * --base, its exit codes, the errors it reports (git's, a render's) and what it leaves behind. `runDiff` runs
 * in this process; the renders are child processes of small programs of their own.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { childEnv } from "./support/childProcess";
import { diff, git, repoWith, revParse, type DiffRun } from "./support/diffRepo";
import { ROOT } from "./support/harness";
import { tempDir } from "./support/tempDirs";

const USAGE =
    "usage: npm run diff -- --stack <name> [--base <git-ref>] [--set <key.path>=<value> ...] [--set-secret <key.path>=<value> ...] " +
    "[--base-set <key.path>=<value> ...] [--base-set-secret <key.path>=<value> ...] [--full]";

/** A program that renders one resource. */
const RENDERS = `
import * as pulumi from "@pulumi/pulumi";
new pulumi.CustomResource("test:index:Thing", "kept", {});
`;

/**
 * A program that renders one resource, 1.5 s late, and leaves a mark (the file THANOS_DIFF_TEST_MARK) when
 * it is done: slower than a render that fails at once.
 */
const RENDERS_LATE = `
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
export = new Promise<void>((resolve) =>
    setTimeout(() => {
        new pulumi.CustomResource("test:index:Thing", "kept", {});
        fs.writeFileSync(process.env["THANOS_DIFF_TEST_MARK"] ?? "", "rendered\\n");
        resolve();
    }, 1500),
);
`;

/** The render's refusal of a stack that has no stack file (only Pulumi.other.yaml). */
const NO_STACK_FILE = "render of stack 't' refused; nothing was written:\n  --stack t: no such stack file stacks/Pulumi.t.yaml (stacks: other)";

/** The files of a repository with the program `program` and no stack file for t. */
const withoutStackT = (program: string) => ({ "infra/index.ts": program, "stacks/Pulumi.other.yaml": "config: {}\n" });

/** Runs `fn` with TMPDIR (where the diff makes its temporary directory) set to a new empty directory. */
async function inOwnTmpdir<T>(fn: (tmp: string) => Promise<T>): Promise<T> {
    const tmp = tempDir("thanos-diff-tmpdir-");
    const saved = process.env["TMPDIR"];
    process.env["TMPDIR"] = tmp;
    try {
        return await fn(tmp);
    } finally {
        if (saved === undefined) delete process.env["TMPDIR"];
        else process.env["TMPDIR"] = saved;
    }
}

describe("npm run diff: arguments", () => {
    afterEach(() => {
        vi.restoreAllMocks();
    });

    /** runDiff in this process with process.stdout and process.stderr (where the argument errors go) captured. */
    async function withArgs(args: string[]): Promise<DiffRun> {
        let stdout = "";
        let stderr = "";
        vi.spyOn(process.stdout, "write").mockImplementation((t: string | Uint8Array) => ((stdout += String(t)), true));
        vi.spyOn(process.stderr, "write").mockImplementation((t: string | Uint8Array) => ((stderr += String(t)), true));
        const run = await diff(os.tmpdir(), args);
        vi.restoreAllMocks();
        return { code: run.code, stdout: stdout + run.stdout, stderr: stderr + run.stderr };
    }

    it("prints the usage on --help (exit 0) and with a bad argument (exit 2)", async () => {
        expect(await withArgs(["--help"])).toEqual({ code: 0, stdout: `${USAGE}\n`, stderr: "" });
        const bad = await withArgs(["--stack", "t", "--bogus"]);
        expect(bad.code).toBe(2);
        expect(bad.stdout).toBe("");
        expect(bad.stderr).toMatch(new RegExp(`^Unknown option '--bogus'.*\\n${USAGE.replace(/[[\].]/g, "\\$&")}\\n$`));
        expect(await withArgs([])).toEqual({ code: 2, stdout: "", stderr: `--stack is required\n${USAGE}\n` });
    });

    it("runs as a command: node scripts/run.js scripts/diff.ts", async () => {
        const cli = (...args: string[]) =>
            promisify(execFile)(process.execPath, [path.join(ROOT, "scripts", "run.js"), path.join(ROOT, "scripts", "diff.ts"), ...args], { cwd: ROOT, env: childEnv() }).then(
                (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
                (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
            );
        expect(await cli("--help")).toEqual({ code: 0, stdout: `${USAGE}\n`, stderr: "" });
        expect(await cli()).toEqual({ code: 2, stdout: "", stderr: `--stack is required\n${USAGE}\n` });
    });
});

describe("npm run diff: git errors (exit 2, git's command and message)", () => {
    it("outside a git repository", async () => {
        const dir = tempDir("thanos-diff-no-repo-");
        expect(await diff(dir, ["--stack", "t", "--base", "HEAD"])).toEqual({
            code: 2,
            stdout: "",
            stderr: "git rev-parse --show-toplevel: fatal: not a git repository (or any of the parent directories): .git\n",
        });
    });

    it("with a --base that names no commit", async () => {
        const repo = repoWith({}, [], {});
        expect(await diff(repo, ["--stack", "t", "--base", "no-such-ref"])).toEqual({
            code: 2,
            stdout: "",
            stderr: "git rev-parse --verify no-such-ref^{commit}: fatal: Needed a single revision\n",
        });
    });

    it("without --base, when there is neither a main nor an origin/main branch", async () => {
        const repo = repoWith({}, [], { branch: "trunk" });
        expect(await diff(repo, ["--stack", "t"])).toEqual({
            code: 2,
            stdout: "",
            stderr: "no --base given and no 'main' or 'origin/main' branch to take the merge-base with\n",
        });
    });
});

describe("npm run diff: the base without --base, and a failed render (exit 2, which side and its errors)", () => {
    it("is the merge-base with main; a failed base render is named by that commit", async () => {
        // main has the first commit; the branch topic one more. The work tree has a stack file for t, the
        // base does not: the base render fails.
        const repo = repoWith(withoutStackT(RENDERS), ["components", "infra"]);
        const base = revParse(repo, "main");
        git(repo, "checkout", "-qb", "topic");
        fs.writeFileSync(path.join(repo, "README"), "topic\n");
        git(repo, "add", "README");
        git(repo, "commit", "-qm", "topic");
        fs.writeFileSync(path.join(repo, "stacks", "Pulumi.t.yaml"), "config: {}\n");
        expect(await diff(repo, ["--stack", "t"])).toEqual({ code: 2, stdout: "", stderr: `base ${base} (${base.slice(0, 12)}): render failed (exit 2):\n${NO_STACK_FILE}\n` });
    });

    it("is the merge-base with origin/main when there is no main", async () => {
        const repo = repoWith(withoutStackT(RENDERS), ["components", "infra"], { branch: "trunk" });
        const base = revParse(repo, "HEAD");
        git(repo, "update-ref", "refs/remotes/origin/main", "HEAD");
        fs.writeFileSync(path.join(repo, "README"), "trunk\n");
        git(repo, "add", "README");
        git(repo, "commit", "-qm", "trunk");
        fs.writeFileSync(path.join(repo, "stacks", "Pulumi.t.yaml"), "config: {}\n");
        expect(await diff(repo, ["--stack", "t"])).toEqual({ code: 2, stdout: "", stderr: `base ${base} (${base.slice(0, 12)}): render failed (exit 2):\n${NO_STACK_FILE}\n` });
    });

    it("names a failed render of the work tree as such, once the base render has ended, and leaves nothing behind", async () => {
        // The base has a stack file for t and renders it late; the work tree has deleted the stack file.
        const repo = repoWith({ ...withoutStackT(RENDERS_LATE), "stacks/Pulumi.t.yaml": "config: {}\n" }, ["components", "infra"]);
        fs.rmSync(path.join(repo, "stacks", "Pulumi.t.yaml"));
        const mark = path.join(repo, "base-rendered");
        await inOwnTmpdir(async (tmp) => {
            expect(await diff(repo, ["--stack", "t", "--base", "HEAD"], { THANOS_DIFF_TEST_MARK: mark })).toEqual({ code: 2, stdout: "", stderr: `work tree: render failed (exit 2):\n${NO_STACK_FILE}\n` });
            // The base render (in the temporary directory) ran to its end before that directory was removed.
            expect(fs.existsSync(mark)).toBe(true);
            expect(fs.readdirSync(tmp)).toEqual([]);
        });
    });
});

describe("npm run diff: a rename, with --set and an environment of its own", () => {
    // The base has Thing::old, the work tree Thing::new instead: one removed, one added, nothing changed.
    // Thing::kept is the same on both sides only if the work tree's render got the --set value and the
    // environment given to runDiff. The base commit carries its own node_modules (the symlink).
    const BASE = `
import * as pulumi from "@pulumi/pulumi";
new pulumi.CustomResource("test:index:Thing", "old", {});
new pulumi.CustomResource("test:index:Thing", "kept", { level: "debug", from: "io.env" });
`;
    const HEAD = `
import * as pulumi from "@pulumi/pulumi";
new pulumi.CustomResource("test:index:Thing", "new", {});
new pulumi.CustomResource("test:index:Thing", "kept", { level: new pulumi.Config("thanos-stack").require("level"), from: process.env["THANOS_DIFF_TEST_FROM"] ?? "process.env" });
`;
    let repo: string;
    let tmp: string;
    let result: DiffRun;
    beforeAll(async () => {
        repo = repoWith({ "infra/index.ts": BASE, "stacks/Pulumi.t.yaml": "config:\n  thanos-stack:level: info\n" }, ["components", "infra"], { commitNodeModules: true });
        fs.writeFileSync(path.join(repo, "infra", "index.ts"), HEAD);
        result = await inOwnTmpdir(async (dir) => {
            tmp = dir;
            return diff(repo, ["--stack", "t", "--base", "HEAD", "--set", "level=debug"], { THANOS_DIFF_TEST_FROM: "io.env" });
        });
    });

    it("exits 1 for one object removed and one added", () => {
        const sha = revParse(repo, "HEAD");
        expect(result).toEqual({
            code: 1,
            stdout: [`stack t: HEAD (${sha.slice(0, 12)}) -> work tree (--set level=debug)`, "+ test:index:Thing::new", "- test:index:Thing::old", "1 added, 1 removed, 0 changed, 2 unchanged (3 resources after the change)", ""].join("\n"),
            stderr: "",
        });
    });

    it("leaves nothing in the temporary directory", () => {
        expect(fs.readdirSync(tmp)).toEqual([]);
    });
});

describe("npm run diff: overrides preview a change on one side only", () => {
    // One program on both sides; what differs is the configuration each render gets.
    const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
const config = new pulumi.Config("thanos-stack");
new pulumi.CustomResource("test:index:Thing", "kept", { level: config.require("level"), token: config.getSecret("token") ?? "none" });
`;
    let repo: string;
    beforeAll(() => {
        repo = repoWith({ "infra/index.ts": PROGRAM, "stacks/Pulumi.t.yaml": "config:\n  thanos-stack:level: info\n" }, ["components", "infra"]);
    });

    it("--set changes the work tree's render only: the diff shows the change it would make", async () => {
        const r = await diff(repo, ["--stack", "t", "--base", "HEAD", "--set", "level=debug"]);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stdout).toMatch(/^stack t: HEAD \([0-9a-f]{12}\) -> work tree \(--set level=debug\)\n/);
        expect(r.stdout).toContain('~ test:index:Thing::kept\n    inputs.level: "info" -> "debug"\n');
    });

    it("--base-set changes the base's render only", async () => {
        const r = await diff(repo, ["--stack", "t", "--base", "HEAD", "--base-set", "level=warn"]);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stdout).toMatch(/^stack t: HEAD \([0-9a-f]{12}\) \(--set level=warn\) -> work tree\n/);
        expect(r.stdout).toContain('    inputs.level: "warn" -> "info"\n');
    });

    it("the same override on both sides is no change", async () => {
        const r = await diff(repo, ["--stack", "t", "--base", "HEAD", "--set", "level=debug", "--base-set", "level=debug"]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain("\nno changes\n");
    });

    it("--set-secret reaches the render as a secret, and its value is shown nowhere", async () => {
        const r = await diff(repo, ["--stack", "t", "--base", "HEAD", "--set-secret", "token=s3cr3t-value"]);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stdout).toMatch(/-> work tree \(--set-secret token=\[secret\]\)\n/);
        expect(r.stdout).toContain('    inputs.token: "none" -> "[secret]"\n');
        expect(r.stdout).not.toContain("s3cr3t");
        const back = await diff(repo, ["--stack", "t", "--base", "HEAD", "--base-set-secret", "token=s3cr3t-value"]);
        expect(back.stdout).toMatch(/\(--set-secret token=\[secret\]\) -> work tree\n/);
        expect(back.stdout).toContain('    inputs.token: "[secret]" -> "none"\n');
        expect(back.stdout).not.toContain("s3cr3t");
    });
});
