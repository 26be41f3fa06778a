/**
 * The policy pack under the bench's engine. The Node.js language host the bench can build (v3.68, see
 * e2e/tools/versions.ts) predates the RunPlugin call through which newer CLIs start a policy pack, so the CLI
 * reports "not supported" for `--policy-pack policy`. The CLI's other path starts a pack whose runtime has no
 * language host through an analyzer plugin `pulumi-analyzer-policy-<runtime>`, given the engine's address and
 * the pack directory; that plugin is a one-line launcher of `@pulumi/pulumi/cmd/run-policy-pack`, the same
 * entry point (and the same ts-node type-check) the language host uses. So the bench runs the unchanged pack —
 * every file a symlink to `policy/` — from a directory whose PulumiPolicy.yaml names a runtime of its own, with
 * that launcher on the PATH.
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./paths";

/** The runtime name the bench's copy of the pack declares (no language host has it). */
export const BENCH_POLICY_RUNTIME = "nodejs-bench";

export interface BenchPolicyPack {
    /** The pack directory to pass to `--policy-pack`. */
    dir: string;
    /** Directory holding the analyzer launcher, to put first on the PATH. */
    binDir: string;
}

/** Lays out the pack and its launcher under `root` (idempotent). */
export function benchPolicyPack(root: string): BenchPolicyPack {
    const source = path.join(REPO_ROOT, "policy");
    const dir = path.join(root, "policy-pack");
    const binDir = path.join(root, "policy-bin");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    for (const entry of fs.readdirSync(source)) {
        if (entry !== "PulumiPolicy.yaml") fs.symlinkSync(path.join(source, entry), path.join(dir, entry));
    }
    const manifest = fs.readFileSync(path.join(source, "PulumiPolicy.yaml"), "utf8");
    if (!/^\s+name: nodejs\s*$/m.test(manifest)) throw new Error(`policy/PulumiPolicy.yaml: expected "runtime: name: nodejs", got:\n${manifest}`);
    fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), manifest.replace(/^(\s+name: )nodejs\s*$/m, `$1${BENCH_POLICY_RUNTIME}`));
    fs.mkdirSync(binDir, { recursive: true });
    const launcher = path.join(binDir, `pulumi-analyzer-policy-${BENCH_POLICY_RUNTIME}`);
    const entry = path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
    fs.writeFileSync(launcher, `#!/bin/sh\nexec node "${entry}" "$@"\n`, { mode: 0o755 });
    return { dir, binDir };
}
