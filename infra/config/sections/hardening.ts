/**
 * Production hardening: the PriorityClass of the stack's pods and the namespace's NetworkPolicies.
 */
import { z } from "zod";
import { DEFAULTS } from "../../../components/defaults";
import { MAX_USER_PRIORITY } from "../../../components/stack/priorityClass";
import { DEFAULT_RECLAIM_POLICY, DEFAULT_STORAGE_CLASS, KMS_KEY_ARN_RE, ReclaimPolicy, STORAGE_CLASS_NAME_RE } from "../../../components/storage/storageClass";
import { bool, dnsLabel, integer, labelValue, text } from "../rules";

const CIDR_RULE = "must be a CIDR like 10.0.0.0/16, 0.0.0.0/0, fd00::/8 or ::/0";
const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*\/(12[0-8]|1[01]\d|[1-9]?\d)$/;

/** An IPv4 or IPv6 CIDR block. */
function cidr() {
    return z.string({ error: CIDR_RULE }).refine((v) => IPV4_CIDR.test(v) || (IPV6_CIDR.test(v) && (v.match(/::/g) ?? []).length <= 1), { error: CIDR_RULE });
}

const PORT_RULE = "must be a port between 1 and 65535";
/** Ports of an extra rule: numbers, each TCP unless it says UDP. */
const rulePorts = z
    .array(z.strictObject({ port: integer(1, 65535).meta({ description: PORT_RULE }), protocol: z.enum(["TCP", "UDP"], { error: "must be TCP or UDP" }).default("TCP").meta({ description: "Transport protocol of the port." }) }), { error: "must be a list of {port, protocol}" })
    .min(1, { error: "must list at least one port" });

/** The peer of an extra rule: pods (by namespace and/or labels) or addresses outside the pod network. */
const rulePeer = z
    .strictObject({
        namespace: dnsLabel().optional().meta({ description: "Pods of this namespace (with `podLabels`: only those)." }),
        podLabels: z.record(z.string(), labelValue()).optional().meta({ description: "Pods with these labels (in the stack's namespace unless `namespace` is set)." }),
        cidr: cidr().optional().meta({ description: "Addresses outside the pod network (not with `namespace` or `podLabels`)." }),
    })
    .refine((p) => (p.cidr !== undefined) !== (p.namespace !== undefined || p.podLabels !== undefined), { error: "must name either a cidr or pods (namespace and/or podLabels)" });
const workloadId = text("a workload id, like grafana or query (a policy's name without the stack prefix)").meta({
    description: "Workload id: the name of its NetworkPolicy without `<stack>-` (`grafana`, `query`, `query-frontend`, `rule`, `prometheus`, ...).",
});
const extraIngress = z.strictObject({ workload: workloadId, from: rulePeer.meta({ description: "Where the traffic comes from." }), ports: rulePorts.meta({ description: "Ports (TCP unless UDP is named)." }) });
const extraEgress = z.strictObject({ workload: workloadId, to: rulePeer.meta({ description: "Where the traffic goes." }), ports: rulePorts.meta({ description: "Ports (TCP unless UDP is named)." }) });

/** `priorityClass` section. */
export const priorityClass = z
    .strictObject({
        value: integer(1, MAX_USER_PRIORITY)
            .default(DEFAULTS.priorityClass.value)
            .meta({ description: "Priority of every pod of the stack: above ordinary workloads (0), below the system classes. The stack creates the PriorityClass `<namespace>-thanos`." }),
    })
    .prefault({})
    .meta({ description: "The PriorityClass every monitoring pod runs with (preempts lower priorities; never the cluster default)." });

