/**
 * `npm run diff` on uncommitted changes in a work tree: the base is a commit, the head is what is on disk.
 * A small program of its own shows every kind of change a reviewer must see (a moved parent, a dropped
 * dependency, protect and retainOnDelete, a changed secret that stays masked); the real program shows a
 * configuration change of a stack.
 */
import { createHmac } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { isSecretPlaceholder, secretPlaceholder } from "../scripts/lib/secrets";
import { diff, git, repoWith, type DiffRun } from "./support/diffRepo";

const PROGRAM = (o: { settingsParent: string; otherOptions: string; token: string }) => `
import * as pulumi from "@pulumi/pulumi";
import { Provider } from "@pulumi/kubernetes/provider";
import { ConfigMap, Secret } from "@pulumi/kubernetes/core/v1";

class Group extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:Group", name, {}, {});
        this.registerOutputs({});
    }
}
const provider = new Provider("k8s", {});
const groups: Record<string, Group> = { a: new Group("a"), b: new Group("b") };
const settings = new ConfigMap("settings", { metadata: { name: "settings", namespace: "m" }, data: { level: "info" } }, { provider, parent: groups["${o.settingsParent}"] });
new ConfigMap("other", { metadata: { name: "other", namespace: "m" }, data: {} }, { provider, parent: groups["a"], ${o.otherOptions} });
new Secret("token", { metadata: { name: "token", namespace: "m" }, stringData: pulumi.secret({ token: "${o.token}" }) }, { provider, parent: groups["a"] });
void settings;
`;

describe("npm run diff on a work tree (a program of its own)", () => {
    let repo: string;
    let result: DiffRun;
    beforeAll(async () => {
        // The render reads stacks through infra/config; the program itself is ours.
        repo = repoWith(
            {
                "infra/index.ts": PROGRAM({ settingsParent: "a", otherOptions: "dependsOn: [settings]", token: "base-s3cr3t-value" }),
                "stacks/Pulumi.t.yaml": "config:\n  pulumi:disable-default-providers: [\"*\"]\n",
            },
            ["components", "infra"],
        );
        // Uncommitted edits: the work tree is the head.
        fs.writeFileSync(path.join(repo, "infra/index.ts"), PROGRAM({ settingsParent: "b", otherOptions: "protect: true, retainOnDelete: true", token: "head-s3cr3t-value" }));
        result = await diff(repo, ["--stack", "t", "--base", "HEAD"]);
    });

    it("exits 1 and names the base commit and the work tree", () => {
        expect(result.code, result.stderr).toBe(1);
        expect(result.stdout).toMatch(/^stack t: HEAD \([0-9a-f]{12}\) -> work tree\n/);
        expect(result.stdout.trim().split("\n").pop()).toBe("0 added, 0 removed, 3 changed, 4 unchanged (7 resources after the change)");
    });

    it("shows a moved parent", () => {
        expect(result.stdout).toContain('~ kubernetes:core/v1:ConfigMap::settings\n    parent: "test:index:Group::a" -> "test:index:Group::b"\n');
    });

    it("shows a dropped dependency, protect and retainOnDelete", () => {
        expect(result.stdout).toContain(
            [
                "~ kubernetes:core/v1:ConfigMap::other",
                "    options.dependsOn - kubernetes:core/v1:ConfigMap::settings",
                "    options.protect: false -> true",
                "    options.retainOnDelete: false -> true",
            ].join("\n"),
        );
    });

    it("shows that a secret changed, and never its value", () => {
        expect(result.stdout).toContain('~ kubernetes:core/v1:Secret::token\n    inputs.stringData: "[secret]" -> "[secret]" (secret changed)\n');
        expect(result.stdout).not.toMatch(/s3cr3t/);
        expect(result.stdout).not.toMatch(/\[secret [0-9a-f]/);
    });

    it("finds nothing once the change is committed, and refuses a ref that does not exist", async () => {
        git(repo, "commit", "-qam", "head");
        const same = await diff(repo, ["--stack", "t", "--base", "HEAD"]);
        expect(same.code, same.stderr).toBe(0);
        expect(same.stdout).toMatch(/\nno changes\n0 added, 0 removed, 0 changed, 7 unchanged/);
        const bad = await diff(repo, ["--stack", "t", "--base", "no-such-ref"]);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toMatch(/no-such-ref/);
    });
});

describe("npm run diff on a work tree (the real program)", () => {
    it("shows an uncommitted configuration change of the local stack", async () => {
        const repo = repoWith({}, ["components", "infra", "policy", "stacks"]);
        const stackFile = path.join(repo, "stacks", "Pulumi.local.yaml");
        const doc = parseDocument(fs.readFileSync(stackFile, "utf8"));
        doc.setIn(["config", "thanos-stack:namespace"], "metrics");
        fs.writeFileSync(stackFile, doc.toString());
        const r = await diff(repo, ["--stack", "local", "--base", "HEAD"]);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stdout).toMatch(/~ kubernetes:core\/v1:Namespace::thanos-namespace\n {4}inputs\.metadata\.name: "monitoring" -> "metrics"\n/);
        expect(r.stdout).not.toMatch(/\[secret [0-9a-f]/);
    });
});

describe("secret placeholders", () => {
    it("are [secret] without a key, and with one a digest that tells equal values from different ones", () => {
        expect(secretPlaceholder({ a: 1 }, undefined)).toBe("[secret]");
        expect(secretPlaceholder({ a: 1 }, "")).toBe("[secret]");
        const a = secretPlaceholder({ token: "x" }, "k1");
        expect(a).toMatch(/^\[secret [0-9a-f]{16}\]$/);
        expect(secretPlaceholder({ token: "x" }, "k1")).toBe(a);
        expect(secretPlaceholder({ token: "y" }, "k1")).not.toBe(a);
        expect(secretPlaceholder({ token: "x" }, "k2")).not.toBe(a);
        expect(a).not.toContain("x\"");
        for (const v of ["[secret]", a]) expect(isSecretPlaceholder(v), v).toBe(true);
        for (const v of ["[secret abc]", "secret", `${a} `, ` ${a}`, `x${a}`, `${a}x`, 1, undefined]) expect(isSecretPlaceholder(v), String(v)).toBe(false);
    });

    it("digest an undefined value as the text undefined (it has no JSON)", () => {
        expect(secretPlaceholder(undefined, "k1")).toBe(`[secret ${createHmac("sha256", "k1").update("undefined").digest("hex").slice(0, 16)}]`);
    });
});
