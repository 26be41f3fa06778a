/**
 * The real-software bench builds the engine the program's own SDKs ask for: a mismatch would test another
 * Pulumi or provider than the one `npm ci` installs for users.
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { TOOL_VERSIONS, prometheusModuleVersion } from "../e2e/tools/versions";
import { RECIPES } from "../e2e/tools/recipes";
import { withAbsolutePackagePaths } from "../e2e/lib/engine";
import { GO_SDK_MODULE, SDK_OUT } from "../e2e/lib/sdk";
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

    it("the SDK generator is built against the CLI's own module", () => {
        const goMod = fs.readFileSync(path.join(ROOT, "e2e", "tools", "sdkgen", "go.mod"), "utf8");
        expect(goMod).toMatch(new RegExp(`github.com/pulumi/pulumi/pkg/v3 v${TOOL_VERSIONS.pulumi.replace(/\./g, "\\.")}\n`));
    });

    it("the Go example builds against the SDK npm run sdk writes, under the module path it generates", () => {
        const goMod = fs.readFileSync(path.join(ROOT, "examples", "go-team", "go.mod"), "utf8");
        expect(goMod).toContain(`replace ${GO_SDK_MODULE} => ../../out/sdk/go\n`);
        expect(path.relative(path.join(ROOT, "examples", "go-team"), path.join(SDK_OUT, "go"))).toBe("../../out/sdk/go");
        expect(fs.readFileSync(path.join(ROOT, "examples", "go-team", "main.go"), "utf8")).toContain(`"${GO_SDK_MODULE}/thanosstack"`);
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

describe("the engine's temporary project", () => {
    it("keeps a program's local packages where they are: relative paths of `packages:` made absolute, nothing else", () => {
        const project = ["name: team", "runtime: python", "packages:", "  thanos-stack: ../..", "  other: ./vendor/other", "  published: 1.2.3", "description: ../not-a-package", ""].join("\n");
        expect(withAbsolutePackagePaths(project, "/repo/examples/python-team").split("\n")).toEqual([
            "name: team",
            "runtime: python",
            "packages:",
            "  thanos-stack: /repo",
            "  other: /repo/examples/python-team/vendor/other",
            "  published: 1.2.3",
            "description: ../not-a-package",
            "",
        ]);
        expect(withAbsolutePackagePaths("name: x\nruntime: nodejs\n", "/repo")).toBe("name: x\nruntime: nodejs\n");
    });
});
