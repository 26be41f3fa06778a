/**
 * Talking to the cluster under test: kubectl with JSON output, port-forwards to Services, and throwaway probe
 * pods. Works with any kubeconfig (the bench's own cluster, kind, a user's test cluster).
 */
import { spawn, type ChildProcess } from "child_process";
import * as net from "net";
import { capture, run } from "./exec";

export interface KubeContext {
    readonly kubectl: string;
    readonly kubeconfig: string;
}

export type Json = Record<string, unknown>;

export class Kube {
    constructor(readonly ctx: KubeContext) {}

    private args(args: readonly string[]): string[] {
        return [`--kubeconfig=${this.ctx.kubeconfig}`, ...args];
    }

    /** Runs kubectl and returns stdout; throws with kubectl's message on failure. */
    run(args: readonly string[], input?: string): string {
        return capture(this.ctx.kubectl, this.args(args), { input });
    }

    /** Runs kubectl; returns `{ ok, out }` instead of throwing (for commands that are expected to fail). */
    attempt(args: readonly string[], input?: string): { ok: boolean; out: string } {
        try {
            return { ok: true, out: this.run(args, input) };
        } catch (e) {
            return { ok: false, out: e instanceof Error ? e.message : String(e) };
        }
    }

    async runAsync(args: readonly string[], timeoutMs = 600_000): Promise<string> {
        return (await run(this.ctx.kubectl, this.args(args), { timeoutMs })).stdout;
    }

    get(kind: string, namespace?: string, name?: string): Json {
        return JSON.parse(this.run([...(namespace ? ["-n", namespace] : []), "get", kind, ...(name ? [name] : []), "-o", "json"])) as Json;
    }

    items(kind: string, namespace?: string, selector?: string): Json[] {
        const list = JSON.parse(this.run([...(namespace ? ["-n", namespace] : ["-A"]), "get", kind, ...(selector ? ["-l", selector] : []), "-o", "json"])) as { items: Json[] };
        return list.items;
    }

    apply(objects: readonly Json[], fieldManager = "thanos-stack-e2e"): string {
        return this.run(["apply", "--server-side", "--force-conflicts", `--field-manager=${fieldManager}`, "-f", "-"], objects.map((o) => `---\n${JSON.stringify(o)}\n`).join(""));
    }

    /** Starts `kubectl port-forward` to `target` (e.g. `svc/thanos-query`) and resolves once the local port accepts. */
    async portForward(namespace: string, target: string, remotePort: number): Promise<PortForward> {
        const localPort = await freePort();
        const child = spawn(this.ctx.kubectl, this.args(["-n", namespace, "port-forward", "--address=127.0.0.1", target, `${localPort}:${remotePort}`]), { stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
        child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
            if (child.exitCode !== null) throw new Error(`port-forward to ${namespace}/${target}:${remotePort} exited: ${output.trim()}`);
            if (output.includes("Forwarding from") && (await canConnect(localPort))) return new PortForward(child, localPort);
            await sleep(200);
        }
        child.kill();
        throw new Error(`port-forward to ${namespace}/${target}:${remotePort} did not become ready: ${output.trim()}`);
    }
}

export class PortForward {
    constructor(
        private readonly child: ChildProcess,
        readonly localPort: number,
    ) {}

    get url(): string {
        return `http://127.0.0.1:${this.localPort}`;
    }

    close(): void {
        this.child.kill();
    }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
        });
    });
}

function canConnect(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port });
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", () => resolve(false));
    });
}

/** Polls until `check` returns a value (not undefined), or throws with the description after the timeout. */
export async function eventually<T>(description: string | (() => string), check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, intervalMs = 2000): Promise<T> {
    const started = Date.now();
    let last: unknown;
    for (;;) {
        try {
            const value = await check();
            if (value !== undefined) return value;
        } catch (e) {
            last = e;
        }
        if (Date.now() - started > timeoutMs) {
            throw new Error(`timed out after ${Math.round(timeoutMs / 1000)}s: ${typeof description === "function" ? description() : description}${last instanceof Error ? ` (last error: ${last.message})` : ""}`);
        }
        await sleep(intervalMs);
    }
}
