/**
 * MinioObjectStorage: in-cluster MinIO for the `local` stack, so local
 * development takes the same objstore `type: S3` code path as AWS.
 *
 * One MinIO server (StatefulSet, one replica, a persistent volume), a Service,
 * root credentials generated with @pulumi/random and kept as Pulumi secrets
 * in a Kubernetes Secret, and a one-shot Job (`mc mb --ignore-existing`) that
 * creates the bucket idempotently. Every pod meets the production baseline
 * (non-root 65534, read-only root filesystem with an emptyDir for `/tmp`,
 * no capabilities, RuntimeDefault seccomp, requests and a memory limit).
 */
import * as pulumi from "@pulumi/pulumi";
import type { EnvVar, Secret as K8sSecret, Service as K8sService, ServiceAccount as K8sServiceAccount, Volume, VolumeMount } from "kubernetes-types/core/v1";
import type { StatefulSet as K8sStatefulSet } from "kubernetes-types/apps/v1";
import type { Job as K8sJob } from "kubernetes-types/batch/v1";
import { Secret, Service, ServiceAccount } from "@pulumi/kubernetes/core/v1";
import { StatefulSet, StatefulSetArgs } from "@pulumi/kubernetes/apps/v1";
import { Job, JobArgs } from "@pulumi/kubernetes/batch/v1";
import { kubeArgs } from "./lib/thanos";
import { RandomPassword } from "@pulumi/random/randomPassword";
import { IMAGES, LABELS, MINIO, PORTS, VERSIONS } from "./constants";
import { DEFAULTS, ResourceRequirements } from "./defaults";
import { serviceFqdn } from "./lib/contracts";
import { objectMeta, selectorLabels } from "./lib/meta";
import { withDependencies } from "./lib/options";
import { containerResources, containerSecurityContext, goMemLimitEnv, httpProbe, podPriority, podSecurityContext, RETAIN_VOLUMES, scratchVolume, volumeClaimTemplate, type PodPriorityArgs, type VolumeSettings } from "./lib/pod";
import { showValue } from "./lib/objectStorage";
import { childOptions, requireProvider } from "./lib/providers";
import { minioEndpoint } from "./objstoreConfig";

/** The `app.kubernetes.io/name` of MinIO objects. */
export const MINIO_COMPONENT = "minio";
/** Keys of the credentials Secret (the environment variable names MinIO reads). */
export const MINIO_CREDENTIAL_KEYS = { accessKey: "MINIO_ROOT_USER", secretKey: "MINIO_ROOT_PASSWORD" } as const;
/** The `mc` alias the bucket Job defines through `MC_HOST_<alias>`. */
const MC_ALIAS = "local";
/** Scratch directory on the read-only root filesystem (HOME, certs and `mc` config). */
const TMP = "/tmp";

/** Arguments of {@link MinioObjectStorage}. */
export interface MinioObjectStorageArgs extends PodPriorityArgs {
    /** Namespace of the MinIO objects. */
    namespace: string;
    /** The bucket to create. */
    bucketName: string;
    /**
     * Value of the `app.kubernetes.io/instance` label.
     * @default the component name
     */
    instance?: string;
    /**
     * The data volume.
     * @default { size: "10Gi" } (the cluster's default StorageClass)
     */
    storage?: Partial<VolumeSettings>;
    /**
     * Resources of the MinIO server.
     * @default DEFAULTS.objectStorage.minio.resources
     */
    resources?: ResourceRequirements;
}

/** Plain input of the MinIO builders. */
export interface MinioSpec {
    /** Base name of every object (`<name>`, `<name>-credentials`, `<name>-make-bucket`). */
    name: string;
    namespace: string;
    instance: string;
    bucketName: string;
    storageSize: string;
    storageClass?: string;
    resources: ResourceRequirements;
    jobResources: ResourceRequirements;
    jobBackoffLimit: number;
    jobTtlSecondsAfterFinished: number;
    /** PriorityClass of the MinIO pod and the bucket Job. */
    priorityClassName?: string | undefined;
}

/** Name of the credentials Secret. */
export function minioCredentialsSecretName(name: string): string {
    return `${name}-credentials`;
}

function meta(spec: MinioSpec, name: string) {
    return objectMeta({ name, namespace: spec.namespace, component: MINIO_COMPONENT, instance: spec.instance, labels: { [LABELS.version]: VERSIONS.minio } });
}

/** The credentials Secret; generic over the value type (plain in tests, secret outputs in the wiring). */
export function buildMinioCredentialsSecret<V>(spec: MinioSpec, creds: { accessKey: V; secretKey: V }): Omit<K8sSecret, "stringData"> & { stringData: Record<string, V> } {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: meta(spec, minioCredentialsSecretName(spec.name)),
        type: "Opaque",
        stringData: { [MINIO_CREDENTIAL_KEYS.accessKey]: creds.accessKey, [MINIO_CREDENTIAL_KEYS.secretKey]: creds.secretKey },
    };
}

