/**
 * The stack on a real cluster: it deploys and becomes Ready, Pod Security Admission `restricted` admits it and
 * refuses a privileged pod, and the NetworkPolicies are enforced (the querier reaches every StoreAPI; a pod in
 * another namespace reaches none of the gRPC ports).
 */
import { expectThat, type Scenario, type ScenarioContext } from "./types";
import { eventually, type Json } from "../lib/kube";
import { stores } from "../lib/prom";
import { BENCH_IMAGES } from "../images/specs";
import { LABELS, PART_OF, PORTS } from "../../components/constants";
import { SELECT } from "./selectors";

interface Pod {
    metadata: { name: string; namespace: string; uid?: string; labels?: Record<string, string>; ownerReferences?: Array<{ kind: string }> };
    spec: { containers: Array<{ name: string }>; nodeSelector?: Record<string, string>; tolerations?: Array<{ key?: string; operator?: string; effect?: string }> };
    status: {
        phase: string;
        podIP?: string;
        conditions?: Array<{ type: string; status: string }>;
        containerStatuses?: Array<{ name: string; ready: boolean; restartCount: number; containerID?: string }>;
    };
}

export function pods(ctx: ScenarioContext, selector?: string): Pod[] {
    return ctx.kube.items("pods", ctx.namespace, selector) as unknown as Pod[];
}

/** The placement stacks/Pulumi.e2e.yaml gives every pod of the stack. */
const E2E_PLACEMENT = { nodeSelector: { "kubernetes.io/os": "linux" }, toleration: { key: "thanos-stack.io/dedicated", operator: "Exists", effect: "NoSchedule" } };

/** Whether a pod carries the e2e stack's node selector and toleration. */
function placed(p: Pod): boolean {
    const t = E2E_PLACEMENT.toleration;
    const selects = Object.entries(E2E_PLACEMENT.nodeSelector).every(([k, v]) => p.spec.nodeSelector?.[k] === v);
    return selects && (p.spec.tolerations ?? []).some((x) => x.key === t.key && x.operator === t.operator && x.effect === t.effect);
}

const isJobPod = (p: Pod): boolean => (p.metadata.ownerReferences ?? []).some((o) => o.kind === "Job");
const ready = (p: Pod): boolean => p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
const restarts = (p: Pod): number => (p.status.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0);

/** Waits until every long-running pod of the stack is Ready and every Job pod has succeeded. */
export async function waitForStackReady(ctx: ScenarioContext, timeoutMs: number): Promise<Pod[]> {
    return eventually(
        "every pod of the stack Ready",
        () => {
            const all = pods(ctx);
            const notReady = all.filter((p) => (isJobPod(p) ? p.status.phase !== "Succeeded" : !ready(p)));
            return all.length > 0 && notReady.length === 0 ? all : undefined;
        },
        timeoutMs,
    );
}

export const deployReady: Scenario = {
    name: "deploy-ready",
    proves: "pulumi up completes with the real engine and every pod of the stack becomes Ready, none restarting, within Pulumi's waits",
    async run(ctx) {
        // `pulumi up` already waited for every workload (Pulumi's await logic); this checks what it left.
        const all = await waitForStackReady(ctx, 60_000);
        const longRunning = all.filter((p) => !isJobPod(p));
        const restarted = longRunning.filter((p) => restarts(p) > 0).map((p) => `${p.metadata.name} (${restarts(p)})`);
        expectThat(restarted.length === 0, `pods restarted: ${restarted.join(", ")}`);
        // The stack-wide placement reached every pod, the Operator's (Prometheus, Alertmanager, ruler) included.
        const ours = all.filter((p) => p.metadata.labels?.[LABELS.partOf] === PART_OF);
        const unplaced = ours.filter((p) => !placed(p)).map((p) => p.metadata.name);
        expectThat(ours.length > 0 && unplaced.length === 0, `pods without the stack's placement: ${unplaced.join(", ")}`);
        const byComponent: Record<string, number> = {};
        for (const p of longRunning) {
            const c = p.metadata.labels?.["app.kubernetes.io/name"] ?? "other";
            byComponent[c] = (byComponent[c] ?? 0) + 1;
        }
        return { upSeconds: ctx.upSeconds, pods: longRunning.length, jobPods: all.length - longRunning.length, restarts: 0, placedPods: ours.length, otherPods: all.filter((p) => !ours.includes(p)).map((p) => p.metadata.name), podsByComponent: byComponent };
    },
};

