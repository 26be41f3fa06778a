/**
 * Prometheus shards, Alertmanager and Pushgateway.
 */
import { z } from "zod";
import { DEFAULTS } from "../../../components/defaults";
import { resources, storage } from "../common";
import { bool, duration, integer } from "../rules";

/** `prometheus` section. */
export const prometheus = z
    .strictObject({
        shards: integer(1, 256).default(DEFAULTS.prometheus.shards).meta({ description: "Number of Prometheus shards (targets are split by hashmod)." }),
        replicas: integer(1, 10).default(DEFAULTS.prometheus.replicas).meta({ description: "Replicas per shard (HA pairs; deduplicated by the querier)." }),
        retention: duration().default(DEFAULTS.prometheus.retention).meta({ description: "Local TSDB retention; at least 6h (3 x the 2h block duration)." }),
        storage: storage(DEFAULTS.prometheus.storageSize).meta({ description: "Persistent volume of each Prometheus pod." }),
        resources: resources(DEFAULTS.prometheus.resources),
        sidecarResources: resources(DEFAULTS.prometheus.sidecarResources).meta({ description: "Resources of the Thanos sidecar container." }),
    })
    .prefault({})
    .meta({ description: "The sharded Prometheus (Prometheus Operator `Prometheus` resource)." });

/** `alertmanager` section. */
export const alertmanager = z
    .strictObject({
        replicas: integer(1, 10).default(DEFAULTS.alertmanager.replicas).meta({ description: "Alertmanager replicas (a gossip cluster)." }),
        storage: storage(DEFAULTS.alertmanager.storageSize),
        resources: resources(DEFAULTS.alertmanager.resources),
    })
    .prefault({})
    .meta({ description: "Alertmanager." });

/** `pushgateway` section. */
export const pushgateway = z
    .strictObject({
        enabled: bool().default(true).meta({ description: "Deploy the Pushgateway (always exactly one replica)." }),
        resources: resources(DEFAULTS.pushgateway.resources),
    })
    .prefault({})
    .meta({ description: "Pushgateway, for jobs that cannot be scraped." });

