/**
 * The thanos-stack Pulumi program. `pulumi up` runs this file (Pulumi.yaml
 * `main: infra/index.ts`); `npm run render` runs the same file under the mock runtime.
 */
import { loadStackConfig } from "./config/load";
import { buildStack, stackAccess } from "./stack";

const config = loadStackConfig();
const stack = buildStack(config);

/** Namespace of the stack. */
export const namespace = stack.namespaceName;
/** The stack's role (`all`, `collector`, `central`). */
export const role = stack.role;
/**
 * Role `collector`: one StoreAPI endpoint `{address, tls}` per Prometheus pod; a central stack reads it through a
 * StackReference (`central.collectorStacks`).
 */
export const storeApiEndpoints = stack.storeApiEndpoints ?? [];
/** Public URLs of the exposed UIs (empty when `ui.enabled` is false). */
export const uiUrls = stack.uiUrls ?? {};
/**
 * How to reach each UI without an Ingress: a `kubectl port-forward` line per UI, where Grafana's admin
 * credentials are, and the URL of each exposed UI (`pulumi stack output access`).
 */
export const access = stackAccess(config);
