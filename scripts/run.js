#!/usr/bin/env node
/**
 * Runs one of our TypeScript scripts: `node scripts/run.js scripts/render.ts [args...]`.
 *
 * Transpile-only: each .ts file outside node_modules is turned into CommonJS by
 * esbuild, and the result is cached on disk (node_modules/.cache) by content
 * hash, so a warm start loads no compiler at all. `npm run typecheck` does the
 * type-checking. This keeps `npm run render` close to the cost of loading
 * @pulumi/pulumi itself (see `npm run bench`).
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const Module = require("module");

const CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "thanos-stack-ts");
const OPTIONS = { loader: "ts", format: "cjs", target: "node20", sourcemap: "inline" };
let esbuild; // loaded on the first cache miss only
let esbuildVersion;

function transpile(source, filename) {
    esbuildVersion ??= require("esbuild/package.json").version;
    const key = crypto.createHash("sha256").update(`${esbuildVersion}\0${JSON.stringify(OPTIONS)}\0${filename}\0${source}`).digest("hex");
    const cached = path.join(CACHE_DIR, `${key}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        esbuild ??= require("esbuild");
        const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
        fs.mkdirSync(CACHE_DIR, { recursive: true });
        const tmp = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, code);
        fs.renameSync(tmp, cached);
        return code;
    }
}

Module._extensions[".ts"] = function (module, filename) {
    if (filename.includes(`${path.sep}node_modules${path.sep}`)) throw new Error(`refusing to transpile ${filename}`);
    module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
};
// Source maps stay inline in the cached output but are not applied by default: Pulumi captures a stack
// trace for every resource, and mapping each one costs more than the whole render of a small stack.
// Debug with `node --enable-source-maps scripts/run.js ...`.

const [node, , script, ...rest] = process.argv;
if (!script) {
    process.stderr.write("usage: node scripts/run.js <script.ts> [args...]\n");
    process.exit(2);
}
const entry = path.resolve(script);
process.argv = [node, entry, ...rest];
require(entry);
