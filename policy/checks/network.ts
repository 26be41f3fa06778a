/**
 * Network isolation: every namespace with workloads denies all traffic by default, and every pod has a
 * NetworkPolicy of its own that allows what it needs.
 */
import { PROMETHEUS, THANOS, LABELS } from "../../components/constants";
import { at, Check, isRecord, list, ResourceView, StackCheck, str } from "./types";
import { isKubernetes, podsOf } from "./workloads";

/** A pod the stack runs: its namespace and labels, and what describes it (for messages). */
interface PodLabels {
    where: string;
    namespace: string;
    labels: Record<string, string>;
}

function stringRecord(v: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (isRecord(v)) for (const [k, val] of Object.entries(v)) if (typeof val === "string") out[k] = val;
    return out;
}

/** Labels the Prometheus Operator puts on the pods of its resources (besides `spec.podMetadata.labels`). */
function operatorPodLabels(kind: string, name: string): Record<string, string> | undefined {
    const common = { [LABELS.instance]: name, [LABELS.managedBy]: "prometheus-operator" };
    if (kind === "Prometheus") return { ...common, [LABELS.name]: "prometheus", [PROMETHEUS.operatorNameLabel]: name, prometheus: name };
    if (kind === "Alertmanager") return { ...common, [LABELS.name]: "alertmanager", [PROMETHEUS.alertmanagerNameLabel]: name };
    if (kind === "ThanosRuler") return { ...common, [LABELS.name]: THANOS.operatorRuler.nameLabelValue, [THANOS.operatorRuler.instanceLabel]: name };
    return undefined;
}

/** Every pod the resources describe: workload templates and the Operator's resources. */
function stackPods(resources: ResourceView[]): PodLabels[] {
    const pods: PodLabels[] = podsOf(resources)
        .filter((p) => p.namespace !== undefined && p.spec["hostNetwork"] !== true)
        .map((p) => ({ where: `${p.kind} ${p.namespace}/${p.name}`, namespace: p.namespace!, labels: p.labels }));
    for (const r of resources) {
        if (!isKubernetes(r)) continue;
        const kind = String(r.props["kind"]);
        const name = str(at(r.props, "metadata", "name"));
        const namespace = str(at(r.props, "metadata", "namespace"));
        if (name === undefined || namespace === undefined) continue;
        const operatorLabels = operatorPodLabels(kind, name);
        if (operatorLabels) pods.push({ where: `${kind} ${namespace}/${name}`, namespace, labels: { ...stringRecord(at(r.props, "spec", "podMetadata", "labels")), ...operatorLabels } });
    }
    return pods;
}

/** Whether a Kubernetes label selector (matchLabels and matchExpressions) selects the labels; `{}` selects everything. */
export function labelSelectorMatches(selector: unknown, labels: Record<string, string>): boolean {
    if (!isRecord(selector)) return false;
    for (const [k, v] of Object.entries(stringRecord(selector["matchLabels"]))) if (labels[k] !== v) return false;
    for (const e of list(selector["matchExpressions"])) {
        const key = str(at(e, "key")) ?? "";
        const values = list(at(e, "values")).filter((x): x is string => typeof x === "string");
        const op = str(at(e, "operator"));
        const has = key in labels;
        if (op === "In" && !(has && values.includes(labels[key]!))) return false;
        if (op === "NotIn" && has && values.includes(labels[key]!)) return false;
        if (op === "Exists" && !has) return false;
        if (op === "DoesNotExist" && has) return false;
    }
    return true;
}

interface PolicyView {
    name: string;
    namespace: string;
    podSelector: unknown;
    types: string[];
    ingress: unknown[];
    egress: unknown[];
}

function networkPolicies(resources: ResourceView[]): PolicyView[] {
    return resources
        .filter((r) => isKubernetes(r) && r.props["kind"] === "NetworkPolicy")
        .map((r) => {
            const spec = at(r.props, "spec");
            const ingress = list(at(spec, "ingress"));
            const egress = list(at(spec, "egress"));
            const declared = list(at(spec, "policyTypes")).filter((t): t is string => typeof t === "string");
            // Kubernetes' defaults: Ingress always, Egress when egress rules are present.
            const types = declared.length > 0 ? declared : ["Ingress", ...(egress.length > 0 ? ["Egress"] : [])];
            return { name: str(at(r.props, "metadata", "name")) ?? r.name, namespace: str(at(r.props, "metadata", "namespace")) ?? "", podSelector: at(spec, "podSelector"), types, ingress, egress };
        });
}

/** A policy that selects every pod, governs ingress and egress, and allows nothing. */
function isDefaultDeny(p: PolicyView): boolean {
    const sel = p.podSelector;
    const selectsAll = isRecord(sel) && Object.keys(stringRecord(sel["matchLabels"])).length === 0 && list(sel["matchExpressions"]).length === 0;
    return selectsAll && p.types.includes("Ingress") && p.types.includes("Egress") && p.ingress.length === 0 && p.egress.length === 0;
}

export const networkIsolation: StackCheck = {
    kind: "stack",
    name: "network-policies",
    description: "Every namespace with workloads has a default-deny NetworkPolicy (ingress and egress), and every pod is selected by a NetworkPolicy of its own that governs its ingress and egress.",
    check: (resources) => {
        const pods = stackPods(resources);
        const policies = networkPolicies(resources);
        const out: string[] = [];
        for (const ns of [...new Set(pods.map((p) => p.namespace))].sort()) {
            if (!policies.some((p) => p.namespace === ns && isDefaultDeny(p))) out.push(`namespace ${ns}: has workloads but no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)`);
        }
        for (const pod of pods) {
            const own = policies.filter((p) => p.namespace === pod.namespace && !isDefaultDeny(p) && labelSelectorMatches(p.podSelector, pod.labels));
            const specific = own.filter((p) => isRecord(p.podSelector) && (Object.keys(stringRecord(p.podSelector["matchLabels"])).length > 0 || list(p.podSelector["matchExpressions"]).length > 0));
            if (specific.length === 0) out.push(`${pod.where}: no NetworkPolicy selects its pods (labels ${JSON.stringify(pod.labels)})`);
            else if (!specific.some((p) => p.types.includes("Ingress")) || !specific.some((p) => p.types.includes("Egress"))) {
                out.push(`${pod.where}: the NetworkPolicies selecting its pods must govern both Ingress and Egress`);
            }
        }
        return out;
    },
};

/** Every network check. */
export const NETWORK_CHECKS: readonly Check[] = [networkIsolation];
