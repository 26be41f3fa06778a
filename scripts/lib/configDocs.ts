/**
 * Generates the configuration reference (docs/configuration.md) from the
 * schema itself, so the document cannot drift from what is validated.
 */
import { z } from "zod";
import { stackConfigSchema } from "../../infra/config/schema";
import { CONFIG_NAMESPACE } from "../../infra/config/load";

interface Node {
    type?: string | string[];
    description?: string;
    default?: unknown;
    enum?: unknown[];
    properties?: Record<string, Node>;
    required?: string[];
    additionalProperties?: Node | boolean;
    anyOf?: Node[];
}

function typeOf(n: Node): string {
    if (n.enum) return n.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
    if (n.anyOf) return n.anyOf.map(typeOf).join(" \\| ");
    if (n.type === "object" && n.additionalProperties && typeof n.additionalProperties === "object") return `map of ${typeOf(n.additionalProperties)}`;
    return Array.isArray(n.type) ? n.type.join(" \\| ") : (n.type ?? "any");
}

function defaultOf(n: Node, required: boolean): string {
    if (required) return "**required**";
    if (n.default === undefined) return "—";
    if (typeof n.default === "object" && n.default !== null && Object.keys(n.default).length > 0 && n.properties) return "(see below)";
    return `\`${JSON.stringify(n.default)}\``;
}

/** The Markdown configuration reference. */
export function configReference(): string {
    const schema = z.toJSONSchema(stackConfigSchema, { io: "input", unrepresentable: "any" }) as Node;
    const rows: string[] = [];
    const walk = (node: Node, prefix: string) => {
        for (const [key, child] of Object.entries(node.properties ?? {})) {
            const keyPath = prefix ? `${prefix}.${key}` : key;
            const required = (node.required ?? []).includes(key) && child.default === undefined;
            if (child.properties) {
                rows.push(`| \`${keyPath}\` | section | ${required ? "**required**" : "—"} | ${child.description ?? ""} |`);
                walk(child, keyPath);
            } else {
                rows.push(`| \`${keyPath}\` | ${typeOf(child)} | ${defaultOf(child, required)} | ${(child.description ?? "").replace(/\|/g, "\\|")} |`);
            }
        }
    };
    walk(schema, "");
    return [
        "# Configuration reference",
        "",
        "<!-- Generated from infra/config/schema.ts by `npm run docs:config`; do not edit by hand. -->",
        "",
        `Every key lives under the \`${CONFIG_NAMESPACE}:\` namespace of a stack file (\`stacks/Pulumi.<stack>.yaml\`), e.g.`,
        "",
        "```yaml",
        "config:",
        `  ${CONFIG_NAMESPACE}:prometheus:`,
        "    shards: 4",
        "```",
        "",
        "or `--set prometheus.shards=4` with `npm run render`. With the CLI, set a nested key with `--path`",
        `(\`pulumi config set --path ${CONFIG_NAMESPACE}:prometheus.shards 4\`): without it the CLI writes one key named`,
        "`prometheus.shards`, which is refused with the commands that fix it. The whole configuration is validated",
        "before any resource is created; unknown keys are errors, and so are keys of a namespace that is almost",
        `\`${CONFIG_NAMESPACE}\` (\`thanos-stak:\`, \`thanos_stack:\`). Credentials — receiver URLs and keys, UI password hashes —`,
        "must be Pulumi secrets (`pulumi config set --secret --path ...`; `--set-secret` with `npm run render`): one in",
        "plaintext is refused with the command that stores it encrypted (an in-cluster webhook addressed by its Service,",
        "without user, password or query, is an address, not a credential). Durations use Prometheus syntax (`30s`, `6h`, `30d`, `1y`);",
        "sizes and CPU use Kubernetes quantities (`500m`, `2Gi`).",
        "",
        "Rules across keys: `prometheus.retention` >= 6h; while `compactor.downsampling` is on,",
        "`compactor.retention.raw` >= 40h and `compactor.retention.fiveMinutes` >= 10d; `aws.region` is required",
        "with `objectStorage.provider: s3`; every memory limit >= its request; a production stack (`production.enabled`,",
        "default: environment `prod`) refuses single points of failure — fewer than 2 replicas of Prometheus (per shard),",
        "Alertmanager, the store gateway (per shard), querier, query-frontend or ruler, or a `soft` replica spread — unless",
        "`production.singlePointsAllowed` names the setting with a reason.",
        "",
        "| key | type | default | description |",
        "|---|---|---|---|",
        ...rows,
        "",
    ].join("\n");
}