/** MinIO's ServiceAccount: it never talks to the Kubernetes API. */
export function buildMinioServiceAccount(spec: MinioSpec): K8sServiceAccount {
    return { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(spec, spec.name), automountServiceAccountToken: false };
}

/** The Service in front of MinIO (S3 API and console). */
export function buildMinioService(spec: MinioSpec): K8sService {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: meta(spec, spec.name),
        spec: {
            type: "ClusterIP",
            selector: selectorLabels(MINIO_COMPONENT, spec.instance),
            ports: [
                { name: "api", port: PORTS.minioApi, targetPort: "api", protocol: "TCP" },
                { name: "console", port: PORTS.minioConsole, targetPort: "console", protocol: "TCP" },
            ],
        },
    };
}

/** Environment variables that read the root credentials from the Secret. */
function credentialEnv(spec: MinioSpec): EnvVar[] {
    const secret = minioCredentialsSecretName(spec.name);
    return [
        { name: MINIO_CREDENTIAL_KEYS.accessKey, valueFrom: { secretKeyRef: { name: secret, key: MINIO_CREDENTIAL_KEYS.accessKey } } },
        { name: MINIO_CREDENTIAL_KEYS.secretKey, valueFrom: { secretKeyRef: { name: secret, key: MINIO_CREDENTIAL_KEYS.secretKey } } },
    ];
}

const tmpVolume: Volume = scratchVolume("tmp", "256Mi");
const tmpMount: VolumeMount = { name: "tmp", mountPath: TMP };

/** The MinIO server: one replica on a persistent volume, probes on MinIO's health endpoints. */
export function buildMinioStatefulSet(spec: MinioSpec): K8sStatefulSet {
    const labels = selectorLabels(MINIO_COMPONENT, spec.instance);
    const podMeta = objectMeta({ name: spec.name, component: MINIO_COMPONENT, instance: spec.instance });
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: meta(spec, spec.name),
        spec: {
            replicas: 1,
            serviceName: spec.name,
            selector: { matchLabels: labels },
            podManagementPolicy: "OrderedReady",
            updateStrategy: { type: "RollingUpdate" },
            template: {
                metadata: { labels: podMeta.labels ?? labels },
                spec: {
                    serviceAccountName: spec.name,
                    automountServiceAccountToken: false,
                    ...podPriority(spec.priorityClassName),
                    securityContext: podSecurityContext(),
                    containers: [
                        {
                            name: "minio",
                            image: IMAGES.minio,
                            imagePullPolicy: "IfNotPresent",
                            args: [
                                "server",
                                MINIO.dataPath,
                                "--address",
                                `:${PORTS.minioApi}`,
                                "--console-address",
                                `:${PORTS.minioConsole}`,
                                "--certs-dir",
                                `${TMP}/certs`,
                            ],
                            env: [...credentialEnv(spec), { name: "HOME", value: TMP }, goMemLimitEnv(spec.resources.limits.memory)],
                            ports: [
                                { name: "api", containerPort: PORTS.minioApi, protocol: "TCP" },
                                { name: "console", containerPort: PORTS.minioConsole, protocol: "TCP" },
                            ],
                            readinessProbe: httpProbe(MINIO.healthReady, "api", { periodSeconds: 5 }),
                            livenessProbe: httpProbe(MINIO.healthLive, "api", { periodSeconds: 30, failureThreshold: 4 }),
                            startupProbe: httpProbe(MINIO.healthLive, "api", { periodSeconds: 5, failureThreshold: 24 }),
                            resources: containerResources(spec.resources),
                            securityContext: containerSecurityContext(),
                            volumeMounts: [{ name: "data", mountPath: MINIO.dataPath }, tmpMount],
                        },
                    ],
                    volumes: [tmpVolume],
                },
            },
            volumeClaimTemplates: [volumeClaimTemplate("data", { size: spec.storageSize, ...(spec.storageClass !== undefined ? { storageClass: spec.storageClass } : {}) })],
            persistentVolumeClaimRetentionPolicy: RETAIN_VOLUMES,
        },
    };
}

