/**
 * The components from other languages: the SDKs Pulumi generates from the component package, checked against
 * our own reading of the schema, a Python and a Go program type-checked/compiled against them, and the Python
 * program deployed with the real engine next to the stack (its rule evaluated by the stack's ruler).
 */
import * as fs from "fs";
import * as path from "path";
import { expectThat, type Scenario } from "./types";
import { Engine } from "../lib/engine";
import { run } from "../lib/exec";
import { eventually } from "../lib/kube";
import { REPO_ROOT } from "../lib/paths";
import { ReadPath } from "../lib/querier";
import { benchPython, generateSdks, SDK_OUT, type Sdks } from "../lib/sdk";
import { E2E_SERIES } from "../team/team";
import { toolBinary } from "../tools/installed";
import { GO_ENV } from "../tools/versions";
import { LABELS } from "../../components/constants";
import { createPackageProgram, inferPackageSchema } from "../../scripts/lib/componentSchema";

const PYTHON_PROGRAM = path.join(REPO_ROOT, "examples", "python-team");
const GO_PROGRAM = path.join(REPO_ROOT, "examples", "go-team");
/** The Python program's stack on the bench: its namespace and the series its recording rule writes. */
export const PYTHON_TEAM = { stack: "e2e-python", namespace: "e2e-python", record: "payments:test_value:count" } as const;

/** The SDKs of this run (generated once, by the first scenario that needs them). */
let generated: Sdks | undefined;
async function sdks(log: (line: string) => void): Promise<Sdks> {
    generated ??= await generateSdks(SDK_OUT, log);
    return generated;
}

interface RealSchema {
    name: string;
    resources: Record<string, { description?: string; inputProperties?: Record<string, { description?: string }>; requiredInputs?: string[] }>;
    types: Record<string, unknown>;
}

/** Every `description` of a JSON value. */
function descriptions(v: unknown, out: string[] = []): string[] {
    if (Array.isArray(v)) for (const e of v) descriptions(e, out);
    else if (v !== null && typeof v === "object")
        for (const [k, e] of Object.entries(v)) {
            if (k === "description" && typeof e === "string") out.push(e);
            else descriptions(e, out);
        }
    return out;
}

export const componentSdks: Scenario = {
    name: "component-sdks-python-and-go",
    proves:
        "the real Pulumi CLI reads the component package's schema from the package itself (pulumi package get-schema of its provider plugin), with the components, inputs and required inputs our own schema reading expects and no garbled description; the Python and Go SDKs generated from it type-check (mypy --strict) and compile (go build) a Python and a Go team program that use ThanosStack and the team helpers",
    async run(ctx) {
        const made = await sdks((l) => ctx.log(l));
        const real = JSON.parse(fs.readFileSync(made.schemaFile, "utf8")) as RealSchema;
        const ours = inferPackageSchema(createPackageProgram());
        const realTokens = Object.keys(real.resources).sort();
        const ourTokens = Object.keys(ours.components).sort();
        expectThat(JSON.stringify(realTokens) === JSON.stringify(ourTokens), `components: Pulumi ${realTokens.join(", ")}; ours ${ourTokens.join(", ")}`);
        const mismatches: string[] = [];
        for (const token of ourTokens) {
            const mine = ours.components[token]!;
            const theirs = real.resources[token]!;
            const inputs = (o: Record<string, unknown> | undefined) => Object.keys(o ?? {}).sort().join(",");
            if (inputs(theirs.inputProperties) !== inputs(mine.inputs)) mismatches.push(`${token} inputs: Pulumi ${inputs(theirs.inputProperties)}; ours ${inputs(mine.inputs)}`);
            const required = [...(theirs.requiredInputs ?? [])].sort().join(",");
            const mineRequired = Object.entries(mine.inputs).filter(([, p]) => p.required).map(([n]) => n).sort().join(",");
            if (required !== mineRequired) mismatches.push(`${token} required: Pulumi ${required}; ours ${mineRequired}`);
        }
        expectThat(mismatches.length === 0, `the schema Pulumi infers differs from ours:\n${mismatches.join("\n")}`);
        const garbled = descriptions(real).filter((d) => d.includes("[object Object]"));
        expectThat(garbled.length === 0, `${garbled.length} descriptions Pulumi could not read (an inline TSDoc tag): ${garbled.slice(0, 3).join(" | ")}`);
        // What the bench's SDKs leave out is exactly what needs the AWS provider's schema.
        const leftOutResources = made.leftOut.filter((l) => l.startsWith("resource ")).map((l) => l.split(" ")[1]!);
        expectThat(JSON.stringify(leftOutResources.sort()) === JSON.stringify(["thanos-stack:index:BucketAccess", "thanos-stack:index:ThanosBucket"]), `left out of the SDKs: ${made.leftOut.join("; ")}`);
        expectThat(made.leftOut.every((l) => /references package aws,? |uses a type left out/.test(l)), `left out for another reason than the AWS schema: ${made.leftOut.join("; ")}`);

        const mypy = await run(toolBinary("mypy"), ["--config-file", "mypy.ini", "--python-executable", benchPython(), "--no-incremental", "__main__.py"], {
            cwd: PYTHON_PROGRAM,
            env: { ...process.env, MYPYPATH: made.pythonPath },
        });
        const goBuild = await run("go", ["build", "-o", "/dev/null", "."], { cwd: GO_PROGRAM, env: { ...process.env, ...GO_ENV } });
        return {
            components: realTokens.length,
            schemaTypes: Object.keys(real.types).length,
            schemaSeconds: made.schemaSeconds,
            generateSeconds: made.seconds,
            leftOut: made.leftOut.length,
            mypySeconds: mypy.seconds,
            goBuildSeconds: goBuild.seconds,
        };
    },
};

