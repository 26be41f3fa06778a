/** Label selectors of the stack's pods, from the components' own constants (what the scenarios look for). */
import { LABELS, PROMETHEUS, THANOS } from "../../components/constants";
import { DATA_VOLUME } from "../../components/lib/thanos";

const name = (value: string): string => `${LABELS.name}=${value}`;

export const SELECT = {
    /** Every Prometheus pod (each runs the Thanos sidecar). */
    prometheus: name("prometheus"),
    store: name(THANOS.componentNames.store),
    query: name(THANOS.componentNames.query),
    queryFrontend: name(THANOS.componentNames.queryFrontend),
    compact: name(THANOS.componentNames.compact),
    alertmanager: name("alertmanager"),
    /** The Operator's ThanosRuler pods carry its own name label. */
    ruler: name(THANOS.operatorRuler.nameLabelValue),
} as const;

/** The StatefulSet (and headless Service) names of the store gateway's shard `shard`, whatever the shard count. */
export function storeShardSelector(shard: number): string {
    return `${SELECT.store},${THANOS.storeShardLabel}=${shard}`;
}

/** Whether a volume claim is a store gateway's (`data-thanos-store-...`: a cache of the bucket's index headers). */
export function isStoreClaim(claim: string): boolean {
    return claim.startsWith(`${DATA_VOLUME}-${THANOS.componentNames.store}-`);
}

/** The Operator's shard number of a Prometheus pod, from its labels. */
export const shardOf = (labels: Record<string, string> | undefined): string | undefined => labels?.[PROMETHEUS.operatorShardLabel];
