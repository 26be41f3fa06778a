import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse as parseYaml, parseDocument } from "yaml";
import { LABELS } from "../components/constants";
import { listStacks, applySets, parseSet, readStackFile, InputError } from "../scripts/lib/stackConfig";
import * as pulumi from "@pulumi/pulumi";
import { ConfigMap } from "@pulumi/kubernetes/core/v1";
import { kubernetesManifests, RenderInputError, renderStack, summarize, toYaml, writeRender, type RenderResult } from "../scripts/lib/render";
import type { CapturedResource } from "../scripts/lib/capture";
import { SECRET_DIGEST_KEY_ENV } from "../scripts/lib/secrets";
import { ConfigError } from "../infra/config/load";
import { ALL_CHECKS, evaluate } from "../policy/checks";
import { kubernetesProblems } from "./support/crdSchema";
import { objectsOfKind, renderInProcess, ROOT } from "./support/harness";
import { tempDir } from "./support/tempDirs";

const run = promisify(execFile);
const RUN = path.join(ROOT, "scripts", "run.js");

async function renderCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
        const { stdout, stderr } = await run(process.execPath, [RUN, path.join(ROOT, "scripts", "render.ts"), ...args], { cwd: ROOT });
        return { code: 0, stdout, stderr };
    } catch (e) {
        const err = e as { code: number; stdout: string; stderr: string };
        return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
}

/** A temporary directory, removed after this file's tests (test/support/tempDirs.ts). */
function tmpDir(): string {
    return tempDir("thanos-render-");
}

function readTree(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else out[path.relative(dir, p)] = fs.readFileSync(p, "utf8");
        }
    };
    walk(dir);
    return out;
}

describe("the stacks", () => {
    const stacks = listStacks();

    it("include local, dev, staging and prod", () => {
        expect(stacks).toEqual(expect.arrayContaining(["local", "dev", "staging", "prod"]));
    });

    it.each(listStacks())("%s renders with explicit providers only and zero policy violations", async (stack) => {
        const result = await renderInProcess(stack);
        const violations = evaluate(ALL_CHECKS, result.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs })));
        expect(violations).toEqual([]);
        // Every Kubernetes object validates against its schema (core OpenAPI or the Operator's CRD), unknown fields rejected.
        const schemaProblems: string[] = [];
        for (const m of result.manifests) for (const p of await kubernetesProblems(m.object)) schemaProblems.push(`${m.file}: ${p}`);
        expect(schemaProblems).toEqual([]);
        const custom = result.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
        expect(custom.length).toBeGreaterThan(0);
        for (const r of custom) {
            expect(r.options.provider, `${r.type}::${r.name} must use an explicit provider`).toMatch(/^pulumi:providers:(kubernetes|aws|pulumi-nodejs)::/);
        }
        const stackComponent = result.resources.filter((r) => r.type === "thanos-stack:index:ThanosStack");
        expect(stackComponent).toHaveLength(1);
        const ns = objectsOfKind<{ metadata: { name: string; labels: Record<string, string> } }>(result, "Namespace").find((n) => n.metadata.name === "monitoring");
        expect(ns?.metadata.labels[LABELS.podSecurityEnforce]).toBe("restricted");
        const usesAws = result.resources.some((r) => r.type.startsWith("aws:") || r.type === "pulumi:providers:aws");
        const file = readStackFile(stack);
        expect(usesAws).toBe(JSON.parse(file.config["thanos-stack:objectStorage"]!).provider === "s3");
    });

    it("prod runs at least 4 shards x 2 replicas", () => {
        const prod = readStackFile("prod");
        const prom = JSON.parse(prod.config["thanos-stack:prometheus"]!) as { shards: number; replicas: number };
        expect(prom.shards).toBeGreaterThanOrEqual(4);
        expect(prom.replicas).toBeGreaterThanOrEqual(2);
    });

    it("--set overrides a nested key and the program sees it", async () => {
        const result = await renderInProcess("local", ["namespace=metrics"]);
        const names = objectsOfKind<{ metadata: { name: string } }>(result, "Namespace").map((n) => n.metadata.name);
        expect(names).toContain("metrics");
        expect(names).not.toContain("monitoring");
    });

    it("invalid configuration is refused with every problem", async () => {
        await expect(renderInProcess("prod", ["prometheus.shards=0", "prometheus.retention=2h"])).rejects.toMatchObject({
            problems: expect.arrayContaining([
                "prometheus.shards: must be an integer between 1 and 256, got 0",
                expect.stringMatching(/^prometheus\.retention: .*at least 6h.*got "2h"$/),
            ]),
        });
    });
});

