/**
 * The component package: its public API (components/index.ts), the generated
 * reference, the inferred Pulumi schema (snapshot), the publish metadata, and
 * the examples that typecheck against the package root.
 *
 * One TypeScript compiler host (with a parse cache) serves the package and
 * both examples, so the declarations are parsed once for the whole file.
 */
import * as fs from "fs";
import * as path from "path";
import ts from "typescript";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { componentReference } from "../scripts/lib/componentDocs";
import {
    cachingCompilerHost,
    createPackageProgram,
    ENTRY_POINT,
    inferPackageSchema,
    PACKAGE_NAME,
    PackageSchema,
    repoCompilerOptions,
    SCHEMA_SNAPSHOT,
    schemaSnapshotText,
} from "../scripts/lib/componentSchema";
import { fieldChanges } from "../scripts/lib/diff";
import { ROOT } from "./support/harness";
import { CollectorExposureType, MULTI_CLUSTER, RULE_SCOPES, RuleScope, StackRole, UiAuthMode } from "../components";
import { UI_AUTH_MODES } from "../components/network/uiAccess";

let host: ts.CompilerHost;
let program: ts.Program;
let schema: PackageSchema;

beforeAll(() => {
    host = cachingCompilerHost(repoCompilerOptions(), true);
    program = createPackageProgram({ host });
    schema = inferPackageSchema(program);
});

interface PackageJson {
    name: string;
    version: string;
    private?: boolean;
    main: string;
    types: string;
    exports: Record<string, string | Record<string, string>>;
    files: string[];
    scripts: Record<string, string>;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
}
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as PackageJson;

/** Every class in components/ that extends pulumi.ComponentResource, by name. */
function componentClassesInSources(): string[] {
    const names: string[] = [];
    for (const sf of program.getSourceFiles()) {
        if (!sf.fileName.startsWith(path.join(ROOT, "components") + path.sep)) continue;
        sf.forEachChild((node) => {
            if (ts.isClassDeclaration(node) && node.name && node.heritageClauses?.some((h) => h.types.some((t) => t.expression.getText(sf) === "pulumi.ComponentResource"))) {
                names.push(node.name.text);
            }
        });
    }
    return names.sort();
}

describe("public API (components/index.ts)", () => {
    it("exports every component, each with its Args interface, under the token thanos-stack:index:<ClassName>", () => {
        const exported = Object.values(schema.components).map((c) => c.className);
        expect(exported).toEqual(componentClassesInSources());
        expect(exported.length).toBeGreaterThanOrEqual(18);
        for (const [token, c] of Object.entries(schema.components)) {
            expect(token).toBe(`${PACKAGE_NAME}:index:${c.className}`);
            expect(c.argsType).toMatch(/Args$/);
        }
        expect(schema.violations.filter((v) => v.kind === "token-mismatch" || v.kind === "args-not-interface")).toEqual([]);
    });

    it("exports the team helpers, the constants and the useful builders", () => {
        const entry = program.getSourceFile(ENTRY_POINT);
        const symbol = entry && program.getTypeChecker().getSymbolAtLocation(entry);
        const names = new Set(symbol ? program.getTypeChecker().getExportsOfModule(symbol).map((s) => s.name) : []);
        for (const name of [
            "ServiceMonitor",
            "ServiceMonitorArgs",
            "PodMonitor",
            "PodMonitorArgs",
            "PrometheusRule",
            "PrometheusRuleArgs",
            "RuleGroup",
            "LABELS",
            "VERSIONS",
            "IMAGES",
            "PORTS",
            "DEFAULTS",
            "buildServiceMonitor",
            "buildPrometheusRule",
            "buildObjstoreConfig",
            "renderObjstoreYaml",
            "sidecarStoreEndpoints",
            "querierUrl",
            "thanosRuleGroups",
        ]) {
            expect(names, name).toContain(name);
        }
    });

    it("documents every argument, with a @default on every optional one", () => {
        const missing: string[] = [];
        for (const c of Object.values(schema.components)) {
            for (const [name, p] of Object.entries(c.inputs)) {
                if (!p.description) missing.push(`${c.argsType}.${name}: no TSDoc`);
                if (!p.required && p.default === undefined) missing.push(`${c.argsType}.${name}: optional without @default`);
            }
        }
        expect(missing).toEqual([]);
    });
});

