/**
 * Every tool the real-software bench builds or installs, at one pinned version each. Bump here, nowhere else.
 *
 * Versions of what the stack itself deploys (Thanos, Prometheus, Alertmanager, ...) are not repeated: they come
 * from `components/constants.ts`, so the images the bench builds carry exactly the references the stack pins.
 */
import { VERSIONS } from "../../components/constants";

/** A Go module at a version, as the Go module proxy serves it. */
export interface GoModule {
    readonly path: string;
    readonly version: string;
}

/** The go command's environment for the bench's builds: static, the machine's own Go, no workspace, modules as go.mod says. */
export const GO_ENV = { CGO_ENABLED: "0", GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: "-mod=mod -buildvcs=false" } as const;

export const TOOL_VERSIONS = {
    /** The Pulumi CLI; must equal the `@pulumi/pulumi` version in package.json (a test checks). */
    pulumi: "3.248.0",
    /**
     * The Node.js language host. Its own module (sdk/nodejs/cmd/pulumi-language-nodejs/v3, split out of the SDK in
     * May 2023) is not served by the module proxy here at any version, so the bench builds the last language host
     * that shipped inside the SDK module itself. The gRPC protocol is the same; the CLI falls back where a newer RPC
     * is missing (see docs/e2e.md).
     */
    pulumiLanguageNodejs: "3.68.0",
    /**
     * The Kubernetes provider; must equal the `@pulumi/kubernetes` version in package.json (a test checks). 4.25.0
     * is the newest release whose provider module the proxy serves (as the pseudo-version of its release commit).
     */
    pulumiKubernetes: "4.25.0",
    /**
     * The Python language host, for the Python program of the component package's SDK. Like the Node.js one, the
     * host's own module is not served here; 3.79.0 is the last release that shipped it inside the SDK module. It runs
     * programs with the `python3` it finds first on PATH (the bench's venv of `pulumi-python`: PyPI `pulumi` and `pulumi-kubernetes` at the versions of the CLI and the provider above).
     */
    pulumiLanguagePython: "3.79.0",
    /** Type-checks the Python program of the component package's SDK. */
    mypy: "2.4.1",
    /** Build the generated Python SDK (its setup.py) into an installed package. */
    setuptools: "84.2.1",
    wheel: "0.48.0",
    kubernetes: "v1.34.4",
    etcd: "v3.6.16",
    coredns: "v1.15.0",
    /**
     * NetworkPolicy enforcement: kube-router's firewall controller alone (iptables + ipset). kube-network-policies
     * (what kind uses) needs the nftables `queue` expression, which this kernel lacks (CONFIG_NFT_QUEUE unset).
     */
    kubeRouter: "v2.1.0",
    /** The S3 server of the `local` and `e2e` stacks (also pinned in components/constants.ts). */
    versitygw: VERSIONS.versitygw,
    thanos: VERSIONS.thanos,
    prometheus: VERSIONS.prometheus,
    prometheusOperator: VERSIONS.prometheusOperator,
    alertmanager: VERSIONS.alertmanager,
    pushgateway: VERSIONS.pushgateway,
    /** The AWS CLI (PyPI `awscli`): the runbooks' bucket commands run against the in-cluster S3 server. */
    awscli: "1.46.2",
} as const;

/** Go modules behind the tools above (pseudo-versions where upstream tags no release of that module). */
export const GO_MODULES = {
    pulumiPkg: { path: "github.com/pulumi/pulumi/pkg/v3", version: `v${TOOL_VERSIONS.pulumi}` },
    pulumiSdk: { path: "github.com/pulumi/pulumi/sdk/v3", version: `v${TOOL_VERSIONS.pulumi}` },
    pulumiLanguageNodejs: { path: "github.com/pulumi/pulumi/sdk/v3", version: `v${TOOL_VERSIONS.pulumiLanguageNodejs}` },
    pulumiLanguagePython: { path: "github.com/pulumi/pulumi/sdk/v3", version: `v${TOOL_VERSIONS.pulumiLanguagePython}` },
    /** Release commit f47bc2d6f199 of pulumi-kubernetes v4.25.0. */
    pulumiKubernetes: { path: "github.com/pulumi/pulumi-kubernetes/provider/v4", version: "v4.0.0-20260115033456-f47bc2d6f199" },
    kubernetes: { path: "k8s.io/kubernetes", version: TOOL_VERSIONS.kubernetes },
    etcd: { path: "go.etcd.io/etcd/server/v3", version: TOOL_VERSIONS.etcd },
    coredns: { path: "github.com/coredns/coredns", version: TOOL_VERSIONS.coredns },
    kubeRouter: { path: "github.com/cloudnativelabs/kube-router/v2", version: TOOL_VERSIONS.kubeRouter },
    versitygw: { path: "github.com/versity/versitygw", version: TOOL_VERSIONS.versitygw },
    thanos: { path: "github.com/thanos-io/thanos", version: TOOL_VERSIONS.thanos },
    /** Prometheus v3.x.y is published as the Go module version v0.3xx.y. */
    prometheus: { path: "github.com/prometheus/prometheus", version: prometheusModuleVersion(TOOL_VERSIONS.prometheus) },
    prometheusOperator: { path: "github.com/prometheus-operator/prometheus-operator", version: TOOL_VERSIONS.prometheusOperator },
    alertmanager: { path: "github.com/prometheus/alertmanager", version: TOOL_VERSIONS.alertmanager },
    pushgateway: { path: "github.com/prometheus/pushgateway", version: TOOL_VERSIONS.pushgateway },
} as const satisfies Record<string, GoModule>;

/**
 * kube-router v2.1.0 is the only release the proxy serves, and advisories are reported against the dependencies
 * it was released with; the bench builds it with these newer releases of them (minimum version selection).
 */
export const KUBE_ROUTER_DEPENDENCY_FLOORS: readonly GoModule[] = [
    { path: "golang.org/x/net", version: "v0.62.0" },
    { path: "google.golang.org/grpc", version: "v1.85.0" },
    { path: "google.golang.org/protobuf", version: "v1.36.12" },
    { path: "github.com/docker/docker", version: "v28.5.2+incompatible" },
    { path: "github.com/osrg/gobgp/v3", version: "v3.37.0" },
];

/** Debian packages the bench installs with apt-get (their versions are Debian's; the report records them). */
export const DEBIAN_PACKAGES = [
    "containerd",
    "runc",
    "containernetworking-plugins",
    "iptables",
    "ipset",
    "nftables",
    "conntrack",
    "iproute2",
    "openssl",
    "busybox-static",
    "memcached",
    "socat",
    "util-linux",
    "mount",
] as const;

/** `v3.13.2` -> `v0.313.2`. */
export function prometheusModuleVersion(release: string): string {
    const m = /^v3\.(\d+)\.(\d+)$/.exec(release);
    if (!m) throw new Error(`Prometheus release '${release}' is not of the form v3.<minor>.<patch>`);
    return `v0.3${m[1]!.padStart(2, "0")}.${m[2]}`;
}
