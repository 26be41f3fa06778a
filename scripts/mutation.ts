/**
 * npm run test:mutation [-- --group <name>[,<name>...]] [--concurrency <n>] [--force] [--ci]
 *
 * Mutation testing of the code that keeps users safe (the groups of stryker.config.mjs), one Stryker run per
 * group, incremental. Each group's last result is its record, test/mutation/<group>.json (Stryker's incremental
 * report, committed with the code it measured): a run only tests mutants in changed code or covered by changed
 * tests, and writes the record back (`--force` tests every mutant again). Writes the HTML report of each group
 * (out/mutation/<group>/index.html), its survivors (out/mutation/<group>/survivors.txt) and
 * out/mutation/summary.json, and prints the score of each group.
 *
 * `--ci` (what .ci/run uses): a group whose record is current — the mutated files and the group's test files are
 * byte-identical to the sources in the record, and no file was added to or removed from the group — is scored
 * from its record without starting Stryker (Stryker would reuse every result of it anyway); any other group is
 * run incrementally. Exit code 0 when every group reaches the goal (85%), 1 otherwise, 2 on errors.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";

const ROOT = path.resolve(__dirname, "..");
const OUT = path.join(ROOT, "out", "mutation");
/** The committed records, one Stryker incremental report per group. */
export const RECORDS = path.join(ROOT, "test", "mutation");
/** The mutation score every group must reach. */
export const GOAL = 85;

/** A mutant as the JSON report (mutation-testing-report-schema) has it. */
interface ReportMutant {
    id: string;
    mutatorName: string;
    status: string;
    location: { start: { line: number; column: number } };
    replacement?: string;
}
interface Report {
    files: Record<string, { mutants: ReportMutant[]; source?: string }>;
    testFiles?: Record<string, { source?: string }>;
}

/** Counts of one group's mutants. */
export interface GroupScore {
    group: string;
    mutants: number;
    killed: number;
    survived: number;
    noCoverage: number;
    timeout: number;
    compileErrors: number;
    ignored: number;
    /** (killed + timeout) / (killed + timeout + survived + no coverage), in percent. */
    score: number;
}

/** The score of a report, as Stryker computes it (compile errors and ignored mutants do not count). */
export function scoreOf(group: string, report: Report): GroupScore {
    const all = Object.values(report.files).flatMap((f) => f.mutants);
    const n = (s: string) => all.filter((m) => m.status === s).length;
    const killed = n("Killed");
    const timeout = n("Timeout");
    const survived = n("Survived");
    const noCoverage = n("NoCoverage");
    const detected = killed + timeout;
    const valid = detected + survived + noCoverage;
    return {
        group,
        mutants: all.length,
        killed,
        survived,
        noCoverage,
        timeout,
        compileErrors: n("CompileError"),
        ignored: n("Ignored"),
        score: valid === 0 ? 100 : Math.round((detected / valid) * 10000) / 100,
    };
}

/** Every surviving or uncovered mutant of a report: `file:line:column mutator -> replacement`. */
export function survivorsOf(report: Report): string[] {
    return Object.entries(report.files).flatMap(([file, f]) =>
        f.mutants
            .filter((m) => m.status === "Survived" || m.status === "NoCoverage")
            .map((m) => `${file}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName}${m.replacement !== undefined ? ` -> ${m.replacement.replace(/\s+/g, " ").slice(0, 100)}` : ""}`),
    );
}

interface Config {
    GROUPS: Record<string, { mutate: string[]; tests: string[] }>;
    groupTests(name: string): string[];
}

/** The files a pattern of stryker.config.mjs names: one path, or every file of an extension below a directory (`dir` + `/**` + `/*.ts`). */
export function expandPattern(root: string, pattern: string): string[] {
    const deep = pattern.match(/^(.*)\/\*\*\/\*(\.[a-z]+)$/);
    if (deep === null) return fs.existsSync(path.join(root, pattern)) ? [pattern] : [];
    const [, dir, ext] = deep as unknown as [string, string, string];
    const out: string[] = [];
    const walk = (rel: string) => {
        for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
            const child = `${rel}/${e.name}`;
            if (e.isDirectory()) walk(child);
            else if (e.name.endsWith(ext)) out.push(child);
        }
    };
    if (fs.existsSync(path.join(root, dir))) walk(dir);
    return out.sort();
}

/**
 * Why a record does not describe the code as it is now (empty when it does): a mutated or test file whose
 * source differs from the record's, or a file that joined or left the group.
 */
