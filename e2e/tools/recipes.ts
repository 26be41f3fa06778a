/**
 * How each tool of the bench is obtained: a Go module built from the module proxy, or Debian packages.
 *
 * A recipe names its inputs (module, packages, tags, ldflags); the builder keys the cache on them, so changing a
 * recipe rebuilds that tool and nothing else. Where upstream's go.mod replaces a module with a local directory
 * that the module zip does not contain, the recipe builds inside a writable copy of the module and points the
 * replacement at the published module instead (Go's own module cache stays the only source).
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { GO_MODULES, TOOL_VERSIONS, DEBIAN_PACKAGES, KUBE_ROUTER_DEPENDENCY_FLOORS, type GoModule } from "./versions";
import { REPO_ROOT, venvDir } from "../lib/paths";

/** What a recipe may do while it builds; provided by the builder. */
export interface BuildContext {
    /** `<tool dir>/bin`, where the recipe puts executables. */
    readonly binDir: string;
    /** `<tool dir>/share`, for data files (CRDs, ...). */
    readonly shareDir: string;
    /** A scratch directory, empty at the start and removed after success. */
    readonly workDir: string;
    /** Runs a command, logging its output to the tool's build log. */
    exec(command: string, args: readonly string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<void>;
    /** Runs a command and returns its stdout. */
    output(command: string, args: readonly string[], options?: { cwd?: string }): Promise<string>;
    /** The go command's environment for reproducible, static builds. */
    readonly goEnv: NodeJS.ProcessEnv;
    step(message: string): void;
}

export interface Recipe {
    readonly name: string;
    readonly version: string;
    /** Executables the recipe leaves in `bin/`; the builder checks they exist. */
    readonly binaries: readonly string[];
    /** Everything that should force a rebuild when it changes. */
    readonly key: unknown;
    build(ctx: BuildContext): Promise<void>;
}

/** `-X` flags setting Prometheus' common version variables (what `--version` prints). */
function promVersionFlags(version: string): string[] {
    const v = version.replace(/^v/, "");
    return [`-X github.com/prometheus/common/version.Version=${v}`, "-X github.com/prometheus/common/version.Branch=HEAD", "-X github.com/prometheus/common/version.BuildUser=thanos-stack-bench"];
}

/** The module's directory in Go's module cache (downloaded on first use). */
async function moduleDir(ctx: BuildContext, mod: GoModule): Promise<string> {
    const json = await ctx.output("go", ["mod", "download", "-json", `${mod.path}@${mod.version}`]);
    const info = JSON.parse(json) as { Dir?: string; Error?: string };
    if (!info.Dir) throw new Error(`go mod download ${mod.path}@${mod.version}: ${info.Error ?? "no Dir"}`);
    return info.Dir;
}

/** A writable copy of a module (the module cache is read-only), in the work directory. */
async function writableCopy(ctx: BuildContext, mod: GoModule): Promise<string> {
    const src = await moduleDir(ctx, mod);
    const dest = path.join(ctx.workDir, "src");
    ctx.step(`copy ${mod.path}@${mod.version} to a writable tree`);
    await ctx.exec("cp", ["-r", src, dest]);
    await ctx.exec("chmod", ["-R", "u+w", dest]);
    return dest;
}

interface GoBuildOptions {
    readonly tags?: readonly string[];
    readonly ldflags?: readonly string[];
    readonly env?: NodeJS.ProcessEnv;
}

async function goBuild(ctx: BuildContext, cwd: string, pkg: string, out: string, options: GoBuildOptions = {}): Promise<void> {
    const args = ["build", "-trimpath", "-o", path.join(ctx.binDir, out)];
    if (options.tags?.length) args.push("-tags", options.tags.join(","));
    args.push(`-ldflags=-s -w ${(options.ldflags ?? []).join(" ")}`.trim());
    args.push(pkg);
    ctx.step(`go build ${pkg} -> bin/${out}`);
    await ctx.exec("go", args, { cwd, env: { ...ctx.goEnv, ...options.env } });
}

/** A throwaway main module that requires the given modules, so their commands can be built from the proxy. */
async function throwawayModule(ctx: BuildContext, requires: readonly GoModule[], imports: readonly string[]): Promise<string> {
    const dir = path.join(ctx.workDir, "throwaway");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "go.mod"), `module thanos-stack.local/bench-tools\n\ngo 1.26\n`);
    fs.writeFileSync(path.join(dir, "tools.go"), `//go:build tools\n\npackage tools\n\nimport (\n${imports.map((i) => `\t_ "${i}"\n`).join("")})\n`);
    await ctx.exec("go", ["get", ...requires.map((mod) => `${mod.path}@${mod.version}`)], { cwd: dir, env: ctx.goEnv });
    await ctx.exec("go", ["mod", "tidy"], { cwd: dir, env: { ...ctx.goEnv, GOFLAGS: "-tags=tools" } });
    return dir;
}

