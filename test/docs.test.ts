import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { collectProjectConfig, plaintextSecretProblems, validateStackConfig } from "../infra/config/load";
import { CONFIG_EXAMPLES, configReference } from "../scripts/lib/configDocs";
import { readStackFile } from "../scripts/lib/stackConfig";
import { ROOT } from "./support/harness";

/** The keys every example stack needs besides the example itself. */
const EXAMPLE_BASE = `config:
  thanos-stack:environment: prod
  thanos-stack:cluster:
    name: eks-prod
    eks: { clusterName: eks-prod, oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/TEST" }
  thanos-stack:aws: { region: eu-west-1 }
  thanos-stack:objectStorage: { provider: s3, bucketName: acme-thanos-prod }
`;

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

describe("configuration reference: lists and maps, descriptions, worked examples", () => {
    it("documents the fields of list items and map values, not only the list", () => {
        const doc = configReference();
        expect(doc).toContain("| `alertmanager.receivers` | list | `[]` |");
        expect(doc).toContain("| `alertmanager.receivers[].name` | string | **required** | Receiver name. |");
        expect(doc).toContain("| `alertmanager.receivers[].slack[].apiUrl` | string | **required** |");
        expect(doc).toContain("| `alertmanager.receivers[].webhook[].url` | string | **required** |");
        expect(doc).toContain("| `prometheus.remoteWrite[].basicAuth.password.name` | string | **required** |");
        expect(doc).toContain("| `storeGateway.timePartitions[].minTime` | string | — |");
        expect(doc).toContain("| `central.collectors[].addresses` |");
    });

    it("every row says what its key is", () => {
        const rows = configReference()
            .split("\n")
            .filter((l) => l.startsWith("| `"));
        expect(rows.length).toBeGreaterThan(200);
        expect(rows.filter((r) => /\|\s*\|$/.test(r))).toEqual([]);
    });

    it.each(CONFIG_EXAMPLES.map((e) => [e.title, e] as const))("the worked example %s is a valid stack file part, credentials as secrets", (_title, example) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-example-"));
        try {
            fs.writeFileSync(path.join(dir, "Pulumi.example.yaml"), `${EXAMPLE_BASE}${example.yaml}`);
            const flat = readStackFile("example", dir);
            const { raw, problems } = collectProjectConfig(flat.config);
            expect(problems).toEqual([]);
            const result = validateStackConfig(raw);
            expect(result.ok ? [] : result.problems).toEqual([]);
            expect(plaintextSecretProblems(raw, (k) => flat.secretKeys.includes(k))).toEqual([]);
            // The example sets something beyond the base.
            expect(Object.keys(raw).length).toBeGreaterThan(4);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
