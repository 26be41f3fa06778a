/**
 * The engine's view: no perpetual diff under the real provider, the objects it created are the offline render's
 * objects, the CLI runs the program even with the component library built into bin/, and `pulumi destroy` keeps
 * what must survive (protected and retained resources, volumes, the bucket's data).
 */
import * as fs from "fs";
import * as path from "path";
import { expectThat, type Scenario, type ScenarioContext } from "./types";
import { run } from "../lib/exec";
import { benchPolicyPack } from "../lib/policyPack";
import { REPO_ROOT } from "../lib/paths";
import type { Json } from "../lib/kube";
import { isStoreClaim } from "./selectors";

export const noPerpetualDiff: Scenario = {
    name: "no-perpetual-diff",
    proves: "a second pulumi preview with the real provider reports no changes",
    async run(ctx) {
        const started = Date.now();
        try {
            await ctx.engine.pulumi(["preview", "--expect-no-changes", "--diff"]);
        } catch (e) {
            throw new Error(`pulumi preview after up reports changes (a perpetual diff):\n${e instanceof Error ? e.message : String(e)}`);
        }
        return { previewSeconds: (Date.now() - started) / 1000 };
    },
};

export const policyPackOnPreview: Scenario = {
    name: "policy-pack-judges-preview",
    proves: "the policy pack runs under the real engine on a preview of the deployed stack and passes (every policy mandatory), and what it costs: the pack is type-checked at every run (run-policy-pack ignores transpile-only)",
    async run(ctx) {
        const plainStarted = Date.now();
        await ctx.engine.pulumi(["preview", "--expect-no-changes"]);
        const plainSeconds = (Date.now() - plainStarted) / 1000;
        const pack = benchPolicyPack(ctx.engine.dir);
        const env = { ...ctx.engine.env, PATH: [pack.binDir, ctx.engine.env.PATH ?? ""].join(path.delimiter) };
        const started = Date.now();
        let out: string;
        try {
            const args = ["preview", "--expect-no-changes", "--policy-pack", pack.dir, "--stack", ctx.stack, "--non-interactive"];
            out = (await run("pulumi", args, { cwd: ctx.engine.projectDir, env, timeoutMs: 20 * 60_000 })).stdout;
            fs.appendFileSync(ctx.engine.options.logFile, `\n$ pulumi ${args.join(" ")}\n${out}`);
        } catch (e) {
            throw new Error(`pulumi preview with the policy pack failed (a mandatory violation, or the pack did not load):\n${e instanceof Error ? e.message : String(e)}`);
        }
        const seconds = (Date.now() - started) / 1000;
        // The engine names every pack it ran in the summary; a pack that was not loaded is not listed.
        expectThat(/Policies:[\s\S]*thanos-stack/.test(out), `the preview does not list the policy pack as run:\n${out.slice(-2000)}`);
        return { previewSeconds: plainSeconds, previewWithPolicySeconds: seconds, policyPackSeconds: Math.round((seconds - plainSeconds) * 10) / 10 };
    },
};

export const programEntry: Scenario = {
    name: "program-entry-with-built-library",
    proves: "the real CLI runs infra/index.ts even when the component library is built into bin/ (no plan to replace or delete anything)",
    async run(ctx) {
        const bin = path.join(REPO_ROOT, "bin");
        const existed = fs.existsSync(bin);
        const build = await run("npm", ["run", "--silent", "build:package"], { cwd: REPO_ROOT });
        try {
            expectThat(fs.existsSync(path.join(bin, "components", "index.js")), "npm run build:package did not write bin/components/index.js");
            const started = Date.now();
            await ctx.engine.pulumi(["preview", "--expect-no-changes"]);
            return { buildSeconds: build.seconds, previewSeconds: (Date.now() - started) / 1000, binBuilt: true };
        } finally {
            if (!existed) fs.rmSync(bin, { recursive: true, force: true });
        }
    },
};

