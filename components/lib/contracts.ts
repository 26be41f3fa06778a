/**
 * The seams between components: what the object-storage components hand to
 * the workloads that use the bucket, and how StoreAPI endpoints are described.
 * Plain values (names are known from the configuration), so invariants can be
 * checked before any resource is created.
 */

/** A component that reads or writes the bucket: one of {@link BUCKET_USERS}. */
export const BucketUser = { Prometheus: "prometheus", Ruler: "ruler", StoreGateway: "storeGateway", Compactor: "compactor" } as const;
/** A component that reads or writes the bucket: one of `BUCKET_USERS`. */
export type BucketUser = (typeof BucketUser)[keyof typeof BucketUser];
/** The components that read or write the bucket; each gets its own ServiceAccount and IAM role. */
export const BUCKET_USERS: readonly BucketUser[] = Object.values(BucketUser);

/** The ServiceAccount name of each bucket user. */
export interface BucketUserNames {
    /** The Prometheus pods (sidecar uploads). */
    prometheus: string;
    /** The Thanos ruler. */
    ruler: string;
    /** The store gateways. */
    storeGateway: string;
    /** The compactor. */
    compactor: string;
}

/** The Kubernetes Secret holding the Thanos objstore configuration (`type: S3`). */
export interface ObjstoreSecretRef {
    /** Secret name (in the stack's namespace). */
    name: string;
    /** Key of the objstore YAML inside the Secret. */
    key: string;
}

/** The key of the objstore YAML inside its Secret. */
export const OBJSTORE_SECRET_KEY = "objstore.yml";

/** Where a component mounts the objstore Secret, and the file it passes to `--objstore.config-file`. */
export const OBJSTORE_MOUNT_PATH = "/etc/thanos/objstore";

/** A StoreAPI the querier must reach. */
export interface StoreEndpoint {
    /** Address in Thanos service-discovery syntax, e.g. `dnssrv+_grpc._tcp.thanos-ruler.monitoring.svc.cluster.local` or `host:port`. */
    address: string;
    /**
     * When true, the address is one group of replicas holding the same data (e.g. the replicas of one store
     * shard): the querier load-balances across them instead of fanning out. Thanos `endpoint.sd-config` `group`.
     */
    group: boolean;
    /**
     * Thanos `strict`: the querier keeps the endpoint in every query even while it fails its health checks, so a
     * query that cannot reach it says so (a partial-response warning, or an error without partial response)
     * instead of silently returning less. Only static `host:port` addresses may be strict (Thanos refuses a
     * strict `dns+`/`dnssrv+` address at startup).
     * @default false
     */
    strict?: boolean;
    /** What this endpoint is, for error messages (`store shard 0`, `prometheus sidecars`). */
    description: string;
    /**
     * TLS towards this endpoint (a remote collector), as the querier's per-endpoint `client_config` in
     * `--endpoint.sd-config`. Only static `host:port` addresses (or groups) honour it: Thanos dials
     * `dns+`/`dnssrv+` endpoints with the global client settings.
     * @default plaintext (in-cluster endpoints)
     */
    tls?: EndpointTls;
}

/** TLS settings of one querier endpoint. */
export interface EndpointTls {
    /**
     * Name the server certificate must carry (SNI and verification).
     * @default the address's host
     */
    serverName?: string;
    /**
     * A Secret in the stack's namespace whose `ca.crt` signs the endpoint's certificate; the querier mounts it.
     * @default the image's system roots
     */
    caSecretName?: string;
}

/** The in-cluster DNS suffix. */
export const CLUSTER_DOMAIN = "cluster.local";

/** Fully qualified in-cluster DNS name of a Service. */
export function serviceFqdn(service: string, namespace: string): string {
    return `${service}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}