export function staleness(root: string, record: Report, mutated: string[], tests: string[]): string[] {
    const reasons: string[] = [];
    const compare = (kind: string, recorded: Record<string, { source?: string }>, now: string[]) => {
        for (const f of now) {
            if (!(f in recorded)) reasons.push(`${kind} ${f} is not in the record`);
            else if (recorded[f]!.source !== fs.readFileSync(path.join(root, f), "utf8")) reasons.push(`${kind} ${f} changed`);
        }
        for (const f of Object.keys(recorded)) if (!now.includes(f)) reasons.push(`${kind} ${f} left the group`);
    };
    compare("mutated file", record.files, mutated);
    compare("test file", record.testFiles ?? {}, tests);
    return reasons;
}

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { group: { type: "string" }, concurrency: { type: "string" }, force: { type: "boolean" }, ci: { type: "boolean" } } });
    const config = (await import(path.join(ROOT, "stryker.config.mjs"))) as Config;
    const groups = values.group === undefined ? Object.keys(config.GROUPS) : values.group.split(",").map((g) => g.trim());
    const unknown = groups.filter((g) => !(g in config.GROUPS));
    if (unknown.length > 0) {
        process.stderr.write(`unknown group(s) ${unknown.join(", ")}; the groups are ${Object.keys(config.GROUPS).join(", ")}\n`);
        return 2;
    }
    const rel = (p: string) => path.relative(ROOT, p);
    const scores: GroupScore[] = [];
    fs.mkdirSync(RECORDS, { recursive: true });
    for (const group of groups) {
        const dir = path.join(OUT, group);
        fs.mkdirSync(dir, { recursive: true });
        const record = path.join(RECORDS, `${group}.json`);
        const mutated = [...new Set(config.GROUPS[group]!.mutate.flatMap((p) => expandPattern(ROOT, p)))].sort();
        const tests = config.groupTests(group).filter((t) => {
            const present = fs.existsSync(path.join(ROOT, t));
            if (!present) process.stderr.write(`stryker.config.mjs: group ${group} names test file ${t}, which does not exist\n`);
            return present;
        });
        const started = Date.now();
        let report: Report;
        const recorded = fs.existsSync(record) ? (JSON.parse(fs.readFileSync(record, "utf8")) as Report) : undefined;
        const stale = recorded === undefined ? ["no record yet"] : staleness(ROOT, recorded, mutated, tests);
        if (values.ci && !values.force && stale.length === 0) {
            process.stdout.write(`mutation testing: ${group}: the record ${rel(record)} is current (its mutated and test files are unchanged)\n`);
            report = recorded!;
        } else {
            if (values.ci) process.stdout.write(`mutation testing: ${group}: the record is not current (${stale.slice(0, 3).join("; ")}${stale.length > 3 ? `; ${stale.length - 3} more` : ""}): an incremental run\n`);
            // The type checker of the mutants sees only this group's files and what they import.
            const tsconfig = path.join(dir, "tsconfig.json");
            fs.writeFileSync(
                tsconfig,
                `${JSON.stringify({ extends: path.relative(dir, path.join(ROOT, "tsconfig.json")), compilerOptions: { declaration: false, sourceMap: false }, include: config.GROUPS[group]!.mutate.map((p) => path.relative(dir, path.join(ROOT, p))) }, null, 2)}\n`,
            );
            const args = [
                "stryker",
                "run",
                "stryker.config.mjs",
                "--mutate",
                config.GROUPS[group]!.mutate.join(","),
                "--testFiles",
                tests.join(","),
                "--incrementalFile",
                rel(record),
                "--tempDirName",
                `.stryker-tmp-${group}`,
                "--concurrency",
                values.concurrency ?? "2",
                ...(values.force ? ["--force"] : []),
            ];
            process.stdout.write(`mutation testing: ${group} (${config.GROUPS[group]!.mutate.join(", ")})\n`);
            const r = spawnSync("npx", args, {
                cwd: ROOT,
                stdio: "inherit",
                env: { ...process.env, STRYKER_GROUP_TSCONFIG: rel(tsconfig), STRYKER_GROUP_REPORT_DIR: rel(dir) },
            });
            if (r.status !== 0) {
                process.stderr.write(`mutation testing of ${group} failed (exit ${String(r.status)})\n`);
                return 2;
            }
            report = JSON.parse(fs.readFileSync(path.join(dir, "mutation.json"), "utf8")) as Report;
        }
        const score = scoreOf(group, report);
        scores.push(score);
        fs.writeFileSync(path.join(dir, "survivors.txt"), `${survivorsOf(report).join("\n")}\n`);
        process.stdout.write(`${group}: ${score.score}% of ${score.mutants} mutants (${Math.round((Date.now() - started) / 1000)} s)\n`);
    }
    const summaryFile = path.join(OUT, "summary.json");
    const previous = fs.existsSync(summaryFile) ? (JSON.parse(fs.readFileSync(summaryFile, "utf8")) as Record<string, GroupScore>) : {};
    const summary = { ...previous, ...Object.fromEntries(scores.map((s) => [s.group, s])) };
    fs.writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write("\ngroup        score  mutants  killed  survived  no-coverage  timeout\n");
    for (const s of Object.values(summary)) {
        process.stdout.write(
            `${s.group.padEnd(12)} ${`${s.score}%`.padStart(6)}  ${String(s.mutants).padStart(7)}  ${String(s.killed).padStart(6)}  ${String(s.survived).padStart(8)}  ${String(s.noCoverage).padStart(11)}  ${String(s.timeout).padStart(7)}\n`,
        );
    }
    return scores.every((s) => s.score >= GOAL) ? 0 : 1;
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
