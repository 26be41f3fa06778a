/**
 * The node's daemons, each as a pure description (binary, arguments, configuration file) so that `up` can start
 * them in order and `down` stop them in reverse.
 */
import * as fs from "fs";
import * as path from "path";
import { CNI_BIN_DIR, CONTAINERD_SOCKET, DIRS, NET, NODE_NAME, PAUSE_IMAGE, PORTS, REGION, ZONE } from "./config";
import type { Daemon } from "./daemons";
import { KUBECONFIGS, kubeconfigPath, pki } from "./pki";
import { toolBinary } from "../tools/installed";

function writeConfig(name: string, text: string): string {
    fs.mkdirSync(DIRS.config, { recursive: true });
    const file = path.join(DIRS.config, name);
    fs.writeFileSync(file, text);
    return file;
}

export function etcd(): Daemon {
    return {
        name: "etcd",
        binary: toolBinary("etcd"),
        args: [
            "--name=e2e",
            `--data-dir=${DIRS.etcd}`,
            `--listen-client-urls=http://127.0.0.1:${PORTS.etcdClient}`,
            `--advertise-client-urls=http://127.0.0.1:${PORTS.etcdClient}`,
            `--listen-peer-urls=http://127.0.0.1:${PORTS.etcdPeer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${PORTS.etcdPeer}`,
            `--initial-cluster=e2e=http://127.0.0.1:${PORTS.etcdPeer}`,
            "--listen-metrics-urls=http://127.0.0.1:2381",
            // A test cluster: no fsync per write (much faster on a shared disk), small history.
            "--unsafe-no-fsync",
            "--quota-backend-bytes=2147483648",
            "--auto-compaction-retention=10m",
        ],
    };
}

export function apiserver(): Daemon {
    return {
        name: "kube-apiserver",
        binary: toolBinary("kube-apiserver"),
        args: [
            `--etcd-servers=http://127.0.0.1:${PORTS.etcdClient}`,
            `--bind-address=${NET.nodeIp}`,
            `--advertise-address=${NET.nodeIp}`,
            `--secure-port=${PORTS.apiserver}`,
            `--service-cluster-ip-range=${NET.serviceCidr}`,
            `--tls-cert-file=${pki("apiserver.crt")}`,
            `--tls-private-key-file=${pki("apiserver.key")}`,
            `--client-ca-file=${pki("ca.crt")}`,
            `--kubelet-client-certificate=${pki("apiserver-kubelet-client.crt")}`,
            `--kubelet-client-key=${pki("apiserver-kubelet-client.key")}`,
            `--kubelet-certificate-authority=${pki("ca.crt")}`,
            "--kubelet-preferred-address-types=InternalIP",
            `--service-account-key-file=${pki("sa.pub")}`,
            `--service-account-signing-key-file=${pki("sa.key")}`,
            `--service-account-issuer=https://kubernetes.default.svc.${NET.clusterDomain}`,
            "--authorization-mode=Node,RBAC",
            // PodSecurity is among the default admission plugins; NodeRestriction is added as on real clusters.
            "--enable-admission-plugins=NodeRestriction",
            "--allow-privileged=true",
            "--profiling=false",
            "--event-ttl=30m",
        ],
    };
}

export function controllerManager(): Daemon {
    const kubeconfig = kubeconfigPath(KUBECONFIGS.controllerManager);
    return {
        name: "kube-controller-manager",
        binary: toolBinary("kube-controller-manager"),
        args: [
            `--kubeconfig=${kubeconfig}`,
            `--authentication-kubeconfig=${kubeconfig}`,
            `--authorization-kubeconfig=${kubeconfig}`,
            "--bind-address=127.0.0.1",
            "--leader-elect=false",
            "--use-service-account-credentials=true",
            `--service-account-private-key-file=${pki("sa.key")}`,
            `--root-ca-file=${pki("ca.crt")}`,
            `--cluster-signing-cert-file=${pki("ca.crt")}`,
            `--cluster-signing-key-file=${pki("ca.key")}`,
            `--service-cluster-ip-range=${NET.serviceCidr}`,
            "--allocate-node-cidrs=false",
            // Fast reaction on a one-node test cluster.
            "--concurrent-statefulset-syncs=10",
            "--terminated-pod-gc-threshold=50",
        ],
    };
}

export function scheduler(): Daemon {
    const kubeconfig = kubeconfigPath(KUBECONFIGS.scheduler);
    return {
        name: "kube-scheduler",
        binary: toolBinary("kube-scheduler"),
        args: [`--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`, "--bind-address=127.0.0.1", "--leader-elect=false"],
    };
}

