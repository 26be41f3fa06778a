/**
 * Node 20 is the supported engine: `engines.node` says which Node 20 release, and no package of the lockfile
 * (the program's, the component package's or the tools') may need a newer one, or `npm ci` warns EBADENGINE.
 */
import { createRequire } from "module";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/harness";

const load = createRequire(path.join(ROOT, "package.json"));
const semver = load("semver") as { satisfies(version: string, range: string): boolean; minVersion(range: string): { version: string } | null };
const pkg = load("./package.json") as { engines: { node: string } };
const lock = load("./package-lock.json") as { packages: Record<string, { engines?: { node?: unknown } }> };

describe("the supported engine", () => {
    it("is a Node 20 release", () => {
        expect(semver.minVersion(pkg.engines.node)?.version).toMatch(/^20\./);
    });

    it("is enough for every package of the lockfile (no EBADENGINE on npm ci)", () => {
        const lowest = semver.minVersion(pkg.engines.node)!.version;
        const needMore = Object.entries(lock.packages)
            .filter(([, p]) => typeof p.engines?.node === "string" && !semver.satisfies(lowest, p.engines.node as string))
            .map(([name, p]) => `${name.replace(/^node_modules\//, "")} needs node ${String(p.engines?.node)}`);
        expect(needMore).toEqual([]);
    });
});
