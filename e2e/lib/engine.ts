/**
 * The real Pulumi engine, offline: the CLI, the Node.js language host and the providers built by the bench, a
 * file backend in a temporary directory, passphrase secrets, and no plugin downloads.
 *
 * The CLI runs on a temporary copy of the project's shape: every entry of the project directory is a symlink to
 * the real one, except Pulumi.yaml's stack configuration directory, which holds a copy of the stack's file.
 * Creating a passphrase stack writes its salt into that file, and the committed stacks/ must stay as they are.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run, type RunResult } from "./exec";
import { REPO_ROOT } from "./paths";
import { toolBinDirs } from "../tools/installed";

export interface EngineOptions {
    readonly stack: string;
    /** The Pulumi project's directory. @default the repository */
    readonly projectDir?: string;
    /** The stack's configuration file to copy. @default `<repository>/stacks/Pulumi.<stack>.yaml` */
    readonly configSource?: string;
    readonly kubeconfig: string;
    /** Log every command's output here. */
    readonly logFile: string;
    /** More environment for the CLI and what it runs (a language host's interpreter, a program's library path). @default none */
    readonly env?: NodeJS.ProcessEnv;
}

/**
 * Pulumi.yaml with the local paths of its `packages:` section made absolute: the temporary project lives
 * elsewhere, and a relative path (`thanos-stack: ../..`) must still name the directory it names in the source.
 */
export function withAbsolutePackagePaths(project: string, sourceDir: string): string {
    const lines = project.split("\n");
    let inPackages = false;
    return lines
        .map((line) => {
            if (/^packages:\s*$/.test(line)) {
                inPackages = true;
                return line;
            }
            if (inPackages && /^\S/.test(line)) inPackages = false;
            const entry = inPackages ? /^(\s+[\w@./-]+:\s*)(\.{1,2}(?:\/\S*)?)\s*$/.exec(line) : null;
            return entry ? `${entry[1]!}${path.resolve(sourceDir, entry[2]!)}` : line;
        })
        .join("\n");
}

export class Engine {
    readonly home: string;
    /** The stack's configuration (a copy, in the temporary project). */
    readonly configFile: string;
    /** The temporary project the CLI runs in. */
    readonly projectDir: string;
    readonly env: NodeJS.ProcessEnv;

    private constructor(
        readonly options: EngineOptions,
        readonly dir: string,
    ) {
        this.home = path.join(dir, "home");
        this.projectDir = path.join(dir, "project");
        this.configFile = path.join(this.projectDir, "stacks", `Pulumi.${options.stack}.yaml`);
        this.env = {
            ...process.env,
            PATH: [...toolBinDirs(), process.env.PATH ?? ""].join(path.delimiter),
            PULUMI_HOME: this.home,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_CONFIG_PASSPHRASE: "thanos-stack-e2e",
            KUBECONFIG: options.kubeconfig,
            // The Kubernetes provider writes the kubeconfig it is given to a temporary file per run: keep those in
            // the engine's directory, which goes with it, rather than in the system's temporary directory.
            TMPDIR: path.join(dir, "tmp"),
            ...options.env,
        };
    }

    /** The project's real directory. */
    get sourceDir(): string {
        return this.options.projectDir ?? REPO_ROOT;
    }

    /**
     * A logged-in engine with the stack. With `dir`, the engine's state lives there and a later run on the same
     * cluster picks the stack up again (`npm run e2e -- --keep`, then another run); otherwise in a fresh
     * temporary directory.
     */
    static async create(options: EngineOptions, dir?: string): Promise<Engine> {
        const root = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "thanos-stack-engine-"));
        const engine = new Engine(options, root);
        const existing = fs.existsSync(engine.configFile) ? fs.readFileSync(engine.configFile, "utf8") : undefined;
        fs.rmSync(engine.projectDir, { recursive: true, force: true });
        const source = engine.sourceDir;
        fs.mkdirSync(path.join(engine.projectDir, "stacks"), { recursive: true });
        for (const entry of fs.readdirSync(source)) {
            if (entry === "Pulumi.yaml" || entry === "stacks" || /^Pulumi\..+\.yaml$/.test(entry)) continue;
            fs.symlinkSync(path.join(source, entry), path.join(engine.projectDir, entry));
        }
        // A program inside the repository (e2e/team) uses the repository's dependencies, found from its own directory.
        if (!fs.existsSync(path.join(engine.projectDir, "node_modules"))) fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(engine.projectDir, "node_modules"));
        const project = withAbsolutePackagePaths(fs.readFileSync(path.join(source, "Pulumi.yaml"), "utf8").replace(/^stackConfigDir:.*$/m, ""), source);
        fs.writeFileSync(path.join(engine.projectDir, "Pulumi.yaml"), `${project.trimEnd()}\nstackConfigDir: stacks\n`);
        const config = fs.readFileSync(options.configSource ?? path.join(REPO_ROOT, "stacks", `Pulumi.${options.stack}.yaml`), "utf8");
        // A stack made earlier keeps its passphrase salt; the configuration itself is always the current one.
        const salt = existing ? /^encryptionsalt: .*$/m.exec(existing)?.[0] : undefined;
        fs.writeFileSync(engine.configFile, salt ? `${salt}\n${config}` : config);
        fs.mkdirSync(path.join(root, "state"), { recursive: true });
        fs.mkdirSync(path.join(root, "tmp"), { recursive: true });
        await engine.pulumi(["login", `file://${path.join(root, "state")}`]);
        if (salt) await engine.pulumi(["stack", "select"]);
        else await engine.pulumi(["stack", "init", "--secrets-provider=passphrase"]);
        return engine;
    }

    /** Runs the CLI in the temporary project, on this stack. */
    pulumi(args: readonly string[], timeoutMs = 45 * 60_000): Promise<RunResult> {
        const global = ["login", "version", "plugin"].includes(args[0] ?? "");
        const full = global ? [...args] : [...args, "--stack", this.options.stack, "--non-interactive"];
        return run("pulumi", full, { cwd: this.projectDir, env: this.env, logFile: this.options.logFile, timeoutMs });
    }

    /** `pulumi stack output --json --show-secrets`. */
    async outputs(): Promise<Record<string, unknown>> {
        const r = await run("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", this.options.stack], { cwd: this.projectDir, env: this.env });
        return JSON.parse(r.stdout) as Record<string, unknown>;
    }

    /** `pulumi stack export`: the deployment's resources. */
    async state(): Promise<{ resources: Array<{ urn: string; type: string; protect?: boolean; retainOnDelete?: boolean; outputs?: Record<string, unknown> }> }> {
        const r = await run("pulumi", ["stack", "export", "--stack", this.options.stack], { cwd: this.projectDir, env: this.env });
        return (JSON.parse(r.stdout) as { deployment: { resources: [] } }).deployment;
    }

    dispose(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
