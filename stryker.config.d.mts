import type { PartialStrykerOptions } from "@stryker-mutator/api/core";

/** A domain of the mutation run: the files Stryker mutates and the test files that exercise them. */
export interface MutationGroup {
    mutate: string[];
    tests: string[];
}
export declare const GROUPS: Record<string, MutationGroup>;
export declare const MUTATED: string[];
export declare function groupTests(name: string): string[];
declare const config: PartialStrykerOptions;
export default config;