describe("npm run render (the CLI contract)", () => {
    it("writes byte-identical files on two runs, readable by a YAML 1.1 reader", async () => {
        const [a, b] = [tmpDir(), tmpDir()];
        const [ra, rb] = await Promise.all([renderCli(["--stack", "prod", "--out", a]), renderCli(["--stack", "prod", "--out", b])]);
        expect(ra.code, ra.stderr).toBe(0);
        expect(rb.code, rb.stderr).toBe(0);
        expect(ra.stdout).toMatch(/^stack prod: \d+ resources/m);
        expect(ra.stdout).toMatch(/by type:/);
        const ta = readTree(a);
        const tb = readTree(b);
        expect(Object.keys(ta).length).toBeGreaterThan(1);
        expect(ta).toEqual(tb);

        const resources = JSON.parse(ta["resources.json"]!) as Array<Record<string, unknown>>;
        for (const r of resources) {
            expect(Object.keys(r)).toEqual(["type", "name", "parent", "inputs", "options"]);
            expect(Object.keys(r["options"] as object)).toEqual(expect.arrayContaining(["protect", "retainOnDelete", "dependsOn"]));
        }
        for (const [file, text] of Object.entries(ta)) {
            if (!file.startsWith("manifests")) continue;
            const doc11 = parseDocument(text, { version: "1.1" });
            expect(doc11.errors, file).toEqual([]);
            expect(doc11.toJS(), file).toEqual(parseYaml(text, { version: "1.2" }));
            expect(text, file).not.toMatch(/(^|\s)[&*][A-Za-z0-9]+\s/);
        }
    });

    it("exits 2 and writes nothing on invalid configuration", async () => {
        const out = path.join(tmpDir(), "never");
        const r = await renderCli(["--stack", "prod", "--out", out, "--set", "prometheus.replicas=0", "--set", "objectStorage.bucketName=Bad_Bucket"]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("prometheus.replicas: must be an integer between 1 and 10, got 0");
        expect(r.stderr).toContain('objectStorage.bucketName: S3 bucket name may contain only lowercase letters, digits, \'.\' and \'-\', got "Bad_Bucket"');
        expect(r.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
        expect(fs.existsSync(out)).toBe(false);
    });

    it("exits 2 on an unknown stack and on bad arguments", async () => {
        const [unknown, badArg] = await Promise.all([renderCli(["--stack", "nope"]), renderCli(["--stack", "local", "--bogus"])]);
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toMatch(/no such stack file .*stacks: .*local/);
        expect(badArg.code).toBe(2);
        expect(badArg.stderr).toMatch(/usage: npm run render/);
    });
});

describe("--set parsing", () => {
    const flat = { config: { "thanos-stack:prometheus": '{"shards":4,"storage":{"size":"1Gi"}}', "thanos-stack:environment": "prod" }, secretKeys: [] };

    it("parses values as YAML scalars", () => {
        expect(parseSet("prometheus.shards=8")).toEqual({ path: ["prometheus", "shards"], value: 8 });
        expect(parseSet("pushgateway.enabled=false")).toEqual({ path: ["pushgateway", "enabled"], value: false });
        expect(parseSet("prometheus.retention=6h")).toEqual({ path: ["prometheus", "retention"], value: "6h" });
        expect(parseSet('environment="123"')).toEqual({ path: ["environment"], value: "123" });
    });

    it("sets nested keys without losing siblings, and top-level scalars", () => {
        const out = applySets(flat, ["prometheus.storage.storageClass=gp3", "prometheus.shards=8", "environment=dev", "querier.replicas=3"]);
        expect(JSON.parse(out.config["thanos-stack:prometheus"]!)).toEqual({ shards: 8, storage: { size: "1Gi", storageClass: "gp3" } });
        expect(out.config["thanos-stack:environment"]).toBe("dev");
        expect(JSON.parse(out.config["thanos-stack:querier"]!)).toEqual({ replicas: 3 });
        expect(flat.config["thanos-stack:environment"]).toBe("prod");
    });

    it("refuses malformed expressions and paths through scalars, all at once", () => {
        try {
            applySets(flat, ["noequals", "environment.x=1", "thanos-stack:x=1", "prometheus.shards.x=1"]);
            expect.unreachable();
        } catch (e) {
            expect(e).toBeInstanceOf(InputError);
            const problems = (e as InputError).problems;
            expect(problems).toHaveLength(4);
            expect(problems[0]).toMatch(/expected <key.path>=<value>/);
            expect(problems[1]).toMatch(/'environment' is "prod", not a map/);
            expect(problems[2]).toMatch(/not a key path relative to the thanos-stack namespace/);
            expect(problems[3]).toMatch(/'prometheus.shards' is 4, not a map/);
        }
    });

    it("marks encrypted stack values as secret without needing the CLI to decrypt them", () => {
        const dir = tmpDir();
        fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), "config:\n  thanos-stack:alertmanager:\n    slack:\n      url:\n        secure: v1:abc\n  thanos-stack:environment: s\n");
        const read = readStackFile("s", dir);
        expect(read.secretKeys).toEqual(["thanos-stack:alertmanager"]);
        expect(JSON.parse(read.config["thanos-stack:alertmanager"]!)).toEqual({ slack: { url: "[secret]" } });
    });
});

