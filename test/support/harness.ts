/**
 * Test helpers: run a component (or the whole program) under the mock
 * runtime and look at what it registered.
 */
import * as path from "path";
import { vi } from "vitest";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { CapturedResource, captureResources } from "../../scripts/lib/capture";
import { renderStack, RenderResult } from "../../scripts/lib/render";

export type { CapturedResource } from "../../scripts/lib/capture";

/** Explicit providers, as the program builds them. */
export interface TestProviders {
    kubernetes: KubernetesProvider;
    aws: AwsProvider;
}

/**
 * Constructs resources under mocks and returns everything they registered.
 * `build` receives explicit providers to pass in `opts.providers`.
 */
export async function captureComponent(build: (providers: TestProviders) => void, opts: { showSecrets?: boolean } = {}): Promise<CapturedResource[]> {
    const { resources } = await captureResources(
        () => {
            const providers = {
                kubernetes: new KubernetesProvider("test-kubernetes", {}),
                aws: new AwsProvider("test-aws", { region: "eu-west-1" }),
            };
            build(providers);
        },
        { showSecrets: opts.showSecrets ?? false },
    );
    return resources;
}

/** Renders a stack in this process by running the real program (infra/index.ts) afresh. */
export function renderInProcess(stack: string, sets: string[] = [], showSecrets = false, preview = false): Promise<RenderResult> {
    return renderStack({
        stack,
        sets,
        showSecrets,
        preview,
        program: async () => {
            vi.resetModules();
            return import("../../infra/index");
        },
    });
}

/** Resources of one Pulumi type. */
export function ofType(resources: CapturedResource[], type: string): CapturedResource[] {
    return resources.filter((r) => r.type === type);
}

/** The one resource of a type and name; fails the test when missing. */
export function find(resources: CapturedResource[], type: string, name?: string): CapturedResource {
    const found = resources.find((r) => r.type === type && (name === undefined || r.name === name));
    if (!found) throw new Error(`no ${type}${name ? ` named ${name}` : ""} among: ${resources.map((r) => `${r.type}::${r.name}`).join(", ")}`);
    return found;
}

/** Kubernetes objects of a kind among the render's manifests. */
export function objectsOfKind<T = Record<string, unknown>>(result: RenderResult, kind: string): T[] {
    return result.manifests.filter((m) => m.object["kind"] === kind).map((m) => m.object as T);
}

/** Repository root. */
export const ROOT = path.resolve(__dirname, "..", "..");
