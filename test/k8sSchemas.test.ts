/**
 * The schemas rendered objects are validated against (test/support/crdSchema.ts) are the pinned releases' own:
 * the Operator's CRDs and the bench Kubernetes' OpenAPI, extracted by `npm run schemas:update`. These cases need
 * the real CRD (an enum, a field added in Operator v0.93, a Go pattern) and the API server's strictness.
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { VERSIONS } from "../components/constants";
import { TOOL_VERSIONS } from "../e2e/tools/versions";
import { crdProblems, kubernetesProblems } from "./support/crdSchema";
import { ROOT } from "./support/harness";

const prometheus = (spec: Record<string, unknown>) => ({ apiVersion: "monitoring.coreos.com/v1", kind: "Prometheus", metadata: { name: "p", namespace: "m" }, spec });

describe("the schemas of the pinned releases", () => {
    it("are the fixtures of the pinned Operator and Kubernetes versions", () => {
        const files = fs.readdirSync(path.join(ROOT, "test", "fixtures", "schemas")).sort();
        expect(files).toEqual([`kubernetes-${TOOL_VERSIONS.kubernetes}-core.json`, `prometheus-operator-${VERSIONS.prometheusOperator}-crds.json`]);
    });

    it("refuse what the CRD refuses: a log level outside its enum, a field of the wrong type, a field it does not have", async () => {
        expect(await crdProblems(prometheus({ logLevel: "debug", logFormat: "json" }))).toEqual([]);
        expect((await crdProblems(prometheus({ logLevel: "verbose" })))[0]).toMatch(/^\/spec\/logLevel: enum /);
        expect(await crdProblems(prometheus({ shards: "two" }))).toEqual([expect.stringMatching(/^\/spec\/shards: type /)]);
        expect(await crdProblems(prometheus({ shardz: 2 }))).toEqual(['/spec/shardz: unknown field "shardz" (not in the schema)']);
    });

    it("know the Operator v0.93 fields and its case-insensitive patterns", async () => {
        // tsdb.chunkEncoding came with v0.93 (floats: Xor or Xor2); thanos.additionalArgs is what the sidecar's extra args become.
        expect(await crdProblems(prometheus({ thanos: { additionalArgs: [{ name: "shipper.upload-concurrency", value: "2" }] }, tsdb: { chunkEncoding: { floats: "Xor" } } }))).toEqual([]);
        expect((await crdProblems(prometheus({ tsdb: { chunkEncoding: { floats: "gorilla" } } })))[0]).toMatch(/^\/spec\/tsdb\/chunkEncoding\/floats: enum /);
        // The CRD's Go pattern ^(?i)(abort|warn)?$: any case of abort or warn.
        const rule = (strategy: string) => ({ apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "r" }, spec: { groups: [{ name: "g", partial_response_strategy: strategy, rules: [{ record: "a:b", expr: "up" }] }] } });
        expect(await crdProblems(rule("Abort"))).toEqual([]);
        expect(await crdProblems(rule("ignore"))).toEqual([expect.stringMatching(/^\/spec\/groups\/0\/partial_response_strategy: pattern /)]);
    });

    it("keep maps open where the API server keeps them open, and close every other object", async () => {
        const pod = { containers: [{ name: "c", image: "i:1" }], nodeSelector: { "any/label": "x" } };
        const deployment = (template: Record<string, unknown>) => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", labels: { "a/b": "c" } }, spec: { selector: { matchLabels: { a: "b" } }, template } });
        expect(await kubernetesProblems(deployment({ metadata: { labels: { a: "b" } }, spec: pod }))).toEqual([]);
        expect(await kubernetesProblems(deployment({ metadata: { labels: { a: "b" } }, spec: { ...pod, tolerationz: [] } }))).toEqual(['/spec/template/spec/tolerationz: unknown field "tolerationz" (not in the schema)']);
        expect(await kubernetesProblems(deployment({ spec: { containers: [{ image: "i:1" }] } }))).toEqual(['/spec/template/spec/containers/0: required property "name" is missing']);
    });
});