describe("YAML output", () => {
    it("quotes strings a YAML 1.1 reader would take for booleans or numbers, and never folds", () => {
        const obj = { a: "yes", b: "on", c: "0755", d: "1e3", e: "true", f: "x".repeat(300), g: "sum(rate(x[5m]))\n  by (job)", h: "~" };
        const text = toYaml(obj);
        expect(parseYaml(text, { version: "1.1" })).toEqual(obj);
        expect(text).not.toMatch(/: >/);
    });
});

describe("Kubernetes schema validation of rendered objects", () => {
    it("rejects unknown and mistyped fields in core objects", async () => {
        const deployment = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "x", namespace: "monitoring" },
            spec: { replicaz: 2, selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i:1", imagePullPolicy: "IfNotPresent", portz: [] }] } } },
        };
        const problems = await kubernetesProblems(deployment);
        expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/\/spec\/replicaz: unknown field/), expect.stringMatching(/\/spec\/template\/spec\/containers\/0\/portz: unknown field/)]));
        expect(await kubernetesProblems({ apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { ports: [{ port: "http" }] } })).toEqual([expect.stringMatching(/\/spec\/ports\/0\/port: type/)]);
    });
});

describe("the render's files and summary, in process", () => {
    const resource = (type: string, name: string, parent: string | null, custom: boolean): CapturedResource => ({
        type,
        name,
        parent,
        inputs: { n: name },
        options: { protect: false, retainOnDelete: false, dependsOn: [], provider: null },
        custom,
    });
    const STACK = "thanos:stack:Stack::s";
    const COMP = "thanos:c:Comp::c";
    const result: RenderResult = {
        resources: [
            resource("thanos:stack:Stack", "s", null, false),
            resource("kubernetes:core/v1:Namespace", "ns", STACK, true),
            resource("thanos:c:Comp", "c", STACK, false),
            resource("kubernetes:apps/v1:Deployment", "d1", COMP, true),
            resource("kubernetes:apps/v1:Deployment", "d2", COMP, true),
        ],
        manifests: [
            { file: "monitoring/configmap-a.yaml", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { flag: "yes", n: "1", text: "two\nlines\n" } } },
        ],
        outputs: {},
    };

    it("summarizes the component tree (own resources, all below) and the totals by type, most first then by name", () => {
        expect(summarize("dev", result)).toBe(
            [
                "stack dev: 5 resources, 1 Kubernetes objects",
                "  s (thanos:stack:Stack): 1 resource, 4 in all",
                "    c (thanos:c:Comp): 2 resources, 2 in all",
                "by type:",
                "     2  kubernetes:apps/v1:Deployment",
                "     1  kubernetes:core/v1:Namespace",
                "     1  thanos:c:Comp",
                "     1  thanos:stack:Stack",
            ].join("\n"),
        );
    });

    it("writes resources.json (without the custom flag) and one YAML file per manifest, replacing an earlier render's manifests", () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "thanos-write-render-"));
        try {
            fs.mkdirSync(path.join(out, "manifests", "old"), { recursive: true });
            fs.writeFileSync(path.join(out, "manifests", "old", "stale.yaml"), "stale: true\n");
            writeRender(result, out);
            const json = fs.readFileSync(path.join(out, "resources.json"), "utf8");
            expect(json.endsWith("}\n]\n")).toBe(true);
            expect(json.startsWith('[\n  {\n    "type": "thanos:stack:Stack",\n    "name": "s",\n    "parent": null,\n')).toBe(true);
            const entries = JSON.parse(json) as Array<Record<string, unknown>>;
            expect(entries).toHaveLength(5);
            expect(Object.keys(entries[1]!)).toEqual(["type", "name", "parent", "inputs", "options"]);
            expect(entries[1]).toEqual({ type: "kubernetes:core/v1:Namespace", name: "ns", parent: STACK, inputs: { n: "ns" }, options: { protect: false, retainOnDelete: false, dependsOn: [], provider: null } });
            expect(fs.existsSync(path.join(out, "manifests", "old"))).toBe(false);
            const yamlText = fs.readFileSync(path.join(out, "manifests", "monitoring", "configmap-a.yaml"), "utf8");
            // YAML 1.1 readers take a plain yes and n for booleans and 1 for a number: strings only when quoted
            // (the key n too); a multi-line string is a literal block.
            expect(yamlText).toMatch(/ {2}flag: ("yes"|'yes')\n/);
            expect(yamlText).toMatch(/ {2}("n"|'n'): ("1"|'1')\n/);
            expect(yamlText).toContain("  text: |\n    two\n    lines\n");
            expect(parseYaml(yamlText)).toEqual(result.manifests[0]!.object);
            expect(yamlText).not.toMatch(/[&*]/);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});

