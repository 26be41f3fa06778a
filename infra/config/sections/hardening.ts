/**
 * Production hardening: the PriorityClass of the stack's pods and the namespace's NetworkPolicies.
 */
import { z } from "zod";
import { DEFAULTS } from "../../../components/defaults";
import { MAX_USER_PRIORITY } from "../../../components/stack/priorityClass";
import { bool, integer } from "../rules";

const CIDR_RULE = "must be an IPv4 CIDR like 10.0.0.0/16 or 0.0.0.0/0";
const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;

/** An IPv4 CIDR block. */
function cidr() {
    return z.string({ error: CIDR_RULE }).regex(IPV4_CIDR, { error: CIDR_RULE });
}

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
            .array(cidr(), { error: "must be a list of IPv4 CIDRs" })
            .min(1, { error: "must list at least one CIDR" })
            .default([...DEFAULTS.networkPolicies.kubeApiServerCidrs])
            .meta({ description: "Addresses of the Kubernetes API server (e.g. the EKS control-plane subnets); a NetworkPolicy cannot name the API server otherwise." }),
        kubeApiServerPorts: z
            .array(integer(1, 65535), { error: "must be a list of ports" })
            .min(1, { error: "must list at least one port" })
            .default([...DEFAULTS.networkPolicies.kubeApiServerPorts])
            .meta({ description: "Ports of the Kubernetes API server (443 on EKS, 6443 on kubeadm and kind)." }),
        objectStoreCidrs: z
            .array(cidr(), { error: "must be a list of IPv4 CIDRs" })
            .min(1, { error: "must list at least one CIDR" })
            .default([...DEFAULTS.networkPolicies.objectStoreCidrs])
            .meta({ description: "Addresses bucket users may reach S3 and STS at over HTTPS (S3 has no fixed addresses a NetworkPolicy could name)." }),
    })
    .prefault({})
    .meta({ description: "NetworkPolicies of the stack namespace." });
