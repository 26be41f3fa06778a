/**
 * The node's network namespace and the veth pair that joins it to the host. Every rule kube-proxy, kube-router
 * and the CNI plugins write lives in this namespace; deleting it removes them all. The host gets one address on
 * its end of the veth and nothing else: no route, no firewall rule, no forwarding (so nothing leaves the machine).
 */
import * as fs from "fs";
import { NET, NETNS } from "./config";
import { NETNS_PATH, inNode } from "./daemons";
import { capture } from "../lib/exec";

const ip = (...args: string[]): string => capture("ip", args);

export function netnsExists(): boolean {
    return fs.existsSync(NETNS_PATH);
}

export function createNetwork(): void {
    if (!netnsExists()) ip("netns", "add", NETNS);
    if (!capture("ip", ["link", "show", NET.hostVeth], { allowFailure: true })) {
        ip("link", "add", NET.hostVeth, "type", "veth", "peer", "name", NET.nodeVeth, "netns", NETNS);
        ip("addr", "add", `${NET.hostIp}/30`, "dev", NET.hostVeth);
        ip("link", "set", NET.hostVeth, "up");
        inNode("ip", ["addr", "add", `${NET.nodeIp}/30`, "dev", NET.nodeVeth]);
        inNode("ip", ["link", "set", NET.nodeVeth, "up"]);
        inNode("ip", ["link", "set", "lo", "up"]);
        // A default route towards the host, which does not forward: Service addresses get a route (so kube-proxy's
        // DNAT applies to the node's own connections too) and nothing can leave the machine.
        inNode("ip", ["route", "add", "default", "via", NET.hostIp]);
    }
    // Per-namespace settings: routing between pods and Services, bridged traffic through iptables (kube-proxy, kube-router).
    for (const [key, value] of [
        ["net.ipv4.ip_forward", "1"],
        ["net.bridge.bridge-nf-call-iptables", "1"],
        ["net.bridge.bridge-nf-call-ip6tables", "1"],
    ] as const) {
        inNode("sysctl", ["-q", "-w", `${key}=${value}`]);
    }
}

/** Kills whatever still runs in the namespace, then deletes it (and with it the veth pair and every rule). */
export function deleteNetwork(): number {
    if (!netnsExists()) return 0;
    const pids = capture("ip", ["netns", "pids", NETNS], { allowFailure: true }).split(/\s+/).filter(Boolean).map(Number);
    for (const pid of pids) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
    ip("netns", "del", NETNS);
    return pids.length;
}
