/**
 * A second cluster joining the metrics stack as a collector, composed from the
 * components: sharded, HA Prometheus with Thanos sidecars that upload every 2h
 * block to the SAME bucket as the central cluster. The central cluster's
 * querier reads recent data from these sidecars (the exported
 * `storeEndpoints`, over TLS through internal load balancers) and history
 * from the bucket; the central compactor is the only one that rewrites the
 * bucket's blocks, so this program runs none.
 *
 * (`ThanosStack` with the `collector` role does all of this in one component,
 * with one load balancer per Prometheus pod; this program shows the parts.)
 *
 * Explicit providers only: a Kubernetes provider for this cluster and an AWS
 * provider for the IAM role of the Prometheus pods (IRSA).
 */
import * as pulumi from "@pulumi/pulumi";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Namespace, Secret, Service } from "@pulumi/kubernetes/core/v1";
import {
    BucketAccess,
    buildObjstoreConfig,
    LABELS,
    MULTI_CLUSTER,
    objstoreSecretRef,
    PORTS,
    PrometheusOperator,
    renderObjstoreYaml,
    ShardedPrometheus,
    shardPodSelector,
    THANOS,
    type StoreEndpoint,
} from "thanos-stack";

const config = new pulumi.Config();
/** Unique per cluster: the `cluster` external label that keeps its series apart in the bucket. */
const clusterName = config.require("clusterName");
const environment = config.require("environment");
const namespace = config.get("namespace") ?? "monitoring";
/** The shared bucket, created by the central cluster's stack. */
const bucket = { name: config.require("bucketName"), arn: config.require("bucketArn"), region: config.require("region") };
/** This cluster's IAM OIDC provider, for IRSA. */
const oidcProviderArn = config.require("oidcProviderArn");
const shards = config.getNumber("shards") ?? 2;
/** DNS zone of the StoreAPI load balancers (published by external-dns), e.g. `eu-west-1-b.metrics.example.internal`. */
const storeApiDomain = config.require("storeApiDomain");
/** A `kubernetes.io/tls` Secret in the namespace (e.g. from cert-manager) valid for `*.<storeApiDomain>`. */
const storeApiTlsSecret = config.require("storeApiTlsSecret");

const kubernetes = new KubernetesProvider("collector-cluster", { kubeconfig: config.requireSecret("kubeconfig") });
const aws = new AwsProvider("collector-aws", { region: bucket.region });
const providers = { kubernetes, aws };

const ns = new Namespace(
    "monitoring",
    { metadata: { name: namespace, labels: { [LABELS.podSecurityEnforce]: "restricted", [LABELS.podSecurityEnforceVersion]: "latest" } } },
    { provider: kubernetes },
);

// The Prometheus Operator (and its CRDs). No Grafana here: dashboards read the central querier.
const operator = new PrometheusOperator("collector-operator", { namespace, grafana: false }, { providers, dependsOn: [ns] });

// Only the Prometheus pods use the bucket in a collector: one ServiceAccount with a least-privilege IRSA role.
const stackName = `thanos-${clusterName}`;
const access = new BucketAccess(
    "collector-bucket-access",
    { stackName, namespace, users: ["prometheus"], aws: { bucketArn: bucket.arn, identity: "irsa", eks: { oidcProviderArn } } },
    { providers, dependsOn: [ns] },
);

// The Thanos objstore configuration the sidecars upload with (SDK credentials from the pod's role, no keys).
const objstore = objstoreSecretRef(stackName);
const objstoreYaml = renderObjstoreYaml(buildObjstoreConfig({ kind: "aws", bucket: bucket.name, region: bucket.region }));
const objstoreSecret = new Secret(
    "collector-objstore",
    { metadata: { name: objstore.name, namespace }, stringData: { [objstore.key]: pulumi.secret(objstoreYaml) } },
    { provider: kubernetes, dependsOn: [ns] },
);

const prometheus = new ShardedPrometheus(
    "prometheus",
    {
        namespace,
        clusterName,
        environment,
        objstoreSecret: objstore,
        serviceAccountName: access.serviceAccountNames.prometheus,
        shards,
        replicas: 2,
        retention: "24h",
        grpcServerTls: { secretName: storeApiTlsSecret },
    },
    { providers, dependsOn: [operator, access, objstoreSecret] },
);

// One internal NLB per shard in front of the sidecars' gRPC port (TLS ends in the sidecar). The querier reaches
// one replica of the shard through it; exposing every pod (as ThanosStack's collector role does) also lets the
// querier merge both replicas of an HA pair.
const endpoints: StoreEndpoint[] = [];
for (let shard = 0; shard < shards; shard++) {
    const host = `shard-${shard}.${storeApiDomain}`;
    new Service(
        `prometheus-storeapi-shard-${shard}`,
        {
            metadata: {
                name: `${prometheus.prometheusName}-storeapi-${shard}`,
                namespace,
                annotations: { ...MULTI_CLUSTER.awsNlbAnnotations, [MULTI_CLUSTER.externalDnsHostnameAnnotation]: host },
            },
            spec: {
                type: "LoadBalancer",
                selector: shardPodSelector(prometheus.prometheusName, shard),
                ports: [{ name: THANOS.portNames.grpc, port: PORTS.thanosGrpc, targetPort: THANOS.portNames.grpc }],
            },
        },
        { provider: kubernetes, dependsOn: [prometheus] },
    );
    endpoints.push({ address: `${host}:${PORTS.thanosGrpc}`, group: false, description: `${clusterName} prometheus shard ${shard}`, tls: { serverName: host } });
}

/** The sidecars' StoreAPI, for the central querier (`thanos.querier.extraEndpoints` of the central stack). */
export const storeEndpoints: StoreEndpoint[] = endpoints;
/** The querier must deduplicate on this label. */
export const replicaLabel = prometheus.replicaLabel;
