/**
 * The real-software bench builds the engine the program's own SDKs ask for: a mismatch would test another
 * Pulumi or provider than the one `npm ci` installs for users.
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { TOOL_VERSIONS, prometheusModuleVersion } from "../e2e/tools/versions";
import { RECIPES } from "../e2e/tools/recipes";
import { ROOT } from "./support/harness";

const installedVersion = (pkg: string): string => (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
const pinned = (pkg: string): string => {
    const json = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    return json.dependencies[pkg] ?? json.devDependencies[pkg] ?? "";
};

describe("bench tool versions", () => {
    it("the Pulumi CLI is the version of @pulumi/pulumi", () => {
        expect(pinned("@pulumi/pulumi")).toBe(TOOL_VERSIONS.pulumi);
        expect(installedVersion("@pulumi/pulumi")).toBe(TOOL_VERSIONS.pulumi);
    });

    it("the Kubernetes provider is the version of @pulumi/kubernetes", () => {
        expect(pinned("@pulumi/kubernetes")).toBe(TOOL_VERSIONS.pulumiKubernetes);
        expect(installedVersion("@pulumi/kubernetes")).toBe(TOOL_VERSIONS.pulumiKubernetes);
    });

    it("the program needs no provider the bench cannot build (no @pulumi/random)", () => {
        expect(pinned("@pulumi/random")).toBe("");
    });

    it("maps Prometheus releases to their Go module versions", () => {
        expect(prometheusModuleVersion("v3.13.2")).toBe("v0.313.2");
        expect(prometheusModuleVersion("v3.4.0")).toBe("v0.304.0");
        expect(() => prometheusModuleVersion("3.13.2")).toThrow(/not of the form/);
    });

    it("every recipe has a unique name", () => {
        const names = RECIPES.map((r) => r.name);
        expect(new Set(names).size).toBe(names.length);
    });
});
