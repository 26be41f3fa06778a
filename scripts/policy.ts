/**
 * npm run policy -- --stack <name> [--set <key.path>=<value> ...] [--set-secret <key.path>=<value> ...]
 *
 * Runs the policy pack (policy/checks, the same functions `pulumi preview --policy-pack policy` runs) over the
 * offline render of a stack with the overrides: what CrossGuard would say about a change, before any preview.
 * Prints each violation under its policy and a summary line. Exit codes: 0 no violation, 1 violations,
 * 2 invalid configuration or arguments.
 */
import * as path from "path";
import { ALL_CHECKS, evaluate, type Violation } from "../policy/checks";
import { stackTraceHint } from "./lib/capture";
import { parseStackArgs } from "./lib/cli";
import { RenderInputError, renderStack } from "./lib/render";

const USAGE = "usage: npm run policy -- --stack <name> [--set <key.path>=<value> ...] [--set-secret <key.path>=<value> ...]";

const PROGRAM = path.resolve(__dirname, "..", "infra");

/** Where {@link runPolicy} writes, and the program it renders. */
export interface PolicyIo {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    /** Runs the program. @default the stack's program (infra/) */
    program?: () => unknown;
}

/** The violations, grouped by policy in the pack's order, and the summary line. */
export function formatViolations(stack: string, resources: number, violations: Violation[]): string {
    const lines: string[] = [];
    for (const check of ALL_CHECKS) {
        const mine = violations.filter((v) => v.policy === check.name);
        if (mine.length === 0) continue;
        lines.push(`${check.name} (${check.description}):`, ...mine.map((v) => `  ${v.message}`));
    }
    const policies = new Set(violations.map((v) => v.policy)).size;
    lines.push(
        violations.length === 0
            ? `stack ${stack}: ${resources} resources, ${ALL_CHECKS.length} policies, no violation`
            : `stack ${stack}: ${violations.length} violation${violations.length === 1 ? "" : "s"} of ${policies} polic${policies === 1 ? "y" : "ies"} over ${resources} resources`,
    );
    return `${lines.join("\n")}\n`;
}

/** The policy command; resolves with its exit code. */
export async function runPolicy(argv: string[], io: PolicyIo): Promise<number> {
    const parsed = parseStackArgs({ stack: { type: "string" }, set: { type: "string", multiple: true }, "set-secret": { type: "string", multiple: true } }, USAGE, argv);
    if ("exit" in parsed) return parsed.exit;
    const { values } = parsed;
    try {
        const result = await renderStack({ stack: values.stack, sets: values.set ?? [], secretSets: values["set-secret"] ?? [], program: io.program ?? (() => require(PROGRAM)) });
        const violations = evaluate(
            ALL_CHECKS,
            result.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs })),
        );
        io.stdout(formatViolations(values.stack, result.resources.length, violations));
        return violations.length > 0 ? 1 : 0;
    } catch (e) {
        if (e instanceof RenderInputError) {
            io.stderr(`policy check of stack '${values.stack}' refused; nothing was rendered:\n${e.problems.map((p) => `  ${p}`).join("\n")}\n`);
            return 2;
        }
        throw e;
    }
}

if (process.argv[1] === __filename) {
    runPolicy(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then(
        (code) => process.exit(code),
        (e: unknown) => {
            process.stderr.write(`policy check failed unexpectedly (a bug, please report it):\n${(e as Error).stack ?? String(e)}${stackTraceHint()}\n`);
            process.exit(1);
        },
    );
}
