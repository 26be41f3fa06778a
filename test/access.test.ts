/**
 * How a newcomer reaches the stack's UIs without an Ingress: the stack output `access` (a port-forward line per
 * UI, where Grafana's admin credentials are, the URL of each exposed UI), and Grafana's admin credentials never
 * the chart's well-known default. The e2e scenario `access-lines-work` runs the port-forward lines against the
 * real cluster; here, what they name must be what the render creates.
 */
import { describe, expect, it } from "vitest";
import { PORTS } from "../components/constants";
import { prometheusPodName } from "../components/stack/access";
import { parseAccessLine } from "../e2e/scenarios/platform";
import type { RenderResult } from "../scripts/lib/render";
import { configProblems, minimalConfig } from "./support/configFixtures";
import { objectsOfKind, renderInProcess } from "./support/harness";

interface ServiceObject {
    metadata: { name: string; namespace: string };
    spec: { ports: Array<{ port: number }> };
}

function chartValues(r: RenderResult): Record<string, Record<string, unknown>> {
    return r.resources.find((x) => x.type === "kubernetes:helm.sh/v3:Release")!.inputs["values"] as Record<string, Record<string, unknown>>;
}

describe("the stack output `access`", () => {
    it("has one port-forward line per UI, each to a Service (or Prometheus pod) and port the render creates, on distinct local ports", async () => {
        const r = await renderInProcess("prod");
        const access = r.outputs["access"] as Record<string, string>;
        expect(Object.keys(access).sort()).toEqual(["alertmanager", "grafana", "grafanaAdmin", "prometheus", "querier", "query", "ruler"]);
        const services = objectsOfKind<ServiceObject>(r, "Service");
        const locals = new Set<string>();
        for (const ui of ["query", "querier", "ruler", "alertmanager", "prometheus"]) {
            const line = access[ui]!;
            expect(line).toMatch(/^kubectl --context eks-prod -n monitoring port-forward /);
            const p = parseAccessLine(line)!;
            locals.add(/ (\d+):\d+ /.exec(line)![1]!);
            if (p.target.startsWith("svc/")) {
                const svc = services.find((s) => s.metadata.name === p.target.slice(4));
                expect(svc, `${ui}: ${p.target}`).toBeDefined();
                expect(svc!.spec.ports.map((x) => x.port), ui).toContain(p.remotePort);
            } else {
                // The Operator names shard 0's first replica prometheus-<name>-0.
                expect(p.target).toBe("pod/prometheus-thanos-prometheus-0");
                expect(p.remotePort).toBe(PORTS.prometheusHttp);
            }
        }
        expect(locals.size).toBe(5);
        expect(access["query"]).toContain("svc/thanos-query-frontend 10902:10902");
        // Grafana is the chart's Service (port 80) and its generated admin Secret.
        expect(access["grafana"]).toContain("port-forward svc/thanos-operator-grafana 3000:80");
        expect(access["grafanaAdmin"]).toContain("get secret thanos-operator-grafana -o go-template='{{index .data \"admin-user\" | base64decode}} / {{index .data \"admin-password\" | base64decode}}");
    });

    it("names the Operator's pods of other shards, leaves out what a role does not run, and lists the exposed UIs", async () => {
        expect(prometheusPodName("p", 0)).toBe("prometheus-p-0");
        expect(prometheusPodName("p", 3)).toBe("prometheus-p-shard-3-0");
        const collector = (await renderInProcess("prod", ["role=collector"])).outputs["access"] as Record<string, string>;
        expect(Object.keys(collector).sort()).toEqual(["alertmanager", "prometheus"]);
        const local = (await renderInProcess("local")).outputs["access"] as Record<string, string>;
        expect(local["query"]).toMatch(/^kubectl (--context \S+ )?-n monitoring port-forward svc\/thanos-query-frontend /);
        // Grafana and the query UI exposed (TLS from a ClusterIssuer, oauth2-proxy in front).
        const ui = { enabled: true, ingressClassName: "nginx", tls: { clusterIssuer: "letsencrypt" }, auth: { mode: "oauth2-proxy", oauth2Proxy: { url: "https://auth.acme.example" } }, grafana: { host: "grafana.acme.example" }, query: { host: "thanos.acme.example" } };
        const exposed = (await renderInProcess("prod", [`ui=${JSON.stringify(ui)}`])).outputs["access"] as Record<string, string>;
        expect(exposed["grafanaUrl"]).toMatch(/^https:\/\/grafana\.acme\.example\/ /);
        expect(exposed["queryUrl"]).toMatch(/^https:\/\/thanos\.acme\.example\/ /);
    });
});

describe("Grafana's admin credentials", () => {
    it("are never the chart's default: a generated password, or a Secret you name", async () => {
        const generated = chartValues(await renderInProcess("prod"))["grafana"]!;
        // kube-prometheus-stack's default is "prom-operator"; empty makes the grafana chart generate one and keep it.
        expect(generated["adminPassword"]).toBe("");
        expect(generated).not.toHaveProperty("admin");
        const r = await renderInProcess("prod", ["operator.grafanaAdmin.existingSecret=grafana-admin"]);
        expect(chartValues(r)["grafana"]!["admin"]).toEqual({ existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
        expect((r.outputs["access"] as Record<string, string>)["grafanaAdmin"]).toContain("get secret grafana-admin ");
        expect(configProblems(minimalConfig("dev", { operator: { grafanaAdmin: { userKey: "u" } } }))).toEqual(["operator.grafanaAdmin.existingSecret: is required"]);
    });
});
