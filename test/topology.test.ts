/**
 * The topology picture of a stack (scripts/lib/topology.ts, written by `npm run render` as out/<stack>/topology.md
 * and shown in the pull request's job summary): what it draws must be the stack's plan — the shard and replica
 * counts of the configuration, every StoreAPI the querier's endpoint file lists, each bucket user's access as its
 * IAM actions allow it, every flow the NetworkPolicies allow — and a diagram Mermaid can draw (every edge between
 * declared nodes).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { describe, expect, it } from "vitest";
import { buildStackNetworkPolicies } from "../components/network/stackNetwork";
import { accessOf, stackPlanOf, topologyFlowchart, topologyMarkdown } from "../scripts/lib/topology";
import { ROOT } from "./support/harness";

const run = promisify(execFile);

/** The declared node and subgraph ids of a flowchart, and its edges' endpoints. */
function graph(chart: string): { declared: Set<string>; edges: Array<[string, string, string]> } {
    const declared = new Set<string>();
    const edges: Array<[string, string, string]> = [];
    for (const line of chart.split("\n").slice(1)) {
        const edge = /^\s*(\S+) -(?:->|\.->)(?:\|"([^"]*)"\|)? (\S+)$/.exec(line);
        if (edge) edges.push([edge[1]!, edge[3]!, edge[2] ?? ""]);
        else {
            const node = /^\s*(?:subgraph )?([A-Za-z_][\w]*)[[(]/.exec(line);
            if (node) declared.add(node[1]!);
        }
    }
    return { declared, edges };
}

describe("the topology of a stack", () => {
    it("draws prod as configured: 4 shards x 2 replicas, 3 store shards, the querier reaching each StoreAPI", () => {
        const chart = topologyFlowchart(stackPlanOf("prod"));
        expect(chart).toContain('subgraph prometheus["Prometheus thanos-prometheus: 4 shards x 2 replicas"]');
        expect(chart.match(/\["shard \d: 2 replicas \+ Thanos sidecars"\]/g)).toHaveLength(4);
        expect(chart).toContain('subgraph store["Store gateway: 3 shards x 2 replicas"]');
        const { declared, edges } = graph(chart);
        const fromQuerier = edges.filter(([from]) => from === "n_thanos_query").map(([, to]) => to);
        expect(fromQuerier).toEqual(["prometheus", "n_thanos_store_0_of_3", "n_thanos_store_1_of_3", "n_thanos_store_2_of_3", "n_thanos_rule"]);
        for (const [from, to] of edges) {
            expect(declared, `${from} -> ${to}`).toContain(from);
            expect(declared, `${from} -> ${to}`).toContain(to);
        }
    });

    it("follows the configuration: shards, time partitions, compactor shards, caches, remote collectors", () => {
        const chart = topologyFlowchart(
            stackPlanOf("prod", [
                "prometheus.shards=2",
                "storeGateway.shards=2",
                'storeGateway.timePartitions=[{maxTime: "-30d"}, {minTime: "-30d"}]',
                'compactor.sharding={label: cluster, groups: [[eks-a]]}',
                "role=central",
            ]),
        );
        // The central role runs one self-scrape shard whatever prometheus.shards says.
        expect(chart).toContain("Prometheus thanos-prometheus: 1 shard x 2 replicas");
        expect(chart).toContain('subgraph store["Store gateway: 2 shards x 2 time partitions x 2 replicas"]');
        for (const name of ["thanos-store-t0-0-of-2, beginning to -30d", "thanos-store-t0-1-of-2, beginning to -30d", "thanos-store-t1-0-of-2, -30d to now", "thanos-store-t1-1-of-2, -30d to now"]) expect(chart).toContain(`["${name}"]`);
        expect(chart).toContain('["Compactor thanos-compact-0: cluster=eks-a"]');
        expect(chart).toContain('["Compactor thanos-compact-1: all but cluster=eks-a"]');
        expect(chart).toContain("index cache: memcached thanos-store-index-cache, 2 replicas");
        const { edges } = graph(chart);
        const remote = edges.filter(([from, to]) => from === "n_thanos_query" && to.startsWith("n_endpoint_"));
        expect(remote).toHaveLength(4);
    });

    it("shows each bucket user's access as its IAM actions allow, with its ServiceAccount", () => {
        // From the actions each user's policy grants: only the compactor deletes, the store gateway only reads.
        expect(accessOf("compactor")).toBe("read, write, delete");
        expect(accessOf("storeGateway")).toBe("read");
        expect(accessOf("prometheus")).toBe("read, write");
        expect(accessOf("ruler")).toBe("read, write");
        const md = topologyMarkdown("prod", stackPlanOf("prod"));
        expect(md).toContain("| compactor | `thanos-compact` | read, write, delete | its own IAM role (Pulumi resource `thanos-access-compactor-role`) |");
        expect(md).toContain("| storeGateway | `thanos-store` | read | its own IAM role (Pulumi resource `thanos-access-storeGateway-role`) |");
        const { edges } = graph(topologyFlowchart(stackPlanOf("prod")));
        expect(edges.filter(([, to]) => to === "n_bucket").map(([from, , text]) => `${from}: ${text}`)).toContain("n_thanos_compact: read, write, delete as thanos-compact");
        const local = topologyMarkdown("local", stackPlanOf("local"));
        expect(local).toContain("the in-cluster S3 server's keys");
    });

    it("lists every flow the NetworkPolicies allow, and says when there are none", () => {
        const plan = stackPlanOf("prod");
        const flows = buildStackNetworkPolicies(plan.network.input).flows;
        const md = topologyMarkdown("prod", plan);
        const section = md.slice(md.indexOf("## Network flows"));
        const rows = section.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| from |"));
        expect(rows).toHaveLength(flows.length);
        expect(md).toContain("| query | store-0-of-3 | 10901/TCP | thanos-store-0-of-3.monitoring.svc.cluster.local:10901 |");
        expect(topologyMarkdown("prod", stackPlanOf("prod", ["networkPolicies.enabled=false"]))).toContain("No NetworkPolicies (`networkPolicies.enabled: false`): every flow is allowed.");
    });

    it("is written by npm run render beside the manifests", async () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "topology-"));
        try {
            const r = await run(process.execPath, [path.join(ROOT, "scripts", "run.js"), path.join(ROOT, "scripts", "render.ts"), "--stack", "local", "--out", out, "--set", "prometheus.shards=3"], { cwd: ROOT });
            expect(r.stdout).toContain(`and ${path.join(out, "topology.md")}`);
            const md = fs.readFileSync(path.join(out, "topology.md"), "utf8");
            expect(md).toMatch(/^# Topology of stack `local`\n/);
            expect(md).toContain("```mermaid\nflowchart LR\n");
            expect(md).toContain(": 3 shards x ");
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});
