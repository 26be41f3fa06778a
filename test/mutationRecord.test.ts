/**
 * The mutation records (test/mutation/<group>.json): when CI may score a group from its record instead of running
 * Stryker, how a report is scored, and that the records follow the groups of stryker.config.mjs.
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { expandPattern, RECORDS, scoreOf, staleness } from "../scripts/mutation";
import { tempDir } from "./support/tempDirs";

function tree(files: Record<string, string>): string {
    const root = tempDir("thanos-mutation-");
    for (const [f, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
        fs.writeFileSync(path.join(root, f), text);
    }
    return root;
}

const mutant = (status: string) => ({ id: status, mutatorName: "X", status, location: { start: { line: 1, column: 1 } } });

describe("a mutation record", () => {
    const root = tree({ "src/a.ts": "export const a = 1;\n", "src/deep/b.ts": "export const b = 2;\n", "src/c.js": "", "t/a.test.ts": "test\n" });
    const record = () => ({
        files: { "src/a.ts": { mutants: [], source: "export const a = 1;\n" }, "src/deep/b.ts": { mutants: [], source: "export const b = 2;\n" } },
        testFiles: { "t/a.test.ts": { source: "test\n" } },
    });
    const mutated = expandPattern(root, "src/**/*.ts");

    it("expands a directory pattern to the files of that extension below it, and a path to itself when it exists", () => {
        expect(mutated).toEqual(["src/a.ts", "src/deep/b.ts"]);
        expect(expandPattern(root, "src/c.js")).toEqual(["src/c.js"]);
        expect(expandPattern(root, "src/missing.ts")).toEqual([]);
        expect(expandPattern(root, "nowhere/**/*.ts")).toEqual([]);
    });

    it("is current when every mutated and test file is byte-identical to its recorded source", () => {
        expect(staleness(root, record(), mutated, ["t/a.test.ts"])).toEqual([]);
    });

    it("is stale when a mutated file or a test file changed, one joined the group or one left it", () => {
        const changed = record();
        changed.files["src/a.ts"].source = "export const a = 2;\n";
        expect(staleness(root, changed, mutated, ["t/a.test.ts"])).toEqual(["mutated file src/a.ts changed"]);
        const test = record();
        test.testFiles["t/a.test.ts"].source = "old test\n";
        expect(staleness(root, test, mutated, ["t/a.test.ts"])).toEqual(["test file t/a.test.ts changed"]);
        expect(staleness(root, record(), [...mutated, "src/c.js"], ["t/a.test.ts"])).toEqual(["mutated file src/c.js is not in the record"]);
        expect(staleness(root, record(), ["src/a.ts"], [])).toEqual(["mutated file src/deep/b.ts left the group", "test file t/a.test.ts left the group"]);
    });

    it("is scored as Stryker scores: killed and timed out over all but compile errors and ignored", () => {
        const report = { files: { f: { mutants: [...Array(6)].map(() => mutant("Killed")).concat([mutant("Timeout"), mutant("Survived"), mutant("NoCoverage"), mutant("CompileError"), mutant("Ignored")]) } } };
        const s = scoreOf("g", report);
        expect(s).toMatchObject({ mutants: 11, killed: 6, timeout: 1, survived: 1, noCoverage: 1, compileErrors: 1, ignored: 1 });
        expect(s.score).toBe(77.78);
        expect(scoreOf("empty", { files: {} }).score).toBe(100);
    });
});

describe("the committed records", () => {
    it("belong to groups of stryker.config.mjs and name only files of that group", async () => {
        const config = (await import("../stryker.config.mjs")) as { GROUPS: Record<string, { mutate: string[] }> };
        const root = path.resolve(__dirname, "..");
        const records = fs.existsSync(RECORDS) ? fs.readdirSync(RECORDS).filter((f) => f.endsWith(".json")) : [];
        for (const f of records) {
            const group = f.replace(/\.json$/, "");
            expect(Object.keys(config.GROUPS), f).toContain(group);
            const files = Object.keys((JSON.parse(fs.readFileSync(path.join(RECORDS, f), "utf8")) as { files: Record<string, unknown> }).files);
            const allowed = config.GROUPS[group]!.mutate.flatMap((p) => expandPattern(root, p));
            for (const file of files) expect(allowed, `${f} records ${file}`).toContain(file);
        }
    });
});
