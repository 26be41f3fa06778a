/**
 * Bringing the bench cluster up, down, and reporting on it.
 *
 * `up` is idempotent (a healthy cluster is left as it is; a half-started one is torn down first) and `down`
 * verifies that nothing is left: no process, mount, network namespace, cgroup or host firewall rule.
 */
import * as fs from "fs";
import * as path from "path";
import { ADMIN_KUBECONFIG, CONTAINERD_NAMESPACE, CONTAINERD_SOCKET, DIRS, NET, NETNS, NODE_NAME, PORTS, RUN_DIR, STATE_DIR } from "./config";
import { containerd, etcd, apiserver, controllerManager, scheduler, kubelet, kubeProxy, kubeRouter, writeCniConfig } from "./components";
import { inNode, isAlive, running, start, stop, waitFor, logFile, type Daemon } from "./daemons";
import { createNetwork, deleteNetwork, netnsExists } from "./network";
import { ensurePki, kubeconfigPath, KUBECONFIGS } from "./pki";
import { installAddons, kubectl, waitForAddons } from "./addons";
import { buildAndImportImages } from "../images/build";
import { capture, formatSeconds, progress } from "../lib/exec";
import { missingTools } from "../tools/installed";

/** Daemon names in start order. */
export const DAEMONS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "containerd", "kubelet", "kube-proxy", "kube-router"] as const;

function requireRoot(): void {
    if (process.getuid?.() !== 0) throw new Error("the bench cluster needs root (network namespaces, mounts, cgroups); run as root");
}

export function requireTools(): void {
    const missing = missingTools();
    if (missing.length) throw new Error(`bench tools missing: ${missing.map((r) => `${r.name} ${r.version}`).join(", ")}; build them with: npm run e2e:tools`);
}

async function timed<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
    const started = Date.now();
    const result = await fn();
    progress(`  ✓ ${label} (${formatSeconds((Date.now() - started) / 1000)})`);
    return result;
}

const healthy = {
    etcd: (): boolean => inNode("curl", ["-fsS", "http://127.0.0.1:2381/health"], true).includes('"health":"true"'),
    apiserver: (): boolean => kubectl(["get", "--raw=/readyz"], undefined, true).trim() === "ok",
    containerd: (): boolean => capture("ctr", ["--address", CONTAINERD_SOCKET, "version"], { allowFailure: true }).includes("Server"),
    kubelet: (): boolean => inNode("curl", ["-fsS", `http://127.0.0.1:${PORTS.kubeletHealthz}/healthz`], true).trim() === "ok",
    kubeProxy: (): boolean => inNode("curl", ["-fsS", `http://127.0.0.1:${PORTS.kubeProxyHealthz}/healthz`], true).length > 0,
    kubeRouter: (): boolean => inNode("curl", ["-fsS", `http://127.0.0.1:${PORTS.kubeRouterHealth}/healthz`], true).length > 0,
    node: (): boolean => kubectl(["get", "node", NODE_NAME, "-o", "jsonpath={.status.conditions[?(@.type=='Ready')].status}"], undefined, true).trim() === "True",
};

async function startAndWait(daemon: Daemon, check: () => boolean, timeoutMs = 120_000): Promise<void> {
    await timed(daemon.name, async () => {
        start(daemon);
        await waitFor(`${daemon.name} to become healthy`, () => {
            if (!running(daemon.name)) throw new Error(`${daemon.name} exited; see ${logFile(daemon.name)}`);
            return check();
        }, timeoutMs, daemon.name);
    });
}

export function isUp(): boolean {
    return netnsExists() && DAEMONS.every((d) => running(d)) && healthy.apiserver() && healthy.node();
}

