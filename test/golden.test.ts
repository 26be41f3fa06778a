/**
 * Determinism that means it: every golden target (scripts/golden.ts) rendered by the CLI in a process with
 * another time zone, locale, date, host name and working directory, with resource registrations shuffled,
 * must be byte-identical to the golden render committed in test/golden/ (`npm run golden:update` rewrites it
 * after an intended change; review the diff).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { GOLDEN_DIR, GOLDEN_TARGETS, readTree, renderTarget } from "../scripts/golden";
import { childEnv } from "./support/childProcess";

const PERTURBATIONS = [
    { TZ: "Pacific/Chatham", LANG: "tr_TR.UTF-8", date: "2039-02-28T23:30:00Z", host: "metrics-ci-7", seed: "7" },
    { TZ: "America/St_Johns", LANG: "de_DE.UTF-8", date: "1999-06-15T10:00:00Z", host: "laptop.local", seed: "42" },
    { TZ: "Asia/Kolkata", LANG: "ar_EG.UTF-8", date: "2030-07-01T00:00:00Z", host: "x", seed: "1234" },
    { TZ: "Etc/GMT+12", LANG: "ja_JP.UTF-8", date: "2100-03-01T12:00:00Z", host: "build-host", seed: "99" },
];

/** The first differing line of two texts, for a readable failure. */
function firstDifference(a: string, b: string): string {
    const x = a.split("\n");
    const y = b.split("\n");
    for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return `line ${i + 1}:\n  golden: ${x[i] ?? "(end)"}\n  now:    ${y[i] ?? "(end)"}`;
    return "identical";
}

describe("the golden render", () => {
    it("exists for every target (npm run golden:update)", () => {
        for (const t of GOLDEN_TARGETS) {
            expect(fs.existsSync(path.join(GOLDEN_DIR, t.name, "resources.json")), t.name).toBe(true);
            expect(fs.existsSync(path.join(GOLDEN_DIR, t.name, "manifests")), t.name).toBe(t.manifests);
        }
    });

    it("is what the CLI writes under another time zone, locale, date, host, working directory and registration order", async () => {
        const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "thanos-golden-"));
        const runs = GOLDEN_TARGETS.map((t, i) => {
            const p = PERTURBATIONS[i % PERTURBATIONS.length]!;
            const env = childEnv({ TZ: p.TZ, LANG: p.LANG, LC_ALL: p.LANG, LANGUAGE: p.LANG, PERTURB_DATE: p.date, PERTURB_HOSTNAME: p.host, PERTURB_SEED: p.seed });
            return renderTarget(t, path.join("renders", t.name), { entry: path.join(__dirname, "support", "perturbedRender.ts"), cwd, env }).then((r) => ({ t, p, r }));
        });
        const differences: string[] = [];
        for (const { t, p, r } of await Promise.all(runs)) {
            expect(r.code, r.stderr).toBe(0);
            // The perturbation happened in that process.
            expect(r.stderr).toContain(`date=${p.date.slice(0, 4)}`);
            expect(r.stderr).toContain(`tz=${new Intl.DateTimeFormat("en", { timeZone: p.TZ }).resolvedOptions().timeZone} `);
            expect(r.stderr).toContain(`host=${p.host}`);
            expect(r.stderr).toMatch(new RegExp(`cwd=${cwd.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
            expect(r.stderr).toMatch(/delayed=[1-9]\d*/);
            const golden = readTree(path.join(GOLDEN_DIR, t.name));
            const now = readTree(path.join(cwd, "renders", t.name));
            const names = [...new Set([...golden.keys(), ...now.keys()])].sort();
            for (const f of names) {
                const g = golden.get(f);
                const n = now.get(f);
                if (g === undefined) differences.push(`${t.name}/${f}: not in the golden render`);
                else if (n === undefined) differences.push(`${t.name}/${f}: missing from the render`);
                else if (!g.equals(n)) differences.push(`${t.name}/${f}: differs at ${firstDifference(g.toString("utf8"), n.toString("utf8"))}`);
            }
        }
        fs.rmSync(cwd, { recursive: true, force: true });
        expect(differences.slice(0, 20), `${differences.length} files differ from test/golden (run npm run golden:update after an intended change)`).toEqual([]);
    });
});
