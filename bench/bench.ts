/**
 * npm run bench [-- --runs 5] [--skip-tests]
 *
 * Wall time (median of N runs, the commands alternating so that machine noise
 * hits all of them alike) and peak memory of:
 *   (a) the floor: a node process that only loads @pulumi/pulumi
 *   (b) npm run render -- --stack prod
 *   (c) the render of a large stack (bench/largeStack.ts)
 *   (d) tsc --noEmit
 *   (e) npm test
 * plus the render's cost per resource at several sizes (its slope and how
 * linear it is). Prints a table and writes bench/results.json.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";

const ROOT = path.resolve(__dirname, "..");
const NODE = process.execPath;
const RSS = path.join(__dirname, "maxrss.js");
const RUN = path.join(ROOT, "scripts", "run.js");

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, "skip-tests": { type: "boolean", default: false } } });
const RUNS = Math.max(1, Number(values.runs));

interface Command {
    id: string;
    label: string;
    cmd: string;
    args: string[];
    /** Node processes report their peak RSS through bench/maxrss.js. */
    rss: boolean;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "thanos-bench-"));
const nodeCmd = (args: string[]) => ({ cmd: NODE, args: ["-r", RSS, ...args], rss: true });
const commands: Command[] = [
    { id: "a", label: "floor: node loads @pulumi/pulumi", ...nodeCmd(["-e", "require('@pulumi/pulumi')"]) },
    // (b) is `npm run render -- --stack prod`; npm starts a shell that runs exactly this node command,
    // measured directly so the peak memory is the render's own. npm's own start is measured as (b').
    { id: "b", label: "render --stack prod", ...nodeCmd([RUN, path.join(ROOT, "scripts", "render.ts"), "--stack", "prod", "--out", path.join(tmp, "prod")]) },
    { id: "b'", label: "npm run render -- --stack prod", cmd: "npm", args: ["run", "--silent", "render", "--", "--stack", "prod", "--out", path.join(tmp, "prod-npm")], rss: false },
    { id: "c", label: "render of the large stack", ...nodeCmd([RUN, path.join(__dirname, "largeStack.ts"), "--scale", "1"]) },
    { id: "d", label: "tsc --noEmit", cmd: NODE, args: [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", path.join(ROOT, "tsconfig.json")], rss: false },
];
if (!values["skip-tests"]) commands.push({ id: "e", label: "npm test", cmd: "npm", args: ["test", "--silent"], rss: false });

interface Sample {
    ms: number;
    rssKiB?: number;
}

function runOnce(c: Command): Sample {
    const rssFile = path.join(tmp, `rss-${c.id.replace("'", "p")}`);
    fs.rmSync(rssFile, { force: true });
    const start = process.hrtime.bigint();
    const r = spawnSync(c.cmd, c.args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, BENCH_RSS_FILE: rssFile }, maxBuffer: 64 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${c.label} failed (exit ${String(r.status)}): ${(r.stdout.toString() + r.stderr.toString()).slice(0, 2000)}`);
    const sample: Sample = { ms };
    if (c.rss && fs.existsSync(rssFile)) sample.rssKiB = Number(fs.readFileSync(rssFile, "utf8"));
    return sample;
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Least-squares line through (x, y), with R². */
function fit(points: Array<[number, number]>): { slope: number; intercept: number; r2: number } {
    const n = points.length;
    const mx = points.reduce((s, [x]) => s + x, 0) / n;
    const my = points.reduce((s, [, y]) => s + y, 0) / n;
    const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
    const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
    const slope = sxy / sxx;
    const intercept = my - slope * mx;
    const ssTot = points.reduce((s, [, y]) => s + (y - my) ** 2, 0);
    const ssRes = points.reduce((s, [x, y]) => s + (y - (intercept + slope * x)) ** 2, 0);
    return { slope, intercept, r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot };
}

function main(): void {
    process.stdout.write(`bench: ${RUNS} runs each, alternating, on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"})\n`);
    for (const c of commands) runOnce(c); // warm-up: fills the transpile cache and the OS page cache
    const samples = new Map<string, Sample[]>(commands.map((c) => [c.id, []]));
    for (let i = 0; i < RUNS; i++) for (const c of commands) samples.get(c.id)!.push(runOnce(c));

    // Slope: the large stack at several sizes (resources counted by the render itself).
    const scales = [0.25, 0.5, 0.75, 1];
    const slopePoints: Array<{ scale: number; resources: number; ms: number }> = [];
    for (const scale of scales) {
        const out = spawnSync(NODE, [RUN, path.join(__dirname, "largeStack.ts"), "--scale", String(scale)], { cwd: ROOT, encoding: "utf8" });
        const resources = (JSON.parse(out.stdout.trim()) as { resources: number }).resources;
        const c: Command = { id: `s${scale}`, label: `scale ${scale}`, ...nodeCmd([RUN, path.join(__dirname, "largeStack.ts"), "--scale", String(scale)]) };
        const ms = median(Array.from({ length: Math.min(RUNS, 3) }, () => runOnce(c).ms));
        slopePoints.push({ scale, resources, ms });
    }
    const line = fit(slopePoints.map((p) => [p.resources, p.ms]));

    const result: Record<string, { label: string; medianMs: number; runsMs: number[]; peakRssMiB?: number }> = {};
    for (const c of commands) {
        const s = samples.get(c.id)!;
        const rss = s.map((x) => x.rssKiB).filter((x): x is number => x !== undefined);
        result[c.id] = { label: c.label, medianMs: Math.round(median(s.map((x) => x.ms))), runsMs: s.map((x) => Math.round(x.ms)) };
        if (rss.length) result[c.id]!.peakRssMiB = Math.round(Math.max(...rss) / 1024);
    }
    const floor = result["a"]!.medianMs;
    const ratio = (id: string) => Math.round((result[id]!.medianMs / floor) * 100) / 100;
    const targets = {
        "b/a <= 1.5": ratio("b") <= 1.5,
        "c/a <= 3": ratio("c") <= 3,
        "c peak <= 400 MB": (result["c"]!.peakRssMiB ?? 0) <= 400,
        ...(result["e"] ? { "e <= 60 s": result["e"].medianMs <= 60_000 } : {}),
    };

    const rows = commands.map((c) => {
        const r = result[c.id]!;
        const rel = c.id === "a" ? "1.00" : (r.medianMs / floor).toFixed(2);
        return `${c.id.padEnd(3)} ${r.label.padEnd(36)} ${String(r.medianMs).padStart(7)} ms  x${rel.padStart(5)}  ${r.peakRssMiB !== undefined ? `${r.peakRssMiB} MiB` : ""}`;
    });
    process.stdout.write(["", "id  command                              median    / floor  peak RSS", ...rows, ""].join("\n"));
    process.stdout.write(
        [
            "render cost by size (large stack at several scales):",
            ...slopePoints.map((p) => `  scale ${p.scale.toFixed(2)}: ${String(p.resources).padStart(5)} resources  ${Math.round(p.ms)} ms`),
            `  slope ${line.slope.toFixed(2)} ms per resource, intercept ${Math.round(line.intercept)} ms, R² ${line.r2.toFixed(3)} (1.000 = linear)`,
            "targets:",
            ...Object.entries(targets).map(([k, ok]) => `  ${ok ? "met    " : "NOT met"}  ${k}`),
            "",
        ].join("\n"),
    );
    const file = path.join(__dirname, "results.json");
    fs.writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), runs: RUNS, cpus: os.cpus().length, node: process.version, results: result, ratios: { "b/a": ratio("b"), "c/a": ratio("c") }, slope: { points: slopePoints, msPerResource: line.slope, interceptMs: line.intercept, r2: line.r2 }, targets }, null, 2)}\n`);
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
    fs.rmSync(tmp, { recursive: true, force: true });
}

main();
