/**
 * Test helpers: run a component (or the whole program) under the mock
 * runtime and look at what it registered.
 */
import * as path from "path";
import { vi } from "vitest";
import { parse as parseYaml } from "yaml";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { CapturedResource, captureResources } from "../../scripts/lib/capture";
import { renderStack, RenderResult } from "../../scripts/lib/render";
import { sharedRender } from "./renderCache";

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
export function renderInProcess(stack: string, sets: string[] = [], showSecrets = false, preview = false, secretSets: string[] = []): Promise<RenderResult> {
    return sharedRender(["renderInProcess", stack, sets, showSecrets, preview, secretSets], () => renderStack({
        stack,
        sets,
        secretSets,
        showSecrets,
        preview,
        program: async () => {
            vi.resetModules();
            return import("../../infra/index");
        },
    }));
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

/** A querier's endpoint document: `endpoints: [{address, group, strict?, client_config?}]`. */
export interface EndpointDocument {
    endpoints: Array<{ address: string; group: boolean; strict?: boolean; client_config?: { tls_config: Record<string, unknown>; server_name?: string } }>;
}

/**
 * The endpoint document a querier workload reads, followed the way the kubelet and Thanos do: its
 * `--endpoint.sd-config-file` path, the container's volume mount of that directory, the pod's `configMap` volume,
 * and that ConfigMap among `objects` (the render's manifests), keyed by the file's name.
 */
export function querierEndpointDocument(objects: Array<Record<string, unknown>>, workload: Record<string, unknown>): EndpointDocument {
    const pod = (workload as { spec: { template: { spec: { containers: Array<{ args?: string[]; volumeMounts?: Array<{ name: string; mountPath: string }> }>; volumes?: Array<{ name: string; configMap?: { name: string } }> } } } }).spec.template.spec;
    const container = pod.containers[0]!;
    const file = container.args?.find((a) => a.startsWith("--endpoint.sd-config-file="))?.slice("--endpoint.sd-config-file=".length);
    if (file === undefined) throw new Error("the querier has no --endpoint.sd-config-file");
    const mount = container.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
    if (mount === undefined) throw new Error(`no volume is mounted where ${file} is read`);
    const configMapName = pod.volumes?.find((v) => v.name === mount.name)?.configMap?.name;
    if (configMapName === undefined) throw new Error(`the volume ${mount.name} is not a ConfigMap`);
    const meta = (workload as { metadata: { namespace?: string } }).metadata;
    const cm = objects.find((o) => {
        const m = o["metadata"] as { name?: string; namespace?: string } | undefined;
        return o["kind"] === "ConfigMap" && m?.name === configMapName && m.namespace === meta.namespace;
    });
    if (cm === undefined) throw new Error(`the ConfigMap ${configMapName} is not rendered`);
    const text = (cm["data"] as Record<string, string> | undefined)?.[file.slice(mount.mountPath.length + 1)];
    if (text === undefined) throw new Error(`the ConfigMap ${configMapName} has no key for ${file}`);
    return parseYaml(text) as EndpointDocument;
}
