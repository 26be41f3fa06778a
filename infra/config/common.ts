/**
 * Schema pieces shared by the configuration sections.
 */
import { z } from "zod";
import type { ResourceRequirements } from "../../components/defaults";
import { parseQuantity } from "../../components/lib/quantity";
import { quantity, text } from "./rules";

/** A cross-field problem found after the per-field rules passed. */
export interface Problem {
    path: string[];
    message: string;
    input: unknown;
}

/** Requests and limits of one container; every leaf defaults to the component's production value. */
export function resources(d: ResourceRequirements) {
    return z
        .strictObject({
            requests: z
                .strictObject({
                    cpu: quantity().default(d.requests.cpu).meta({ description: "CPU request." }),
                    memory: quantity().default(d.requests.memory).meta({ description: "Memory request." }),
                })
                .prefault({})
                .meta({ description: "What the scheduler reserves for the container." }),
            limits: z
                .strictObject({
                    memory: quantity()
                        .default(d.limits.memory)
                        .meta({ description: "Memory limit (GOMEMLIMIT is derived from it)." }),
                    cpu: quantity().optional().meta({ description: "CPU limit (unset by default: throttling hurts Go latency)." }),
                })
                .prefault({})
                .meta({ description: "What the container may use at most." }),
        })
        .prefault({})
        .meta({ description: "Container resources." });
}

export function storage(size: string) {
    return z
        .strictObject({
            size: quantity()
                .refine((q) => (parseQuantity(q) ?? 0) > 0, { error: "must be a volume size greater than zero, like 50Gi" })
                .default(size)
                .meta({ description: "Size of the persistent volume per pod." }),
            storageClass: text()
                .optional()
                .meta({ description: "StorageClass of the volume (the stack's `storageClass.name` when unset)." }),
        })
        .prefault({})
        .meta({ description: "The persistent volume of each pod." });
}

