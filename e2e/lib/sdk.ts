/**
 * The component package's SDKs for other languages, made with the bench's real Pulumi CLI.
 *
 * 1. `pulumi package get-schema <repo>/pulumi-resource-thanos-stack`: the CLI starts the package as a provider
 *    plugin and asks it for its schema, which @pulumi/pulumi's component provider host infers from the TypeScript
 *    Args (the same code `pulumi package add` runs).
 * 2. `pulumi package get-schema <the Kubernetes provider>`: the schema of the package ours references.
 * 3. The Python and Go SDKs from both (e2e/tools/sdkgen: the code generators of the CLI's own module; the CLI's
 *    `gen-sdk` reaches them only through a language host's GeneratePackage call, which the hosts the bench can
 *    build predate).
 *
 * The AWS provider cannot be had here: the CLI cannot bind the references to its resources (BucketAccess and
 * ThanosBucket expose AWS resources), so it exits 1 after printing the schema; that one failure is tolerated and
 * the two components are left out of the bench's SDKs (sdkgen lists them). A CLI with the AWS plugin makes the
 * whole package.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CommandError, run } from "./exec";
import { REPO_ROOT, venvDir } from "./paths";
import { toolBinary, toolBinDirs } from "../tools/installed";
import { TOOL_VERSIONS } from "../tools/versions";

/** The package's provider plugin (a file of the repository, see its comment). */
export const COMPONENT_PLUGIN = path.join(REPO_ROOT, "pulumi-resource-thanos-stack");
/** Where `npm run sdk` writes. */
export const SDK_OUT = path.join(REPO_ROOT, "out", "sdk");
/** The Go module path of the generated Go SDK (its package is `<module>/thanosstack`). */
export const GO_SDK_MODULE = "example.com/thanos-stack/sdk/go";

/** The bench's Python for Pulumi programs: the venv with the Pulumi SDK, the Kubernetes SDK and mypy. */
export function benchPython(): string {
    return path.join(venvDir("pulumi-python", TOOL_VERSIONS.pulumi), "bin", "python3");
}

/** What one generation made. */
export interface Sdks {
    /** The schema Pulumi inferred (JSON). */
    readonly schemaFile: string;
    /** The generated Python package's sources. */
    readonly pythonDir: string;
    /**
     * The Python SDK installed (`pip install --target`): a directory for PYTHONPATH. The SDK reads its own version
     * from its installed metadata, so its sources alone do not import.
     */
    readonly pythonPath: string;
    readonly goDir: string;
    /** Resources and types left out of the SDKs, with why (sdkgen's lines). */
    readonly leftOut: string[];
    /** Seconds `get-schema` of the component package took (the provider host infers the schema at start). */
    readonly schemaSeconds: number;
    readonly seconds: number;
}

/** The CLI's environment: its own home, the bench's plugins on PATH (the Kubernetes provider), no plugin downloads, no update check. */
function cliEnv(home: string): NodeJS.ProcessEnv {
    return {
        ...process.env,
        PATH: [...toolBinDirs(), process.env.PATH ?? ""].join(path.delimiter),
        PULUMI_HOME: home,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
}

/**
 * `pulumi package get-schema <plugin>`, written to `file`. A failure to bind references to a package whose plugin
 * the bench cannot have (`tolerate`) is accepted when the printed schema is complete; any other failure throws.
 */
function getSchema(plugin: string, file: string, home: string, tolerate: readonly string[] = []): { seconds: number; tolerated?: string } {
    const started = Date.now();
    // Outside the repository: the CLI looks for a project from its working directory up, and refuses a directory
    // with both Pulumi.yaml and PulumiPlugin.yaml (the repository root is a program and a component package).
    const r = spawnSync(toolBinary("pulumi"), ["package", "get-schema", plugin], { cwd: home, env: cliEnv(home), encoding: "utf8", maxBuffer: 512 * 1024 * 1024, timeout: 10 * 60_000 });
    const seconds = (Date.now() - started) / 1000;
    let name: string | undefined;
    try {
        name = (JSON.parse(r.stdout) as { name?: string }).name;
    } catch {
        name = undefined;
    }
    const error = (r.stderr ?? "").split("\n").filter((l) => l.startsWith("error:")).join("\n");
    const tolerated = r.status !== 0 && name !== undefined && error.startsWith("error: failed to bind schema") && tolerate.some((p) => error.includes(`resolving package /${p}/`)) ? error : undefined;
    if (r.status !== 0 && tolerated === undefined) throw new CommandError(`pulumi package get-schema ${plugin}`, r.status, (r.stderr ?? "").trim().split("\n").slice(-15).join("\n"));
    fs.writeFileSync(file, r.stdout);
    return { seconds, ...(tolerated ? { tolerated } : {}) };
}

/** Generates both SDKs into `out` (default out/sdk), replacing what was there. */
export async function generateSdks(out: string = SDK_OUT, log: (line: string) => void = () => undefined): Promise<Sdks> {
    const started = Date.now();
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { recursive: true });
    const schemaFile = path.join(out, "schema.json");
    const kubernetesFile = path.join(out, "kubernetes.json");
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "thanos-stack-sdk-"));
    try {
        log("sdk: pulumi package get-schema of the component package (the provider host infers the schema)");
        const own = getSchema(COMPONENT_PLUGIN, schemaFile, home, ["aws"]);
        if (own.tolerated) log(`sdk: tolerated (no AWS provider plugin on the bench): ${own.tolerated.split("\n")[0]!.slice(0, 160)}...`);
        log("sdk: pulumi package get-schema of the Kubernetes provider");
        getSchema(toolBinary("pulumi-resource-kubernetes"), kubernetesFile, home);
        log("sdk: generating the Python and Go SDKs");
        const r = await run(toolBinary("sdkgen"), ["-schema", schemaFile, "-ref", `kubernetes=${kubernetesFile}`, "-out", out, "-go-module", GO_SDK_MODULE], { cwd: out });
        log("sdk: installing the Python SDK (pip install --target)");
        const pythonPath = path.join(out, "python-site");
        await run(benchPython(), ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--no-build-isolation", "--target", pythonPath, path.join(out, "python")], { cwd: out });
        const leftOut = r.stderr
            .split("\n")
            .filter((l) => l.startsWith("sdkgen: left out "))
            .map((l) => l.replace(/^sdkgen: left out /, ""));
        return { schemaFile, pythonDir: path.join(out, "python"), pythonPath, goDir: path.join(out, "go"), leftOut, schemaSeconds: own.seconds, seconds: (Date.now() - started) / 1000 };
    } finally {
        fs.rmSync(home, { recursive: true, force: true });
    }
}