/** Fields the API server or the engine add or own, never set by the program. */
const IGNORED_METADATA = new Set(["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "finalizers", "ownerReferences"]);

/**
 * Differences where the render has a value and the live object another one: every field the render sets must be
 * in the live object with the same value (the server may add defaults). Secrets are compared by key only: the
 * render's generated values are the mock's.
 */
export function renderedNotLive(rendered: unknown, live: unknown, at: string, out: string[]): void {
    if (Array.isArray(rendered)) {
        if (!Array.isArray(live) || live.length !== rendered.length) {
            out.push(`${at}: rendered ${rendered.length} items, live ${Array.isArray(live) ? live.length : JSON.stringify(live)}`);
            return;
        }
        rendered.forEach((r, i) => renderedNotLive(r, live[i], `${at}[${i}]`, out));
        return;
    }
    if (rendered !== null && typeof rendered === "object") {
        if (live === null || typeof live !== "object" || Array.isArray(live)) {
            out.push(`${at}: rendered an object, live ${JSON.stringify(live)}`);
            return;
        }
        for (const [k, v] of Object.entries(rendered)) {
            if (at.endsWith(".metadata") && IGNORED_METADATA.has(k)) continue;
            const liveValue = (live as Record<string, unknown>)[k];
            // The API server omits zero values (`omitempty`): an explicit false, 0, "" or empty list reads back as absent.
            if (liveValue === undefined && isZero(v)) continue;
            renderedNotLive(v, liveValue, `${at}.${k}`, out);
        }
        return;
    }
    if (!sameScalar(rendered, live)) out.push(`${at}: rendered ${JSON.stringify(rendered)}, live ${JSON.stringify(live)}`);
}

function isZero(v: unknown): boolean {
    return v === false || v === 0 || v === "" || (Array.isArray(v) && v.length === 0) || (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0);
}

/** Equal, or the same Kubernetes quantity written two ways (`1Gi` = `1073741824`, `0.5` = `500m`). */
function sameScalar(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if ((typeof a === "string" || typeof a === "number") && (typeof b === "string" || typeof b === "number")) {
        const qa = quantity(String(a));
        const qb = quantity(String(b));
        return qa !== undefined && qa === qb;
    }
    return false;
}

const SUFFIX: Record<string, number> = { m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

function quantity(s: string): number | undefined {
    const m = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(s);
    return m ? Number(m[1]) * SUFFIX[m[2] ?? ""]! : undefined;
}

function plural(kind: string): string {
    return kind.toLowerCase();
}

export const renderMatchesEngine: Scenario = {
    name: "render-matches-engine",
    proves: "the objects the real engine created match the offline render (kinds, names, specs up to server defaults), so npm run render is a faithful contract",
    async run(ctx) {
        const differences: string[] = [];
        let compared = 0;
        for (const { object } of ctx.render.manifests) {
            const kind = String(object["kind"]);
            const meta = object["metadata"] as { name: string; namespace?: string };
            const apiVersion = String(object["apiVersion"]);
            const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
            const resource = group ? `${plural(kind)}.${group}` : plural(kind);
            const got = ctx.kube.attempt([...(meta.namespace ? ["-n", meta.namespace] : []), "get", resource, meta.name, "-o", "json"]);
            const where = `${kind}/${meta.namespace ? `${meta.namespace}/` : ""}${meta.name}`;
            if (!got.ok) {
                differences.push(`${where}: rendered but not in the cluster`);
                continue;
            }
            const live = JSON.parse(got.out) as Json;
            compared++;
            if (kind === "Secret") {
                const keys = Object.keys({ ...((object["stringData"] as Json | undefined) ?? {}), ...((object["data"] as Json | undefined) ?? {}) }).sort();
                const liveKeys = Object.keys((live["data"] as Json | undefined) ?? {}).sort();
                if (JSON.stringify(keys) !== JSON.stringify(liveKeys)) differences.push(`${where}: keys ${keys.join(",")} rendered, ${liveKeys.join(",")} live`);
                renderedNotLive(object["metadata"], live["metadata"], `${where}.metadata`, differences);
                continue;
            }
            const { status: _status, ...rest } = object;
            renderedNotLive(rest, live, where, differences);
        }
        expectThat(differences.length === 0, `${differences.length} differences between the render and the cluster:\n  ${differences.slice(0, 40).join("\n  ")}`);
        return { objectsCompared: compared, differences: 0 };
    },
};

/**
 * The stack's PersistentVolumeClaims that hold data, by name: the store gateway's only cache index headers of the
 * bucket and are deleted with their StatefulSets on purpose.
 */
function claims(ctx: ScenarioContext): string[] {
    return (ctx.kube.items("persistentvolumeclaims", ctx.namespace) as Array<{ metadata: { name: string } }>)
        .map((c) => c.metadata.name)
        .filter((c) => !isStoreClaim(c))
        .sort();
}

export const destroyKeepsData: Scenario = {
    name: "destroy-keeps-data",
    proves: "pulumi destroy honours protect (it stops at the protected namespace) and retainOnDelete (after unprotecting, the namespace, every volume and the bucket's blocks survive)",
    async run(ctx) {
        const before = claims(ctx);
        expectThat(before.length > 0, "the stack has no PersistentVolumeClaims to keep");
        const refused = await ctx.engine.pulumi(["destroy", "--yes"]).then(
            () => undefined,
            (e: unknown) => (e instanceof Error ? e.message : String(e)),
        );
        expectThat(refused !== undefined, "pulumi destroy of a protected stack succeeded");
        expectThat(/protect/i.test(refused), `pulumi destroy failed, but not because of protection:\n${refused}`);
        const state = await ctx.engine.state();
        const protectedUrns = state.resources.filter((r) => r.protect).map((r) => r.urn);
        expectThat(protectedUrns.length > 0, "no resource of the stack is protected");
        for (const urn of protectedUrns) await ctx.engine.pulumi(["state", "unprotect", urn, "--yes"]);
        const started = Date.now();
        await ctx.engine.pulumi(["destroy", "--yes"]);
        const destroySeconds = (Date.now() - started) / 1000;
        const ns = ctx.kube.attempt(["get", "namespace", ctx.namespace]);
        expectThat(ns.ok, `pulumi destroy deleted the namespace ${ctx.namespace} (and with it every volume claim)`);
        const after = claims(ctx);
        const lost = before.filter((c) => !after.includes(c));
        expectThat(lost.length === 0, `volume claims deleted by pulumi destroy: ${lost.join(", ")}`);
        return { protectedResources: protectedUrns.length, refusedWhileProtected: true, claimsKept: after.length, destroySeconds };
    },
};

/** A made-up credential: an external webhook URL whose path is its token. */
const WEBHOOK_TOKEN = "e2e-tok3n-5f2c9a";
const EXTRA_RECEIVER = "thanos-stack:alertmanager.receivers[1]";

export const credentialsStaySecret: Scenario = {
    name: "credentials-stay-secret",
    proves:
        "under the real CLI a receiver URL set in plaintext (pulumi config set without --secret) is refused at program start with the command that fixes it, nothing changed; set with --secret it deploys, and the token is nowhere in the Pulumi state in plaintext (the component inputs included), only in the Alertmanager's Kubernetes Secret",
    async run(ctx) {
        const url = `https://alerts.example.com/hook/${WEBHOOK_TOKEN}`;
        await ctx.engine.pulumi(["config", "set", "--path", `${EXTRA_RECEIVER}.name`, "e2e-external"]);
        await ctx.engine.pulumi(["config", "set", "--path", `${EXTRA_RECEIVER}.webhook[0].url`, url]);
        let refusal = "";
        try {
            await ctx.engine.pulumi(["preview"]);
        } catch (e) {
            refusal = e instanceof Error ? e.message : String(e);
        }
        try {
            expectThat(refusal.includes("alertmanager.receivers[1].webhook[0].url: is a credential written in plaintext"), `a plaintext receiver URL was not refused by pulumi preview:\n${refusal.slice(0, 2000)}`);
            expectThat(refusal.includes(`pulumi config set --secret --path 'thanos-stack:alertmanager.receivers[1].webhook[0].url' <value>`), "the refusal does not give the command that fixes it");
            await ctx.engine.pulumi(["config", "set", "--secret", "--path", `${EXTRA_RECEIVER}.webhook[0].url`, url]);
            const started = Date.now();
            await ctx.engine.pulumi(["up", "--yes", "--skip-preview"]);
            const upSeconds = (Date.now() - started) / 1000;
            const exported = (await run("pulumi", ["stack", "export", "--stack", ctx.stack], { cwd: ctx.engine.projectDir, env: ctx.engine.env })).stdout;
            const plaintextInState = exported.split(WEBHOOK_TOKEN).length - 1;
            expectThat(plaintextInState === 0, `the token is in the Pulumi state in plaintext ${plaintextInState} times`);
            // Where it must be: the Alertmanager's configuration Secret, which the Operator reads.
            const secrets = ctx.kube.items("secrets", ctx.namespace) as Array<{ metadata: { name: string }; data?: Record<string, string> }>;
            const holders = secrets.filter((s) => Object.values(s.data ?? {}).some((v) => Buffer.from(v, "base64").toString("utf8").includes(WEBHOOK_TOKEN))).map((s) => s.metadata.name);
            expectThat(holders.length > 0, "the receiver URL reached no Kubernetes Secret");
            return { refusedInPlaintext: true, upSeconds, plaintextInState, secretsHoldingIt: holders };
        } finally {
            // Back to the stack's own receivers for the scenarios after this one.
            await ctx.engine.pulumi(["config", "rm", "--path", EXTRA_RECEIVER]);
            await ctx.engine.pulumi(["up", "--yes", "--skip-preview"]);
        }
    },
};