describe("component reference (docs/components.md)", () => {
    it("is generated from the current sources (run `npm run docs:components`)", () => {
        const onDisk = fs.readFileSync(path.join(ROOT, "docs", "components.md"), "utf8");
        expect(onDisk).toBe(componentReference(schema));
    });

    it("shows each component's arguments with type, default and description", () => {
        const doc = componentReference(schema);
        expect(doc).toContain("## ServiceMonitor");
        expect(doc).toMatch(/\| `namespace` \| string \| \*\*required\*\* \| Namespace of the object/);
        expect(doc).toMatch(/\| `scope` \| .* \| "global" \| Where the rules are evaluated/);
        expect(doc).toContain("## Schema inference blockers");
    });
});

describe("inferred Pulumi schema (test/fixtures/component-schema.json)", () => {
    it("matches the committed snapshot (run `npm run schema:update` after an intended API change)", () => {
        const snapshot = JSON.parse(fs.readFileSync(SCHEMA_SNAPSHOT, "utf8")) as unknown;
        const current = JSON.parse(schemaSnapshotText(schema)) as unknown;
        const show = (v: unknown) => (v === undefined ? "(absent)" : JSON.stringify(v));
        const changes = fieldChanges(snapshot, current).map((c) => `  ${c.path}: ${show(c.before)} -> ${show(c.after)}`);
        if (changes.length > 0) {
            throw new Error(
                `The public schema of the component package changed (${changes.length} fields). A removed input, a new required input or a ` +
                    `changed type breaks programs that use the components; if the change is intended, run \`npm run schema:update\`.\n${changes.join("\n")}`,
            );
        }
    });

    it("describes inputs with types and required flags, and types by name", () => {
        const sm = schema.components["thanos-stack:index:ServiceMonitor"];
        expect(sm?.inputs["namespace"]).toMatchObject({ type: "string", required: true });
        expect(sm?.inputs["endpoints"]).toMatchObject({ type: "ServiceMonitorEndpoint[]", required: true });
        expect(sm?.inputs["labels"]).toMatchObject({ type: "map<string>", required: false });
        expect(schema.types["ServiceMonitorEndpoint"]?.properties?.["port"]).toMatchObject({ type: "string", required: false });
    });

    it("infers every component: no violations, every component schema-ready", () => {
        expect(schema.violations).toEqual([]);
        expect(Object.values(schema.components).filter((c) => !c.schemaReady).map((c) => c.className)).toEqual([]);
        // The former blockers, now expressible: string enums, one Rule shape, a single-typed targetPort.
        expect(schema.types["RuleScope"]).toMatchObject({ kind: "enum", values: ["shard", "global"] });
        expect(schema.types["RuleGroup"]?.properties?.["rules"]).toMatchObject({ type: "Rule[]", required: true });
        expect(schema.types["ServiceMonitorEndpoint"]?.properties?.["targetPort"]).toMatchObject({ type: "string", required: false });
    });

    it("finds what Pulumi's inference rejects: unions, inline object types, Omit<>, intersections, readonly arrays", () => {
        // A synthetic entry point with one of each problem (the package itself has none left).
        const source = [
            'import * as pulumi from "@pulumi/pulumi";',
            'export type Mode = "a" | "b";',
            "export interface Base { x: string; y?: number }",
            "export interface Nested { mode?: Mode }",
            "export interface BadArgs {",
            "    mode?: Mode;",
            "    inline?: { a: string };",
            '    omitted?: Omit<Base, "y">;',
            "    both?: Base & { z: boolean };",
            "    list?: readonly string[];",
            "    port?: string | number;",
            "    /** Like {@link Base}, which Pulumi's inference would print as [object Object]. */",
            "    linked?: string;",
            "    /** Plain text with `Base` in backticks. */",
            "    plain?: string;",
            "}",
            "export interface IndirectArgs { nested?: Nested }",
            "export class Bad extends pulumi.ComponentResource {",
            "    constructor(name: string, args: BadArgs, opts?: pulumi.ComponentResourceOptions) {",
            '        super("thanos-stack:index:Bad", name, {}, opts);',
            "    }",
            "}",
            "export class Indirect extends pulumi.ComponentResource {",
            "    constructor(name: string, args: IndirectArgs, opts?: pulumi.ComponentResourceOptions) {",
            '        super("thanos-stack:index:Indirect", name, {}, opts);',
            "    }",
            "}",
        ].join("\n");
        const synthetic: ts.CompilerHost = {
            ...host,
            getSourceFile: (fileName, languageVersion, onError, shouldCreate) =>
                fileName === ENTRY_POINT ? ts.createSourceFile(fileName, source, languageVersion) : host.getSourceFile(fileName, languageVersion, onError, shouldCreate),
        };
        const bad = inferPackageSchema(ts.createProgram({ rootNames: [ENTRY_POINT], options: repoCompilerOptions(), host: synthetic }));
        const kinds = new Set(bad.violations.map((v) => v.kind));
        for (const kind of ["literal-union-not-enum", "anonymous-object", "intersection", "readonly-array", "union"] as const) expect(kinds).toContain(kind);
        expect(bad.violations).toContainEqual(expect.objectContaining({ component: "thanos-stack:index:Bad", path: "inputs.port", kind: "union" }));
        expect(bad.violations.filter((v) => v.kind === "inline-doc-tag").map((v) => v.path)).toEqual(["inputs.linked"]);
        // A component is schema-ready only when nothing it reaches is a violation, through shared types too.
        expect(bad.components["thanos-stack:index:Bad"]?.schemaReady).toBe(false);
        expect(bad.components["thanos-stack:index:Indirect"]?.schemaReady).toBe(false);
    });
});

