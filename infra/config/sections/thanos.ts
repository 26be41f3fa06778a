/**
 * The Thanos read and maintenance path: store gateway, querier, query-frontend, compactor, ruler.
 */
import { z } from "zod";
import { DEFAULTS } from "../../../components/defaults";
import { resources, storage } from "../common";
import { bool, duration, integer } from "../rules";

/** `storeGateway` section. */
export const storeGateway = z
    .strictObject({
        shards: integer(1, 256).default(DEFAULTS.storeGateway.shards).meta({ description: "Hash shards over block IDs." }),
        replicas: integer(1, 10).default(DEFAULTS.storeGateway.replicas).meta({ description: "Replicas per shard." }),
        storage: storage(DEFAULTS.storeGateway.storageSize),
        resources: resources(DEFAULTS.storeGateway.resources),
    })
    .prefault({})
    .meta({ description: "Thanos store gateway." });

/** `querier` section. */
export const querier = z
    .strictObject({
        replicas: integer(1, 20).default(DEFAULTS.querier.replicas).meta({ description: "Querier replicas." }),
        resources: resources(DEFAULTS.querier.resources),
    })
    .prefault({})
    .meta({ description: "Thanos querier." });

/** `queryFrontend` section. */
export const queryFrontend = z
    .strictObject({
        replicas: integer(1, 20).default(DEFAULTS.queryFrontend.replicas).meta({ description: "Query-frontend replicas." }),
        resources: resources(DEFAULTS.queryFrontend.resources),
    })
    .prefault({})
    .meta({ description: "Thanos query-frontend." });

/** `compactor` section. */
export const compactor = z
    .strictObject({
        retention: z
            .strictObject({
                raw: duration().default(DEFAULTS.compactor.retention.raw).meta({ description: "Retention of raw samples (>= 40h while downsampling is on)." }),
                fiveMinutes: duration().default(DEFAULTS.compactor.retention.fiveMinutes).meta({ description: "Retention of 5m downsampled data (>= 10d while downsampling is on)." }),
                oneHour: duration().default(DEFAULTS.compactor.retention.oneHour).meta({ description: "Retention of 1h downsampled data." }),
            })
            .prefault({})
            .meta({ description: "Retention per resolution; always explicit (Thanos' own default is forever)." }),
        downsampling: bool().default(DEFAULTS.compactor.downsampling).meta({ description: "Downsample to 5m and 1h resolutions." }),
        deleteDelay: duration().default(DEFAULTS.compactor.deleteDelay).meta({ description: "How long a block marked for deletion stays in the bucket (store gateways ignore it after half of this)." }),
        storage: storage(DEFAULTS.compactor.storageSize),
        resources: resources(DEFAULTS.compactor.resources),
    })
    .prefault({})
    .meta({ description: "Thanos compactor (exactly one per bucket stream)." });

/** `ruler` section. */
export const ruler = z
    .strictObject({
        replicas: integer(1, 10).default(DEFAULTS.ruler.replicas).meta({ description: "Ruler replicas (each a block producer with its own replica label)." }),
        storage: storage(DEFAULTS.ruler.storageSize),
        resources: resources(DEFAULTS.ruler.resources),
    })
    .prefault({})
    .meta({ description: "Thanos ruler (evaluates the `global`-scope rules through the querier)." });

