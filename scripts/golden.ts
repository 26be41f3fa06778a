/**
 * npm run golden:update
 *
 * Writes the golden render (test/golden/): the offline render of each target below, exactly as
 * `npm run render` writes it. test/golden.test.ts renders the same targets under another time zone, locale,
 * date, host name, working directory and resource registration order, and requires byte-identical files.
 * After an intended change, run this and review the diff of test/golden/ like any other change.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** One golden render: a stack with `--set` overrides; `manifests: false` keeps only resources.json. */
export interface GoldenTarget {
    name: string;
    stack: string;
    sets: string[];
    manifests: boolean;
}

/**
 * `local` and `prod` in full; the two multi-cluster roles as resources.json only (their manifests are the same
 * writer over the same kind of objects). dev and staging are prod's shape with other values.
 */
export const GOLDEN_TARGETS: readonly GoldenTarget[] = [
    { name: "local", stack: "local", sets: [], manifests: true },
    { name: "prod", stack: "prod", sets: [], manifests: true },
    { name: "prod-collector", stack: "prod", sets: ["role=collector"], manifests: false },
    { name: "prod-central", stack: "prod", sets: ["role=central", 'central.collectorStacks=[{"stack":"acme/thanos-stack/prod-ap"}]'], manifests: false },
];

export const ROOT = path.resolve(__dirname, "..");
export const GOLDEN_DIR = path.join(ROOT, "test", "golden");

/** Runs one render as a child process; resolves with its stderr. */
export function renderTarget(
    target: GoldenTarget,
    outDir: string,
    opts: { entry?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stderr: string }> {
    const entry = opts.entry ?? path.join(ROOT, "scripts", "render.ts");
    const args = [path.join(ROOT, "scripts", "run.js"), entry, "--stack", target.stack, "--out", outDir, ...target.sets.flatMap((s) => ["--set", s])];
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => {
            if (code === 0 && !target.manifests) fs.rmSync(path.resolve(opts.cwd ?? ROOT, outDir, "manifests"), { recursive: true, force: true });
            resolve({ code, stderr });
        });
    });
}

/** Every file under a directory, relative path -> content. */
export function readTree(dir: string): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else out.set(path.relative(dir, p), fs.readFileSync(p));
        }
    };
    if (fs.existsSync(dir)) walk(dir);
    return out;
}

async function main(): Promise<number> {
    fs.rmSync(GOLDEN_DIR, { recursive: true, force: true });
    fs.mkdirSync(GOLDEN_DIR, { recursive: true });
    for (const t of GOLDEN_TARGETS) {
        const r = await renderTarget(t, path.join(GOLDEN_DIR, t.name));
        if (r.code !== 0) {
            process.stderr.write(`golden render ${t.name} failed (exit ${String(r.code)}):\n${r.stderr}`);
            return 1;
        }
    }
    const files = readTree(GOLDEN_DIR);
    const bytes = [...files.values()].reduce((n, b) => n + b.length, 0);
    process.stdout.write(`wrote ${files.size} files (${Math.round(bytes / 1024)} KiB) under ${path.relative(process.cwd(), GOLDEN_DIR) || "."}; review them with git diff\n`);
    return 0;
}

if (process.argv[1] === __filename) {
    main().then(
        (code) => process.exit(code),
        (e: unknown) => {
            process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
            process.exit(1);
        },
    );
}
