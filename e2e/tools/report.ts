/** The versions of the software the end-to-end run used, for its report. */
import { capture } from "../lib/exec";
import { DEBIAN_PACKAGES, TOOL_VERSIONS } from "./versions";

export function toolVersions(): Record<string, string> {
    const debian: Record<string, string> = {};
    for (const pkg of ["containerd", "runc", "containernetworking-plugins", "iptables", "ipset", "busybox-static", "memcached"] as const satisfies ReadonlyArray<(typeof DEBIAN_PACKAGES)[number]>) {
        const v = capture("dpkg-query", ["-W", "-f=${Version}", pkg], { allowFailure: true }).trim();
        if (v) debian[`debian:${pkg}`] = v;
    }
    return { ...TOOL_VERSIONS, node: process.version, ...debian };
}
