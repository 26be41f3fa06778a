/**
 * A production stack refuses its single points of failure (issue: "production guardrails are config rules, not
 * tests"): one replica of a component that serves ingestion, queries, rules or notifications, or replicas allowed
 * to share a node, unless the stack names the setting in production.singlePointsAllowed with a reason. The expected
 * messages are written out here; each row breaks one setting of an otherwise compliant production stack.
 */
import { describe, expect, it } from "vitest";
import { configProblems as problems, minimalConfig } from "./support/configFixtures";

const prod = (overrides: Record<string, unknown> = {}) => minimalConfig("prod", overrides);

const ALLOW = (setting: string) => `; or allow it with production.singlePointsAllowed["${setting}"]: <reason>`;

describe("a production stack refuses single points of failure", () => {
    it("the defaults are no single point of failure (2 replicas each, hard node spread)", () => {
        expect(problems(prod())).toEqual([]);
    });

    it.each([
        ["prometheus.replicas", { prometheus: { replicas: 1 } }, "must be at least 2 in a production stack (one replica per shard: a restarted pod is a gap in that shard's data)", "1"],
        ["prometheus.replicaSpread", { prometheus: { replicaSpread: "soft" } }, 'must be "hard" in a production stack (with "soft" both replicas of a shard may share a node, and one node takes the shard down)', '"soft"'],
        ["alertmanager.replicas", { alertmanager: { replicas: 1 } }, "must be at least 2 in a production stack (one Alertmanager: no notification while it restarts)", "1"],
        ["storeGateway.replicas", { storeGateway: { replicas: 1 } }, "must be at least 2 in a production stack (one replica per shard: its blocks are missing from queries while it restarts)", "1"],
        ["storeGateway.replicaSpread", { storeGateway: { replicaSpread: "soft" } }, 'must be "hard" in a production stack (with "soft" the replicas of a shard may share a node)', '"soft"'],
        ["querier.replicas", { querier: { replicas: 1 } }, "must be at least 2 in a production stack (one querier: every query and every rule evaluation stops while it restarts)", "1"],
        ["queryFrontend.replicas", { queryFrontend: { replicas: 1 } }, "must be at least 2 in a production stack (one query-frontend: dashboards stop while it restarts)", "1"],
        ["ruler.replicas", { ruler: { replicas: 1 } }, "must be at least 2 in a production stack (one ruler: global alerts stop while it restarts)", "1"],
    ])("%s", (setting, override, rule, got) => {
        expect(problems(prod(override))).toEqual([`${setting}: ${rule}${ALLOW(setting)}, got ${got}`]);
        // Named with a reason, it is accepted; a reason for another setting does not allow it.
        expect(problems(prod({ ...override, production: { singlePointsAllowed: { [setting]: "accepted in review #123" } } }))).toEqual([]);
        const other = setting === "querier.replicas" ? "ruler.replicas" : "querier.replicas";
        expect(problems(prod({ ...override, production: { singlePointsAllowed: { [other]: "accepted in review #123" } } }))).toHaveLength(1);
    });

    it("the central role's own Prometheus counts; components a role does not run do not", () => {
        const central = { role: "central", central: { collectors: [{ name: "eu", addresses: ["sidecar.eu.example.com:443"] }], selfScrape: { replicas: 1 } } };
        const refused = problems(prod(central));
        expect(refused).toContain(`central.selfScrape.replicas: must be at least 2 in a production stack (the central cluster's own Prometheus pages for the Thanos components)${ALLOW("central.selfScrape.replicas")}, got 1`);
        // A collector runs no read path: its querier, store and ruler settings are not judged.
        const collector = problems(prod({ role: "collector", collector: { exposure: { domain: "eu.example.com" } }, querier: { replicas: 1 }, storeGateway: { replicas: 1 }, ruler: { replicas: 1 } }));
        expect(collector).toEqual([]);
        // ... but a central stack runs no shard Prometheus, so prometheus.replicas is not judged there.
        expect(problems(prod({ ...central, central: { ...central.central, selfScrape: { replicas: 2 } }, prometheus: { replicas: 1 } }))).toEqual([]);
    });

    it("production is the prod environment unless production.enabled says otherwise", () => {
        const one = { querier: { replicas: 1 } };
        expect(problems(prod({ environment: "staging", ...one }))).toEqual([]);
        expect(problems(prod({ environment: "staging", production: { enabled: true }, ...one }))).toHaveLength(1);
        expect(problems(prod({ production: { enabled: false }, ...one }))).toEqual([]);
    });

    it("an allowance needs a reason and a setting the rules know", () => {
        expect(problems(prod({ production: { singlePointsAllowed: { "ruler.replicas": "" } } }))).toEqual(['production.singlePointsAllowed["ruler.replicas"]: must be the reason the single point of failure is accepted, got ""']);
        expect(problems(prod({ production: { singlePointsAllowed: { "querier.replica": "x" } } }))).toEqual([`production.singlePointsAllowed["querier.replica"]: unknown key (did you mean 'querier.replicas'?)`]);
        const [unknown] = problems(prod({ production: { singlePointsAllowed: { "compactor.replicas": "x" } } }));
        expect(unknown).toMatch(/^production\.singlePointsAllowed\["compactor\.replicas"\]: unknown key \(allowed: prometheus\.replicas, .*querier\.replicas, .*central\.selfScrape\.replicas\)$/);
    });
});
