/**
 * Starting and stopping the cluster's daemons. Each runs detached, inside the node's network namespace
 * (nsenter --net: the mount namespace stays the host's, so kubelet, containerd and the shims see the same
 * mounts), with its output in `<state>/logs/<name>.log` and its pid in `<run>/pids/<name>.pid`.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DIRS, NETNS } from "./config";
import { capture } from "../lib/exec";

export interface Daemon {
    readonly name: string;
    readonly binary: string;
    readonly args: readonly string[];
    readonly env?: NodeJS.ProcessEnv;
}

const pidFile = (name: string): string => path.join(DIRS.pids, `${name}.pid`);
export const logFile = (name: string): string => path.join(DIRS.logs, `${name}.log`);
export const NETNS_PATH = `/run/netns/${NETNS}`;

export function pidOf(name: string): number | undefined {
    try {
        const pid = Number(fs.readFileSync(pidFile(name), "utf8").trim());
        return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
        return undefined;
    }
}

export function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        // A zombie still answers signal 0; it is not running.
        return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
        return false;
    }
}

export function running(name: string): boolean {
    const pid = pidOf(name);
    return pid !== undefined && isAlive(pid);
}

/** Starts the daemon unless it already runs. */
export function start(daemon: Daemon): number {
    const existing = pidOf(daemon.name);
    if (existing !== undefined && isAlive(existing)) return existing;
    fs.mkdirSync(DIRS.logs, { recursive: true });
    fs.mkdirSync(DIRS.pids, { recursive: true });
    const out = fs.openSync(logFile(daemon.name), "a");
    fs.writeSync(out, `\n==== ${new Date().toISOString()} ${daemon.binary} ${daemon.args.join(" ")}\n`);
    const child = spawn("nsenter", [`--net=${NETNS_PATH}`, "--", daemon.binary, ...daemon.args], {
        detached: true,
        stdio: ["ignore", out, out],
        env: { ...process.env, ...daemon.env },
    });
    fs.closeSync(out);
    if (child.pid === undefined) throw new Error(`could not start ${daemon.name}`);
    child.unref();
    fs.writeFileSync(pidFile(daemon.name), `${child.pid}\n`);
    return child.pid;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Stops the daemon: SIGTERM, then SIGKILL after the grace period. Returns false when it was not running. */
export async function stop(name: string, graceMs = 10_000): Promise<boolean> {
    const pid = pidOf(name);
    fs.rmSync(pidFile(name), { force: true });
    if (pid === undefined || !isAlive(pid)) return false;
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) process.kill(pid, "SIGKILL");
    while (isAlive(pid)) await sleep(50);
    return true;
}

/** Runs a short command inside the node's network namespace and returns its stdout. */
export function inNode(command: string, args: readonly string[], allowFailure = false): string {
    return capture("nsenter", [`--net=${NETNS_PATH}`, "--", command, ...args], { allowFailure });
}

/** Polls `check` until it returns true; throws with the description and the daemon's last log lines on timeout. */
export async function waitFor(description: string, check: () => boolean | Promise<boolean>, timeoutMs: number, logOf?: string): Promise<number> {
    const started = Date.now();
    for (;;) {
        try {
            if (await check()) return (Date.now() - started) / 1000;
        } catch {
            // not yet
        }
        if (Date.now() - started > timeoutMs) {
            let tail = "";
            if (logOf && fs.existsSync(logFile(logOf))) tail = `\nlast lines of ${logFile(logOf)}:\n${fs.readFileSync(logFile(logOf), "utf8").trimEnd().split("\n").slice(-20).join("\n")}`;
            throw new Error(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${description}${tail}`);
        }
        await sleep(500);
    }
}
