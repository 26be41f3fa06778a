/**
 * npm run render -- --stack <name> [--out <dir>] [--set <key.path>=<value> ...] [--set-secret <key.path>=<value> ...] [--show-secrets]
 *
 * `--set-secret` overrides a key as `pulumi config set --secret --path` would (credentials must be secrets).
 *
 * Runs the real program (infra/) under Pulumi's mock runtime: no Pulumi CLI,
 * no credentials, no network. Exit codes: 0 rendered, 2 invalid configuration
 * or arguments (nothing written), 1 an unexpected failure.
 */
import * as path from "path";
import { stackTraceHint } from "./lib/capture";
import { parseStackArgs } from "./lib/cli";
import { RenderInputError, renderStack, summarize, writeRender } from "./lib/render";

const USAGE = "usage: npm run render -- --stack <name> [--out <dir>] [--set <key.path>=<value> ...] [--set-secret <key.path>=<value> ...] [--show-secrets]";

const PROGRAM = path.resolve(__dirname, "..", "infra");

async function main(): Promise<number> {
    const parsed = parseStackArgs(
        { stack: { type: "string" }, out: { type: "string" }, set: { type: "string", multiple: true }, "set-secret": { type: "string", multiple: true }, "show-secrets": { type: "boolean" } },
        USAGE,
    );
    if ("exit" in parsed) return parsed.exit;
    const { values } = parsed;
    const outDir = values.out ?? path.join("out", values.stack);
    try {
        const result = await renderStack({
            stack: values.stack,
            sets: values.set ?? [],
            secretSets: values["set-secret"] ?? [],
            showSecrets: values["show-secrets"] ?? false,
            program: () => require(PROGRAM),
        });
        writeRender(result, outDir);
        process.stdout.write(`${summarize(values.stack, result)}\nwrote ${path.join(outDir, "resources.json")} and ${result.manifests.length} manifests under ${path.join(outDir, "manifests")}\n`);
        return 0;
    } catch (e) {
        if (e instanceof RenderInputError) {
            process.stderr.write(`render of stack '${values.stack}' refused; nothing was written:\n${e.problems.map((p) => `  ${p}`).join("\n")}\n`);
            return 2;
        }
        process.stderr.write(`render failed unexpectedly (a bug, please report it):\n${(e as Error).stack ?? String(e)}${stackTraceHint()}\n`);
        return 1;
    }
}

main().then(
    (code) => process.exit(code),
    (e: unknown) => {
        process.stderr.write(`${String(e)}\n`);
        process.exit(1);
    },
);
