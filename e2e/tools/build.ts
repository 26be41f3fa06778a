/**
 * `npm run e2e:tools [-- <tool> ...] [--check] [--list]`
 *
 * Builds or installs every tool of the real-software bench at its pinned version (e2e/tools/versions.ts) into
 * the cache (e2e/lib/paths.ts), skipping what is already built with the same recipe. Prints one line per step
 * and the duration of each build; the full output of each build goes to `<cache>/logs/<tool>-<version>.log`.
 *
 * --check  build nothing; list what is missing and exit 1 if anything is.
 * --list   print each tool, its version and where it is installed.
 */
import * as fs from "fs";
import * as path from "path";
import { RECIPES, type BuildContext, type Recipe } from "./recipes";
import { installed, recipeHash, type Manifest } from "./installed";
import { GO_ENV } from "./versions";
import { CACHE_ROOT, logDir, toolDir, workDir } from "../lib/paths";
import { CommandError, formatSeconds, onPath, progress, run } from "../lib/exec";

async function build(recipe: Recipe): Promise<number> {
    const dir = toolDir(recipe.name, recipe.version);
    const partial = `${dir}.partial`;
    const work = workDir(recipe.name, recipe.version);
    const log = path.join(logDir(), `${recipe.name}-${recipe.version}.log`);
    for (const d of [partial, work]) fs.rmSync(d, { recursive: true, force: true });
    for (const d of [path.join(partial, "bin"), path.join(partial, "share"), work, logDir()]) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(log, `# ${recipe.name} ${recipe.version}, ${new Date().toISOString()}\n`);
    const goEnv: NodeJS.ProcessEnv = { ...process.env, ...GO_ENV };
    const ctx: BuildContext = {
        binDir: path.join(partial, "bin"),
        shareDir: path.join(partial, "share"),
        workDir: work,
        goEnv,
        async exec(command, args, options = {}) {
            await run(command, args, { cwd: options.cwd ?? work, env: options.env, logFile: log });
        },
        async output(command, args, options = {}) {
            return (await run(command, args, { cwd: options.cwd ?? work, env: goEnv })).stdout;
        },
        step(message) {
            progress(`    ${recipe.name}: ${message}`);
        },
    };
    const started = Date.now();
    await recipe.build(ctx);
    const missing = recipe.binaries.filter((b) => !fs.existsSync(path.join(ctx.binDir, b)));
    if (missing.length) throw new Error(`${recipe.name}: the build left no ${missing.join(", ")}`);
    const seconds = (Date.now() - started) / 1000;
    const manifest: Manifest = { name: recipe.name, version: recipe.version, recipe: recipeHash(recipe), builtAt: new Date().toISOString(), seconds };
    fs.writeFileSync(path.join(partial, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(partial, dir);
    fs.rmSync(work, { recursive: true, force: true });
    return seconds;
}

function selected(names: readonly string[]): Recipe[] {
    if (names.length === 0) return [...RECIPES];
    const unknown = names.filter((n) => !RECIPES.some((r) => r.name === n));
    if (unknown.length) {
        progress(`unknown tool(s): ${unknown.join(", ")}; known: ${RECIPES.map((r) => r.name).join(", ")}`);
        process.exit(2);
    }
    return RECIPES.filter((r) => names.includes(r.name));
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const flags = new Set(args.filter((a) => a.startsWith("--")));
    const recipes = selected(args.filter((a) => !a.startsWith("--")));
    if (flags.has("--list")) {
        for (const r of recipes) process.stdout.write(`${r.name.padEnd(28)} ${r.version.padEnd(12)} ${installed(r) ? toolDir(r.name, r.version) : "(not built)"}\n`);
        return;
    }
    if (flags.has("--check")) {
        const missing = recipes.filter((r) => !installed(r));
        if (missing.length === 0) return progress(`all ${recipes.length} bench tools are built (${CACHE_ROOT})`);
        progress(`missing bench tools: ${missing.map((r) => `${r.name} ${r.version}`).join(", ")}; build them with: npm run e2e:tools`);
        process.exit(1);
    }
    if (!onPath("go")) {
        progress("the bench builds its tools with Go (>= 1.26) from the module proxy; 'go' is not on PATH");
        process.exit(1);
    }
    progress(`bench tools -> ${CACHE_ROOT}/tools`);
    const started = Date.now();
    const rows: string[] = [];
    for (const recipe of recipes) {
        const label = `${recipe.name} ${recipe.version}`;
        if (installed(recipe)) {
            progress(`• ${label}: cached`);
            rows.push(`${label}: cached`);
            continue;
        }
        progress(`▶ ${label}: building (log: ${path.join(logDir(), `${recipe.name}-${recipe.version}.log`)})`);
        try {
            const seconds = await build(recipe);
            progress(`✓ ${label}: built in ${formatSeconds(seconds)}`);
            rows.push(`${label}: built in ${formatSeconds(seconds)}`);
        } catch (err) {
            const detail = err instanceof CommandError || err instanceof Error ? err.message : String(err);
            progress(`✗ ${label}: ${detail}`);
            process.exit(1);
        }
    }
    progress(`bench tools ready in ${formatSeconds((Date.now() - started) / 1000)}: ${rows.length} tools`);
}

main().catch((err: unknown) => {
    progress(`e2e:tools: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
