/**
 * `node scripts/run.js scripts/stack-facts.ts --stack <name>`
 *
 * Prints what a workflow needs to reach a stack's cluster, as `key=value` lines for $GITHUB_OUTPUT, from the
 * validated stack configuration (so a workflow never parses YAML itself):
 *
 *   kube_context=<cluster.context>      the context name the program's Kubernetes provider uses
 *   eks_cluster=<cluster.eks.clusterName>
 *   aws_region=<aws.region>
 *
 * Exit 2 when the stack is invalid or not on EKS (nothing to build a kubeconfig from).
 */
import { parseStackArgs } from "./lib/cli";
import { applySets, InputError, readStackFile } from "./lib/stackConfig";
import { collectProjectConfig, validateStackConfig } from "../infra/config/load";

const USAGE = "usage: node scripts/run.js scripts/stack-facts.ts --stack <name>";

function main(): number {
    const parsed = parseStackArgs({ stack: { type: "string" } }, USAGE);
    if ("exit" in parsed) return parsed.exit;
    const stack = parsed.values.stack;
    let flat;
    try {
        flat = applySets(readStackFile(stack), []);
    } catch (e) {
        if (e instanceof InputError) {
            process.stderr.write(`${e.problems.join("\n")}\n`);
            return 2;
        }
        throw e;
    }
    const { raw, problems } = collectProjectConfig(flat.config);
    const result = validateStackConfig(raw);
    const all = [...problems, ...(result.ok ? [] : result.problems)];
    if (!result.ok || all.length) {
        process.stderr.write(`stack '${stack}' is invalid:\n  ${all.join("\n  ")}\n`);
        return 2;
    }
    const { cluster, aws } = result.config;
    if (cluster.eks === undefined || aws.region === undefined) {
        process.stderr.write(`stack '${stack}' is not on EKS (cluster.eks and aws.region are unset): no kubeconfig can be built from an AWS role\n`);
        return 2;
    }
    const lines = [`kube_context=${cluster.context ?? cluster.eks.clusterName}`, `eks_cluster=${cluster.eks.clusterName}`, `aws_region=${aws.region}`];
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
}

process.exitCode = main();
