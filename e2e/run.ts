/**
 * `npm run e2e [-- --keep] [--only <scenario>[,<scenario>...]] [--kubeconfig <file>]`
 *
 * tools check -> cluster up -> images -> pulumi up --stack e2e (the real engine) -> scenarios -> report -> teardown.
 *
 * --keep        leave the cluster (and the stack) running and write out/e2e/kubeconfig
 * --only a,b    run only these scenarios (those that change the stack still run in their order)
 * --kubeconfig  run against an existing cluster instead of the bench's own (its Operator and images must exist)
 *
 * Writes out/e2e/report.json ({ tools, scenarios: [{ name, passed, seconds, measured }] }) and prints a summary.
 */
import * as fs from "fs";
import * as path from "path";
import { accessLines, deployReady, networkPolicies, podSecurity } from "./scenarios/platform";
import { credentialsStaySecret, destroyKeepsData, noPerpetualDiff, policyPackOnPreview, programEntry, renderMatchesEngine } from "./scenarios/engine";
import { scrapeToQuery } from "./scenarios/datapath";
import { backupRestore, compactorCompacts, compactorVsSidecars, historyThroughBucket, sidecarDiesMidUpload, storeReshardingWithoutGaps, storeRestartDuringQuery } from "./scenarios/history";
import { prometheusReplicaDown, rulerAlertDelivered, shardScopeRules, stackWatchesItself } from "./scenarios/rules";
import { endpointFileReloads, newShardReachable, shardScaleDown } from "./scenarios/scaling";
import { teamProgram } from "./scenarios/team";
import { componentSdks, pythonTeamProgram } from "./scenarios/sdk";
import type { Measured, Scenario, ScenarioContext } from "./scenarios/types";
import { Engine } from "./lib/engine";
import { Kube } from "./lib/kube";
import { formatSeconds, progress } from "./lib/exec";
import { OUT_DIR, REPO_ROOT } from "./lib/paths";
import { ADMIN_KUBECONFIG, STATE_DIR } from "./cluster/config";
import { down, up } from "./cluster/lifecycle";
import { missingTools } from "./tools/installed";
import { toolVersions } from "./tools/report";
import { toolBinary } from "./tools/installed";
import { renderStack, type RenderResult } from "../scripts/lib/render";

const STACK = "e2e";
const NAMESPACE = "monitoring";

/**
 * Every scenario, in the order they run: the platform first (nothing restarted yet), then the data path, the
 * failure modes, scaling, the restore, and the destructive one last.
 */
const SCENARIOS: readonly Scenario[] = [
    deployReady,
    accessLines,
    podSecurity,
    networkPolicies,
    noPerpetualDiff,
    policyPackOnPreview,
    renderMatchesEngine,
    programEntry,
    componentSdks,
    teamProgram,
    pythonTeamProgram,
    scrapeToQuery,
    rulerAlertDelivered,
    shardScopeRules,
    stackWatchesItself,
    historyThroughBucket,
    compactorCompacts,
    sidecarDiesMidUpload,
    compactorVsSidecars,
    storeRestartDuringQuery,
    storeReshardingWithoutGaps,
    prometheusReplicaDown,
    newShardReachable,
    endpointFileReloads,
    shardScaleDown,
    // Two quick updates of the Alertmanager only; after the history scenarios, so their timing is what it was.
    credentialsStaySecret,
    backupRestore,
    destroyKeepsData,
];

interface Row {
    name: string;
    proves: string;
    passed: boolean;
    seconds: number;
    measured: Measured;
    error?: string;
}

interface Args {
    keep: boolean;
    only?: string[];
    kubeconfig?: string;
}

function parseArgs(argv: string[]): Args {
    const args: Args = { keep: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--keep") args.keep = true;
        else if (a === "--only") args.only = (argv[++i] ?? "").split(",").filter(Boolean);
        else if (a === "--kubeconfig") args.kubeconfig = argv[++i];
        else {
            progress(`unknown argument '${a}'; usage: npm run e2e [-- --keep] [--only <scenario,...>] [--kubeconfig <file>]`);
            process.exit(2);
        }
    }
    const unknown = (args.only ?? []).filter((n) => !SCENARIOS.some((s) => s.name === n));
    if (unknown.length) {
        progress(`unknown scenario(s) ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.name).join(", ")}`);
        process.exit(2);
    }
    return args;
}

async function renderE2e(): Promise<RenderResult> {
    // Secrets shown: the comparison reads their keys (the values are the mock's).
    return renderStack({ stack: STACK, showSecrets: true, program: () => require(path.join(REPO_ROOT, "infra", "index")) });
}