export async function up(): Promise<void> {
    requireRoot();
    requireTools();
    if (isUp()) {
        progress(`bench cluster already up (kubeconfig: ${ADMIN_KUBECONFIG}); checking images and add-ons`);
        await timed("images", () => buildAndImportImages(progress));
        await timed("cluster DNS, storage, Prometheus Operator", () => {
            installAddons();
            waitForAddons(180);
        });
        return;
    }
    if (netnsExists() || fs.existsSync(RUN_DIR)) {
        progress("a previous bench cluster is half up: tearing it down first");
        await down();
    }
    const started = Date.now();
    progress(`bench cluster up: node ${NODE_NAME} in network namespace ${NETNS} (${NET.nodeIp})`);
    await timed("network namespace and veth", createNetwork);
    await timed("certificates and kubeconfigs", () => ensurePki());
    fs.copyFileSync(kubeconfigPath(KUBECONFIGS.admin), ADMIN_KUBECONFIG);
    writeCniConfig();
    await startAndWait(etcd(), healthy.etcd);
    await startAndWait(apiserver(), healthy.apiserver);
    for (const d of [controllerManager(), scheduler()]) await timed(d.name, () => start(d));
    await startAndWait(containerd(), healthy.containerd);
    await timed("images", () => buildAndImportImages(progress));
    await startAndWait(kubelet(), healthy.kubelet);
    await startAndWait(kubeProxy(), healthy.kubeProxy);
    await startAndWait(kubeRouter(), healthy.kubeRouter);
    await timed("node Ready", () => waitFor(`node ${NODE_NAME} Ready`, healthy.node, 120_000, "kubelet"));
    await timed("cluster DNS, storage, Prometheus Operator", () => {
        installAddons();
        waitForAddons(180);
    });
    progress(`bench cluster up in ${formatSeconds((Date.now() - started) / 1000)}; kubeconfig: ${ADMIN_KUBECONFIG}`);
}

/** Every mount under the bench's directories, deepest first. */
function ourMounts(): string[] {
    return capture("findmnt", ["-rn", "-o", "TARGET"])
        .split("\n")
        .map((m) => m.replace(/\\x20/g, " "))
        .filter((m) => m.startsWith(`${STATE_DIR}/`) || m.startsWith(`${RUN_DIR}/`) || m === STATE_DIR || m === RUN_DIR)
        .sort((a, b) => b.length - a.length);
}

/** cgroup directories the kubelet created (one `kubepods` tree per v1 hierarchy). */
function ourCgroups(): string[] {
    const roots: string[] = [];
    for (const hierarchy of fs.existsSync("/sys/fs/cgroup") ? fs.readdirSync("/sys/fs/cgroup") : []) {
        const dir = path.join("/sys/fs/cgroup", hierarchy, "kubepods");
        if (fs.existsSync(dir)) roots.push(dir);
    }
    return roots;
}

function cgroupProcs(dir: string): number[] {
    const pids: number[] = [];
    const walk = (d: string): void => {
        try {
            for (const p of fs.readFileSync(path.join(d, "cgroup.procs"), "utf8").split("\n").filter(Boolean)) pids.push(Number(p));
            for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
        } catch {
            // vanished meanwhile
        }
    };
    walk(dir);
    return pids;
}

function removeCgroupTree(dir: string): void {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroupTree(path.join(dir, e.name));
    try {
        fs.rmdirSync(dir);
    } catch {
        // busy: reported by leftovers()
    }
}

/** Processes of the bench that outlive their daemons: container shims of our containerd and anything in kubepods. */
function strayProcesses(): number[] {
    const pids = new Set<number>(ourCgroups().flatMap(cgroupProcs));
    for (const entry of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        try {
            const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
            if (cmdline.includes(CONTAINERD_SOCKET) || cmdline.includes(DIRS.containerdState)) pids.add(Number(entry));
        } catch {
            // exited
        }
    }
    return [...pids].filter((p) => p !== process.pid && isAlive(p));
}

/** Host firewall rules that name the bench's addresses or interfaces (there should never be any). */
function hostRules(): string[] {
    const rules = `${capture("iptables-save", [], { allowFailure: true })}\n${capture("nft", ["list", "ruleset"], { allowFailure: true })}`;
    return rules.split("\n").filter((l) => /10\.23[123]\.|te2e-|cni0|KUBE-/.test(l));
}

