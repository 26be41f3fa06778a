/**
 * The package as a consumer installs it: a tarball from `npm pack` (what the registry installs, built by
 * `prepare`), a path install (a symlink to this checkout, built by `prepare` on its `npm ci`) and a git URL (npm
 * clones the committed tree, installs its dependencies, runs `prepare` and installs the result with the
 * consumer's own dependencies from the registry). A consumer program typechecks against the installed
 * declarations through package.json `exports` and loads the compiled JavaScript; `thanos-stack/teams` loads
 * without the AWS SDK.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./support/harness";

/** What the consumer's own package.json would install beside the package (resolved from this checkout). */
const DEPENDENCIES = ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/aws", "kubernetes-types", "yaml", "zod", "@lezer/common", "@prometheus-io/lezer-promql", "@types/node"];

const CONSUMER = `import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/kubernetes/provider";
import { ThanosStack, VERSIONS } from "thanos-stack";
import { ServiceMonitor, type ServiceMonitorArgs } from "thanos-stack/teams";

const kubernetes = new Provider("k", { kubeconfig: new pulumi.Config().require("kubeconfig") });
const monitor: ServiceMonitorArgs = { namespace: "team", selector: { matchLabels: { app: "api" } }, endpoints: [{ port: "metrics" }] };
new ServiceMonitor("api", monitor, { providers: { kubernetes } });
export const thanos: string = VERSIONS.thanos;
export const component: typeof ThanosStack = ThanosStack;
`;

/** A consumer directory whose node_modules holds the package (by `install`) and the dependencies, minus `without`. */
function consumer(dir: string, install: (modules: string) => void, without: string[] = []): string {
    const modules = path.join(dir, "node_modules");
    fs.mkdirSync(modules, { recursive: true });
    for (const dep of DEPENDENCIES.filter((d) => !without.includes(d))) {
        fs.mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
        fs.symlinkSync(path.join(ROOT, "node_modules", dep), path.join(modules, dep), "dir");
    }
    install(modules);
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    fs.writeFileSync(path.join(dir, "index.ts"), CONSUMER);
    return dir;
}

/** tsc diagnostics of the consumer, resolving packages like Node does (exports, subpaths). */
function typecheck(dir: string): string {
    const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, skipLibCheck: true, types: ["node"] };
    const program = ts.createProgram({ rootNames: [path.join(dir, "index.ts")], options });
    const diagnostics = ts.getPreEmitDiagnostics(program);
    return ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => "\n" });
}

/** Runs a script in the consumer and returns its output. */
function node(dir: string, script: string): string {
    return execFileSync(process.execPath, ["-e", script], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

let tmp: string;
let tarball: string;

beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "thanos-stack-install-"));
    // `npm pack` runs `prepare` (the package build) first, as a publish or a git install would.
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", tmp], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const [packed] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = path.join(tmp, packed!.filename);
}, 180_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("installing the package", () => {
    it("the tarball carries the compiled package and its declarations, root and teams", () => {
        const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
        for (const f of ["package/bin/components/index.js", "package/bin/components/index.d.ts", "package/bin/components/teams/index.js", "package/bin/components/teams/index.d.ts", "package/package.json"]) expect(listing).toContain(f);
        expect(listing.some((f) => f.startsWith("package/test/") || f.startsWith("package/infra/"))).toBe(false);
    });

    it("from a tarball: a consumer program typechecks and loads", () => {
        const dir = consumer(path.join(tmp, "from-tarball"), (modules) => {
            const into = path.join(modules, "thanos-stack");
            fs.mkdirSync(into);
            execFileSync("tar", ["-xzf", tarball, "-C", into, "--strip-components=1"]);
        });
        expect(typecheck(dir)).toBe("");
        expect(node(dir, 'const t = require("thanos-stack"); const teams = require("thanos-stack/teams"); console.log(typeof t.ThanosStack, typeof teams.ServiceMonitor, t.ServiceMonitor === teams.ServiceMonitor)')).toBe("function function true");
    });

    it("from a path (npm install <path> links this checkout): a consumer program typechecks and loads", () => {
        const dir = consumer(path.join(tmp, "from-path"), (modules) => fs.symlinkSync(ROOT, path.join(modules, "thanos-stack"), "dir"));
        expect(typecheck(dir)).toBe("");
        expect(node(dir, 'console.log(typeof require("thanos-stack/teams").PrometheusRule)')).toBe("function");
    });

    it("from a git URL (npm install git+file://...): npm builds the package and a consumer program typechecks and loads", () => {
        const repo = path.join(tmp, "repo.git");
        // What a git URL installs is the committed tree: a bare clone of this checkout's HEAD.
        execFileSync("git", ["clone", "--quiet", "--bare", ROOT, repo]);
        const dir = path.join(tmp, "from-git");
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
        execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", `git+file://${repo}`, "@types/node@20"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
        expect(fs.existsSync(path.join(dir, "node_modules", "thanos-stack", "bin", "components", "index.d.ts"))).toBe(true);
        fs.writeFileSync(path.join(dir, "index.ts"), CONSUMER);
        expect(typecheck(dir)).toBe("");
        expect(node(dir, 'const t = require("thanos-stack"); console.log(typeof t.ThanosStack, typeof require("thanos-stack/teams").PodMonitor)')).toBe("function function");
    }, 300_000);

    it("thanos-stack/teams needs no AWS SDK; the package root does", () => {
        const dir = consumer(
            path.join(tmp, "teams-only"),
            (modules) => {
                const into = path.join(modules, "thanos-stack");
                fs.mkdirSync(into);
                execFileSync("tar", ["-xzf", tarball, "-C", into, "--strip-components=1"]);
            },
            ["@pulumi/aws"],
        );
        expect(node(dir, 'require("thanos-stack/teams"); console.log(Object.keys(require.cache).filter((k) => k.includes("@pulumi/aws")).length)')).toBe("0");
        expect(() => node(dir, 'require("thanos-stack")')).toThrow(/Cannot find module '@pulumi\/aws\//);
    });
});