describe("string enums", () => {
    it("list the same values as the runtime lists the components validate against", () => {
        expect(Object.values(RuleScope)).toEqual([...RULE_SCOPES]);
        expect(Object.values(StackRole)).toEqual([...MULTI_CLUSTER.roles]);
        expect(Object.values(CollectorExposureType)).toEqual([...MULTI_CLUSTER.exposureTypes]);
        expect(Object.values(UiAuthMode)).toEqual([...UI_AUTH_MODES]);
    });
});

describe("package metadata", () => {
    it("publishes the compiled components with their declarations, @pulumi/pulumi as a peer", () => {
        expect(pkg.private).toBeUndefined();
        expect(pkg.name).toBe(PACKAGE_NAME);
        expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
        expect(pkg.exports["."]).toEqual({ types: "./bin/components/index.d.ts", default: "./bin/components/index.js" });
        expect(pkg.types).toBe("bin/components/index.d.ts");
        expect(pkg.files).toEqual(expect.arrayContaining(["bin/components/", "components/", "PulumiPlugin.yaml"]));
        expect(pkg.peerDependencies["@pulumi/pulumi"]).toBeDefined();
        expect(pkg.devDependencies["@pulumi/pulumi"]).toBeDefined();
        expect(pkg.dependencies["@pulumi/pulumi"]).toBeUndefined();
        // Built on install from a path or git URL, on npm ci here, and on pack/publish (npm runs `prepare` for each).
        expect(pkg.scripts["prepare"]).toBe("npm run build:package");
        expect(pkg.scripts["build:package"]).toBe("tsc -p tsconfig.build.json");
    });

    it("tsconfig.build.json emits components/index.ts to the paths package.json exports", () => {
        const read = ts.readConfigFile(path.join(ROOT, "tsconfig.build.json"), (f) => ts.sys.readFile(f));
        const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT);
        expect(parsed.errors).toEqual([]);
        expect(parsed.fileNames.every((f) => f.startsWith(path.join(ROOT, "components") + path.sep))).toBe(true);
        expect(parsed.options.declaration).toBe(true);
        const out = path.join(parsed.options.outDir ?? "", path.relative(parsed.options.rootDir ?? ROOT, ENTRY_POINT));
        expect(path.relative(ROOT, out.replace(/\.ts$/, ".js"))).toBe("bin/components/index.js");
    });

    it("is a source-based Pulumi component package whose entry point is the public API", () => {
        const plugin = parse(fs.readFileSync(path.join(ROOT, "PulumiPlugin.yaml"), "utf8")) as { runtime: string };
        expect(plugin.runtime).toBe("nodejs");
        // Pulumi's Node.js plugin host loads package.json `main` (a directory require), and its schema inference looks
        // for the TypeScript source behind `exports["."]`, then `main`: both must lead to components/index.ts.
        expect(path.resolve(ROOT, pkg.main)).toBe(ENTRY_POINT);
        // The Pulumi package name comes from package.json `name` (scope dropped); it must prefix every type token.
        const providerName = pkg.name.replace(/^@[^/]+\//, "").replace(/[^-a-zA-Z0-9_]/g, "-");
        expect(Object.keys(schema.components).every((t) => t.startsWith(`${providerName}:index:`))).toBe(true);
    });
});

