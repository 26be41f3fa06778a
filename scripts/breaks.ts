/**
 * npm run test:breaks [-- --only <name>[,<name>...]] [--ref <commit>]
 *
 * The hand-made breaks we keep (test/breaks/breaks.json, one patch each): every break is applied to a fresh
 * copy of the work tree (or of a commit, with `--ref`) in a temporary directory (never to this checkout) and
 * the tests it names are run
 * there; each must make them fail. Before the breaks, the same tests run on an unbroken copy and must pass,
 * so a failure is the break's doing. Exit code 0 when every break is caught, 1 otherwise, 2 on errors (a
 * patch that no longer applies: update it to the current code).
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";

const ROOT = path.resolve(__dirname, "..");
const BREAKS_DIR = path.join(ROOT, "test", "breaks");

/** One kept break. */
export interface Break {
    name: string;
    /** The behaviour pattern of issue reports it stands for. */
    pattern: string;
    description: string;
    /** Test files (of `npm test`) that must fail with the break applied. */
    tests: string[];
}

export function readBreaks(): Break[] {
    return JSON.parse(fs.readFileSync(path.join(BREAKS_DIR, "breaks.json"), "utf8")) as Break[];
}

/**
 * A copy of the work tree (tracked and untracked files that git does not ignore), or of a commit, with this
 * checkout's dependencies.
 */
function copyTree(ref: string | undefined): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "thanos-break-"));
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    if (ref !== undefined) {
        execFileSync("sh", ["-c", `git -C "${ROOT}" archive "$1" | tar -x -C "${dir}"`, "sh", ref]);
        return dir;
    }
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter((f) => f !== "");
    for (const f of files) {
        const from = path.join(ROOT, f);
        if (!fs.existsSync(from) || fs.lstatSync(from).isDirectory()) continue;
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.copyFileSync(from, path.join(dir, f));
    }
    return dir;
}

function runTests(dir: string, tests: string[]): { code: number | null; output: string } {
    const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", ...tests], { cwd: dir, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" } });
    return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

function summary(output: string): string {
    return output.split("\n").filter((l) => /^\s*(Tests|Test Files)\s/.test(l)).map((l) => l.trim()).join("; ");
}

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { only: { type: "string" }, ref: { type: "string" } } });
    const all = readBreaks();
    const breaks = values.only === undefined ? all : all.filter((b) => values.only!.split(",").includes(b.name));
    if (breaks.length === 0) {
        process.stderr.write(`no break named ${String(values.only)}; the breaks are ${all.map((b) => b.name).join(", ")}\n`);
        return 2;
    }
    const tests = [...new Set(breaks.flatMap((b) => b.tests))];
    const unbroken = copyTree(values.ref);
    try {
        const baseline = runTests(unbroken, tests);
        if (baseline.code !== 0) {
            process.stderr.write(`the tests of the breaks fail without any break (${summary(baseline.output)}):\n${baseline.output.slice(-4000)}\n`);
            return 2;
        }
        process.stdout.write(`unbroken: ${tests.join(" ")} pass (${summary(baseline.output)})\n`);
    } finally {
        fs.rmSync(unbroken, { recursive: true, force: true });
    }
    const missed: string[] = [];
    for (const b of breaks) {
        const dir = copyTree(values.ref);
        try {
            const patch = path.join(BREAKS_DIR, `${b.name}.patch`);
            const applied = spawnSync("git", ["apply", patch], { cwd: dir, encoding: "utf8" });
            if (applied.status !== 0) {
                process.stderr.write(`break ${b.name}: the patch no longer applies to the current code; update test/breaks/${b.name}.patch\n${applied.stderr}`);
                return 2;
            }
            const started = Date.now();
            const r = runTests(dir, b.tests);
            const caught = r.code !== 0 && /\bfailed\b/.test(summary(r.output));
            process.stdout.write(`${caught ? "caught" : "MISSED"}  ${b.name} (${b.pattern}): ${summary(r.output)} [${Math.round((Date.now() - started) / 1000)} s]\n`);
            if (!caught) missed.push(b.name);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
    process.stdout.write(`${breaks.length - missed.length} caught, ${missed.length} missed\n`);
    return missed.length === 0 ? 0 : 1;
}

if (process.argv[1] === __filename) {
    main().then(
        (code) => process.exit(code),
        (e: unknown) => {
            process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
            process.exit(2);
        },
    );
}
