/**
 * The real Pulumi engine, offline: the CLI, the Node.js language host and the providers built by the bench, a
 * file backend in a temporary directory, passphrase secrets, and no plugin downloads. The stack's configuration
 * is copied to the temporary directory first (`--config-file`), because initialising a passphrase stack writes its
 * salt into the configuration file, and the committed stacks/Pulumi.e2e.yaml must stay as it is.
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
}

export class Engine {
    readonly home: string;
    readonly configFile: string;
    readonly env: NodeJS.ProcessEnv;

    private constructor(
        readonly options: EngineOptions,
        readonly dir: string,
    ) {
        this.home = path.join(dir, "home");
        this.configFile = path.join(dir, `Pulumi.${options.stack}.yaml`);
        this.env = {
            ...process.env,
            PATH: [...toolBinDirs(), process.env.PATH ?? ""].join(path.delimiter),
            PULUMI_HOME: this.home,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_CONFIG_PASSPHRASE: "thanos-stack-e2e",
            PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
            KUBECONFIG: options.kubeconfig,
        };
    }

    get projectDir(): string {
        return this.options.projectDir ?? REPO_ROOT;
    }

    /** A logged-in engine with the stack created (its configuration copied from stacks/). */
    static async create(options: EngineOptions): Promise<Engine> {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "thanos-stack-engine-"));
        const engine = new Engine(options, dir);
        fs.mkdirSync(path.join(dir, "state"), { recursive: true });
        fs.copyFileSync(options.configSource ?? path.join(REPO_ROOT, "stacks", `Pulumi.${options.stack}.yaml`), engine.configFile);
        await engine.pulumi(["login", `file://${path.join(dir, "state")}`]);
        await engine.pulumi(["stack", "init", options.stack, "--secrets-provider=passphrase", "--non-interactive"]);
        return engine;
    }

    /** Runs the CLI in the repository (the project), on this stack and its configuration copy. */
    pulumi(args: readonly string[], timeoutMs = 45 * 60_000): Promise<RunResult> {
        const stackScoped = !["login", "version", "plugin"].includes(args[0] ?? "");
        const full = stackScoped && args[0] !== "stack" ? [...args, "--stack", this.options.stack, "--config-file", this.configFile, "--non-interactive"] : [...args];
        if (args[0] === "stack" && args[1] === "init") full.push("--config-file", this.configFile);
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
