/**
 * The thanos-stack Pulumi program. `pulumi up` runs this file (Pulumi.yaml
 * `main: infra/`); `npm run render` runs the same file under the mock runtime.
 */
import { loadStackConfig } from "./config/load";
import { buildStack } from "./stack";

const config = loadStackConfig();
const stack = buildStack(config);

/** Namespace of the stack. */
export const namespace = stack.namespaceName;