/** Straight `go build` of a module's command inside a writable copy of the module (its go.mod decides every dependency). */
function inModule(name: string, version: string, mod: GoModule, commands: Readonly<Record<string, string>>, options: GoBuildOptions & { prepare?: (ctx: BuildContext, dir: string) => Promise<void> } = {}): Recipe {
    return {
        name,
        version,
        binaries: Object.keys(commands),
        key: { mod, commands, tags: options.tags, ldflags: options.ldflags, prepare: options.prepare?.toString() },
        async build(ctx) {
            const dir = await writableCopy(ctx, mod);
            await options.prepare?.(ctx, dir);
            for (const [out, pkg] of Object.entries(commands)) await goBuild(ctx, dir, pkg, out, options);
        },
    };
}

const pulumiVersionFlag = (v: string): string => `-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${v}`;

const KUBE_COMMANDS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl"] as const;

export const RECIPES: readonly Recipe[] = [
    {
        name: "debian",
        version: "bookworm",
        binaries: [],
        key: DEBIAN_PACKAGES,
        async build(ctx) {
            const missing = DEBIAN_PACKAGES.filter((p) => !/install ok installed/.test(dpkgStatus(p)));
            if (missing.length === 0) return ctx.step("all Debian packages already installed");
            ctx.step(`apt-get install ${missing.join(" ")}`);
            const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
            await ctx.exec("apt-get", ["update", "-qq"], { env });
            await ctx.exec("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { env });
        },
    },
    {
        name: "pulumi",
        version: TOOL_VERSIONS.pulumi,
        binaries: ["pulumi", "pulumi-resource-pulumi-nodejs"],
        key: { pkg: GO_MODULES.pulumiPkg, sdk: GO_MODULES.pulumiSdk },
        async build(ctx) {
            const dir = await writableCopy(ctx, GO_MODULES.pulumiPkg);
            // pkg/go.mod replaces the SDK with `../sdk`, which the module zip does not hold: use the published SDK.
            await ctx.exec("go", ["mod", "edit", `-dropreplace=${GO_MODULES.pulumiSdk.path}`, `-require=${GO_MODULES.pulumiSdk.path}@${GO_MODULES.pulumiSdk.version}`], { cwd: dir, env: ctx.goEnv });
            await goBuild(ctx, dir, "./cmd/pulumi", "pulumi", { ldflags: [pulumiVersionFlag(TOOL_VERSIONS.pulumi)] });
            // The dynamic-provider shim is a shell script shipped in the SDK module.
            const sdk = await moduleDir(ctx, GO_MODULES.pulumiSdk);
            const shim = path.join(ctx.binDir, "pulumi-resource-pulumi-nodejs");
            fs.copyFileSync(path.join(sdk, "nodejs", "dist", "pulumi-resource-pulumi-nodejs"), shim);
            fs.chmodSync(shim, 0o755);
        },
    },
    inModule("pulumi-language-nodejs", TOOL_VERSIONS.pulumiLanguageNodejs, GO_MODULES.pulumiLanguageNodejs, { "pulumi-language-nodejs": "./nodejs/cmd/pulumi-language-nodejs" }, { ldflags: [pulumiVersionFlag(TOOL_VERSIONS.pulumiLanguageNodejs)] }),
    inModule("pulumi-language-python", TOOL_VERSIONS.pulumiLanguagePython, GO_MODULES.pulumiLanguagePython, { "pulumi-language-python": "./python/cmd/pulumi-language-python" }, {
        ldflags: [pulumiVersionFlag(TOOL_VERSIONS.pulumiLanguagePython)],
        async prepare(ctx, dir) {
            // The host runs programs through this script, which it looks for next to its own binary.
            fs.copyFileSync(path.join(dir, "python", "cmd", "pulumi-language-python-exec"), path.join(ctx.binDir, "pulumi-language-python-exec"));
            fs.chmodSync(path.join(ctx.binDir, "pulumi-language-python-exec"), 0o755);
        },
    }),
    {
        // The SDK generator (e2e/tools/sdkgen): the Python and Go code generators of the pinned CLI's module.
        name: "pulumi-sdkgen",
        version: TOOL_VERSIONS.pulumi,
        binaries: ["sdkgen"],
        key: { pkg: GO_MODULES.pulumiPkg, source: treeHash(path.join(REPO_ROOT, "e2e", "tools", "sdkgen")) },
        async build(ctx) {
            await goBuild(ctx, path.join(REPO_ROOT, "e2e", "tools", "sdkgen"), ".", "sdkgen");
        },
    },
    // Python programs of the component package: the Pulumi SDK, the Kubernetes provider's SDK, mypy, and what builds the
    // generated SDK. Not `python3` in bin/: every tool's bin/ is on the bench's PATH, and the system's python3 must stay the default.
    venvRecipe("pulumi-python", TOOL_VERSIONS.pulumi, pythonRequirements(), (venv, bin) => {
        fs.writeFileSync(path.join(bin, "pulumi-python"), `#!/bin/sh\nexec ${path.join(venv, "bin", "python3")} "$@"\n`, { mode: 0o755 });
        fs.symlinkSync(path.join(venv, "bin", "mypy"), path.join(bin, "mypy"));
    }, ["pulumi-python", "mypy"]),
    inModule("pulumi-resource-kubernetes", TOOL_VERSIONS.pulumiKubernetes, GO_MODULES.pulumiKubernetes, { "pulumi-resource-kubernetes": "./cmd/pulumi-resource-kubernetes" }, {
        ldflags: [`-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${TOOL_VERSIONS.pulumiKubernetes}`],
        async prepare(ctx, dir) {
            // provider/go.mod replaces the SDK with `../sdk` (not in the zip); the published SDK of the same release is used.
            await ctx.exec("go", ["mod", "edit", "-dropreplace=github.com/pulumi/pulumi-kubernetes/sdk/v4", `-require=github.com/pulumi/pulumi-kubernetes/sdk/v4@v${TOOL_VERSIONS.pulumiKubernetes}`], { cwd: dir, env: ctx.goEnv });
            // schema-embed.json (gitignored upstream) is generated from schema.json with the release version.
            ctx.step("go generate the embedded provider schema");
            await ctx.exec("go", ["run", "./generate.go"], { cwd: path.join(dir, "cmd", "pulumi-resource-kubernetes"), env: { ...ctx.goEnv, VERSION: TOOL_VERSIONS.pulumiKubernetes } });
        },
    }),
    {
        name: "kubernetes",
        version: TOOL_VERSIONS.kubernetes,
        binaries: KUBE_COMMANDS,
        key: { mod: GO_MODULES.kubernetes, commands: KUBE_COMMANDS },
        async build(ctx) {
            const dir = await writableCopy(ctx, GO_MODULES.kubernetes);
            // The staging modules (./staging/src/k8s.io/*) are not in the module zip; each is published as v0.<minor>.<patch>.
            const staging = `v0.${TOOL_VERSIONS.kubernetes.replace(/^v1\./, "")}`;
            const goMod = JSON.parse(await ctx.output("go", ["mod", "edit", "-json"], { cwd: dir })) as { Replace?: { Old: { Path: string }; New: { Path: string } }[] };
            const edits = (goMod.Replace ?? []).filter((r) => r.New.Path.startsWith("./staging/")).map((r) => `-replace=${r.Old.Path}=${r.Old.Path}@${staging}`);
            ctx.step(`point ${edits.length} staging modules at their published ${staging}`);
            await ctx.exec("go", ["mod", "edit", ...edits], { cwd: dir, env: ctx.goEnv });
            const [major, minor] = TOOL_VERSIONS.kubernetes.replace(/^v/, "").split(".");
            const ldflags = ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"].flatMap((p) => [
                `-X ${p}.gitVersion=${TOOL_VERSIONS.kubernetes}`,
                `-X ${p}.gitMajor=${major}`,
                `-X ${p}.gitMinor=${minor}`,
                `-X ${p}.gitTreeState=clean`,
                `-X ${p}.buildDate=1970-01-01T00:00:00Z`,
            ]);
            for (const cmd of KUBE_COMMANDS) await goBuild(ctx, dir, `./cmd/${cmd}`, cmd, { ldflags });
        },
    },
    {
        name: "etcd",
        version: TOOL_VERSIONS.etcd,
        binaries: ["etcd"],
        key: GO_MODULES.etcd,
        async build(ctx) {
            // server/go.mod replaces its sibling modules with ../api etc.: a throwaway module takes the published ones.
            const dir = await throwawayModule(ctx, [GO_MODULES.etcd], [GO_MODULES.etcd.path]);
            await goBuild(ctx, dir, GO_MODULES.etcd.path, "etcd");
        },
    },
    inModule("coredns", TOOL_VERSIONS.coredns, GO_MODULES.coredns, { coredns: "." }),
    {
        name: "kube-router",
        version: TOOL_VERSIONS.kubeRouter,
        binaries: ["kube-router"],
        key: { mod: GO_MODULES.kubeRouter, floors: KUBE_ROUTER_DEPENDENCY_FLOORS },
        async build(ctx) {
            const cmd = `${GO_MODULES.kubeRouter.path}/cmd/kube-router`;
            const dir = await throwawayModule(ctx, [GO_MODULES.kubeRouter, ...KUBE_ROUTER_DEPENDENCY_FLOORS], [cmd]);
            await goBuild(ctx, dir, cmd, "kube-router", { ldflags: [`-X ${GO_MODULES.kubeRouter.path}/pkg/version.Version=${TOOL_VERSIONS.kubeRouter}`] });
        },
    },
    inModule("versitygw", TOOL_VERSIONS.versitygw, GO_MODULES.versitygw, { versitygw: "./cmd/versitygw" }),
    inModule("thanos", TOOL_VERSIONS.thanos, GO_MODULES.thanos, { thanos: "./cmd/thanos" }, { tags: ["netgo", "slicelabels"], ldflags: promVersionFlags(TOOL_VERSIONS.thanos) }),
    // Without the builtinassets tag the web UI is read from disk (absent here); the HTTP API is complete.
    inModule("prometheus", TOOL_VERSIONS.prometheus, GO_MODULES.prometheus, { prometheus: "./cmd/prometheus", promtool: "./cmd/promtool" }, { tags: ["netgo", "slicelabels"], ldflags: promVersionFlags(TOOL_VERSIONS.prometheus) }),
    inModule("prometheus-operator", TOOL_VERSIONS.prometheusOperator, GO_MODULES.prometheusOperator, { operator: "./cmd/operator", "prometheus-config-reloader": "./cmd/prometheus-config-reloader" }, {
        ldflags: promVersionFlags(TOOL_VERSIONS.prometheusOperator),
        async prepare(ctx, dir) {
            // go.mod replaces pkg/apis/monitoring and pkg/client with nested directories; both are published modules of the same release.
            const edits = ["pkg/apis/monitoring", "pkg/client"].map((p) => `-replace=${GO_MODULES.prometheusOperator.path}/${p}=${GO_MODULES.prometheusOperator.path}/${p}@${TOOL_VERSIONS.prometheusOperator}`);
            await ctx.exec("go", ["mod", "edit", ...edits], { cwd: dir, env: ctx.goEnv });
            // The CRDs and the Operator's own RBAC + Deployment manifests, as its release ships them.
            fs.cpSync(path.join(dir, "example", "prometheus-operator-crd"), path.join(ctx.shareDir, "crds"), { recursive: true });
            fs.cpSync(path.join(dir, "example", "rbac", "prometheus-operator"), path.join(ctx.shareDir, "rbac"), { recursive: true });
        },
    }),
    inModule("alertmanager", TOOL_VERSIONS.alertmanager, GO_MODULES.alertmanager, { alertmanager: "./cmd/alertmanager", amtool: "./cmd/amtool" }, {
        ldflags: promVersionFlags(TOOL_VERSIONS.alertmanager),
        async prepare(_ctx, dir) {
            // Since v0.32 the web UI is a gitignored build output embedded from ui/app/dist; the bench needs only the API.
            const dist = path.join(dir, "ui", "app", "dist");
            fs.mkdirSync(dist, { recursive: true });
            fs.writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>Alertmanager</title><p>The web UI is not built on the thanos-stack bench; the API (/api/v2) is complete.</p>\n");
        },
    }),
    inModule("pushgateway", TOOL_VERSIONS.pushgateway, GO_MODULES.pushgateway, { pushgateway: "." }, { ldflags: promVersionFlags(TOOL_VERSIONS.pushgateway) }),
    venvRecipe("awscli", TOOL_VERSIONS.awscli, [`awscli==${TOOL_VERSIONS.awscli}`], (venv, bin) => fs.symlinkSync(path.join(venv, "bin", "aws"), path.join(bin, "aws")), ["aws"]),
    {
        // The bench's own small programs (pause container, test exporter, webhook receiver), from e2e/programs.
        name: "bench-programs",
        version: "local",
        binaries: benchPrograms(),
        key: treeHash(path.join(REPO_ROOT, "e2e", "programs")),
        async build(ctx) {
            const dir = path.join(REPO_ROOT, "e2e", "programs");
            for (const program of benchPrograms()) await goBuild(ctx, dir, `./${program}`, program);
        },
    },
];

