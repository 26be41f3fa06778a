/** Which bench tools are built, and where their files are. */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { RECIPES, type Recipe } from "./recipes";
import { toolDir } from "../lib/paths";

export interface Manifest {
    readonly name: string;
    readonly version: string;
    readonly recipe: string;
    readonly builtAt: string;
    readonly seconds: number;
}

export function recipeHash(recipe: Recipe): string {
    return crypto.createHash("sha256").update(JSON.stringify({ version: recipe.version, key: recipe.key })).digest("hex").slice(0, 16);
}

function manifestPath(recipe: Recipe): string {
    return path.join(toolDir(recipe.name, recipe.version), "manifest.json");
}

/** The tool's manifest when it is built with the current recipe and every binary is in place. */
export function installed(recipe: Recipe): Manifest | undefined {
    try {
        const manifest = JSON.parse(fs.readFileSync(manifestPath(recipe), "utf8")) as Manifest;
        if (manifest.recipe !== recipeHash(recipe)) return undefined;
        const bin = path.join(toolDir(recipe.name, recipe.version), "bin");
        return recipe.binaries.every((b) => fs.existsSync(path.join(bin, b))) ? manifest : undefined;
    } catch {
        return undefined;
    }
}

/** Every tool's `bin` directory, for PATH. */
export function toolBinDirs(): string[] {
    return RECIPES.filter((r) => r.binaries.length > 0).map((r) => path.join(toolDir(r.name, r.version), "bin"));
}

/** The absolute path of one built binary. */
export function toolBinary(binary: string): string {
    const recipe = RECIPES.find((r) => r.binaries.includes(binary));
    if (!recipe) throw new Error(`no bench tool provides '${binary}'`);
    return path.join(toolDir(recipe.name, recipe.version), "bin", binary);
}

/** A tool's data directory (`share/`). */
export function toolShare(name: string): string {
    const recipe = RECIPES.find((r) => r.name === name);
    if (!recipe) throw new Error(`no bench tool named '${name}'`);
    return path.join(toolDir(recipe.name, recipe.version), "share");
}

/** The tools that are not built (or were built by an older recipe). */
export function missingTools(): Recipe[] {
    return RECIPES.filter((r) => !installed(r));
}
