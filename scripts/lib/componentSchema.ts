/**
 * The public schema of the component package, inferred from the TypeScript
 * types with the compiler API, the way Pulumi infers the schema of a
 * source-based component package (`PulumiPlugin.yaml` + `pulumi package add`):
 *
 * - every `ComponentResource` subclass exported from the entry point
 *   (`components/index.ts`) is a resource `thanos-stack:index:<ClassName>`;
 * - its inputs are the properties of the constructor's `args` parameter, which
 *   must be an interface; its outputs are the class's public properties;
 * - property types may be string, number, boolean, arrays (`T[]`), string-keyed
 *   maps (`Record<string, T>`), named interfaces (they become schema types),
 *   `pulumi.Input<T>` / `pulumi.Output<T>`, `Partial<T>` / `Required<T>` of an
 *   interface, resources of a Pulumi provider package, and enums (`enum`, or an
 *   `as const` object with a type of the same name);
 * - anything else cannot be expressed in the schema and is reported as a
 *   violation: unions (including string-literal unions that are not declared as
 *   an enum), intersections, anonymous object types (`{ a: string }`,
 *   `Omit<...>`, `Pick<...>`), readonly arrays, functions, `unknown`, maps with
 *   non-string keys, generic resources without a schema token.
 *
 * Unlike Pulumi's analyzer, which stops at the first problem, this collects
 * every violation, so the list can be reviewed (and snapshotted) at once.
 */
import * as fs from "fs";
import * as path from "path";
import ts from "typescript";

/** Repository root. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** The package's entry point: what consumers (and Pulumi's analyzer) see. */
export const ENTRY_POINT = path.join(REPO_ROOT, "components", "index.ts");
/** Pulumi package name; also the first part of every component's type token. */
export const PACKAGE_NAME = "thanos-stack";

/** One property of a component's inputs or outputs, or of a schema type. */
export interface SchemaProperty {
    /** Readable type: `string`, `number`, `boolean`, `any`, `T[]`, `map<T>`, `Input<T>`, `Output<T>`, a type name, `resource <token>`, or `!unsupported <ts type>`. */
    type: string;
    required: boolean;
    description?: string;
    /** The `@default` TSDoc tag, verbatim. */
    default?: string;
}

/** A schema type: an object (named interface) or a string/number enum. */
export interface SchemaType {
    kind: "object" | "enum";
    description?: string;
    properties?: Record<string, SchemaProperty>;
    values?: Array<string | number>;
}

/** One component resource. */
export interface ComponentSchema {
    className: string;
    /** Name of the Args interface. */
    argsType: string;
    /** Source file, relative to the repository root. */
    file: string;
    description?: string;
    /**
     * True when nothing the component's inputs and outputs reach (directly or through named types shared with
     * other components) is a violation, i.e. Pulumi can infer its schema today.
     */
    schemaReady: boolean;
    inputs: Record<string, SchemaProperty>;
    outputs: Record<string, SchemaProperty>;
}

/** Something Pulumi's schema inference cannot express. */
export interface SchemaViolation {
    /** Type token of the component whose inputs/outputs reach the problem. */
    component: string;
    /** `inputs.<prop>...` / `outputs.<prop>...`, through named types (`inputs.storage{VolumeSettings}.size`). */
    path: string;
    kind:
        | "args-not-interface"
        | "token-mismatch"
        | "union"
        | "literal-union-not-enum"
        | "intersection"
        | "anonymous-object"
        | "readonly-array"
        | "function"
        | "unknown"
        | "non-string-map-key"
        | "resource-without-token"
        | "type-name-collision"
        | "inline-doc-tag"
        | "unsupported";
    /** The TypeScript type, as the checker prints it. */
    tsType: string;
}

/** The inferred package schema. */
export interface PackageSchema {
    name: string;
    /** Keyed by type token. */
    components: Record<string, ComponentSchema>;
    /** Keyed by type name (Pulumi: `thanos-stack:index:<name>`). */
    types: Record<string, SchemaType>;
    violations: SchemaViolation[];
}

