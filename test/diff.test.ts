import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { diffRenders, fieldChanges, formatDiff } from "../scripts/lib/diff";
import { ROOT } from "./support/harness";
import { res } from "./support/renderedResource";
import { tempDir } from "./support/tempDirs";

const run = promisify(execFile);


describe("render diff", () => {
    it("reports added, removed and changed resources with field paths", () => {
        const base = [res("a", { spec: { replicas: 1, args: ["x", "y"] } }), res("gone", {})];
        const head = [res("a", { spec: { replicas: 2, args: ["x"] }, extra: "[secret]" }), res("new", {})];
        const d = diffRenders(base, head);
        expect(d.added.map((r) => r.name)).toEqual(["new"]);
        expect(d.removed.map((r) => r.name)).toEqual(["gone"]);
        expect(d.changed[0]?.changes).toEqual([
            { path: "inputs.extra", before: undefined, after: "[secret]" },
            { path: "inputs.spec.args[1]", before: "y", after: undefined },
            { path: "inputs.spec.replicas", before: 1, after: 2 },
        ]);
        const text = formatDiff(d);
        expect(text).toContain("+ kubernetes:apps/v1:Deployment::new");
        expect(text).toContain("- kubernetes:apps/v1:Deployment::gone");
        expect(text).toContain("    inputs.spec.replicas: 1 -> 2");
        expect(text.split("\n").pop()).toBe("1 added, 1 removed, 1 changed, 0 unchanged (2 resources after the change)");
    });

    it("finds nothing between equal renders", () => {
        expect(fieldChanges({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
        expect(formatDiff(diffRenders([res("a", { x: 1 })], [res("a", { x: 1 })]))).toMatch(/^no changes\n0 added, 0 removed, 0 changed, 1 unchanged/);
    });
});

describe("render diff: paths and lines", () => {
    it("writes a key that is not an identifier in brackets, as a JSON string", () => {
        const before = { metadata: { labels: { "app.kubernetes.io/name": "a", "9lives": "x", plain_key: 1 } } };
        const after = { metadata: { labels: { "app.kubernetes.io/name": "b", "9lives": "y", plain_key: 2 } } };
        expect(fieldChanges(before, after, "inputs").map((c) => c.path)).toEqual([
            'inputs.metadata.labels["9lives"]',
            'inputs.metadata.labels["app.kubernetes.io/name"]',
            "inputs.metadata.labels.plain_key",
        ]);
    });

    it("cuts a value longer than 160 characters to 157 and an ellipsis, and leaves one of 160 whole", () => {
        // JSON of a string of n characters is n + 2 characters (the quotes).
        const at160 = "x".repeat(158);
        const longer = "y".repeat(300);
        const text = formatDiff(diffRenders([res("a", { v: at160, w: "a" })], [res("a", { v: "short", w: longer })]));
        expect(text).toContain(`    inputs.v: ${JSON.stringify(at160)} -> "short"`);
        expect(text).toContain(`    inputs.w: "a" -> "${"y".repeat(156)}...`);
        const wLine = text.split("\n").find((l) => l.startsWith("    inputs.w: "))!;
        expect(wLine.length).toBe("    inputs.w: ".length + '"a" -> '.length + 160);
    });

    it("marks a changed secret only when both sides are secrets, and never shows a secret's value", () => {
        const text = formatDiff(
            diffRenders(
                [res("a", { both: "[secret 0123456789abcdef]", toPlain: "[secret]", fromPlain: "visible" })],
                [res("a", { both: "[secret fedcba9876543210]", toPlain: "visible", fromPlain: "[secret]" })],
            ),
        );
        expect(text).toContain('    inputs.both: "[secret]" -> "[secret]" (secret changed)');
        expect(text).toContain('    inputs.toPlain: "[secret]" -> "visible"\n');
        expect(text).toContain('    inputs.fromPlain: "visible" -> "[secret]"\n');
        expect(text).not.toContain("0123456789abcdef");
    });

    it('says "no changes" only when there are none', () => {
        const text = formatDiff(diffRenders([res("a", { x: 1 })], [res("a", { x: 2 })]));
        expect(text).not.toContain("no changes");
        expect(text.split("\n")[0]).toBe("~ kubernetes:apps/v1:Deployment::a");
    });
});

describe("npm run diff between two commits of a temporary repo", () => {
    it("exits 1 with the change, 0 without, 2 on a bad ref", async () => {
        const repo = tempDir("thanos-diff-repo-");
        // From the repository's top level: in Stryker's sandbox (an ignored directory of the work tree), `git
        // archive` refuses to run from an untracked directory.
        const top = execFileSync("git", ["-C", ROOT, "rev-parse", "--show-toplevel"], { encoding: "utf8" }).trim();
        execFileSync("sh", ["-c", `git -C "${top}" archive HEAD | tar -x -C "${repo}"`]);
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"), "dir");
        const g = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repo, stdio: "ignore" });
        g("init", "-q", "-b", "main");
        g("add", "-A");
        g("commit", "-qm", "base");
        const stackFile = path.join(repo, "stacks", "Pulumi.local.yaml");
        const doc = parseDocument(fs.readFileSync(stackFile, "utf8"));
        doc.setIn(["config", "thanos-stack:namespace"], "metrics");
        fs.writeFileSync(stackFile, doc.toString());
        g("commit", "-qam", "move to the metrics namespace");

        const diff = (...args: string[]) =>
            run(process.execPath, [path.join(repo, "scripts", "run.js"), path.join(repo, "scripts", "diff.ts"), ...args], { cwd: repo }).then(
                (r) => ({ code: 0, ...r }),
                (e: { code: number; stdout: string; stderr: string }) => e,
            );
        const [changed, same, bad] = await Promise.all([diff("--stack", "local", "--base", "HEAD~1"), diff("--stack", "local", "--base", "HEAD"), diff("--stack", "local", "--base", "no-such-ref")]);
        expect(changed.code, changed.stderr).toBe(1);
        expect(changed.stdout).toMatch(/~ kubernetes:core\/v1:Namespace::thanos-namespace\n {4}inputs\.metadata\.name: "monitoring" -> "metrics"/);
        expect(changed.stdout).toMatch(/\d+ added, \d+ removed, [1-9]\d* changed/);
        expect(same.code, same.stderr).toBe(0);
        expect(same.stdout).toContain("no changes");
        expect(bad.code).toBe(2);
        expect(bad.stderr).toMatch(/no-such-ref/);
    });
});

