/**
 * npm run render -- --stack <name> [--out <dir>] [--set <key.path>=<value> ...] [--set-secret <key.path>=<value> ...] [--show-secrets]
 *
 * `--set-secret` overrides a key as `pulumi config set --secret --path` would (credentials must be secrets).
 *
 * Runs the real program (infra/) under Pulumi's mock runtime: no Pulumi CLI,
 * no credentials, no network. Writes resources.json, the manifests, and
 * topology.md (the stack's topology as a Mermaid diagram, its bucket users and
 * network flows). Exit codes: 0 rendered, 2 invalid configuration
 * or arguments (nothing written), 1 an unexpected failure.
 */
import * as fs from "fs";
import * as path from "path";
import { stackTraceHint } from "./lib/capture";
import { parseStackArgs } from "./lib/cli";
import { RenderInputError, renderStack, summarize, writeRender } from "./lib/render";
import { stackPlanOf, topologyMarkdown } from "./lib/topology";

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
        // The picture of the stack the program built, from the same configuration's plan.
        const topology = path.join(outDir, "topology.md");
        const drawn = result.resources.some((r) => r.type === "thanos-stack:index:ThanosStack");
        if (drawn) fs.writeFileSync(topology, topologyMarkdown(values.stack, stackPlanOf(values.stack, values.set ?? [], values["set-secret"] ?? [])));
        const wrote = `${path.join(outDir, "resources.json")}, ${result.manifests.length} manifests under ${path.join(outDir, "manifests")}${drawn ? ` and ${topology}` : ""}`;
        process.stdout.write(`${summarize(values.stack, result)}\nwrote ${wrote}\n`);
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
