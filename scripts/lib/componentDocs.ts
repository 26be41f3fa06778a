/**
 * Generates the component reference (docs/components.md) from the TSDoc of
 * every component and of its `*Args` interface (and the named types they
 * use), through the schema inference of ./componentSchema, so the reference
 * cannot drift from the code.
 */
import { formatViolation, PackageSchema, SchemaProperty, SchemaType } from "./componentSchema";

function cell(text: string | undefined): string {
    return (text ?? "")
        .replace(/\{@link\s+([^}\s|]+)[^}]*\}/g, "`$1`")
        .replace(/\r?\n+/g, " ")
        .replace(/\|/g, "\\|")
        .trim();
}

function anchor(name: string): string {
    return `type-${name.toLowerCase()}`;
}

/** A readable type, with links to the named types documented below. */
function typeCell(type: string, types: Record<string, SchemaType>): string {
    if (type.startsWith("!unsupported ")) return `\`${cell(type.slice("!unsupported ".length))}\` ⚠`; // code spans need no escaping
    return cell(type)
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .split(/([A-Za-z_][A-Za-z0-9_]*)/)
        .map((part) => (types[part] ? `[${part}](#${anchor(part)})` : part))
        .join("")
        .replace(/(resource [^ ]+)/, "`$1`");
}

function defaultCell(p: SchemaProperty): string {
    if (p.required) return "**required**";
    return p.default ? cell(p.default) : "—";
}

function propertyTable(props: Record<string, SchemaProperty>, types: Record<string, SchemaType>): string[] {
    const names = Object.keys(props);
    if (names.length === 0) return ["(none)", ""];
    return [
        "| name | type | default | description |",
        "|---|---|---|---|",
        ...names.map((n) => {
            const p = props[n] as SchemaProperty;
            return `| \`${n}\` | ${typeCell(p.type, types)} | ${defaultCell(p)} | ${cell(p.description)} |`;
        }),
        "",
    ];
}

function outputList(props: Record<string, SchemaProperty>, types: Record<string, SchemaType>): string[] {
    const names = Object.keys(props);
    if (names.length === 0) return [];
    return ["Outputs:", "", ...names.map((n) => `- \`${n}\` (${typeCell((props[n] as SchemaProperty).type, types)}): ${cell(props[n]?.description)}`), ""];
}

/** The Markdown component reference. */
export function componentReference(schema: PackageSchema): string {
    const components = Object.entries(schema.components);
    const ready = components.filter(([, c]) => c.schemaReady).map(([, c]) => c.className);
    const lines: string[] = [
        "# Component reference",
        "",
        "<!-- Generated from the TSDoc of components/*.ts by `npm run docs:components`; do not edit by hand. -->",
        "",
        "Every component below is exported from the package root (`import { ThanosQuerier } from \"thanos-stack\"`) and is a",
        "resource of the Pulumi component package (`PulumiPlugin.yaml`), type token `thanos-stack:index:<Component>`.",
        "Components never use ambient providers: pass `kubernetes` (and `aws` for the S3 bucket and IAM roles) in",
        "`opts.providers`. Argument mistakes throw before any child resource is created.",
        "",
        "## Components",
        "",
        "| component | args | schema inference | description |",
        "|---|---|---|---|",
        ...components.map(
            ([, c]) =>
                `| [${c.className}](#${c.className.toLowerCase()}) | \`${c.argsType}\` | ${c.schemaReady ? "ready" : "blocked ⚠"} | ${cell(c.description?.split(/\n\n/)[0])} |`,
        ),
        "",
        ...(ready.length === components.length
            ? [
                  `**Other languages.** Pulumi infers the package schema from these TypeScript types. All ${components.length} components can be`,
                  "inferred, so Python, Go, .NET and YAML programs can use them as a component package. Child components of",
                  "`ThanosStack` (`stack.prometheus`, ...) are TypeScript-only accessors: a component package's schema can reference",
                  "resources of published provider packages only.",
                  "",
              ]
            : [
                  `**Other languages.** Pulumi infers the package schema from these TypeScript types. Today ${ready.length} of ${components.length}`,
                  `components can be inferred${ready.length > 0 ? ` (${ready.join(", ")})` : ""}; the others reach a type the schema cannot express`,
                  "(marked ⚠, listed under [Schema inference blockers](#schema-inference-blockers)). TypeScript programs can use",
                  "every component.",
                  "",
              ]),
    ];
    for (const [token, c] of components) {
        lines.push(`## ${c.className}`, "", `\`${token}\` — [${c.file}](../${c.file})`, "");
        if (c.description) lines.push(c.description.replace(/\{@link\s+([^}\s|]+)[^}]*\}/g, "`$1`"), "");
        lines.push(`### ${c.argsType}`, "", ...propertyTable(c.inputs, schema.types), ...outputList(c.outputs, schema.types));
    }
    lines.push("## Types", "", "Named types used by the arguments above.", "");
    for (const name of Object.keys(schema.types).sort()) {
        const t = schema.types[name] as SchemaType;
        lines.push(`<a id="${anchor(name)}"></a>`, "", `### ${name}`, "");
        if (t.description) lines.push(cell(t.description), "");
        if (t.kind === "enum") lines.push(`One of ${(t.values ?? []).map((v) => `\`${JSON.stringify(v)}\``).join(", ")}.`, "");
        else lines.push(...propertyTable(t.properties ?? {}, schema.types));
    }
    lines.push(
        "## Schema inference blockers",
        "",
        "Types Pulumi's schema inference cannot express (unions other than enums, intersections, inline object types,",
        "`Omit<>`/`Pick<>`, readonly arrays, references to resources without a schema token). Each is listed once, at",
        "the first component that reaches it; shared types block every component that uses them.",
        "",
        ...(schema.violations.length === 0 ? ["None."] : schema.violations.map((v) => `- ${cell(formatViolation(v))}`)),
        "",
    );
    return lines.join("\n");
}