export interface Leftovers {
    readonly processes: number[];
    readonly mounts: string[];
    readonly netns: boolean;
    readonly cgroups: string[];
    readonly hostRules: string[];
}

export function leftovers(): Leftovers {
    return { processes: strayProcesses(), mounts: ourMounts(), netns: netnsExists(), cgroups: ourCgroups(), hostRules: hostRules() };
}

export async function down(): Promise<Leftovers> {
    requireRoot();
    const started = Date.now();
    progress("bench cluster down");
    // Node agents first, so nothing restarts containers while they are killed.
    for (const name of ["kube-router", "kube-proxy", "kubelet"]) await stop(name);
    const containers = ourCgroups().flatMap(cgroupProcs);
    for (const pid of containers) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // gone
        }
    }
    if (running("containerd")) {
        const tasks = capture("ctr", ["--address", CONTAINERD_SOCKET, "--namespace", CONTAINERD_NAMESPACE, "tasks", "ls", "-q"], { allowFailure: true }).split("\n").filter(Boolean);
        for (const t of tasks) capture("ctr", ["--address", CONTAINERD_SOCKET, "--namespace", CONTAINERD_NAMESPACE, "tasks", "kill", "-s", "SIGKILL", t], { allowFailure: true });
    }
    for (const name of ["containerd", "kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd"]) await stop(name);
    for (const pid of strayProcesses()) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // gone
        }
    }
    await waitFor("container processes to exit", () => strayProcesses().length === 0, 30_000).catch(() => undefined);
    for (const m of ourMounts()) {
        if (capture("umount", [m], { allowFailure: true }) === "" && ourMounts().includes(m)) capture("umount", ["-l", m], { allowFailure: true });
    }
    const killed = deleteNetwork();
    for (const dir of ourCgroups()) removeCgroupTree(dir);
    if (ourMounts().length === 0) {
        fs.rmSync(RUN_DIR, { recursive: true, force: true });
        fs.rmSync(STATE_DIR, { recursive: true, force: true });
    }
    const left = leftovers();
    const problems = [
        ...left.processes.map((p) => `process ${p} (${readComm(p)})`),
        ...left.mounts.map((m) => `mount ${m}`),
        ...(left.netns ? [`network namespace ${NETNS}`] : []),
        ...left.cgroups.map((c) => `cgroup ${c}`),
        ...left.hostRules.map((r) => `host firewall rule: ${r}`),
    ];
    if (problems.length) throw new Error(`bench cluster down left:\n  ${problems.join("\n  ")}`);
    progress(`bench cluster down in ${formatSeconds((Date.now() - started) / 1000)}: nothing left${killed ? ` (${killed} stray processes killed in the namespace)` : ""}`);
    return left;
}

function readComm(pid: number): string {
    try {
        return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    } catch {
        return "?";
    }
}

export function status(): boolean {
    const lines: string[] = [];
    lines.push(`network namespace ${NETNS}: ${netnsExists() ? "present" : "absent"}`);
    for (const d of DAEMONS) lines.push(`${d.padEnd(24)} ${running(d) ? "running" : "stopped"}`);
    const upNow = isUp();
    if (netnsExists() && running("kube-apiserver")) {
        lines.push(`node ${NODE_NAME}: ${healthy.node() ? "Ready" : "not Ready"}`);
        const pods = kubectl(["get", "pods", "-A", "--no-headers", "-o", "custom-columns=NS:.metadata.namespace,NAME:.metadata.name,PHASE:.status.phase"], undefined, true);
        lines.push(`pods: ${pods.split("\n").filter(Boolean).length}`);
    }
    lines.push(upNow ? `up; kubeconfig: ${ADMIN_KUBECONFIG}` : "not up");
    for (const l of lines) process.stdout.write(`${l}\n`);
    return upNow;
}
