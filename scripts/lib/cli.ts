/**
 * Argument handling shared by the command-line scripts: `--stack` is
 * required, `--help` prints the usage, and a bad argument exits 2.
 */
import { parseArgs, type ParseArgsConfig } from "util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Parsed values, or the exit code to return when the arguments end the run (help, or a usage error). */
export function parseStackArgs<O extends Options>(options: O, usage: string, args: string[] = process.argv.slice(2)): { values: ReturnType<typeof parseArgs<{ options: O; strict: true }>>["values"] & { stack: string } } | { exit: number } {
    let values: Record<string, unknown>;
    try {
        ({ values } = parseArgs({ args, options: { ...options, help: { type: "boolean" } }, strict: true, allowPositionals: false }) as { values: Record<string, unknown> });
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n${usage}\n`);
        return { exit: 2 };
    }
    if (values["help"]) {
        process.stdout.write(`${usage}\n`);
        return { exit: 0 };
    }
    if (typeof values["stack"] !== "string" || values["stack"] === "") {
        process.stderr.write(`--stack is required\n${usage}\n`);
        return { exit: 2 };
    }
    return { values: values as ReturnType<typeof parseArgs<{ options: O; strict: true }>>["values"] & { stack: string } };
}
