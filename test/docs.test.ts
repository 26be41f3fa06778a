import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { configReference } from "../scripts/lib/configDocs";
import { ROOT } from "./support/harness";

describe("configuration reference", () => {
    it("docs/configuration.md is generated from the current schema (run `npm run docs:config`)", () => {
        const onDisk = fs.readFileSync(path.join(ROOT, "docs", "configuration.md"), "utf8");
        expect(onDisk).toBe(configReference());
    });

    it("documents every key with its default", () => {
        const doc = configReference();
        expect(doc).toContain("| `prometheus.shards` | integer | `1` |");
        expect(doc).toContain("| `objectStorage.provider` | `s3` \\| `versitygw` | **required** |");
        expect(doc).toContain("| `compactor.retention.raw` | string | `\"30d\"` |");
    });
});
