/**
 * `production` section: a production stack refuses single points of failure — a setting with which one pod or one
 * node going away (a crash, a node drain, an upgrade) stops ingestion, queries, rules or notifications — unless
 * the stack names that setting in `production.singlePointsAllowed` with a reason, reviewed like code.
 *
 * Not covered on purpose: the compactor and the Pushgateway are singletons by design (two compactors on one stream
 * corrupt the bucket; two Pushgateways split the pushes), and the memcached caches only cost speed when one is down.
 */
import { z } from "zod";
import { ReplicaSpread } from "../../../components/lib/pod";
import type { Problem } from "../common";
import { bool, text } from "../rules";

/** What the checks read: the validated values of the settings they judge. */
export interface ProductionView {
    environment: string;
    role: string;
    production: { enabled?: boolean; singlePointsAllowed: Partial<Record<SinglePointSetting, string>> };
    prometheus: { replicas: number; replicaSpread: string };
    alertmanager: { replicas: number };
    storeGateway: { replicas: number; replicaSpread: string };
    querier: { replicas: number };
    queryFrontend: { replicas: number };
    ruler: { replicas: number };
    central: { selfScrape: { replicas: number } };
}

interface SinglePointRule {
    /** Which roles run the component (`all`, `collector`, `central`). */
    roles: readonly string[];
    /** The value, when it is a single point of failure. */
    bad: (c: ProductionView) => number | string | undefined;
    /** The rule, and what breaks. */
    rule: string;
}

const MIN_REPLICAS = 2;
const replicas = (n: number) => (n < MIN_REPLICAS ? n : undefined);
const soft = (spread: string) => (spread !== ReplicaSpread.Hard ? spread : undefined);
const EVERY_ROLE = ["all", "collector", "central"] as const;
const READ_PATH = ["all", "central"] as const;

/** Every single point of failure a production stack refuses, by the setting that makes it one. */
export const SINGLE_POINT_RULES = {
    "prometheus.replicas": { roles: ["all", "collector"], bad: (c) => replicas(c.prometheus.replicas), rule: `must be at least ${MIN_REPLICAS} in a production stack (one replica per shard: a restarted pod is a gap in that shard's data)` },
    "prometheus.replicaSpread": { roles: EVERY_ROLE, bad: (c) => soft(c.prometheus.replicaSpread), rule: 'must be "hard" in a production stack (with "soft" both replicas of a shard may share a node, and one node takes the shard down)' },
    "alertmanager.replicas": { roles: EVERY_ROLE, bad: (c) => replicas(c.alertmanager.replicas), rule: `must be at least ${MIN_REPLICAS} in a production stack (one Alertmanager: no notification while it restarts)` },
    "storeGateway.replicas": { roles: READ_PATH, bad: (c) => replicas(c.storeGateway.replicas), rule: `must be at least ${MIN_REPLICAS} in a production stack (one replica per shard: its blocks are missing from queries while it restarts)` },
    "storeGateway.replicaSpread": { roles: READ_PATH, bad: (c) => soft(c.storeGateway.replicaSpread), rule: 'must be "hard" in a production stack (with "soft" the replicas of a shard may share a node)' },
    "querier.replicas": { roles: READ_PATH, bad: (c) => replicas(c.querier.replicas), rule: `must be at least ${MIN_REPLICAS} in a production stack (one querier: every query and every rule evaluation stops while it restarts)` },
    "queryFrontend.replicas": { roles: READ_PATH, bad: (c) => replicas(c.queryFrontend.replicas), rule: `must be at least ${MIN_REPLICAS} in a production stack (one query-frontend: dashboards stop while it restarts)` },
    "ruler.replicas": { roles: READ_PATH, bad: (c) => replicas(c.ruler.replicas), rule: `must be at least ${MIN_REPLICAS} in a production stack (one ruler: global alerts stop while it restarts)` },
    "central.selfScrape.replicas": { roles: ["central"], bad: (c) => replicas(c.central.selfScrape.replicas), rule: `must be at least ${MIN_REPLICAS} in a production stack (the central cluster's own Prometheus pages for the Thanos components)` },
} as const satisfies Record<string, SinglePointRule>;

/** A setting a production stack may name in `production.singlePointsAllowed`. */
export type SinglePointSetting = keyof typeof SINGLE_POINT_RULES;
const SETTINGS = Object.keys(SINGLE_POINT_RULES) as [SinglePointSetting, ...SinglePointSetting[]];

/** `production` section. */
export const production = z
    .strictObject({
        enabled: bool()
            .optional()
            .meta({ description: "A production stack: single points of failure are refused (see `production.singlePointsAllowed`). Default: true when environment is `prod`." }),
        singlePointsAllowed: z
            .partialRecord(z.enum(SETTINGS, { error: `must be one of ${SETTINGS.join(", ")}` }), text("the reason the single point of failure is accepted"), {
                error: "must be a map of setting to the reason it may be a single point of failure",
            })
            .default({})
            .meta({ description: `Settings a production stack may leave a single point of failure, each with the reason (e.g. \`querier.replicas: "the querier is scaled by hand during the freeze"\`): ${SETTINGS.map((s) => `\`${s}\``).join(", ")}.` }),
    })
    .prefault({})
    .meta({ description: "Production guardrails." });

/** Whether the stack is a production one. */
export function isProduction(c: Pick<ProductionView, "environment" | "production">): boolean {
    return c.production.enabled ?? c.environment === "prod";
}

/** The single points of failure of a production stack that it does not allow by name. */
export function productionProblems(c: ProductionView): Problem[] {
    if (!isProduction(c)) return [];
    const problems: Problem[] = [];
    for (const setting of SETTINGS) {
        const r: SinglePointRule = SINGLE_POINT_RULES[setting];
        if (!r.roles.includes(c.role)) continue;
        const value = r.bad(c);
        if (value === undefined || c.production.singlePointsAllowed[setting] !== undefined) continue;
        problems.push({ path: setting.split("."), message: `${r.rule}; or allow it with production.singlePointsAllowed[${JSON.stringify(setting)}]: <reason>`, input: value });
    }
    return problems;
}
