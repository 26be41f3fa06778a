/**
 * Renders a large stack: N store shards x 2 replicas, M Prometheus shards,
 * K team ServiceMonitors and K PrometheusRule groups (generated here), through
 * the real program plus the team helpers. Used by `npm run bench`.
 *
 *   node scripts/run.js bench/largeStack.ts --scale 1 --out <dir>
 *
 * At scale 1: 64 store shards, 16 Prometheus shards, 200 ServiceMonitors, 200 rule groups.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { stringify } from "yaml";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { ServiceMonitor } from "../components/teams/serviceMonitor";
import { PrometheusRule } from "../components/teams/prometheusRule";
import { renderStack, writeRender } from "../scripts/lib/render";
import { readStackFile, STACKS_DIR } from "../scripts/lib/stackConfig";

/** The size of the large stack at scale 1. */
export const LARGE = { storeShards: 64, storeReplicas: 2, prometheusShards: 16, serviceMonitors: 200, ruleGroups: 200 };

const { values } = parseArgs({ options: { scale: { type: "string", default: "1" }, out: { type: "string" } } });
const scale = Number(values.scale);
const size = {
    storeShards: Math.max(1, Math.round(LARGE.storeShards * scale)),
    prometheusShards: Math.max(1, Math.round(LARGE.prometheusShards * scale)),
    teams: Math.max(1, Math.round(LARGE.serviceMonitors * scale)),
};

// The prod stack file with the large sizes, in a temporary stacks directory.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "thanos-bench-"));
const prod = readStackFile("prod", STACKS_DIR);
const config: Record<string, unknown> = {};
for (const [k, v] of Object.entries(prod.config)) config[k] = v.trim().startsWith("{") || v.trim().startsWith("[") ? JSON.parse(v) : v;
const prom = config["thanos-stack:prometheus"] as Record<string, unknown>;
prom["shards"] = size.prometheusShards;
const store = (config["thanos-stack:storeGateway"] ?? {}) as Record<string, unknown>;
store["shards"] = size.storeShards;
store["replicas"] = LARGE.storeReplicas;
config["thanos-stack:storeGateway"] = store;
fs.writeFileSync(path.join(dir, "Pulumi.large.yaml"), stringify({ config }));

function teamObjects(): void {
    const provider = new KubernetesProvider("bench-teams", {});
    for (let i = 0; i < size.teams; i++) {
        const team = `team-${String(i).padStart(3, "0")}`;
        new ServiceMonitor(
            `${team}-app`,
            {
                namespace: team,
                selector: { matchLabels: { app: `${team}-app` } },
                endpoints: [{ port: "http", interval: "30s", path: "/metrics", scheme: "http" }],
                namespaceSelector: { matchNames: [team] },
            },
            { provider },
        );
        new PrometheusRule(
            `${team}-rules`,
            {
                namespace: team,
                scope: "global",
                groups: [
                    {
                        name: `${team}.availability`,
                        rules: [
                            { alert: `${team.replace("-", "")}Down`, expr: `sum(up{namespace="${team}"}) == 0 or absent(up{namespace="${team}"})`, for: "5m", labels: { severity: "critical" } },
                            { record: "namespace:http_requests:rate5m", expr: `sum by (namespace) (rate(http_requests_total{namespace="${team}"}[5m]))` },
                        ],
                    },
                ],
            },
            { provider },
        );
    }
}

renderStack({
    stack: "large",
    stacksDir: dir,
    program: () => {
        const outputs = require("../infra") as Record<string, unknown>;
        teamObjects();
        return outputs;
    },
}).then(
    (result) => {
        if (values.out) writeRender(result, values.out);
        process.stdout.write(`${JSON.stringify({ scale, ...size, resources: result.resources.length, manifests: result.manifests.length })}\n`);
        fs.rmSync(dir, { recursive: true, force: true });
    },
    (e: unknown) => {
        process.stderr.write(`${String((e as { problems?: string[] }).problems ?? e)}\n`);
        process.exit(2);
    },
);