/** Compiler options of the repository (tsconfig.json), for analysing the package's sources. */
export function repoCompilerOptions(): ts.CompilerOptions {
    const configPath = path.join(REPO_ROOT, "tsconfig.json");
    const read = ts.readConfigFile(configPath, (f) => ts.sys.readFile(f));
    if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, REPO_ROOT);
    return { ...parsed.options, noEmit: true, strictNullChecks: true };
}

/**
 * The provider SDKs' generated `types/input.d.ts` / `types/output.d.ts` namespaces: about 18 MB of declarations
 * that take most of the parse time. No component Args references them (they type the providers' own resource
 * arguments), so a quick analysis may replace them with empty modules.
 */
export const PROVIDER_TYPE_NAMESPACES = /[\\/]node_modules[\\/]@pulumi[\\/](aws|kubernetes)[\\/]types[\\/](input|output)\.d\.ts$/;

/**
 * A compiler host that caches parsed files (so several programs, e.g. the package and the examples, parse each
 * file once) and, when `quick`, stubs {@link PROVIDER_TYPE_NAMESPACES}. The committed schema snapshot and
 * docs/components.md are generated without stubs; the tests compare them with a quick analysis, so a stub that
 * changed the result would fail the tests.
 */
export function cachingCompilerHost(options: ts.CompilerOptions, quick: boolean): ts.CompilerHost {
    const host = ts.createCompilerHost(options);
    const cache = new Map<string, ts.SourceFile | undefined>();
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
        const key = `${fileName}\0${JSON.stringify(languageVersion)}`;
        if (!cache.has(key)) {
            cache.set(key, quick && PROVIDER_TYPE_NAMESPACES.test(fileName) ? ts.createSourceFile(fileName, "export {};\n", languageVersion) : read(fileName, languageVersion, onError, shouldCreate));
        }
        return cache.get(key);
    };
    return host;
}

/** A TypeScript program over the package's entry point (and everything it imports); see {@link cachingCompilerHost} for `quick`. */
export function createPackageProgram(opts: { quick?: boolean; host?: ts.CompilerHost } = {}): ts.Program {
    const options = repoCompilerOptions();
    return ts.createProgram({ rootNames: [ENTRY_POINT], options, host: opts.host ?? cachingCompilerHost(options, opts.quick ?? false) });
}

/**
 * Whether a declaration's TSDoc text has an inline tag (`{@link ...}`). Pulumi's schema inference reads the
 * comment as the compiler stores it, which for such a comment is a list of parts, not a string: the description
 * in the schema (and in every generated SDK) becomes "[object Object],...". Write `name` in backticks instead.
 */
function hasInlineDocTag(symbol: ts.Symbol): boolean {
    return (symbol.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).some((doc) => ts.isJSDoc(doc) && doc.comment !== undefined && typeof doc.comment !== "string"));
}

function docOf(symbol: ts.Symbol, checker: ts.TypeChecker): string | undefined {
    const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
    return text.length > 0 ? text : undefined;
}

function defaultOf(symbol: ts.Symbol, checker: ts.TypeChecker): string | undefined {
    const tag = symbol.getJsDocTags(checker).find((t) => t.name === "default");
    if (!tag) return undefined;
    const text = ts.displayPartsToString(tag.text).trim();
    return text.length > 0 ? text : undefined;
}

/** Declarations with documentation, for types (interfaces, enums, const objects). */
function declarationDoc(symbol: ts.Symbol | undefined, checker: ts.TypeChecker): string | undefined {
    return symbol ? docOf(symbol, checker) : undefined;
}

function isPulumiSdkFile(file: string, base: string): boolean {
    const norm = file.split(path.sep).join("/");
    return norm.includes("/@pulumi/pulumi/") && (norm.endsWith(`${base}.d.ts`) || norm.endsWith(`${base}.ts`));
}

/** The resource type token of a provider resource class, read from its compiled module (as Pulumi's analyzer does). */
function resourceToken(decl: ts.Declaration, className: string): string | undefined {
    const file = decl.getSourceFile().fileName;
    const impl = file.replace(/\.d\.ts$/, ".js");
    if (!fs.existsSync(impl)) return undefined;
    const source = fs.readFileSync(impl, "utf8");
    const m = new RegExp(`__pulumiType\\s*=\\s*['"]([^'"]+)['"]`).exec(source);
    if (!m || !source.includes(className)) return undefined;
    return m[1];
}

