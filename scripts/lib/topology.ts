/**
 * A picture of one stack's actual topology, drawn from its plan (the one the components are created from): the
 * Prometheus shards x replicas, the store gateway shards and time partitions, every StoreAPI the querier reaches,
 * the query-frontend, the ruler and Alertmanager, the compactors, the bucket users with their access and roles,
 * and the network flows the NetworkPolicies allow. Mermaid inside Markdown (`out/<stack>/topology.md`), which
 * GitHub renders in a pull request's job summary. Pure.
 */
import { DEFAULTS } from "../../components/defaults";
import { BUCKET_USERS, type BucketUser } from "../../components/lib/contracts";
import type { PortRef } from "../../components/network/networkPolicies";
import { buildStackNetworkPolicies } from "../../components/network/stackNetwork";
import type { StackPlan } from "../../components/stack/stackPlan";
import { BUCKET_PERMISSIONS, bucketUserRoleName } from "../../components/storage/bucketAccess";
import { compactorPlan } from "../../components/thanos/compactor";
import { storeGatewayPlan } from "../../components/thanos/storeGateway";
import { queryFrontendPlan } from "../../components/thanos/queryFrontend";
import { bucketAccessName, planStack } from "../../components/stack/stackPlan";
import { collectProjectConfig, validateStackConfig } from "../../infra/config/load";
import { STACK_COMPONENT_NAME, stackArgs } from "../../infra/stack";
import { applySets, readStackFile, STACKS_DIR } from "./stackConfig";

/** A Mermaid node id from any name. */
function id(name: string): string {
    return `n_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/** A Mermaid label: quoted, without the characters Mermaid reads as syntax. */
function label(text: string): string {
    return `"${text.replace(/"/g, "'").replace(/[<>]/g, "")}"`;
}

function plural(n: number, one: string, many = `${one}s`): string {
    return `${n} ${n === 1 ? one : many}`;
}

/** What a bucket user may do, in words, from its IAM actions. */
export function accessOf(user: BucketUser): string {
    const objects = BUCKET_PERMISSIONS[user].objects;
    const can = [objects.includes("s3:GetObject") ? "read" : undefined, objects.includes("s3:PutObject") ? "write" : undefined, objects.includes("s3:DeleteObject") ? "delete" : undefined];
    return can.filter((c): c is string => c !== undefined).join(", ");
}

/** The workloads of a bucket user, as node ids of the diagram. */
function bucketUserNodes(user: BucketUser, nodes: { prometheus: string[]; stores: string[]; compactors: string[]; ruler: string | undefined }): string[] {
    if (user === "prometheus") return nodes.prometheus;
    if (user === "storeGateway") return nodes.stores;
    if (user === "compactor") return nodes.compactors;
    return nodes.ruler !== undefined ? [nodes.ruler] : [];
}

function ports(p: PortRef[]): string {
    return p.length === 0 ? "any port" : p.map((x) => `${x.port}/${x.protocol ?? "TCP"}`).join(", ");
}

