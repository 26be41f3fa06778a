import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { ROOT } from "./support/harness";

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
    if?: string;
}
interface Job {
    "runs-on"?: string;
    uses?: string;
    needs?: string | string[];
    if?: string;
    environment?: string;
    steps?: Step[];
    with?: Record<string, unknown>;
}
interface Workflow {
    name: string;
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
}

const DIR = path.join(ROOT, ".github", "workflows");
const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".yml"));

function load(file: string): { wf: Workflow; text: string } {
    const text = fs.readFileSync(path.join(DIR, file), "utf8");
    const doc = parseDocument(text);
    expect(doc.errors, file).toEqual([]);
    return { wf: doc.toJS() as Workflow, text };
}

describe("GitHub workflows", () => {
    it("exist: offline checks, preview, deploy", () => {
        expect(files).toEqual(expect.arrayContaining(["ci.yml", "preview.yml", "deploy.yml", "up.yml"]));
    });

    it.each(files)("%s is well-formed: every job runs steps or calls a reusable workflow, every step uses or runs", (file) => {
        const { wf } = load(file);
        expect(typeof wf.name).toBe("string");
        expect(Object.keys(wf.on).length).toBeGreaterThan(0);
        expect(Object.keys(wf.jobs).length).toBeGreaterThan(0);
        for (const [id, job] of Object.entries(wf.jobs)) {
            if (job.uses) {
                expect(job.uses, id).toMatch(/^\.\/\.github\/workflows\/[\w-]+\.yml$/);
                expect(fs.existsSync(path.join(ROOT, job.uses)), `${id}: ${job.uses} exists`).toBe(true);
                continue;
            }
            expect(job["runs-on"], `${id}: runs-on`).toBeTruthy();
            expect(job.steps?.length, `${id}: steps`).toBeGreaterThan(0);
            for (const step of job.steps ?? []) {
                const kinds = [step.uses, step.run].filter((x) => x !== undefined);
                expect(kinds, `${id}/${step.name}: exactly one of uses/run`).toHaveLength(1);
                if (step.uses) expect(step.uses, `${id}/${step.name}`).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@v?\d[\w.]*$/);
            }
            for (const need of [job.needs ?? []].flat()) expect(Object.keys(wf.jobs), `${id} needs ${need}`).toContain(need);
        }
    });

    it("never combine pull_request_target with the pull request's code", () => {
        for (const file of files) expect(Object.keys(load(file).wf.on), file).not.toContain("pull_request_target");
    });

    it("the fork-safe job uses no secrets and a read-only token, and posts the render diff to the job summary", () => {
        const { wf, text } = load("ci.yml");
        expect(Object.keys(wf.on)).toContain("pull_request");
        expect(wf.permissions).toEqual({ contents: "read" });
        expect(text).not.toMatch(/secrets\./);
        const steps = wf.jobs["offline"]?.steps ?? [];
        const runs = steps.map((s) => s.run ?? "").join("\n");
        for (const cmd of ["npm ci", "npm run typecheck", "npm test", "npm run --silent diff", "npm run --silent render", "topology.md", "GITHUB_STEP_SUMMARY"]) expect(runs).toContain(cmd);
    });

    it("previews only for branches of this repository, with OIDC, PR comments, diff and the policy pack", () => {
        const { wf, text } = load("preview.yml");
        const job = wf.jobs["preview"]!;
        expect(job.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
        expect(wf.permissions?.["id-token"]).toBe("write");
        expect(text).not.toMatch(/AWS_SECRET_ACCESS_KEY|aws-secret-access-key|PULUMI_ACCESS_TOKEN/);
        const pulumi = job.steps?.find((s) => s.uses?.startsWith("pulumi/actions@"));
        expect(pulumi?.with).toMatchObject({ command: "preview", "comment-on-pr": true, diff: true, policyPacks: "policy" });
    });

    it.each([
        ["preview.yml", "preview", "AWS_PREVIEW_ROLE_ARN"],
        ["up.yml", "up", "AWS_DEPLOY_ROLE_ARN"],
    ])("%s reaches the stack's cluster: a kubeconfig from the OIDC role, for the stack's context, before Pulumi runs", (file, jobId, role) => {
        const steps = load(file).wf.jobs[jobId]?.steps ?? [];
        const index = (match: (s: Step) => boolean, what: string): number => {
            const i = steps.findIndex(match);
            expect(i, `${file}: ${what}`).toBeGreaterThanOrEqual(0);
            return i;
        };
        const facts = index((s) => (s.run ?? "").includes("scripts/stack-facts.ts") && (s.run ?? "").includes("GITHUB_OUTPUT"), "a step writes the stack facts");
        const aws = index((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") === true, "AWS credentials from OIDC");
        const kubeconfig = index((s) => /aws eks update-kubeconfig --name "\$\{\{ steps\.facts\.outputs\.eks_cluster \}\}" --region "\$\{\{ steps\.facts\.outputs\.aws_region \}\}" --alias "\$\{\{ steps\.facts\.outputs\.kube_context \}\}"/.test(s.run ?? ""), "aws eks update-kubeconfig for the stack's context");
        const pulumi = index((s) => s.uses?.startsWith("pulumi/actions@") === true, "the Pulumi step");
        expect(steps[aws]?.with?.["role-to-assume"]).toBe(`\${{ vars.${role} }}`);
        expect(facts).toBeLessThan(aws);
        expect(aws).toBeLessThan(kubeconfig);
        expect(kubeconfig).toBeLessThan(pulumi);
    });

    it.each(["dev", "staging", "prod"])("stack-facts gives the %s workflow its cluster, region and the context the program uses", (stack) => {
        const out = execFileSync(process.execPath, [path.join(ROOT, "scripts", "run.js"), path.join(ROOT, "scripts", "stack-facts.ts"), "--stack", stack], { encoding: "utf8" });
        const facts = Object.fromEntries(out.trim().split("\n").map((l) => l.split("=") as [string, string]));
        const file = parseDocument(fs.readFileSync(path.join(ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")).toJS() as { config: Record<string, { context?: string; eks?: { clusterName?: string }; region?: string }> };
        expect(facts).toEqual({
            kube_context: file.config["thanos-stack:cluster"]?.context,
            eks_cluster: file.config["thanos-stack:cluster"]?.eks?.clusterName,
            aws_region: file.config["thanos-stack:aws"]?.region,
        });
    });

    it("use pulumi/actions v7 and pulumi/auth-actions v2 (Node 24 runtimes), and cache the Pulumi plugins", () => {
        for (const [file, jobId] of [["preview.yml", "preview"], ["up.yml", "up"]] as const) {
            const steps = load(file).wf.jobs[jobId]?.steps ?? [];
            expect(steps.filter((s) => s.uses?.startsWith("pulumi/")).map((s) => s.uses).sort(), file).toEqual(["pulumi/actions@v7", "pulumi/auth-actions@v2"]);
            expect(steps.find((s) => s.uses?.startsWith("actions/cache@"))?.with?.["path"], file).toBe("~/.pulumi/plugins");
        }
    });

    it("previews queue per stack: one concurrency group per stack", () => {
        const job = load("preview.yml").wf.jobs["preview"] as Job & { concurrency?: { group: string; "cancel-in-progress": boolean } };
        expect(job.concurrency).toEqual({ group: "preview-${{ matrix.stack }}", "cancel-in-progress": false });
    });

    it("deploys dev -> staging -> prod, each in its protected environment", () => {
        const { wf } = load("deploy.yml");
        expect(wf.on).toEqual({ push: { branches: ["main"] } });
        expect(wf.jobs["staging"]?.needs).toBe("dev");
        expect(wf.jobs["prod"]?.needs).toBe("staging");
        const up = load("up.yml").wf.jobs["up"]!;
        expect(up.environment).toBe("${{ inputs.stack }}");
        expect(up.steps?.find((s) => s.uses?.startsWith("pulumi/actions@"))?.with).toMatchObject({ command: "up", policyPacks: "policy" });
    });
});
