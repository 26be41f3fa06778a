/**
 * The timings that decide how fast history becomes queryable and compacted: the store gateways' bucket sync, the
 * compactor's pause between runs and its consistency delay. Documented values, configurable, refused when not durations.
 */
import { describe, expect, it } from "vitest";
import { objectsOfKind, renderInProcess } from "./support/harness";
import { validateStackConfig } from "../infra/config/load";

interface Sts {
    metadata: { name: string };
    spec: { template: { spec: { containers: Array<{ args?: string[] }> } } };
}

async function args(stack: string, sets: string[], name: string): Promise<string[]> {
    const r = await renderInProcess(stack, sets);
    const sts = objectsOfKind<Sts>(r, "StatefulSet").find((s) => s.metadata.name === name);
    expect(sts, name).toBeDefined();
    return sts!.spec.template.spec.containers[0]!.args ?? [];
}

describe("store gateway and compactor timings", () => {
    it("default: the store lists the bucket every 3m; the compactor waits 5m between runs and leaves blocks younger than 30m", async () => {
        expect(await args("local", [], "thanos-store-0-of-1")).toContain("--sync-block-duration=3m");
        const compact = await args("local", [], "thanos-compact");
        expect(compact).toEqual(expect.arrayContaining(["--wait-interval=5m", "--consistency-delay=30m"]));
    });

    it("configurable per stack", async () => {
        expect(await args("local", ["storeGateway.syncInterval=15s"], "thanos-store-0-of-1")).toContain("--sync-block-duration=15s");
        const compact = await args("local", ["compactor.waitInterval=30s", "compactor.consistencyDelay=0s"], "thanos-compact");
        expect(compact).toEqual(expect.arrayContaining(["--wait-interval=30s", "--consistency-delay=0s"]));
    });

    it.each([
        ["storeGateway", { syncInterval: "soon" }, "storeGateway.syncInterval"],
        ["compactor", { waitInterval: "5 minutes" }, "compactor.waitInterval"],
        ["compactor", { consistencyDelay: -1 }, "compactor.consistencyDelay"],
    ])("refuses a %s timing that is not a duration", (section, value, key) => {
        const r = validateStackConfig({ environment: "local", cluster: { name: "kind" }, objectStorage: { provider: "versitygw", bucketName: "thanos" }, [section]: value });
        expect(r.ok).toBe(false);
        expect(r.ok ? [] : r.problems.join("\n")).toMatch(new RegExp(`^${key.replace(".", "\\.")}: `, "m"));
    });
});
