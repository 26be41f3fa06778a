/**
 * Which file the Pulumi CLI runs as the program, and with which TypeScript settings.
 *
 * A model of the CLI's resolution, from its sources at the pinned version (the end-to-end bench proves the same
 * with the real CLI, with and without a built bin/):
 * - the engine (pkg/engine/project.go, getPwdMain): `main` is joined to the project root; a directory becomes the
 *   working directory with entry point "."; a file makes its directory the working directory and its base name
 *   the entry point;
 * - the Node.js SDK (cmd/run): it changes into that working directory; with entry point "." it looks for one in
 *   the nearest package.json, `exports["."]` (default, require, import) first, then `main`, and uses it when the file
 *   exists; the tsconfig path (runtime option `tsconfig`, default `tsconfig.json`) is read relative to the working
 *   directory, and only that file's own `compilerOptions.noCheck` decides transpile-only.
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "./support/harness";

interface ProjectFile {
    main?: string;
    runtime: { name: string; options?: { typescript?: boolean; tsconfig?: string } };
}

type Exists = (file: string) => boolean;

interface Resolution {
    readonly workingDirectory: string;
    readonly program: string;
    readonly tsconfig: string;
}

function nearestPackageJson(dir: string, exists: Exists): string {
    for (let d = dir; ; d = path.dirname(d)) {
        if (exists(path.join(d, "package.json"))) return d;
        if (path.dirname(d) === d) throw new Error(`no package.json above ${dir}`);
    }
}

function resolveProgram(root: string, project: ProjectFile, exists: Exists): Resolution {
    let pwd = root;
    let entry = ".";
    if (project.main) {
        const main = path.resolve(root, project.main);
        if (fs.statSync(main).isDirectory()) pwd = main;
        else {
            pwd = path.dirname(main);
            entry = path.basename(main);
        }
    }
    let program = path.join(pwd, entry);
    if (entry === ".") {
        const packageRoot = nearestPackageJson(pwd, exists);
        const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { main?: string; exports?: string | Record<string, string | Record<string, string>> };
        const dot = typeof pkg.exports === "object" ? pkg.exports["."] : pkg.exports;
        const candidate = typeof dot === "string" ? dot : dot ? (dot.default ?? dot.require ?? dot.import) : pkg.main;
        if (candidate && exists(path.join(packageRoot, candidate))) program = path.join(packageRoot, candidate);
    }
    return { workingDirectory: pwd, program, tsconfig: path.join(pwd, project.runtime.options?.tsconfig ?? "tsconfig.json") };
}

const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as ProjectFile;
const onDisk: Exists = (f) => fs.existsSync(f);
/** As if `npm run build:package` (or a `prepare` step) had built the component library into bin/. */
const withBuiltLibrary: Exists = (f) => f.startsWith(path.join(ROOT, "bin") + path.sep) || fs.existsSync(f);

describe("the program the Pulumi CLI runs", () => {
    it.each([
        ["as checked out", onDisk],
        ["with the component library built into bin/", withBuiltLibrary],
    ])("is infra/index.ts %s", (_label, exists) => {
        const r = resolveProgram(ROOT, project, exists);
        expect(path.relative(ROOT, r.program)).toBe(path.join("infra", "index.ts"));
    });

    it("would be the component library with `main: infra/` once bin/ exists (the trap this layout avoids)", () => {
        const r = resolveProgram(ROOT, { ...project, main: "infra/" }, withBuiltLibrary);
        expect(path.relative(ROOT, r.program)).toBe(path.join("bin", "components", "index.js"));
    });

    it("starts transpile-only from a tsconfig that exists in the working directory", () => {
        const r = resolveProgram(ROOT, project, onDisk);
        expect(project.runtime.options?.typescript).toBe(true);
        expect(fs.existsSync(r.tsconfig), `${path.relative(ROOT, r.tsconfig)} exists`).toBe(true);
        const own = JSON.parse(fs.readFileSync(r.tsconfig, "utf8")) as { compilerOptions?: { noCheck?: boolean } };
        expect(own.compilerOptions?.noCheck).toBe(true);
    });
});