describe("examples", () => {
    const examples = ["team-monitoring", "collector-cluster"];

    it.each(examples)("examples/%s typechecks against the package root", (name) => {
        const dir = path.join(ROOT, "examples", name);
        const read = ts.readConfigFile(path.join(dir, "tsconfig.json"), (f) => ts.sys.readFile(f));
        const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dir);
        expect(parsed.errors).toEqual([]);
        const exampleProgram = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host, oldProgram: program });
        const own = exampleProgram.getSourceFiles().filter((sf) => sf.fileName.startsWith(dir + path.sep));
        expect(own.length).toBeGreaterThan(0);
        // The components themselves are checked by `npm run typecheck`; here: the example's own code (`npm run
        // examples:typecheck` runs the complete tsc on each).
        const diagnostics = [
            ...exampleProgram.getOptionsDiagnostics(),
            ...exampleProgram.getGlobalDiagnostics(),
            ...own.flatMap((sf) => [...exampleProgram.getSyntacticDiagnostics(sf), ...exampleProgram.getSemanticDiagnostics(sf)]),
        ];
        const text = ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => "\n" });
        expect(text).toBe("");
        // It uses the package like an outside program would: through its root, with explicit providers.
        for (const sf of own) {
            expect(sf.text).toMatch(/from "thanos-stack"/);
            expect(sf.text).not.toMatch(/from "\.\.\/\.\.\/components/);
            expect(sf.text).toMatch(/new (Kubernetes)?Provider\(/);
        }
        expect(fs.existsSync(path.join(dir, "Pulumi.yaml"))).toBe(true);
    });

    it("every TypeScript snippet of the README compiles against the package root, as written", () => {
        const dir = path.join(ROOT, "examples", "team-monitoring");
        const read = ts.readConfigFile(path.join(dir, "tsconfig.json"), (f) => ts.sys.readFile(f));
        const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dir);
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const snippets = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
        expect(snippets.length).toBeGreaterThan(0);
        snippets.forEach((text, n) => {
            // Each snippet is a file of its own beside the example (same compiler options, the same package mapping).
            const file = path.join(dir, `__readme_snippet_${n}__.ts`);
            const snippetHost: ts.CompilerHost = {
                ...host,
                fileExists: (f) => f === file || host.fileExists(f),
                readFile: (f) => (f === file ? text : host.readFile(f)),
                getSourceFile: (f, language, onError, create) => (f === file ? ts.createSourceFile(f, text, language, true) : host.getSourceFile(f, language, onError, create)),
            };
            const snippetProgram = ts.createProgram({ rootNames: [file], options: parsed.options, host: snippetHost, oldProgram: program });
            const sf = snippetProgram.getSourceFile(file)!;
            const diagnostics = [...snippetProgram.getSyntacticDiagnostics(sf), ...snippetProgram.getSemanticDiagnostics(sf)];
            const report = ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => "\n" });
            expect(report, `README snippet ${n + 1}:\n${text}`).toBe("");
        });
    });

    it("a type error in an example is reported (the check can fail)", () => {
        const dir = path.join(ROOT, "examples", "team-monitoring");
        const read = ts.readConfigFile(path.join(dir, "tsconfig.json"), (f) => ts.sys.readFile(f));
        const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dir);
        const broken = path.join(dir, "__broken__.ts");
        const brokenHost: ts.CompilerHost = {
            ...host,
            fileExists: (f) => f === broken || host.fileExists(f),
            readFile: (f) => (f === broken ? undefined : host.readFile(f)),
            getSourceFile: (f, lv, onError, create) =>
                f === broken
                    ? ts.createSourceFile(f, 'import { ServiceMonitor } from "thanos-stack";\nnew ServiceMonitor("x", { namespace: "a", selector: {}, endpoints: [{ port: 9090 }] });\n', lv)
                    : host.getSourceFile(f, lv, onError, create),
        };
        const p = ts.createProgram({ rootNames: [broken], options: parsed.options, host: brokenHost, oldProgram: program });
        const sf = p.getSourceFile(broken);
        const messages = sf ? p.getSemanticDiagnostics(sf).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")) : [];
        expect(messages.join("\n")).toMatch(/number.*not assignable to type 'string'/s);
    });
});
