/**
 * The bench cluster's certificates and kubeconfigs, made locally with openssl: one CA, a serving certificate
 * for the API server and the kubelet, a client certificate per component, and the service-account key pair.
 */
import * as fs from "fs";
import * as path from "path";
import { DIRS, NET, NODE_NAME, PORTS } from "./config";
import { capture } from "../lib/exec";

interface Cert {
    /** File stem under the pki directory. */
    readonly name: string;
    readonly cn: string;
    readonly org?: string;
    readonly usage: "server" | "client" | "both";
    readonly dns?: readonly string[];
    readonly ips?: readonly string[];
}

/** Every certificate, by who presents it. */
const CERTS: readonly Cert[] = [
    {
        name: "apiserver",
        cn: "kube-apiserver",
        usage: "server",
        dns: ["kubernetes", "kubernetes.default", "kubernetes.default.svc", `kubernetes.default.svc.${NET.clusterDomain}`, "localhost"],
        ips: [NET.nodeIp, NET.kubernetesServiceIp, "127.0.0.1"],
    },
    { name: "apiserver-kubelet-client", cn: "kube-apiserver-kubelet-client", org: "system:masters", usage: "client" },
    { name: "admin", cn: "thanos-stack-e2e-admin", org: "system:masters", usage: "client" },
    { name: "controller-manager", cn: "system:kube-controller-manager", usage: "client" },
    { name: "scheduler", cn: "system:kube-scheduler", usage: "client" },
    { name: "kube-proxy", cn: "system:kube-proxy", usage: "client" },
    { name: "kube-router", cn: "thanos-stack-e2e:kube-router", usage: "client" },
    { name: "kubelet-client", cn: `system:node:${NODE_NAME}`, org: "system:nodes", usage: "client" },
    { name: "kubelet", cn: NODE_NAME, usage: "server", dns: [NODE_NAME, "localhost"], ips: [NET.nodeIp, "127.0.0.1"] },
];

/** The kubeconfigs, by user; each uses the client certificate of the same name. */
export const KUBECONFIGS = {
    admin: "admin",
    controllerManager: "controller-manager",
    scheduler: "scheduler",
    kubeProxy: "kube-proxy",
    kubeRouter: "kube-router",
    kubelet: "kubelet-client",
} as const;

export const pki = (file: string): string => path.join(DIRS.pki, file);
export const kubeconfigPath = (user: string): string => path.join(DIRS.pki, `${user}.kubeconfig`);

function openssl(args: readonly string[]): void {
    capture("openssl", args);
}

function extensions(cert: Cert): string {
    const eku = { server: "serverAuth", client: "clientAuth", both: "serverAuth,clientAuth" }[cert.usage];
    const san = [...(cert.dns ?? []).map((d) => `DNS:${d}`), ...(cert.ips ?? []).map((i) => `IP:${i}`)];
    return [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        `extendedKeyUsage=${eku}`,
        ...(san.length ? [`subjectAltName=${san.join(",")}`] : []),
    ].join("\n");
}

function issue(cert: Cert): void {
    const key = pki(`${cert.name}.key`);
    const csr = pki(`${cert.name}.csr`);
    const ext = pki(`${cert.name}.ext`);
    const subject = `${cert.org ? `/O=${cert.org}` : ""}/CN=${cert.cn}`;
    openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", csr, "-subj", subject]);
    fs.writeFileSync(ext, `${extensions(cert)}\n`);
    openssl(["x509", "-req", "-in", csr, "-CA", pki("ca.crt"), "-CAkey", pki("ca.key"), "-CAcreateserial", "-days", "365", "-sha256", "-extfile", ext, "-out", pki(`${cert.name}.crt`)]);
    fs.rmSync(csr);
    fs.rmSync(ext);
}

function kubeconfig(user: string, server: string): string {
    const b64 = (file: string): string => fs.readFileSync(pki(file)).toString("base64");
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: thanos-e2e",
        "  cluster:",
        `    server: ${server}`,
        `    certificate-authority-data: ${b64("ca.crt")}`,
        "users:",
        `- name: ${user}`,
        "  user:",
        `    client-certificate-data: ${b64(`${user}.crt`)}`,
        `    client-key-data: ${b64(`${user}.key`)}`,
        "contexts:",
        "- name: thanos-e2e",
        "  context:",
        "    cluster: thanos-e2e",
        `    user: ${user}`,
        "current-context: thanos-e2e",
        "",
    ].join("\n");
}

/** The API server's address, as seen from the host and from the node namespace alike. */
export const API_SERVER = `https://${NET.nodeIp}:${PORTS.apiserver}`;

/** Creates every certificate and kubeconfig that does not exist yet. Returns how many certificates were issued. */
export function ensurePki(): number {
    fs.mkdirSync(DIRS.pki, { recursive: true, mode: 0o700 });
    if (!fs.existsSync(pki("ca.crt"))) {
        openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", pki("ca.key"), "-out", pki("ca.crt"), "-days", "3650", "-subj", "/CN=thanos-stack-e2e-ca", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"]);
    }
    if (!fs.existsSync(pki("sa.key"))) {
        openssl(["genrsa", "-out", pki("sa.key"), "2048"]);
        openssl(["rsa", "-in", pki("sa.key"), "-pubout", "-out", pki("sa.pub")]);
    }
    let issued = 0;
    for (const cert of CERTS) {
        if (fs.existsSync(pki(`${cert.name}.crt`))) continue;
        issue(cert);
        issued++;
    }
    for (const user of Object.values(KUBECONFIGS)) {
        const file = kubeconfigPath(user);
        if (!fs.existsSync(file)) fs.writeFileSync(file, kubeconfig(user, API_SERVER), { mode: 0o600 });
    }
    return issued;
}