export function containerd(): Daemon {
    const config = writeConfig(
        "containerd.toml",
        `version = 2
root = "${DIRS.containerdRoot}"
state = "${DIRS.containerdState}"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "${CONTAINERD_SOCKET}"

[plugins."io.containerd.internal.v1.opt"]
  path = "${path.join(DIRS.containerdRoot, "opt")}"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  netns_mounts_under_state_dir = true
  enable_unprivileged_ports = false
  # The bench runs without CAP_SYS_RESOURCE, so no process may lower its OOM score (the kubelet asks -998 for
  # pod sandboxes): scores below containerd's own are raised to it instead.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    discard_unpacked_layers = false
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${CNI_BIN_DIR}"
    conf_dir = "${DIRS.cniConf}"
`,
    );
    return { name: "containerd", binary: "/usr/bin/containerd", args: [`--config=${config}`] };
}

/** The pod network: one bridge in the node namespace, addresses from host-local, no masquerade (nothing leaves). */
export function writeCniConfig(): void {
    fs.mkdirSync(DIRS.cniConf, { recursive: true });
    const conf = {
        cniVersion: "1.0.0",
        name: "thanos-e2e",
        plugins: [
            {
                type: "bridge",
                bridge: NET.bridge,
                isGateway: true,
                ipMasq: false,
                hairpinMode: true,
                ipam: { type: "host-local", dataDir: DIRS.cniState, ranges: [[{ subnet: NET.podCidr, gateway: NET.bridgeIp }]], routes: [{ dst: "0.0.0.0/0" }] },
            },
            { type: "portmap", capabilities: { portMappings: true } },
        ],
    };
    fs.writeFileSync(path.join(DIRS.cniConf, "10-thanos-e2e.conflist"), `${JSON.stringify(conf, null, 2)}\n`);
}

export function kubelet(): Daemon {
    // No upstream resolver: pods with dnsPolicy Default (CoreDNS) get none, and nothing resolves outside the cluster.
    const resolv = writeConfig("resolv.conf", "# the bench cluster has no upstream DNS\noptions ndots:1\n");
    const config = writeConfig(
        "kubelet.yaml",
        `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${NET.nodeIp}
port: ${PORTS.kubelet}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: ${PORTS.kubeletHealthz}
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: ${pki("ca.crt")} }
authorization:
  mode: Webhook
tlsCertFile: ${pki("kubelet.crt")}
tlsPrivateKeyFile: ${pki("kubelet.key")}
clusterDomain: ${NET.clusterDomain}
clusterDNS: [${NET.dnsServiceIp}]
resolvConf: ${resolv}
cgroupDriver: cgroupfs
failCgroupV1: false
containerRuntimeEndpoint: unix://${CONTAINERD_SOCKET}
failSwapOn: false
serializeImagePulls: false
# Images are imported by the bench and never pulled: never garbage-collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 200Mi
  nodefs.available: 2%
  imagefs.available: 2%
maxPods: 110
podPidsLimit: 4096
shutdownGracePeriod: 0s
`,
    );
    return {
        name: "kubelet",
        binary: toolBinary("kubelet"),
        args: [
            `--config=${config}`,
            `--kubeconfig=${kubeconfigPath(KUBECONFIGS.kubelet)}`,
            `--root-dir=${DIRS.kubelet}`,
            `--hostname-override=${NODE_NAME}`,
            `--node-ip=${NET.nodeIp}`,
            `--node-labels=topology.kubernetes.io/zone=${ZONE},topology.kubernetes.io/region=${REGION}`,
            `--cert-dir=${path.join(DIRS.kubelet, "pki")}`,
        ],
    };
}

export function kubeProxy(): Daemon {
    const config = writeConfig(
        "kube-proxy.yaml",
        `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection:
  kubeconfig: ${kubeconfigPath(KUBECONFIGS.kubeProxy)}
hostnameOverride: ${NODE_NAME}
bindAddress: ${NET.nodeIp}
clusterCIDR: ${NET.podCidr}
healthzBindAddress: 127.0.0.1:${PORTS.kubeProxyHealthz}
metricsBindAddress: 127.0.0.1:${PORTS.kubeProxyMetrics}
# Leave the host-wide conntrack limits alone.
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
iptables:
  localhostNodePorts: false
`,
    );
    return { name: "kube-proxy", binary: toolBinary("kube-proxy"), args: [`--config=${config}`] };
}

/** NetworkPolicy enforcement: kube-router's firewall controller only (no routing, no service proxy). */
export function kubeRouter(): Daemon {
    return {
        name: "kube-router",
        binary: toolBinary("kube-router"),
        args: [
            `--kubeconfig=${kubeconfigPath(KUBECONFIGS.kubeRouter)}`,
            `--hostname-override=${NODE_NAME}`,
            "--run-firewall=true",
            "--run-router=false",
            "--run-service-proxy=false",
            "--run-loadbalancer=false",
            `--service-cluster-ip-range=${NET.serviceCidr}`,
            `--health-port=${PORTS.kubeRouterHealth}`,
            "--metrics-port=0",
            "--iptables-sync-period=30s",
            "--v=1",
        ],
    };
}

/** Start order; `down` stops in reverse. */
export function nodeDaemons(): Daemon[] {
    return [etcd(), apiserver(), controllerManager(), scheduler(), containerd(), kubelet(), kubeProxy(), kubeRouter()];
}
