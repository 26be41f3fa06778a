/**
 * Create order on a real cluster: a pod whose ServiceAccount does not exist yet is refused (the StatefulSet
 * controller backs off), and one whose IAM role policy does not exist yet starts without bucket access. Every
 * workload that runs as a bucket user's ServiceAccount waits for that ServiceAccount (and, on AWS, its role policy).
 */
import { describe, expect, it } from "vitest";
import { renderInProcess, type CapturedResource } from "./support/harness";

function serviceAccountOf(r: CapturedResource): string | undefined {
    const spec = (r.inputs["spec"] ?? {}) as { template?: { spec?: { serviceAccountName?: string } }; serviceAccountName?: string };
    return spec.template?.spec?.serviceAccountName ?? spec.serviceAccountName;
}

describe.each(["local", "prod"])("create order in %s", (stack) => {
    it("every workload of a bucket user depends on its ServiceAccount (and its IAM role policy on AWS)", async () => {
        const r = await renderInProcess(stack);
        const accounts = r.resources.filter((x) => x.type === "kubernetes:core/v1:ServiceAccount" && x.name.includes("-access-"));
        expect(accounts.length).toBe(4);
        const byName = new Map(accounts.map((a) => [(a.inputs["metadata"] as { name: string }).name, `${a.type}::${a.name}`]));
        const workloads = r.resources.filter((x) => /:(StatefulSet|Deployment|Prometheus|ThanosRuler)$/.test(x.type) && byName.has(serviceAccountOf(x) ?? ""));
        // Prometheus, the ruler, every store shard and the compactor.
        expect(workloads.length).toBeGreaterThanOrEqual(4);
        for (const w of workloads) {
            const sa = byName.get(serviceAccountOf(w)!)!;
            expect(w.options.dependsOn, `${w.type}::${w.name} waits for ${sa}`).toContain(sa);
            if (stack === "prod") {
                const user = sa.split("-access-")[1]!.replace(/-sa$/, "");
                expect(w.options.dependsOn, `${w.type}::${w.name} waits for its role policy`).toContain(`aws:iam/rolePolicy:RolePolicy::thanos-access-${user}-policy`);
            }
        }
    });
});

describe.each(["local", "prod"])("NetworkPolicies first in %s", (stack) => {
    it("every workload and the Operator's release wait for every NetworkPolicy of the namespace", async () => {
        const r = await renderInProcess(stack);
        const policies = r.resources.filter((x) => x.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => `${p.type}::${p.name}`);
        // The default deny and at least one allowed flow per component.
        expect(policies.length).toBeGreaterThan(10);
        const workloads = r.resources.filter((x) => /:(StatefulSet|Deployment|Prometheus|Alertmanager|ThanosRuler|Release|Job)$/.test(x.type));
        expect(workloads.map((w) => w.type)).toEqual(expect.arrayContaining(["kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:Deployment", "kubernetes:monitoring.coreos.com/v1:Prometheus", "kubernetes:helm.sh/v3:Release"]));
        for (const w of workloads) {
            const missing = policies.filter((p) => !w.options.dependsOn.includes(p));
            expect(missing, `${w.type}::${w.name} is created before these NetworkPolicies`).toEqual([]);
        }
        for (const p of r.resources.filter((x) => x.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")) {
            expect(p.options.dependsOn, `${p.name} waits only for the namespace`).toEqual(["kubernetes:core/v1:Namespace::thanos-namespace"]);
        }
    });
});