describe("renderStack, in process (a program of its own)", () => {
    // A stack file of its own, outside stacks/: the render must read the directory it is given.
    const stacksDir = tmpDir();
    fs.writeFileSync(path.join(stacksDir, "Pulumi.s.yaml"), "config:\n  thanos-stack:level: debug\n");
    let dryRun: boolean | undefined;
    const program = () => {
        dryRun = pulumi.runtime.isDryRun();
        const level = new pulumi.Config("thanos-stack").require("level");
        new ConfigMap("settings", { metadata: { name: "settings", namespace: "m" }, data: { level, token: pulumi.secret("s3cr3t") } });
    };
    const digestKey = process.env[SECRET_DIGEST_KEY_ENV];
    beforeEach(() => {
        delete process.env[SECRET_DIGEST_KEY_ENV];
        dryRun = undefined;
    });
    afterEach(() => {
        if (digestKey !== undefined) process.env[SECRET_DIGEST_KEY_ENV] = digestKey;
    });

    it("renders the stack file of the given directory, secrets masked, not as a preview, when told nothing else", async () => {
        const result = await renderStack({ stack: "s", stacksDir, program });
        expect(dryRun).toBe(false);
        expect(result.manifests).toEqual([
            { file: "m/configmap-settings.yaml", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "m" }, data: { level: "debug", token: "[secret]" } } },
        ]);
        expect(result.resources.map((r) => `${r.type}::${r.name}`)).toEqual(["pulumi:pulumi:Stack::thanos-stack-s", "kubernetes:core/v1:ConfigMap::settings"]);
    });

    it("applies --set values, shows secrets and renders as a preview when told to", async () => {
        const result = await renderStack({ stack: "s", stacksDir, program, sets: ["level=info"], showSecrets: true, preview: true });
        expect(dryRun).toBe(true);
        expect(result.manifests.map((m) => m.object["data"])).toEqual([{ level: "info", token: "s3cr3t" }]);
    });

    it("refuses a program's RunError with its problems, or its message, one line each; other errors pass as they are", async () => {
        const failWith = (error: Error) => renderStack({ stack: "s", stacksDir, program: () => Promise.reject(error) }).then(
            () => undefined,
            (e: unknown) => e,
        );
        const single = await failWith(new pulumi.RunError("level: must be one of debug, info"));
        expect(single).toBeInstanceOf(RenderInputError);
        expect(single).toMatchObject({ name: "RenderInputError", message: "level: must be one of debug, info", problems: ["level: must be one of debug, info"] });
        const several = await failWith(new ConfigError(["level: wrong", "token: missing"]));
        expect(several).toBeInstanceOf(RenderInputError);
        expect(several).toMatchObject({ name: "RenderInputError", message: "level: wrong\ntoken: missing", problems: ["level: wrong", "token: missing"] });
        const bug = new TypeError("a bug");
        expect(await failWith(bug)).toBe(bug);
    });
});

