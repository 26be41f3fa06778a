/**
 * `npm run policy -- --stack <name> [--set ...]`: the policy pack over a stack's render with overrides, in process
 * (runPolicy). A compliant stack exits 0; an override that breaks a policy exits 1 and names the policy and each
 * offending object; a configuration mistake exits 2 before anything is judged.
 */
import { describe, expect, it, vi } from "vitest";
import { runPolicy } from "../scripts/policy";

async function policy(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const program = async () => {
        vi.resetModules();
        return import("../infra/index");
    };
    const code = await runPolicy(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), program });
    return { code, stdout, stderr };
}

describe("npm run policy", () => {
    it("passes the prod stack as it is", async () => {
        const r = await policy(["--stack", "prod"]);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^stack prod: \d+ resources, \d+ policies, no violation\n$/);
    });

    it("judges the override: without NetworkPolicies, network-policies fails for the namespace and every workload", async () => {
        const r = await policy(["--stack", "prod", "--set", "networkPolicies.enabled=false"]);
        expect(r.code).toBe(1);
        const lines = r.stdout.trimEnd().split("\n");
        expect(lines[0]).toMatch(/^network-policies \(/);
        expect(lines[1]).toBe("  namespace monitoring: has workloads but no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)");
        expect(lines).toContainEqual(expect.stringMatching(/^ {2}Deployment monitoring\/thanos-query: no NetworkPolicy selects its pods/));
        expect(lines).toContainEqual(expect.stringMatching(/^ {2}StatefulSet monitoring\/thanos-store-0-of-3: no NetworkPolicy selects its pods/));
        const violations = lines.filter((l) => l.startsWith("  ")).length;
        expect(lines.at(-1)).toMatch(new RegExp(`^stack prod: ${violations} violations of 1 policy over \\d+ resources$`));
    });

    it("takes secrets like the render (--set-secret) and refuses a configuration mistake with exit code 2", async () => {
        const receivers = 'alertmanager.receivers=[{"name":"s","slack":[{"apiUrl":"https://hooks.slack.com/services/T0/B0/x"}]}]';
        expect((await policy(["--stack", "prod", "--set-secret", receivers, "--set", "alertmanager.route.receiver=s"])).code).toBe(0);
        const bad = await policy(["--stack", "prod", "--set", "querier.replicas=0"]);
        expect(bad.code).toBe(2);
        expect(bad.stdout).toBe("");
        expect(bad.stderr).toContain("policy check of stack 'prod' refused; nothing was rendered:\n  querier.replicas: must be an integer between 1 and");
    });

    it("needs a stack", async () => {
        expect((await policy([])).code).toBe(2);
    });
});
