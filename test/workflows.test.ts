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
        for (const cmd of ["npm ci", "npm run typecheck", "npm test", "npm run --silent diff", "GITHUB_STEP_SUMMARY"]) expect(runs).toContain(cmd);
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