export const pythonTeamProgram: Scenario = {
    name: "python-program-deploys-team-monitors",
    proves:
        "a team's Python program (examples/python-team) deploys its ServiceMonitor and global-scope PrometheusRule through the component package's Python SDK with the real engine (the components run in the package's provider plugin), the objects carry the monitor label the stack selects, and the stack's ruler evaluates the program's recording rule over every shard",
    async run(ctx) {
        const made = await sdks((l) => ctx.log(l));
        const engine = await Engine.create(
            {
                stack: PYTHON_TEAM.stack,
                kubeconfig: ctx.engine.options.kubeconfig,
                logFile: ctx.engine.options.logFile,
                projectDir: PYTHON_PROGRAM,
                configSource: path.join(REPO_ROOT, "e2e", "sdk", `Pulumi.${PYTHON_TEAM.stack}.yaml`),
                env: { PULUMI_PYTHON_CMD: benchPython(), PYTHONPATH: made.pythonPath },
            },
            ctx.engineDir(PYTHON_TEAM.stack),
        );
        await engine.pulumi(["config", "set", "namespace", PYTHON_TEAM.namespace]);
        const started = Date.now();
        await engine.pulumi(["up", "--yes", "--skip-preview"]);
        const upSeconds = (Date.now() - started) / 1000;
        type Labelled = { metadata: { labels?: Record<string, string> } };
        const monitors = ctx.kube.items("servicemonitors.monitoring.coreos.com", PYTHON_TEAM.namespace) as Labelled[];
        const rules = ctx.kube.items("prometheusrules.monitoring.coreos.com", PYTHON_TEAM.namespace) as Labelled[];
        expectThat(monitors.length === 1 && rules.length === 1, `the Python program created ${monitors.length} ServiceMonitors and ${rules.length} PrometheusRules, expected 1 and 1`);
        const unlabelled = [...monitors, ...rules].filter((o) => o.metadata.labels?.[LABELS.monitor] === undefined);
        expectThat(unlabelled.length === 0, `objects without the ${LABELS.monitor} label the stack selects on: ${unlabelled.length}`);
        const rp = await ReadPath.open(ctx.kube, ctx.namespace);
        try {
            const recorded = await eventually(
                `${PYTHON_TEAM.record} recorded by the ruler`,
                async () => {
                    const r = await rp.query(PYTHON_TEAM.record);
                    return r.result.length === 1 && Number(r.result[0]!.value?.[1]) === E2E_SERIES ? r : undefined;
                },
                300_000,
            );
            const outputs = await engine.outputs();
            return { upSeconds, serviceMonitors: monitors.length, prometheusRules: rules.length, recordedValue: Number(recorded.result[0]!.value?.[1]), seriesCounted: E2E_SERIES, outputs: Object.keys(outputs).length };
        } finally {
            rp.close();
        }
    },
};