interface Context {
    component: string;
    path: string;
    /** The named type whose properties are being analysed (undefined: the component's own inputs/outputs). */
    owner?: string;
}

/** Infers the schema of every component exported from the entry point. */
export function inferPackageSchema(program: ts.Program = createPackageProgram()): PackageSchema {
    const checker = program.getTypeChecker();
    const entry = program.getSourceFile(ENTRY_POINT);
    if (!entry) throw new Error(`entry point ${ENTRY_POINT} is not part of the program`);
    const entrySymbol = checker.getSymbolAtLocation(entry);
    if (!entrySymbol) throw new Error(`entry point ${ENTRY_POINT} has no exports`);

    const schema: PackageSchema = { name: PACKAGE_NAME, components: {}, types: {}, violations: [] };
    /** Which declaration owns each type name, to detect two different types with one name. */
    const typeOwners = new Map<string, ts.Declaration | undefined>();
    /** Named types referenced from each type's properties ("" + component token: the component itself). */
    const refs = new Map<string, Set<string>>();
    /** Owners (type names or component keys) with at least one violation of their own. */
    const violating = new Set<string>();
    const ownerKey = (ctx: Context) => ctx.owner ?? `component ${ctx.component}`;
    const addRef = (ctx: Context, name: string) => {
        const key = ownerKey(ctx);
        if (!refs.has(key)) refs.set(key, new Set());
        refs.get(key)?.add(name);
    };

    const violation = (ctx: Context, kind: SchemaViolation["kind"], type: ts.Type | string): string => {
        const tsType = typeof type === "string" ? type : checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation);
        schema.violations.push({ component: ctx.component, path: ctx.path, kind, tsType });
        violating.add(ownerKey(ctx));
        return `!unsupported ${tsType}`;
    };

    const isOutputType = (type: ts.Type): boolean => {
        if (type.isIntersection()) return type.types.some(isOutputType);
        const symbol = type.getSymbol() ?? type.aliasSymbol;
        const decl = symbol?.declarations?.[0];
        return !!decl && (symbol?.name === "OutputInstance" || symbol?.name === "Output") && isPulumiSdkFile(decl.getSourceFile().fileName, "output");
    };
    const isPromise = (type: ts.Type): boolean => (type.flags & ts.TypeFlags.Object) !== 0 && type.getSymbol()?.name === "Promise";
    const typeArgs = (type: ts.Type): readonly ts.Type[] => {
        const ref = type as ts.TypeReference;
        return (ref.target ? checker.getTypeArguments(ref) : undefined) ?? type.aliasTypeArguments ?? [];
    };
    const inputInner = (type: ts.Type): ts.Type | undefined => {
        if (!type.isUnion()) return undefined;
        const promise = type.types.find(isPromise);
        const hasOutput = type.types.some(isOutputType);
        const hasOther = type.types.some((t) => !isPromise(t) && !isOutputType(t));
        return promise && hasOutput && hasOther ? typeArgs(promise)[0] : undefined;
    };
    const outputInner = (type: ts.Type): ts.Type | undefined => {
        if (!isOutputType(type)) return undefined;
        const t = type.isIntersection() ? type.types.find(isOutputType) : type;
        return t ? typeArgs(t)[0] : undefined;
    };
    const isResourceClass = (type: ts.Type): boolean => {
        if (!type.isClass()) return false;
        const seen = new Set<ts.Type>();
        const walk = (t: ts.Type): boolean => {
            if (seen.has(t)) return false;
            seen.add(t);
            return checker.getBaseTypes(t as ts.InterfaceType).some((b) => {
                const s = b.getSymbol();
                const decl = s?.declarations?.[0];
                if (s && (s.name === "CustomResource" || s.name === "ComponentResource" || s.name === "Resource") && decl && isPulumiSdkFile(decl.getSourceFile().fileName, "resource")) return true;
                return b.isClass() && walk(b);
            });
        };
        return walk(type);
    };

    /** The enum members behind a literal union, when it is declared as an `enum` or an `as const` object. */
    const enumValues = (type: ts.UnionType, typeNode: ts.TypeNode | undefined): { name: string; values: Array<string | number>; doc?: string } | undefined => {
        let symbol = type.aliasSymbol;
        if (!symbol && typeNode && ts.isTypeReferenceNode(typeNode)) symbol = checker.getSymbolAtLocation(typeNode.typeName);
        if (!symbol) symbol = type.getSymbol(); // an `enum` type is a union whose symbol is the enum
        if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
        const decl = symbol?.declarations?.find((d) => ts.isEnumDeclaration(d) || ts.isVariableDeclaration(d));
        if (!symbol || !decl) return undefined;
        const values = type.types.filter((t) => t.isStringLiteral() || t.isNumberLiteral()).map((t) => (t as ts.LiteralType).value as string | number);
        if (ts.isVariableDeclaration(decl) && !(decl.initializer && (ts.isAsExpression(decl.initializer) || ts.isObjectLiteralExpression(decl.initializer)))) return undefined;
        const doc = declarationDoc(symbol, checker);
        return { name: symbol.name, values, ...(doc ? { doc } : {}) };
    };

    const describe = (type: ts.Type, ctx: Context, typeNode: ts.TypeNode | undefined, wrapper: { partial?: boolean; required?: boolean } = {}): string => {
        // Optional members: `T | undefined` (and `true | false | undefined`).
        if (type.isUnion()) {
            const defined = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
            if (defined.length !== type.types.length) {
                if (defined.length === 1 && defined[0]) return describe(defined[0], ctx, typeNode, wrapper);
                if (defined.length === 2 && defined.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return "boolean";
            }
        }
        if (type.flags & ts.TypeFlags.String) return "string";
        if (type.flags & ts.TypeFlags.Number) return "number";
        if (type.flags & ts.TypeFlags.Boolean) return "boolean";
        if (type.flags & ts.TypeFlags.Any) return "any";
        if (type.flags & ts.TypeFlags.Unknown) return violation(ctx, "unknown", type);
        const alias = type.aliasSymbol?.name;
        if ((alias === "Partial" || alias === "Required") && type.aliasTypeArguments?.[0]) {
            return describe(type.aliasTypeArguments[0], ctx, undefined, alias === "Partial" ? { partial: true } : { required: true });
        }
        const input = inputInner(type);
        if (input) return `Input<${describe(input, ctx, undefined)}>`;
        const output = outputInner(type);
        if (output) return `Output<${describe(output, ctx, undefined)}>`;
        if (isResourceClass(type)) {
            const symbol = type.getSymbol();
            const decl = symbol?.declarations?.[0];
            const token = symbol && decl ? resourceToken(decl, symbol.name) : undefined;
            return token ? `resource ${token}` : violation(ctx, "resource-without-token", type);
        }
        if (type.isClassOrInterface()) return namedObject(type, ctx, wrapper);
        const symbolName = type.getSymbol()?.name;
        if (symbolName === "Array" && (type.flags & ts.TypeFlags.Object) !== 0) {
            const item = typeArgs(type)[0];
            return item ? `${describe(item, { ...ctx, path: `${ctx.path}[]` }, undefined)}[]` : violation(ctx, "unsupported", type);
        }
        if (symbolName === "ReadonlyArray") return violation(ctx, "readonly-array", type);
        if (type.getCallSignatures().length > 0) return violation(ctx, "function", type);
        const stringIndex = checker.getIndexInfoOfType(type, ts.IndexKind.String);
        if (stringIndex && checker.getPropertiesOfType(type).length === 0) return `map<${describe(stringIndex.type, { ...ctx, path: `${ctx.path}{}` }, undefined)}>`;
        if (type.isUnion()) {
            const literals = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
            if (literals.every((t) => t.isStringLiteral()) || literals.every((t) => t.isNumberLiteral())) {
                const e = enumValues(type, typeNode);
                if (!e) return violation(ctx, "literal-union-not-enum", type);
                registerType(e.name, undefined, ctx, { kind: "enum", values: e.values, ...(e.doc ? { description: e.doc } : {}) });
                addRef(ctx, e.name);
                return `enum ${e.name}`;
            }
            return violation(ctx, "union", type);
        }
        if (type.isIntersection()) return violation(ctx, "intersection", type);
        if ((type.flags & ts.TypeFlags.Object) !== 0) {
            if (checker.getIndexInfoOfType(type, ts.IndexKind.Number) && !checker.getIndexInfoOfType(type, ts.IndexKind.String)) return violation(ctx, "non-string-map-key", type);
            return violation(ctx, "anonymous-object", type);
        }
        return violation(ctx, "unsupported", type);
    };

    /** Registers a named type; reports two different declarations that share a name. Returns false when already known. */
    const registerType = (name: string, decl: ts.Declaration | undefined, ctx: Context, value: SchemaType): boolean => {
        if (typeOwners.has(name)) {
            const owner = typeOwners.get(name);
            if (decl && owner && owner !== decl) {
                const where = (d: ts.Declaration) => path.relative(REPO_ROOT, d.getSourceFile().fileName);
                violation(ctx, "type-name-collision", `${name} (${where(owner)} and ${where(decl)})`);
            }
            return false;
        }
        typeOwners.set(name, decl);
        schema.types[name] = value;
        return true;
    };

    const namedObject = (type: ts.InterfaceType, ctx: Context, wrapper: { partial?: boolean; required?: boolean }): string => {
        const symbol = type.getSymbol();
        if (!symbol) return violation(ctx, "anonymous-object", type);
        const name = `${wrapper.partial ? "Partial" : wrapper.required ? "Required" : ""}${symbol.name}`;
        const decl = symbol.declarations?.[0];
        const doc = declarationDoc(symbol, checker);
        if (hasInlineDocTag(symbol)) violation({ ...ctx, path: `${ctx.path}{${name}}` }, "inline-doc-tag", "TSDoc with an inline tag");
        const entry: SchemaType = { kind: "object", ...(doc ? { description: doc } : {}), properties: {} };
        addRef(ctx, name);
        if (!registerType(name, decl, ctx, entry)) return name;
        entry.properties = properties(checker.getPropertiesOfType(type), { ...ctx, path: `${ctx.path}{${name}}`, owner: name }, wrapper);
        return name;
    };

    const properties = (symbols: readonly ts.Symbol[], ctx: Context, wrapper: { partial?: boolean; required?: boolean } = {}): Record<string, SchemaProperty> => {
        const out: Record<string, SchemaProperty> = {};
        for (const member of [...symbols].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
            if (!(member.flags & ts.SymbolFlags.Property)) continue;
            const decl = member.valueDeclaration ?? member.declarations?.[0];
            const propCtx = { ...ctx, path: `${ctx.path}.${member.name}` };
            const propType = decl ? checker.getTypeOfSymbolAtLocation(member, decl) : checker.getTypeOfSymbol(member);
            const typeNode = decl && (ts.isPropertySignature(decl) || ts.isPropertyDeclaration(decl)) ? decl.type : undefined;
            const optional = (member.flags & ts.SymbolFlags.Optional) !== 0;
            const doc = docOf(member, checker);
            if (hasInlineDocTag(member)) violation(propCtx, "inline-doc-tag", "TSDoc with an inline tag");
            const dflt = defaultOf(member, checker);
            out[member.name] = {
                type: describe(propType, propCtx, typeNode),
                required: wrapper.partial ? false : wrapper.required ? true : !optional,
                ...(doc ? { description: doc } : {}),
                ...(dflt ? { default: dflt } : {}),
            };
        }
        return out;
    };

    const componentClasses = checker
        .getExportsOfModule(entrySymbol)
        .map((s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s))
        .filter((s) => s.flags & ts.SymbolFlags.Class)
        .map((s) => s.declarations?.find(ts.isClassDeclaration))
        .filter((d): d is ts.ClassDeclaration => d !== undefined && isComponentClass(d, checker));

    for (const cls of componentClasses.sort((a, b) => (a.name?.text ?? "").localeCompare(b.name?.text ?? ""))) {
        const className = cls.name?.text ?? "(anonymous)";
        const token = superToken(cls) ?? `(no literal type token)`;
        const expected = `${PACKAGE_NAME}:index:${className}`;
        const ctx: Context = { component: expected, path: "" };
        if (token !== expected) violation({ ...ctx, path: "type" }, "token-mismatch", `${token} (expected ${expected})`);
        const ctor = cls.members.find(ts.isConstructorDeclaration);
        const argsParam = ctor?.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === "args");
        const argsType = argsParam?.type ? checker.getTypeFromTypeNode(argsParam.type) : undefined;
        const argsSymbol = argsType?.getSymbol();
        const classSymbol = cls.name ? checker.getSymbolAtLocation(cls.name) : undefined;
        const description = classSymbol ? docOf(classSymbol, checker) : undefined;
        if (classSymbol && hasInlineDocTag(classSymbol)) violation({ ...ctx, path: "description" }, "inline-doc-tag", "TSDoc with an inline tag");
        const component: ComponentSchema = {
            className,
            argsType: argsSymbol?.name ?? "(none)",
            file: path.relative(REPO_ROOT, cls.getSourceFile().fileName).split(path.sep).join("/"),
            ...(description ? { description } : {}),
            schemaReady: true,
            inputs: {},
            outputs: {},
        };
        schema.components[expected] = component;
        if (!argsType || !argsSymbol || !(argsSymbol.flags & ts.SymbolFlags.Interface)) {
            violation({ ...ctx, path: "args" }, "args-not-interface", argsType ?? "(missing)");
        } else {
            component.inputs = properties(checker.getPropertiesOfType(argsType), { ...ctx, path: "inputs" });
        }
        const publicMembers = cls.members.filter(
            (m): m is ts.PropertyDeclaration =>
                ts.isPropertyDeclaration(m) &&
                !(ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Static)) &&
                !(m.name && ts.isPrivateIdentifier(m.name)),
        );
        const memberSymbols = publicMembers.map((m) => checker.getSymbolAtLocation(m.name)).filter((s): s is ts.Symbol => s !== undefined);
        component.outputs = properties(memberSymbols, { ...ctx, path: "outputs" });
    }
    // A component is schema-ready when no owner reachable from it has a violation of its own.
    for (const [token, component] of Object.entries(schema.components)) {
        const seen = new Set<string>();
        const stack = [`component ${token}`];
        while (stack.length > 0) {
            const key = stack.pop() as string;
            if (seen.has(key)) continue;
            seen.add(key);
            if (violating.has(key)) component.schemaReady = false;
            stack.push(...(refs.get(key) ?? []));
        }
    }
    schema.violations.sort((a, b) => `${a.component} ${a.path}`.localeCompare(`${b.component} ${b.path}`));
    return schema;
}