/**
 * A tool that is a Python virtual environment, made at its final path (its scripts name their interpreter by
 * absolute path) with pip from PyPI; `expose` puts the entry points into bin/.
 */
function venvRecipe(name: string, version: string, requirements: string[], expose: (venv: string, bin: string) => void, binaries: string[]): Recipe {
    return {
        name,
        version,
        binaries,
        key: { pip: requirements },
        async build(ctx) {
            const venv = venvDir(name, version);
            fs.rmSync(venv, { recursive: true, force: true });
            ctx.step(`pip install ${requirements.join(" ")} into ${venv}`);
            await ctx.exec("python3", ["-m", "venv", venv]);
            await ctx.exec(path.join(venv, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", ...requirements]);
            expose(venv, ctx.binDir);
        },
    };
}

/** What the venv of Python programs holds, as pip requirements. */
function pythonRequirements(): string[] {
    return [
        `pulumi==${TOOL_VERSIONS.pulumi}`,
        `pulumi-kubernetes==${TOOL_VERSIONS.pulumiKubernetes}`,
        `mypy==${TOOL_VERSIONS.mypy}`,
        `setuptools==${TOOL_VERSIONS.setuptools}`,
        `wheel==${TOOL_VERSIONS.wheel}`,
    ];
}

function dpkgStatus(pkg: string): string {
    try {
        return execFileSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    } catch {
        return "";
    }
}

function benchPrograms(): string[] {
    const dir = path.join(REPO_ROOT, "e2e", "programs");
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}

/** The content of a directory of the repository (the bench's own programs), so an edit rebuilds them. */
function treeHash(dir: string): string {
    const hash = crypto.createHash("sha256");
    const walk = (d: string): void => {
        if (!fs.existsSync(d)) return;
        for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else hash.update(`${path.relative(dir, p)}\0`).update(fs.readFileSync(p));
        }
    };
    walk(dir);
    return hash.digest("hex");
}