/** The one-shot Job that creates the bucket (idempotent: `mc mb --ignore-existing`), retrying while MinIO starts. */
export function buildMinioBucketJob(spec: MinioSpec): K8sJob {
    const jobName = `${spec.name}-make-bucket`;
    const endpoint = `http://$(${MINIO_CREDENTIAL_KEYS.accessKey}):$(${MINIO_CREDENTIAL_KEYS.secretKey})@${serviceFqdn(spec.name, spec.namespace)}:${PORTS.minioApi}`;
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: meta(spec, jobName),
        spec: {
            backoffLimit: spec.jobBackoffLimit,
            ttlSecondsAfterFinished: spec.jobTtlSecondsAfterFinished,
            template: {
                metadata: { labels: objectMeta({ name: jobName, component: `${MINIO_COMPONENT}-make-bucket`, instance: spec.instance }).labels ?? {} },
                spec: {
                    restartPolicy: "OnFailure",
                    serviceAccountName: spec.name,
                    automountServiceAccountToken: false,
                    ...podPriority(spec.priorityClassName),
                    securityContext: podSecurityContext(),
                    containers: [
                        {
                            name: "mc",
                            image: IMAGES.minioClient,
                            imagePullPolicy: "IfNotPresent",
                            command: ["mc"],
                            args: ["--config-dir", `${TMP}/.mc`, "mb", "--ignore-existing", `${MC_ALIAS}/${spec.bucketName}`],
                            // Kubernetes expands $(VAR) from the variables defined before it; the credentials are alphanumeric.
                            env: [...credentialEnv(spec), { name: `MC_HOST_${MC_ALIAS}`, value: endpoint }, { name: "HOME", value: TMP }],
                            resources: containerResources(spec.jobResources),
                            securityContext: containerSecurityContext(),
                            volumeMounts: [tmpMount],
                        },
                    ],
                    volumes: [tmpVolume],
                },
            },
        },
    };
}

/** The builders' input from the Args, with defaults applied. */
export function resolveMinioSpec(name: string, args: MinioObjectStorageArgs): MinioSpec {
    const d = DEFAULTS.objectStorage.minio;
    return {
        name,
        namespace: args.namespace,
        instance: args.instance ?? name,
        bucketName: args.bucketName,
        storageSize: args.storage?.size ?? d.storageSize,
        ...(args.storage?.storageClass !== undefined ? { storageClass: args.storage.storageClass } : {}),
        resources: args.resources ?? d.resources,
        jobResources: d.jobResources,
        jobBackoffLimit: d.jobBackoffLimit,
        jobTtlSecondsAfterFinished: d.jobTtlSecondsAfterFinished,
        priorityClassName: args.priorityClassName,
    };
}

/** In-cluster MinIO with one bucket. Requires explicit `kubernetes` and `random` providers (or a parent's). */
export class MinioObjectStorage extends pulumi.ComponentResource {
    /** Name of the MinIO Service. */
    public readonly serviceName: string;
    /** The bucket. */
    public readonly bucketName: string;
    /** The S3 endpoint inside the cluster (`host:port`, plain HTTP). */
    public readonly endpoint: string;
    /** Name of the Secret holding the root credentials. */
    public readonly credentialsSecretName: string;
    /** The access key (a Pulumi secret). */
    public readonly accessKey: pulumi.Output<string>;
    /** The secret key (a Pulumi secret). */
    public readonly secretKey: pulumi.Output<string>;
    /** The StatefulSet. */
    public readonly statefulSet: StatefulSet;
    /** The bucket-creation Job. */
    public readonly bucketJob: Job;

    constructor(name: string, args: MinioObjectStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:MinioObjectStorage", name, {}, opts);
        requireProvider(this, "kubernetes", "MinioObjectStorage");
        requireProvider(this, "random", "MinioObjectStorage");
        if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(args.bucketName)) {
            throw new pulumi.RunError(`MinioObjectStorage bucketName: must be 3-63 lowercase letters, digits, '.' or '-', got ${showValue(args.bucketName)}`);
        }
        const spec = resolveMinioSpec(name, args);
        const base = childOptions(this, opts);

        const accessKey = new RandomPassword(`${name}-access-key`, { length: 20, special: false }, base);
        const secretKey = new RandomPassword(`${name}-secret-key`, { length: 40, special: false }, base);
        this.accessKey = pulumi.secret(accessKey.result);
        this.secretKey = pulumi.secret(secretKey.result);
        const credentials = new Secret(`${name}-credentials`, buildMinioCredentialsSecret(spec, { accessKey: this.accessKey, secretKey: this.secretKey }), {
            ...base,
            additionalSecretOutputs: ["data", "stringData"],
        });
        const account = new ServiceAccount(`${name}-sa`, buildMinioServiceAccount(spec), base);
        const service = new Service(`${name}-service`, buildMinioService(spec), base);
        this.statefulSet = new StatefulSet(`${name}-sts`, kubeArgs<StatefulSetArgs>(buildMinioStatefulSet(spec)), withDependencies(base, [credentials, account, service]));
        this.bucketJob = new Job(`${name}-make-bucket`, kubeArgs<JobArgs>(buildMinioBucketJob(spec)), withDependencies(base, [this.statefulSet]));

        this.serviceName = name;
        this.bucketName = args.bucketName;
        this.endpoint = minioEndpoint(name, args.namespace);
        this.credentialsSecretName = minioCredentialsSecretName(name);
        this.registerOutputs({ serviceName: this.serviceName, bucketName: this.bucketName, endpoint: this.endpoint });
    }
}