/** A pod that PSA `restricted` must refuse (privileged, root, host network). */
function privilegedPod(namespace: string): Json {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "e2e-privileged-probe", namespace },
        spec: { hostNetwork: true, containers: [{ name: "c", image: BENCH_IMAGES.probe, securityContext: { privileged: true, runAsUser: 0 } }] },
    };
}

export const podSecurity: Scenario = {
    name: "pod-security-restricted",
    proves: "Pod Security Admission `restricted` is enforced in the stack's namespace: a privileged pod is refused, every pod of the stack is admitted",
    async run(ctx) {
        const ns = ctx.kube.get("namespace", undefined, ctx.namespace) as { metadata: { labels?: Record<string, string> } };
        const enforce = ns.metadata.labels?.["pod-security.kubernetes.io/enforce"];
        expectThat(enforce === "restricted", `namespace ${ctx.namespace} enforces ${enforce ?? "nothing"}, not restricted`);
        const attempt = ctx.kube.attempt(["create", "--dry-run=server", "-f", "-"], JSON.stringify(privilegedPod(ctx.namespace)));
        expectThat(!attempt.ok, "a privileged pod was admitted into the stack's namespace");
        expectThat(/violates PodSecurity "restricted/.test(attempt.out), `the privileged pod was refused, but not by Pod Security Admission: ${attempt.out}`);
        const admitted = pods(ctx).length;
        return { enforce, privilegedPodRefused: true, podsAdmitted: admitted, refusal: attempt.out.split("\n").find((l) => l.includes("violates")) ?? "" };
    },
};

const OUTSIDER_NAMESPACE = "e2e-outsider";

/** A restricted-compliant busybox pod in another namespace, to try connections from. */
function outsiderObjects(): Json[] {
    return [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: OUTSIDER_NAMESPACE, labels: { "pod-security.kubernetes.io/enforce": "restricted" } } },
        {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "probe", namespace: OUTSIDER_NAMESPACE, labels: { app: "e2e-probe" } },
            spec: {
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "probe",
                        image: BENCH_IMAGES.probe,
                        imagePullPolicy: "IfNotPresent",
                        command: ["sleep", "86400"],
                        resources: { requests: { cpu: "5m", memory: "8Mi" }, limits: { memory: "32Mi" } },
                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                    },
                ],
            },
        },
    ];
}

/** Whether a TCP connection from the outsider probe to ip:port succeeds within 3 seconds. */
function outsiderConnects(ctx: ScenarioContext, ip: string, port: number): boolean {
    return ctx.kube.attempt(["-n", OUTSIDER_NAMESPACE, "exec", "probe", "--", "sh", "-c", `nc -w 3 ${ip} ${port} </dev/null`]).ok;
}

export async function outsiderProbe(ctx: ScenarioContext): Promise<(ip: string, port: number) => boolean> {
    ctx.kube.apply(outsiderObjects());
    await ctx.kube.runAsync(["-n", OUTSIDER_NAMESPACE, "wait", "--for=condition=Ready", "pod/probe", "--timeout=120s"]);
    return (ip, port) => outsiderConnects(ctx, ip, port);
}

