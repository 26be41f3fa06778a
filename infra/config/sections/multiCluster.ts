/**
 * Multi-cluster topology: the stack's `role`, how a collector exposes its sidecars, and which
 * collectors a central stack queries (from configuration or from other stacks' outputs).
 */
import { z } from "zod";
import { MULTI_CLUSTER } from "../../../components/constants";
import { remoteCollectorProblems } from "../../../components/stack/multiCluster";
import type { Problem } from "../common";
import { dnsLabel, integer, labelValue, text } from "../rules";

const DOMAIN_RULE = "must be a lowercase DNS name with at least two labels, like sidecars.eu-1.example.internal";
const domainName = () =>
    z.string({ error: DOMAIN_RULE }).regex(/^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, { error: DOMAIN_RULE });
const CIDR_RULE = "must be an IPv4 CIDR, like 10.20.0.0/16";
const cidr = () => z.string({ error: CIDR_RULE }).regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, { error: CIDR_RULE });
const STACK_RULE = "must be a fully qualified stack name <organization>/<project>/<stack>";

/** `role`. */
export const role = z
    .enum(MULTI_CLUSTER.roles, { error: `must be one of: ${MULTI_CLUSTER.roles.join(", ")}` })
    .default("all")
    .meta({
        description:
            "What this stack runs. `all`: everything in one cluster. `collector`: Prometheus shards + sidecars (+ Alertmanager, Pushgateway) uploading to the shared bucket, the sidecars' StoreAPI exposed per pod to a central cluster; no store, querier, query-frontend, compactor or ruler. `central`: querier, query-frontend, store gateways, compactor, ruler, Alertmanager and Grafana, querying the collectors; no Prometheus shards besides its own self-scrape Prometheus. See docs/multi-cluster.md.",
    });

/** `collector` section. */
export const collector = z
    .strictObject({
        exposure: z
            .strictObject({
                type: z
                    .enum(MULTI_CLUSTER.exposureTypes, { error: `must be one of: ${MULTI_CLUSTER.exposureTypes.join(", ")}` })
                    .default("loadBalancer")
                    .meta({ description: "`loadBalancer`: an internal AWS NLB per Prometheus pod (AWS Load Balancer Controller, IP targets). `ingress`: one gRPC Ingress (ingress-nginx) with a TLS host per pod." }),
                domain: domainName()
                    .optional()
                    .meta({ description: "DNS domain of the pod hostnames `shard-<s>-replica-<r>.<domain>` (published by external-dns or the Ingress). Required with role collector." }),
                sourceRanges: z
                    .array(cidr(), { error: "must be a list of CIDRs" })
                    .default([])
                    .meta({ description: "CIDRs allowed to reach the NLBs (the central cluster's VPC); `loadBalancer` only." }),
                ingressClassName: text().optional().meta({ description: "IngressClass of the gRPC Ingress (`ingress` only; the cluster default when unset)." }),
                clusterIssuer: text()
                    .optional()
                    .meta({ description: "cert-manager ClusterIssuer of the StoreAPI certificate. Required with `ingress`; with `loadBalancer` the sidecars then serve TLS themselves (plaintext inside the VPC when unset)." }),
            })
            .prefault({})
            .meta({ description: "How the central cluster reaches this collector's sidecars (one address per Prometheus pod). Used only with role collector." }),
    })
    .prefault({})
    .meta({ description: "Settings of role `collector` (ignored by the other roles)." });