function writeReport(rows: Row[], started: number): string {
    fs.mkdirSync(OUT_DIR, { recursive: true });
    const report = { stack: STACK, startedAt: new Date(started).toISOString(), seconds: (Date.now() - started) / 1000, tools: toolVersions(), scenarios: rows };
    const file = path.join(OUT_DIR, "report.json");
    fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    return file;
}

function summary(rows: Row[]): string {
    const width = Math.max(...rows.map((r) => r.name.length));
    const lines = rows.map((r) => {
        const figures = Object.entries(r.measured)
            .filter(([, v]) => typeof v === "number" || typeof v === "boolean")
            .map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? v.toFixed(1) : String(v)}`)
            .join(" ");
        return `${r.passed ? "PASS" : "FAIL"}  ${r.name.padEnd(width)}  ${formatSeconds(r.seconds).padStart(7)}  ${r.passed ? figures : (r.error ?? "").split("\n")[0]}`;
    });
    const passed = rows.filter((r) => r.passed).length;
    return `${lines.join("\n")}\n${passed}/${rows.length} scenarios passed`;
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    const started = Date.now();
    const missing = missingTools();
    if (missing.length) {
        progress(`npm run e2e needs the bench tools, missing: ${missing.map((r) => `${r.name} ${r.version}`).join(", ")}. Build them (Go, root, ~1 h cold) with: npm run e2e:tools`);
        return 1;
    }
    const ownCluster = args.kubeconfig === undefined;
    if (ownCluster) await up();
    const kubeconfig = args.kubeconfig ?? ADMIN_KUBECONFIG;
    const kube = new Kube({ kubectl: toolBinary("kubectl"), kubeconfig });
    fs.mkdirSync(OUT_DIR, { recursive: true });
    const logFile = path.join(OUT_DIR, "engine.log");
    fs.writeFileSync(logFile, "");
    const rows: Row[] = [];
    let engine: Engine | undefined;
    try {
        progress("▶ offline render of the e2e stack");
        const render = await renderE2e();
        progress(`▶ pulumi up --stack ${STACK} (real engine; log: ${logFile})`);
        // On the bench's own cluster the engine's state lives with the cluster (a --keep run can be resumed).
        engine = await Engine.create({ stack: STACK, kubeconfig, logFile }, ownCluster ? path.join(STATE_DIR, "engine", STACK) : undefined);
        const upStarted = Date.now();
        await engine.pulumi(["up", "--yes", "--skip-preview"]);
        const upSeconds = (Date.now() - upStarted) / 1000;
        progress(`  ✓ pulumi up in ${formatSeconds(upSeconds)}`);
        const ctx: ScenarioContext = {
            kube,
            engine,
            namespace: NAMESPACE,
            stack: STACK,
            render,
            upSeconds,
            log: (m) => progress(`    ${m}`),
            engineDir: (stack) => (ownCluster ? path.join(STATE_DIR, "engine", stack) : undefined),
        };
        const selected = SCENARIOS.filter((s) => !args.only || args.only.includes(s.name)).filter((s) => !(args.keep && s === destroyKeepsData));
        for (const scenario of selected) {
            progress(`▶ ${scenario.name}: ${scenario.proves}`);
            const t = Date.now();
            try {
                const measured = await scenario.run(ctx);
                rows.push({ name: scenario.name, proves: scenario.proves, passed: true, seconds: (Date.now() - t) / 1000, measured });
                progress(`  ✓ ${scenario.name} (${formatSeconds((Date.now() - t) / 1000)})`);
            } catch (e) {
                const error = e instanceof Error ? e.message : String(e);
                rows.push({ name: scenario.name, proves: scenario.proves, passed: false, seconds: (Date.now() - t) / 1000, measured: {}, error });
                progress(`  ✗ ${scenario.name}: ${error}`);
            }
        }
    } finally {
        const file = writeReport(rows, started);
        if (rows.length) process.stdout.write(`\n${summary(rows)}\nreport: ${file}\n`);
        if (args.keep) {
            fs.copyFileSync(kubeconfig, path.join(OUT_DIR, "kubeconfig"));
            progress(`--keep: the cluster stays up; kubectl --kubeconfig ${path.join(OUT_DIR, "kubeconfig")} get pods -n ${NAMESPACE}`);
        } else {
            engine?.dispose();
            if (ownCluster) await down();
        }
    }
    return rows.length > 0 && rows.every((r) => r.passed) ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        progress(`e2e: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
    },
);