/** The Mermaid flowchart of a plan. */
export function topologyFlowchart(plan: StackPlan): string {
    const lines = ["flowchart LR"];
    const edge = (from: string, to: string, text?: string, dotted = false) => lines.push(`  ${from} ${dotted ? "-.->" : "-->"}${text !== undefined ? `|${label(text)}|` : ""} ${to}`);
    const t = plan.thanos;
    const readPath = plan.parts.thanosReadPath;

    const prometheusNodes: string[] = [];
    lines.push(`  subgraph prometheus[${label(`Prometheus ${plan.prometheus.name}: ${plural(plan.prometheus.shards, "shard")} x ${plural(plan.prometheus.replicas, "replica")}`)}]`);
    for (let s = 0; s < plan.prometheus.shards; s++) {
        const n = id(`prometheus-shard-${s}`);
        prometheusNodes.push(n);
        lines.push(`    ${n}[${label(`shard ${s}: ${plural(plan.prometheus.replicas, "replica")} + Thanos sidecars`)}]`);
    }
    lines.push("  end");

    const storeNodes: string[] = [];
    const compactorNodes: string[] = [];
    let rulerNode: string | undefined;
    if (readPath) {
        const store = storeGatewayPlan(t.names.store, t.storeGateway);
        lines.push(`  subgraph store[${label(`Store gateway: ${plural(store.shards, "shard")}${store.timePartitions.length > 1 ? ` x ${plural(store.timePartitions.length, "time partition")}` : ""} x ${plural(store.replicas, "replica")}`)}]`);
        for (const i of store.instances) {
            const n = id(i.name);
            storeNodes.push(n);
            const window = i.minTime !== undefined || i.maxTime !== undefined ? `, ${i.minTime ?? "beginning"} to ${i.maxTime ?? "now"}` : "";
            lines.push(`    ${n}[${label(`${i.name}${window}`)}]`);
        }
        lines.push("  end");
        const compactor = compactorPlan(t.names.compact, t.compactor);
        for (const c of compactor.instances) {
            const n = id(c.name);
            compactorNodes.push(n);
            const owns = c.selector === undefined ? "every stream" : `${c.selector.action === "keep" ? "" : "all but "}${c.selector.label}=${c.selector.values.join("|")}`;
            lines.push(`  ${n}[${label(`Compactor ${c.name}: ${owns}`)}]`);
        }
        const q = id(t.names.query);
        const qf = id(t.names.queryFrontend);
        rulerNode = id(t.names.rule);
        lines.push(`  ${qf}[${label(`Query-frontend: ${plural(t.queryFrontend.replicas ?? DEFAULTS.queryFrontend.replicas, "replica")}`)}]`);
        lines.push(`  ${q}[${label(`Querier: ${plural(t.querier.replicas ?? DEFAULTS.querier.replicas, "replica")}, deduplicates on ${t.querier.replicaLabels.join(", ")}`)}]`);
        lines.push(`  ${rulerNode}[${label(`Ruler: ${plural(t.ruler.replicas ?? DEFAULTS.ruler.replicas, "replica")}`)}]`);
        edge(qf, q, "range, instant and label queries");
        const caches = [
            { owner: storeNodes, plan: store.indexCache, what: "index cache" },
            { owner: storeNodes, plan: store.cachingBucket, what: "chunk and metadata cache" },
            { owner: [qf], plan: queryFrontendPlan(t.names.queryFrontend, t.queryFrontend).resultsCache, what: "results cache" },
        ];
        for (const c of caches) {
            if (c.plan === undefined) continue;
            const n = id(c.plan.name);
            lines.push(`  ${n}[(${label(`${c.what}: memcached ${c.plan.name}, ${plural(c.plan.replicas, "replica")}`)})]`);
            for (const o of c.owner) edge(o, n, undefined);
        }
        edge(rulerNode, q, "rule queries");
        // Every StoreAPI the querier reaches, from its endpoint list.
        const sidecars = new Set(plan.prometheus.sidecarEndpoints.map((e) => e.address));
        const stores = new Map(store.instances.map((i) => [i.name, id(i.name)]));
        for (const e of t.querier.endpoints) {
            if (sidecars.has(e.address)) {
                edge(q, "prometheus", "StoreAPI: every sidecar");
                continue;
            }
            const storeNode = [...stores].find(([name]) => e.address.startsWith(`${name}.`))?.[1];
            if (storeNode !== undefined) edge(q, storeNode, "StoreAPI");
            else if (e.address.includes(t.names.rule)) edge(q, rulerNode, "StoreAPI");
            else {
                const n = id(`endpoint-${e.address}`);
                lines.push(`  ${n}[${label(e.description.includes(e.address) ? e.description : `${e.description}: ${e.address}`)}]`);
                edge(q, n, e.strict === true ? "StoreAPI, strict" : "StoreAPI");
            }
        }
    }
    const am = id(plan.alertmanager.name);
    lines.push(`  ${am}[${label(`Alertmanager: ${plural(plan.alertmanager.args.replicas ?? DEFAULTS.alertmanager.replicas, "replica")}`)}]`);
    edge("prometheus", am, "alerts");
    if (plan.pushgateway !== undefined) {
        const pg = id(plan.pushgateway.name);
        lines.push(`  ${pg}[${label("Pushgateway: 1 replica")}]`);
        edge("prometheus", pg, "scrapes");
    }
    if (rulerNode !== undefined) edge(rulerNode, am, "alerts");

    const bucket = id("bucket");
    lines.push(`  ${bucket}[(${label(plan.network.input.objectStorage.provider === "s3" ? "S3 bucket" : `in-cluster S3 server, bucket ${(plan.network.input.objectStorage as { bucketName: string }).bucketName}`)})]`);
    const nodes = { prometheus: prometheusNodes, stores: storeNodes, compactors: compactorNodes, ruler: rulerNode };
    for (const user of plan.parts.bucketUsers) {
        for (const n of bucketUserNodes(user, nodes)) edge(n, bucket, `${accessOf(user)} as ${plan.serviceAccountNames[user]}`, true);
    }
    return lines.join("\n");
}

/**
 * The plan of a stack file with overrides, as the program makes it (the same validation, Args and plan); for a
 * configuration the render has accepted. Throws on one it refuses.
 */
export function stackPlanOf(stack: string, sets: string[] = [], secretSets: string[] = [], stacksDir = STACKS_DIR): StackPlan {
    const { raw } = collectProjectConfig(applySets(readStackFile(stack, stacksDir), sets, secretSets).config);
    const result = validateStackConfig(raw);
    if (!result.ok) throw new Error(result.problems.join("\n"));
    return planStack(STACK_COMPONENT_NAME, stackArgs(result.config));
}

/** The Markdown document: the diagram, the bucket users and the network flows. */
export function topologyMarkdown(stack: string, plan: StackPlan): string {
    const s3 = plan.network.input.objectStorage.provider === "s3";
    const flows = plan.network.policies.length === 0 ? [] : buildStackNetworkPolicies(plan.network.input).flows;
    const users = BUCKET_USERS.filter((u) => plan.parts.bucketUsers.includes(u));
    return [
        `# Topology of stack \`${stack}\``,
        "",
        "<!-- Generated by `npm run render` from the stack's plan; do not edit by hand. -->",
        "",
        `Role \`${plan.role}\`, namespace \`${plan.namespace}\`.`,
        "",
        "```mermaid",
        topologyFlowchart(plan),
        "```",
        "",
        "## Bucket users",
        "",
        "| user | ServiceAccount | may | credentials |",
        "|---|---|---|---|",
        ...users.map((u) => `| ${u} | \`${plan.serviceAccountNames[u]}\` | ${accessOf(u)} | ${s3 ? `its own IAM role (Pulumi resource \`${bucketUserRoleName(bucketAccessName(plan.name), u)}\`)` : "the in-cluster S3 server's keys"} |`),
        "",
        "## Network flows",
        "",
        ...(flows.length === 0
            ? ["No NetworkPolicies (`networkPolicies.enabled: false`): every flow is allowed."]
            : ["Everything else is denied (default deny in the namespace).", "", "| from | to | ports | why |", "|---|---|---|---|", ...flows.map((f) => `| ${f.from} | ${f.to} | ${ports(f.ports)} | ${f.why.replace(/\|/g, "\\|")} |`)]),
        "",
    ].join("\n");
}