describe("Kubernetes manifests among captured resources", () => {
    const resource = (type: string, inputs: Record<string, unknown>, custom = true): CapturedResource => ({
        type,
        name: String((inputs["metadata"] as { name?: string } | undefined)?.name ?? "x"),
        parent: null,
        inputs,
        options: { protect: false, retainOnDelete: false, dependsOn: [], provider: null },
        custom,
    });
    const configMap = (name: string, namespace = "monitoring") => resource("kubernetes:core/v1:ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data: {} });

    it("are the custom kubernetes: resources, written to <namespace or _cluster>/<kind in lower case>-<name>.yaml and sorted by file", () => {
        const manifests = kubernetesManifests([
            configMap("b"),
            resource("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "reader" }, rules: [] }),
            configMap("a"),
            // Neither a component of a kubernetes: type nor a custom resource of another provider is an object.
            resource("kubernetes:helm.sh/v3:Chart", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "chart", namespace: "monitoring" } }, false),
            resource("test:index:Thing", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "thing", namespace: "monitoring" } }),
            configMap("c", "apps"),
        ]);
        expect(manifests.map((m) => m.file)).toEqual(["_cluster/clusterrole-reader.yaml", "apps/configmap-c.yaml", "monitoring/configmap-a.yaml", "monitoring/configmap-b.yaml"]);
    });

    it("put apiVersion, kind and metadata first, then the other fields in their order", () => {
        const [m] = kubernetesManifests([resource("kubernetes:core/v1:Service", { spec: { ports: [] }, metadata: { name: "s", namespace: "n" }, status: {}, kind: "Service", apiVersion: "v1" })]);
        expect(Object.keys(m!.object)).toEqual(["apiVersion", "kind", "metadata", "spec", "status"]);
    });

    it("refuse two objects that would be written to one file", () => {
        expect(() => kubernetesManifests([configMap("a"), configMap("b"), configMap("a")])).toThrow(new Error("two Kubernetes objects render to monitoring/configmap-a.yaml; object names must be unique per kind and namespace"));
    });
});

describe("YAML output and the render directory", () => {
    it("writes an object used twice in full both times (no anchors) and keeps the order of keys", () => {
        const shared = { x: 1 };
        expect(toYaml({ b: shared, a: shared })).toBe("b:\n  x: 1\na:\n  x: 1\n");
    });

    it("writes a render into a directory that does not exist yet", () => {
        const out = path.join(tmpDir(), "new", "render");
        try {
            writeRender({ resources: [], manifests: [{ file: "m/configmap-a.yaml", object: { kind: "ConfigMap" } }], outputs: {} }, out);
            expect(readTree(out)).toEqual({ "resources.json": "[]\n", "manifests/m/configmap-a.yaml": "kind: ConfigMap\n" });
        } finally {
            fs.rmSync(path.dirname(out), { recursive: true, force: true });
        }
    });
});