/** `networkPolicies` section. */
export const networkPolicies = z
    .strictObject({
        enabled: bool()
            .default(DEFAULTS.networkPolicies.enabled)
            .meta({ description: "Create the NetworkPolicies: default deny in the namespace, then exactly the flows the stack is wired with. kind's default CNI (kindnet) does not enforce them." }),
        kubeApiServerCidrs: z
            .array(cidr(), { error: "must be a list of CIDRs" })
            .min(1, { error: "must list at least one CIDR" })
            .optional()
            .meta({ description: "Addresses of the Kubernetes API server (e.g. the EKS control-plane subnets); a NetworkPolicy cannot name the API server otherwise. Every address of `ipFamilies` when unset." }),
        kubeApiServerPorts: z
            .array(integer(1, 65535), { error: "must be a list of ports" })
            .min(1, { error: "must list at least one port" })
            .default([...DEFAULTS.networkPolicies.kubeApiServerPorts])
            .meta({ description: "Ports of the Kubernetes API server (443 on EKS, 6443 on kubeadm and kind)." }),
        objectStoreCidrs: z
            .array(cidr(), { error: "must be a list of CIDRs" })
            .min(1, { error: "must list at least one CIDR" })
            .optional()
            .meta({ description: "Addresses bucket users may reach S3 and STS at over HTTPS (S3 has no fixed addresses a NetworkPolicy could name). Every address of `ipFamilies` when unset." }),
        ipFamilies: z
            .array(z.enum(["IPv4", "IPv6"], { error: "must be IPv4 or IPv6" }), { error: "must be a list of IP families" })
            .min(1, { error: "must name at least one IP family" })
            .default([...DEFAULTS.networkPolicies.ipFamilies])
            .meta({ description: "The pod network's IP families: `[IPv4]`, `[IPv6]` (EKS IPv6 clusters) or both (dual stack). What \"any address\" is in every policy (0.0.0.0/0, ::/0)." }),
        dnsCidrs: z
            .array(cidr(), { error: "must be a list of CIDRs" })
            .default([])
            .meta({ description: "Further DNS servers every pod may reach on port 53 (UDP and TCP): NodeLocal DNSCache's address (169.254.20.10/32) and, in its default mode that intercepts the kube-dns Service IP, that IP (e.g. 172.20.0.10/32)." }),
        additionalIngress: z.array(extraIngress, { error: "must be a list of extra ingress rules" }).default([]).meta({ description: "Extra ingress a workload needs (a peer the stack does not know about)." }),
        additionalEgress: z.array(extraEgress, { error: "must be a list of extra egress rules" }).default([]).meta({ description: "Extra egress a workload needs (e.g. an HTTP proxy Grafana's plugins go through)." }),
    })
    .prefault({})
    .meta({ description: "NetworkPolicies of the stack namespace." });

/** `storageClass` section. */
export const storageClass = z
    .strictObject({
        create: bool()
            .default(true)
            .meta({ description: "Create the StorageClass every volume names: encrypted gp3 of the EBS CSI driver, `WaitForFirstConsumer`, expandable (EKS >= 1.30 has no default class). `false`: `name` must be a class that exists." }),
        name: z
            .string({ error: "must be a Kubernetes object name" })
            .regex(STORAGE_CLASS_NAME_RE, { error: "must be a Kubernetes object name" })
            .default(DEFAULT_STORAGE_CLASS)
            .meta({ description: "The StorageClass of every volume without its own `storageClass`." }),
        kmsKeyArn: z
            .string({ error: "must be a KMS key ARN" })
            .regex(KMS_KEY_ARN_RE, { error: "must be a KMS key ARN, like arn:aws:kms:eu-west-1:123456789012:key/..." })
            .optional()
            .meta({ description: "KMS key that encrypts the volumes (the account's default EBS key when unset). Only with `create`." }),
        reclaimPolicy: z
            .enum([ReclaimPolicy.Retain, ReclaimPolicy.Delete], { error: "must be Retain or Delete" })
            .default(DEFAULT_RECLAIM_POLICY)
            .meta({ description: "What happens to a volume whose claim is deleted: `Retain` (a deleted claim never deletes metrics by itself) or `Delete`." }),
    })
    .prefault({})
    .meta({ description: "The StorageClass of the stack's volumes." });
