/** What every end-to-end scenario gets, and what it reports. */
import type { Engine } from "../lib/engine";
import type { Kube } from "../lib/kube";
import type { RenderResult } from "../../scripts/lib/render";

export interface ScenarioContext {
    readonly kube: Kube;
    readonly engine: Engine;
    /** The stack's namespace. */
    readonly namespace: string;
    /** The stack's name (`e2e`). */
    readonly stack: string;
    /** The offline render of the same stack, for comparisons with what the engine created. */
    readonly render: RenderResult;
    /** Seconds the first `pulumi up` took. */
    readonly upSeconds: number;
    /** Where another stack's engine state lives (kept with the bench cluster), or undefined for a temporary one. */
    engineDir(stack: string): string | undefined;
    log(message: string): void;
}

/** Figures a scenario measured (samples in and out, durations, counts). */
export type Measured = Record<string, number | string | boolean | string[] | Record<string, number>>;

export interface Scenario {
    readonly name: string;
    /** What the scenario proves, in one sentence. */
    readonly proves: string;
    run(ctx: ScenarioContext): Promise<Measured>;
}

/** A failed expectation inside a scenario: a message a person reads, no stack trace. */
export class ScenarioFailure extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ScenarioFailure";
    }
}

export function expectThat(condition: boolean, message: string): asserts condition {
    if (!condition) throw new ScenarioFailure(message);
}
