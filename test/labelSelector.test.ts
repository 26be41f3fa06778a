/**
 * The policy pack's label selector matching, against the Kubernetes rules (concepts/overview/working-with-objects/
 * labels, "Label selectors"; meta/v1 LabelSelector): the requirements of matchLabels and matchExpressions are
 * ANDed; `In` needs the key with one of the values, `NotIn` matches a missing key or another value, `Exists` and
 * `DoesNotExist` look at the key only; an empty selector `{}` selects every pod. Written from those rules, one
 * row per case.
 */
import { describe, expect, it } from "vitest";
import { labelSelectorMatches } from "../policy/checks/network";

const POD = { app: "thanos-query", tier: "read", zone: "a" };

describe("labelSelectorMatches follows the Kubernetes label selector rules", () => {
    it.each([
        ["the empty selector selects every pod", {}, POD, true],
        ["the empty selector selects a pod without labels", {}, {}, true],
        ["matchLabels: every pair present", { matchLabels: { app: "thanos-query", tier: "read" } }, POD, true],
        ["matchLabels: one value differs", { matchLabels: { app: "thanos-query", tier: "write" } }, POD, false],
        ["matchLabels: a key missing", { matchLabels: { app: "thanos-query", shard: "0" } }, POD, false],
        ["In: the value is listed", { matchExpressions: [{ key: "zone", operator: "In", values: ["b", "a"] }] }, POD, true],
        ["In: the value is not listed", { matchExpressions: [{ key: "zone", operator: "In", values: ["b", "c"] }] }, POD, false],
        ["In: the key is missing", { matchExpressions: [{ key: "shard", operator: "In", values: ["0"] }] }, POD, false],
        ["NotIn: the value is listed", { matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, POD, false],
        ["NotIn: another value", { matchExpressions: [{ key: "zone", operator: "NotIn", values: ["b"] }] }, POD, true],
        ["NotIn: the key is missing", { matchExpressions: [{ key: "shard", operator: "NotIn", values: ["0"] }] }, POD, true],
        ["Exists: the key is present", { matchExpressions: [{ key: "tier", operator: "Exists" }] }, POD, true],
        ["Exists: the key is missing", { matchExpressions: [{ key: "shard", operator: "Exists" }] }, POD, false],
        ["DoesNotExist: the key is missing", { matchExpressions: [{ key: "shard", operator: "DoesNotExist" }] }, POD, true],
        ["DoesNotExist: the key is present", { matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, POD, false],
        ["requirements are ANDed: labels match, an expression does not", { matchLabels: { app: "thanos-query" }, matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] }, POD, false],
        ["requirements are ANDed: one expression of two fails", { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }, { key: "tier", operator: "DoesNotExist" }] }, POD, false],
        ["requirements are ANDed: all hold", { matchLabels: { app: "thanos-query" }, matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }, { key: "shard", operator: "DoesNotExist" }] }, POD, true],
    ])("%s", (_case, selector, labels, expected) => {
        expect(labelSelectorMatches(selector, labels)).toBe(expected);
    });

    it("a selector that is not an object selects nothing (a malformed policy protects no pod by accident)", () => {
        for (const bad of [undefined, null, "app=thanos-query", 42, ["app"]]) expect(labelSelectorMatches(bad, POD), JSON.stringify(bad)).toBe(false);
    });
});