export const networkPolicies: Scenario = {
    name: "network-policies-enforced",
    proves: "NetworkPolicies are enforced: the querier reaches every StoreAPI (sidecars, store shards, rulers), and a pod in another namespace cannot reach the store gateway's or the sidecars' gRPC port",
    async run(ctx) {
        // Sidecars and rulers are one endpoint per pod; each store shard (and time partition) is one endpoint group
        // that the querier balances over the shard's replicas.
        const storeShards = new Set(pods(ctx, SELECT.store).map((p) => p.metadata.labels?.["app.kubernetes.io/instance"]));
        const expected = {
            sidecar: pods(ctx, SELECT.prometheus).length,
            store: storeShards.size,
            rule: pods(ctx, SELECT.ruler).length,
        };
        const forward = await ctx.kube.portForward(ctx.namespace, "svc/thanos-query", PORTS.thanosHttp);
        let healthy: Record<string, number>;
        try {
            healthy = await eventually(
                "the querier to see every StoreAPI healthy",
                async () => {
                    const byType = await stores(forward.url);
                    const counts = Object.fromEntries(Object.entries(byType).map(([t, list]) => [t, list.filter((s) => !s.lastError).length]));
                    return (Object.keys(expected) as Array<keyof typeof expected>).every((t) => (counts[t] ?? 0) === expected[t]) ? counts : undefined;
                },
                180_000,
            );
        } finally {
            forward.close();
        }
        const connects = await outsiderProbe(ctx);
        const dns = (ctx.kube.items("pods", "kube-system", "k8s-app=kube-dns") as unknown as Pod[])[0]?.status.podIP;
        expectThat(dns !== undefined, "no CoreDNS pod to use as the probe's control");
        // Control: the probe can connect where no policy applies (CoreDNS), so refusals below are the policies' doing.
        expectThat(connects(dns, PORTS.dns), `the outsider probe cannot reach CoreDNS at ${dns}:53, so it proves nothing`);
        const targets = [
            ...pods(ctx, SELECT.store).map((p) => ({ what: `store ${p.metadata.name}`, ip: p.status.podIP! })),
            ...pods(ctx, SELECT.prometheus).map((p) => ({ what: `sidecar ${p.metadata.name}`, ip: p.status.podIP! })),
        ];
        const reached = targets.filter((t) => connects(t.ip, PORTS.thanosGrpc)).map((t) => t.what);
        expectThat(reached.length === 0, `a pod in another namespace reached gRPC ${PORTS.thanosGrpc} of: ${reached.join(", ")}`);
        return { storeApisHealthy: healthy, expected, deniedFromOtherNamespace: targets.length, controlReachable: true };
    },
};

/** One `kubectl port-forward` line of the stack output `access`: its namespace, target and remote port. */
export function parseAccessLine(line: string): { namespace: string; target: string; remotePort: number } | undefined {
    const m = /^kubectl(?: --context \S+)? -n (\S+) port-forward (\S+) \d+:(\d+)\s/.exec(line);
    return m ? { namespace: m[1]!, target: m[2]!, remotePort: Number(m[3]) } : undefined;
}

/** The readiness path each UI serves (Thanos, Alertmanager and Prometheus all answer `/-/ready`). */
const READY_PATH = "/-/ready";

export const accessLines: Scenario = {
    name: "access-lines-work",
    proves: "every port-forward line the stack output `access` prints reaches its UI on the real cluster: the querier, query-frontend, ruler, Alertmanager and a Prometheus shard answer ready through it",
    async run(ctx) {
        const access = (await ctx.engine.outputs())["access"] as Record<string, string> | undefined;
        expectThat(access !== undefined, "the stack has no output `access`");
        const reached: string[] = [];
        for (const ui of ["query", "querier", "ruler", "alertmanager", "prometheus"]) {
            const line = access![ui];
            const parsed = line === undefined ? undefined : parseAccessLine(line);
            expectThat(parsed !== undefined, `access.${ui} is not a port-forward line: ${JSON.stringify(line)}`);
            expectThat(parsed!.namespace === ctx.namespace, `access.${ui} names namespace ${parsed!.namespace}, the stack's is ${ctx.namespace}`);
            const forward = await ctx.kube.portForward(parsed!.namespace, parsed!.target, parsed!.remotePort);
            try {
                const status = await eventually(
                    `${ui} ready through ${parsed!.target}:${parsed!.remotePort}`,
                    async () => {
                        const r = await fetch(`${forward.url}${READY_PATH}`).catch(() => undefined);
                        return r?.ok ? r.status : undefined;
                    },
                    30_000,
                    1000,
                );
                reached.push(`${ui} ${status}`);
            } finally {
                forward.close();
            }
        }
        return { uis: reached.length, reached };
    },
};