/** True for a class that extends `pulumi.ComponentResource` (directly, as Pulumi's analyzer requires). */
function isComponentClass(cls: ts.ClassDeclaration, checker: ts.TypeChecker): boolean {
    return (cls.heritageClauses ?? []).some((h) =>
        h.types.some((t) => {
            const symbol = checker.getTypeAtLocation(t).getSymbol();
            const decl = symbol?.declarations?.[0];
            return symbol?.name === "ComponentResource" && !!decl && isPulumiSdkFile(decl.getSourceFile().fileName, "resource");
        }),
    );
}

/** The string literal passed as the type token to `super(...)` in the constructor. */
function superToken(cls: ts.ClassDeclaration): string | undefined {
    const ctor = cls.members.find(ts.isConstructorDeclaration);
    let token: string | undefined;
    const visit = (node: ts.Node): void => {
        if (token !== undefined) return;
        if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword) {
            const first = node.arguments[0];
            if (first && ts.isStringLiteralLike(first)) token = first.text;
            return;
        }
        ts.forEachChild(node, visit);
    };
    if (ctor?.body) visit(ctor.body);
    return token;
}

/** Path of the committed snapshot. */
export const SCHEMA_SNAPSHOT = path.join(REPO_ROOT, "test", "fixtures", "component-schema.json");

/** The snapshot text (stable key order, trailing newline). */
export function schemaSnapshotText(schema: PackageSchema): string {
    return `${JSON.stringify(schema, null, 2)}\n`;
}

/** One-line summary of a violation, e.g. for the README. */
export function formatViolation(v: SchemaViolation): string {
    return `${v.component} ${v.path}: ${v.kind} (${v.tsType})`;
}