/** `central` section. */
export const central = z
    .strictObject({
        selfScrape: z
            .strictObject({
                replicas: integer(1, 10).default(MULTI_CLUSTER.selfScrapeReplicas).meta({ description: "Replicas of the self-scrape Prometheus (the other `prometheus` settings apply; shards is always 1)." }),
            })
            .prefault({})
            .meta({ description: "The central cluster's own one-shard Prometheus (always on: it scrapes the Thanos components, whose alerts must page)." }),
        collectors: z
            .array(
                z.strictObject({
                    name: labelValue().meta({ description: "The collector's cluster name (its `cluster` external label)." }),
                    addresses: z
                        .array(text("a StoreAPI address (host:port)"), { error: "must be a list of StoreAPI addresses" })
                        .min(1, { error: "must list at least one address (one per collector Prometheus pod)" })
                        .meta({ description: "One StoreAPI address per collector Prometheus pod (the collector stack's `storeApiEndpoints` output)." }),
                    tls: z
                        .strictObject({
                            serverName: text().optional().meta({ description: "Expected certificate name (default: the address's host)." }),
                            caSecretName: dnsLabel().optional().meta({ description: "Secret in the namespace whose `ca.crt` signs the collector's certificate (default: system roots)." }),
                        })
                        .optional()
                        .meta({ description: "TLS towards the collector (plaintext when unset)." }),
                }),
                { error: "must be a list of {name, addresses, tls}" },
            )
            .default([])
            .meta({ description: "Collectors given by address." }),
        collectorStacks: z
            .array(
                z.strictObject({
                    stack: z.string({ error: STACK_RULE }).regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: STACK_RULE }).meta({ description: "Collector stack, read with a StackReference (its `storeApiEndpoints` output)." }),
                    caSecretName: dnsLabel().optional().meta({ description: "Secret in the namespace whose `ca.crt` signs that collector's certificate (default: system roots)." }),
                }),
                { error: "must be a list of {stack, caSecretName}" },
            )
            .default([])
            .meta({ description: "Collectors read from other Pulumi stacks' outputs." }),
    })
    .prefault({})
    .meta({ description: "Settings of role `central` (ignored by the other roles)." });

/** The facts the multi-cluster rules need. */
interface MultiClusterContext {
    role: z.output<typeof role>;
    collector: z.output<typeof collector>;
    central: z.output<typeof central>;
    cluster: { name: string };
    objectStorage: { provider: "s3" | "versitygw"; encryption: { createKey: boolean } };
}

/** Rules across the multi-cluster settings. */
export function multiClusterProblems(c: MultiClusterContext): Problem[] {
    const problems: Problem[] = [];
    const exposure = c.collector.exposure;
    if (c.role !== "all" && c.objectStorage.provider !== "s3") {
        problems.push({ path: ["objectStorage", "provider"], message: `must be s3 with role ${c.role}: collectors and the central cluster share one bucket, and the in-cluster S3 server is reachable from one cluster only`, input: c.objectStorage.provider });
    }
    if (c.role === "collector") {
        if (exposure.domain === undefined) problems.push({ path: ["collector", "exposure", "domain"], message: "is required with role collector (the central querier dials shard-<s>-replica-<r>.<domain>)", input: undefined });
        if (exposure.type === "ingress" && exposure.clusterIssuer === undefined) {
            problems.push({ path: ["collector", "exposure", "clusterIssuer"], message: "is required with exposure type ingress (gRPC through an Ingress needs TLS)", input: undefined });
        }
        if (exposure.type === "ingress" && exposure.sourceRanges.length > 0) problems.push({ path: ["collector", "exposure", "sourceRanges"], message: "only applies to exposure type loadBalancer", input: exposure.sourceRanges });
        if (c.objectStorage.encryption.createKey) {
            problems.push({ path: ["objectStorage", "encryption", "createKey"], message: "must be false with role collector: the central stack owns the bucket and its key (name it in encryption.kmsKeyArn)", input: true });
        }
    }
    if (c.role === "central") {
        if (c.central.collectors.length === 0 && c.central.collectorStacks.length === 0) {
            problems.push({ path: ["central", "collectors"], message: "must name at least one collector with role central (or use central.collectorStacks)", input: [] });
        }
        problems.push(...remoteCollectorProblems(c.central.collectors, c.cluster.name));
        const seen = new Set<string>();
        c.central.collectorStacks.forEach((s, i) => {
            if (seen.has(s.stack)) problems.push({ path: ["central", "collectorStacks", String(i), "stack"], message: "must be unique", input: s.stack });
            seen.add(s.stack);
        });
    }
    return problems;
}
