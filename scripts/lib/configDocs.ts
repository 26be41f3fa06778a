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
    items?: Node;
    /** A section with the fields of another (a component's `placement`): one row pointing there. */
    sameAs?: string;
}

/** The object schema a value's fields come from: itself, or the one object branch of a union. */
function fieldsOf(n: Node | undefined): Node | undefined {
    if (n === undefined) return undefined;
    if (n.properties) return n;
    const objects = (n.anyOf ?? []).filter((b) => b.properties);
    return objects.length === 1 ? objects[0] : undefined;
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
            const description = (child.description ?? "").replace(/\|/g, "\\|");
            const items = child.type === "array" ? fieldsOf(child.items) : undefined;
            const values = typeof child.additionalProperties === "object" ? fieldsOf(child.additionalProperties) : undefined;
            if (child.sameAs !== undefined) {
                rows.push(`| \`${keyPath}\` | section | — | ${description} The fields of the stack-wide \`${child.sameAs}\` section. |`);
            } else if (child.properties) {
                rows.push(`| \`${keyPath}\` | section | ${required ? "**required**" : "—"} | ${description} |`);
                walk(child, keyPath);
            } else if (items) {
                // A list of objects: its fields follow, as `key[].field`.
                rows.push(`| \`${keyPath}\` | list | ${defaultOf(child, required)} | ${description} Each item: the \`${keyPath}[].\` rows below. |`);
                walk(items, `${keyPath}[]`);
            } else if (values) {
                rows.push(`| \`${keyPath}\` | map | ${defaultOf(child, required)} | ${description} Each value: the \`${keyPath}.<name>.\` rows below. |`);
                walk(values, `${keyPath}.<name>`);
            } else {
                rows.push(`| \`${keyPath}\` | ${typeOf(child)} | ${defaultOf(child, required)} | ${description} |`);
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
        "## Worked examples",
        "",
        "Each example is a part of a stack file; the test suite validates every one of them against the schema.",
        ...CONFIG_EXAMPLES.flatMap((e) => ["", `### ${e.title}`, "", e.text, "", "```yaml", e.yaml.trimEnd(), "```"]),
        "",
    ].join("\n");
}

/** A worked example of the reference: a part of a stack file's `config:` and what it shows. */
export interface ConfigExample {
    title: string;
    text: string;
    /** The stack file lines (under `config:`, keys with the namespace). */
    yaml: string;
}

/** The worked examples (validated by test/docs.test.ts). */
export const CONFIG_EXAMPLES: ConfigExample[] = [
    {
        title: "Receivers: Slack with a secret, and a webhook",
        text: [
            "The Slack URL is the credential: store it encrypted with",
            "`pulumi config set --secret --path 'thanos-stack:alertmanager.receivers[0].slack[0].apiUrl' https://hooks.slack.com/services/...`,",
            "which writes the `secure:` value. A webhook inside the cluster, by its Service name, is an address and may stay plain.",
        ].join(" "),
        yaml: `  thanos-stack:alertmanager:
    receivers:
      - name: team-slack
        slack:
          - apiUrl:
              secure: AAABAHDlzE1yQvCh6v7lV0Tk0hY1pU8m7U8o6Z7n4Z1V2Q==
            channel: "#alerts"
      - name: relay
        webhook:
          - url: http://alert-relay.ops.svc.cluster.local:8080/hook
            sendResolved: false
    route:
      receiver: team-slack
`,
    },
    {
        title: "Remote write to a second store",
        text: "Credentials are read from a Kubernetes Secret in the stack's namespace, never written in the stack file.",
        yaml: `  thanos-stack:prometheus:
    remoteWrite:
      - url: https://metrics.example.com/api/v1/write
        name: long-term
        remoteTimeout: 30s
        basicAuth:
          username: { name: remote-write-auth, key: username }
          password: { name: remote-write-auth, key: password }
`,
    },
    {
        title: "Store gateway time partitions",
        text: "Two partitions x every shard: recent blocks (the last 30 days) and older ones, overlapping by a day so no time is uncovered.",
        yaml: `  thanos-stack:storeGateway:
    shards: 2
    timePartitions:
      - minTime: -31d
      - maxTime: -30d
`,
    },
    {
        title: "Dedicated monitoring nodes and a registry mirror",
        text: "Every pod on the `monitoring` node pool (which is tainted for it), images from a mirror with a pull Secret, debug logs for the querier only, and one extra querier flag the stack has no setting for.",
        yaml: `  thanos-stack:placement:
    nodeSelector:
      pool: monitoring
    tolerations:
      - key: dedicated
        value: monitoring
        effect: NoSchedule
    imageRegistry: registry.acme.internal/mirror
    imagePullSecrets: [regcred]
  thanos-stack:querier:
    logging:
      level: debug
    extraArgs:
      - --query.lookback-delta=10m
`,
    },
    {
        title: "A central cluster reading two collectors",
        text: "Role `central`: the querier reads each collector's Prometheus pods over TLS (their addresses are the collector stacks' `storeApiEndpoints` output).",
        yaml: `  thanos-stack:role: central
  thanos-stack:central:
    collectors:
      - name: eu-west-1
        addresses:
          - shard-0-replica-0.eu.metrics.example.com:443
          - shard-0-replica-1.eu.metrics.example.com:443
        tls:
          caSecretName: collector-ca
      - name: us-east-1
        addresses:
          - shard-0-replica-0.us.metrics.example.com:443
`,
    },
];
