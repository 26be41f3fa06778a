/**
 * The bench cluster's fixed layout: one node in its own network namespace, so every address, route and
 * firewall rule the cluster makes lives inside that namespace and disappears with it.
 *
 *   host  ── veth 10.231.0.1/30 ──┬── 10.231.0.2/30 (node: apiserver :6443, kubelet :10250)
 *                                 │   cni0 10.232.0.1/24 ── pods 10.232.0.0/24
 *                                 │   Services 10.233.0.0/24 (kube-proxy, iptables), DNS 10.233.0.10
 *                                 └── etcd, controller-manager, scheduler: loopback of the namespace only
 */
import * as path from "path";
import { TOOL_VERSIONS } from "../tools/versions";

export const NETNS = "thanos-e2e";
export const NODE_NAME = "e2e-node";
export const ZONE = "e2e-zone-a";
export const REGION = "e2e-region";

export const NET = {
    hostVeth: "te2e-host",
    nodeVeth: "te2e-node",
    hostIp: "10.231.0.1",
    nodeIp: "10.231.0.2",
    linkCidr: "10.231.0.0/30",
    bridge: "cni0",
    bridgeIp: "10.232.0.1",
    podCidr: "10.232.0.0/24",
    serviceCidr: "10.233.0.0/24",
    kubernetesServiceIp: "10.233.0.1",
    dnsServiceIp: "10.233.0.10",
    clusterDomain: "cluster.local",
} as const;

export const PORTS = {
    apiserver: 6443,
    etcdClient: 2379,
    etcdPeer: 2380,
    kubelet: 10250,
    kubeletHealthz: 10248,
    kubeProxyHealthz: 10256,
    kubeProxyMetrics: 10249,
    kubeRouterHealth: 20244,
} as const;

/** Persistent state of the cluster (etcd data, certificates, kubelet and containerd roots). */
export const STATE_DIR = process.env.THANOS_STACK_E2E_STATE ?? "/var/lib/thanos-stack-e2e";
/** Runtime state (sockets, pid files); on tmpfs when /run is. */
export const RUN_DIR = "/run/thanos-stack-e2e";

export const DIRS = {
    pki: path.join(STATE_DIR, "pki"),
    etcd: path.join(STATE_DIR, "etcd"),
    kubelet: path.join(STATE_DIR, "kubelet"),
    containerdRoot: path.join(STATE_DIR, "containerd"),
    containerdState: path.join(RUN_DIR, "containerd"),
    cniConf: path.join(STATE_DIR, "cni", "net.d"),
    cniState: path.join(STATE_DIR, "cni", "state"),
    config: path.join(STATE_DIR, "config"),
    logs: path.join(STATE_DIR, "logs"),
    pids: path.join(RUN_DIR, "pids"),
    /** Local volumes for the bench's StorageClass (one directory per PersistentVolume). */
    volumes: path.join(STATE_DIR, "volumes"),
} as const;

export const CONTAINERD_SOCKET = path.join(DIRS.containerdState, "containerd.sock");
export const CONTAINERD_NAMESPACE = "k8s.io";
export const CNI_BIN_DIR = "/usr/lib/cni";

/** The sandbox image; built by the bench from its own pause program. */
export const PAUSE_IMAGE = "registry.k8s.io/pause:3.10";

/** Cluster DNS, built by the bench from CoreDNS. */
export const COREDNS_IMAGE = `registry.k8s.io/coredns/coredns:${TOOL_VERSIONS.coredns}`;

/** kubeconfig of the cluster admin, for the host (written by `up`). */
export const ADMIN_KUBECONFIG = path.join(STATE_DIR, "admin.kubeconfig");

/** The StorageClass the bench provides (local volumes bound on first consumer), made the default class. */
export const STORAGE_CLASS = "e2e-local";
