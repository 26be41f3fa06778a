/**
 * Running commands for the bench: every command is logged to a file, its duration measured, and a failure
 * reported with the command line and the last lines of its output instead of a stack trace.
 */
import { spawn, spawnSync, type SpawnOptions } from "child_process";
import * as fs from "fs";

export class CommandError extends Error {
    constructor(
        readonly command: string,
        readonly exitCode: number | null,
        readonly tail: string,
    ) {
        super(`'${command}' failed (exit ${exitCode ?? "signal"})${tail ? `:\n${tail}` : ""}`);
    }
}

export interface RunOptions {
    readonly cwd?: string;
    readonly env?: NodeJS.ProcessEnv;
    /** Append stdout and stderr to this file instead of keeping them in memory. */
    readonly logFile?: string;
    /** Data for stdin. */
    readonly input?: string;
    /** Give up after this many milliseconds. */
    readonly timeoutMs?: number;
}

export interface RunResult {
    readonly stdout: string;
    readonly stderr: string;
    readonly seconds: number;
}

function quote(args: readonly string[]): string {
    return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

function tailOf(text: string, lines = 25): string {
    return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Runs a command to completion; rejects with a {@link CommandError} on a non-zero exit. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const started = Date.now();
    const line = quote([command, ...args]);
    const log = options.logFile ? fs.openSync(options.logFile, "a") : undefined;
    if (log !== undefined) fs.writeSync(log, `\n$ ${line}\n`);
    return new Promise((resolve, reject) => {
        const spawnOptions: SpawnOptions = {
            cwd: options.cwd,
            env: options.env ?? process.env,
            stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        };
        const child = spawn(command, args, spawnOptions);
        let stdout = "";
        let stderr = "";
        let recent = "";
        const keep = (chunk: Buffer, toStdout: boolean): void => {
            const text = chunk.toString();
            if (log !== undefined) fs.writeSync(log, text);
            else if (toStdout) stdout += text;
            else stderr += text;
            recent = (recent + text).slice(-8000);
        };
        child.stdout?.on("data", (c: Buffer) => keep(c, true));
        child.stderr?.on("data", (c: Buffer) => keep(c, false));
        if (options.input !== undefined) child.stdin?.end(options.input);
        const timer = options.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs) : undefined;
        child.on("error", (err) => {
            if (timer) clearTimeout(timer);
            if (log !== undefined) fs.closeSync(log);
            reject(new CommandError(line, null, err.message));
        });
        child.on("close", (code) => {
            if (timer) clearTimeout(timer);
            if (log !== undefined) fs.closeSync(log);
            const seconds = (Date.now() - started) / 1000;
            if (code === 0) resolve({ stdout, stderr, seconds });
            else reject(new CommandError(line, code, tailOf(recent)));
        });
    });
}

/** Runs a short command synchronously and returns its stdout ("" when it fails and `allowFailure` is set). */
export function capture(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; allowFailure?: boolean; input?: string } = {}): string {
    const r = spawnSync(command, args, { cwd: options.cwd, env: options.env ?? process.env, encoding: "utf8", input: options.input, maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) {
        if (options.allowFailure) return "";
        throw new CommandError(quote([command, ...args]), r.status, tailOf(`${r.stdout ?? ""}${r.stderr ?? ""}`));
    }
    return r.stdout;
}

/** True when `command` is on PATH. */
export function onPath(command: string): boolean {
    return spawnSync("sh", ["-c", `command -v ${quote([command])}`], { stdio: "ignore" }).status === 0;
}

/** `12.3s`, `4m05s`. */
export function formatSeconds(seconds: number): string {
    if (seconds < 60) return `${seconds.toFixed(1)}s`;
    const m = Math.floor(seconds / 60);
    const s = Math.round(seconds - m * 60);
    return `${m}m${String(s).padStart(2, "0")}s`;
}

/** One progress line on stderr, so stdout stays for results. */
export function progress(message: string): void {
    process.stderr.write(`${message}\n`);
}
