/**
 * VersityObjectStorage: the in-cluster S3 server of the `local` stack, so local development takes the same
 * objstore `type: S3` code path as AWS.
 *
 * The server is the Versity S3 Gateway (versitygw, Apache-2.0) with its POSIX backend: one StatefulSet replica on
 * a persistent volume (buckets, IAM accounts and, when versioning is on, object versions all live on it), a
 * Service, root credentials generated once and kept as Pulumi secrets in a Kubernetes Secret, and a one-shot Job
 * that creates the bucket through versitygw's admin API (idempotent). Every pod meets the production baseline
 * (non-root 65534, read-only root filesystem, no capabilities, RuntimeDefault seccomp, requests and a memory limit).
 */
import { placedPodSpec, type PodPlacement } from "../lib/placement";
import * as pulumi from "@pulumi/pulumi";
import type { EnvVar, Secret as K8sSecret, Service as K8sService, ServiceAccount as K8sServiceAccount } from "kubernetes-types/core/v1";
import type { StatefulSet as K8sStatefulSet } from "kubernetes-types/apps/v1";
import type { Job as K8sJob } from "kubernetes-types/batch/v1";
import { Secret, Service, ServiceAccount } from "@pulumi/kubernetes/core/v1";
import { StatefulSet, StatefulSetArgs } from "@pulumi/kubernetes/apps/v1";
import { Job, JobArgs } from "@pulumi/kubernetes/batch/v1";
import { kubeArgs } from "../lib/thanos";
import { IMAGES, LABELS, PORTS, VERSIONS, VERSITYGW } from "../constants";
import { DEFAULTS, ResourceRequirements } from "../defaults";
import { serviceFqdn } from "../lib/contracts";
import { DYNAMIC_PROVIDER_PACKAGE, GeneratedSecret } from "../lib/generatedSecret";
import { objectMeta, selectorLabels } from "../lib/meta";
import { withDependencies } from "../lib/options";
import { containerResources, containerSecurityContext, goMemLimitEnv, httpProbe, podPriority, podSecurityContext, RETAIN_VOLUMES, volumeClaimTemplate, type PodPriorityArgs, type VolumeSettings } from "../lib/pod";
import { showValue } from "../lib/objectStorage";
import { childOptions, requireProvider } from "../lib/providers";
import { versityEndpoint } from "./objstoreConfig";

/** The `app.kubernetes.io/name` of the S3 server's objects. */
export const VERSITYGW_COMPONENT = "versitygw";
/** Keys of the credentials Secret (the environment variables versitygw reads for its root account). */
export const VERSITYGW_CREDENTIAL_KEYS = { accessKey: "ROOT_ACCESS_KEY_ID", secretKey: "ROOT_SECRET_ACCESS_KEY" } as const;

/** Arguments of `VersityObjectStorage`. */
export interface VersityObjectStorageArgs extends PodPriorityArgs {
    /** Namespace of the S3 server's objects. */
    namespace: string;
    /**
     * Node selector, tolerations, node affinity, pull Secrets and registry mirror of the server and its Job.
     * @default none (any node, the image's own registry)
     */
    placement?: PodPlacement;
    /** The bucket to create. */
    bucketName: string;
    /**
     * Keep every version of every object (S3 versioning on the bucket), so a deleted block can be restored.
     * The local server keeps non-current versions until they are deleted by hand (it has no lifecycle rules).
     * @default false
     */
    versioning?: boolean;
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
     * Resources of the S3 server.
     * @default DEFAULTS.objectStorage.versitygw.resources
     */
    resources?: ResourceRequirements;
}

/** Plain input of the builders. */
export interface VersitySpec {
    /** Base name of every object (`<name>`, `<name>-credentials`, `<name>-make-bucket`). */
    name: string;
    namespace: string;
    instance: string;
    bucketName: string;
    versioning: boolean;
    storageSize: string;
    storageClass?: string;
    resources: ResourceRequirements;
    jobResources: ResourceRequirements;
    jobBackoffLimit: number;
    jobTtlSecondsAfterFinished: number;
    /** PriorityClass of the server pod and the bucket Job. */
    priorityClassName?: string | undefined;
    /** Placement of the server pod and the bucket Job. */
    placement?: PodPlacement | undefined;
}

/** Name of the credentials Secret. */
export function versityCredentialsSecretName(name: string): string {
    return `${name}-credentials`;
}

function meta(spec: VersitySpec, name: string) {
    return objectMeta({ name, namespace: spec.namespace, component: VERSITYGW_COMPONENT, instance: spec.instance, labels: { [LABELS.version]: VERSIONS.versitygw } });
}

/** The credentials Secret; generic over the value type (plain in tests, secret outputs in the wiring). */
export function buildVersityCredentialsSecret<V>(spec: VersitySpec, creds: { accessKey: V; secretKey: V }): Omit<K8sSecret, "stringData"> & { stringData: Record<string, V> } {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: meta(spec, versityCredentialsSecretName(spec.name)),
        type: "Opaque",
        stringData: { [VERSITYGW_CREDENTIAL_KEYS.accessKey]: creds.accessKey, [VERSITYGW_CREDENTIAL_KEYS.secretKey]: creds.secretKey },
    };
}

/** The server's ServiceAccount: it never talks to the Kubernetes API. */
export function buildVersityServiceAccount(spec: VersitySpec): K8sServiceAccount {
    return { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(spec, spec.name), automountServiceAccountToken: false };
}

/** The Service in front of the S3 API (which also serves versitygw's admin API). */
export function buildVersityService(spec: VersitySpec): K8sService {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: meta(spec, spec.name),
        spec: {
            type: "ClusterIP",
            selector: selectorLabels(VERSITYGW_COMPONENT, spec.instance),
            ports: [{ name: "s3", port: PORTS.versitygwS3, targetPort: "s3", protocol: "TCP" }],
        },
    };
}

/** Environment variables that read the root credentials from the Secret, under the names `env` maps them to. */
function credentialEnv(spec: VersitySpec, names: { accessKey: string; secretKey: string } = VERSITYGW_CREDENTIAL_KEYS): EnvVar[] {
    const secret = versityCredentialsSecretName(spec.name);
    return [
        { name: names.accessKey, valueFrom: { secretKeyRef: { name: secret, key: VERSITYGW_CREDENTIAL_KEYS.accessKey } } },
        { name: names.secretKey, valueFrom: { secretKeyRef: { name: secret, key: VERSITYGW_CREDENTIAL_KEYS.secretKey } } },
    ];
}

/** The server's arguments: global flags, then the POSIX backend and its root directory. */
export function versityArgs(spec: VersitySpec): string[] {
    return [
        "--port",
        `:${PORTS.versitygwS3}`,
        "--health",
        VERSITYGW.healthPath,
        "--iam-dir",
        VERSITYGW.iamDir,
        "posix",
        ...(spec.versioning ? ["--versioning-dir", VERSITYGW.versionsDir] : []),
        VERSITYGW.bucketsDir,
    ];
}

/** The S3 server: one replica on a persistent volume, probes on versitygw's health endpoint. */
export function buildVersityStatefulSet(spec: VersitySpec): K8sStatefulSet {
    const labels = selectorLabels(VERSITYGW_COMPONENT, spec.instance);
    const podMeta = objectMeta({ name: spec.name, component: VERSITYGW_COMPONENT, instance: spec.instance });
    const dataMount = { name: "data", mountPath: VERSITYGW.dataPath };
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
                spec: placedPodSpec({
                    serviceAccountName: spec.name,
                    automountServiceAccountToken: false,
                    ...podPriority(spec.priorityClassName),
                    securityContext: podSecurityContext(),
                    initContainers: [
                        {
                            // The backend's directories on the (fsGroup-owned) volume.
                            name: "directories",
                            image: IMAGES.versitygw,
                            imagePullPolicy: "IfNotPresent",
                            command: ["mkdir", "-p", VERSITYGW.bucketsDir, VERSITYGW.iamDir, VERSITYGW.versionsDir],
                            resources: containerResources(spec.jobResources),
                            securityContext: containerSecurityContext(),
                            volumeMounts: [dataMount],
                        },
                    ],
                    containers: [
                        {
                            name: "versitygw",
                            image: IMAGES.versitygw,
                            imagePullPolicy: "IfNotPresent",
                            command: [VERSITYGW.binary],
                            args: versityArgs(spec),
                            env: [...credentialEnv(spec), goMemLimitEnv(spec.resources.limits.memory)],
                            ports: [{ name: "s3", containerPort: PORTS.versitygwS3, protocol: "TCP" }],
                            readinessProbe: httpProbe(VERSITYGW.healthPath, "s3", { periodSeconds: 5 }),
                            livenessProbe: httpProbe(VERSITYGW.healthPath, "s3", { periodSeconds: 30, failureThreshold: 4 }),
                            startupProbe: httpProbe(VERSITYGW.healthPath, "s3", { periodSeconds: 5, failureThreshold: 24 }),
                            resources: containerResources(spec.resources),
                            securityContext: containerSecurityContext(),
                            volumeMounts: [dataMount],
                        },
                    ],
                }, spec.placement),
            },
            volumeClaimTemplates: [volumeClaimTemplate("data", { size: spec.storageSize, ...(spec.storageClass !== undefined ? { storageClass: spec.storageClass } : {}) })],
            persistentVolumeClaimRetentionPolicy: RETAIN_VOLUMES,
        },
    };
}

/**
 * The one-shot Job that creates the bucket through versitygw's admin API, retrying while the server starts.
 * Idempotent: an existing bucket counts as done. With versioning the bucket is created with S3 Object Lock
 * enabled, which turns versioning on at creation (the admin API has no call for versioning itself; no retention
 * is configured, so deletes still work and leave non-current versions). Versioning is therefore decided when the
 * bucket is created.
 */
export function buildVersityBucketJob(spec: VersitySpec): K8sJob {
    const jobName = `${spec.name}-make-bucket`;
    const endpoint = `http://${serviceFqdn(spec.name, spec.namespace)}:${PORTS.versitygwS3}`;
    const admin = `${VERSITYGW.binary} admin --endpoint-url ${endpoint}`;
    const script = [
        "set -e",
        `if ${admin} list-buckets | grep -qw '${spec.bucketName}'; then echo 'bucket ${spec.bucketName} exists'; exit 0; fi`,
        `${admin} create-bucket --owner "$ADMIN_ACCESS_KEY_ID" --bucket '${spec.bucketName}'${spec.versioning ? " --object-lock-enabled-for-bucket" : ""}`,
        `echo 'bucket ${spec.bucketName} created'`,
    ].join("\n");
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: meta(spec, jobName),
        spec: {
            backoffLimit: spec.jobBackoffLimit,
            ttlSecondsAfterFinished: spec.jobTtlSecondsAfterFinished,
            template: {
                metadata: { labels: objectMeta({ name: jobName, component: `${VERSITYGW_COMPONENT}-make-bucket`, instance: spec.instance }).labels ?? {} },
                spec: placedPodSpec({
                    restartPolicy: "OnFailure",
                    serviceAccountName: spec.name,
                    automountServiceAccountToken: false,
                    ...podPriority(spec.priorityClassName),
                    securityContext: podSecurityContext(),
                    containers: [
                        {
                            name: "make-bucket",
                            image: IMAGES.versitygw,
                            imagePullPolicy: "IfNotPresent",
                            command: ["sh", "-c", script],
                            env: credentialEnv(spec, { accessKey: "ADMIN_ACCESS_KEY_ID", secretKey: "ADMIN_SECRET_ACCESS_KEY" }),
                            resources: containerResources(spec.jobResources),
                            securityContext: containerSecurityContext(),
                        },
                    ],
                }, spec.placement),
            },
        },
    };
}

/** The builders' input from the Args, with defaults applied. */
export function resolveVersitySpec(name: string, args: VersityObjectStorageArgs): VersitySpec {
    const d = DEFAULTS.objectStorage.versitygw;
    return {
        name,
        namespace: args.namespace,
        instance: args.instance ?? name,
        bucketName: args.bucketName,
        versioning: args.versioning ?? false,
        storageSize: args.storage?.size ?? d.storageSize,
        ...(args.storage?.storageClass !== undefined ? { storageClass: args.storage.storageClass } : {}),
        resources: args.resources ?? d.resources,
        jobResources: d.jobResources,
        jobBackoffLimit: d.jobBackoffLimit,
        jobTtlSecondsAfterFinished: d.jobTtlSecondsAfterFinished,
        priorityClassName: args.priorityClassName,
        ...(args.placement !== undefined ? { placement: args.placement } : {}),
    };
}

/** The in-cluster S3 server with one bucket. Requires explicit `kubernetes` and `pulumi-nodejs` providers (or a parent's). */
export class VersityObjectStorage extends pulumi.ComponentResource {
    /** Name of the S3 server's Service. */
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

    constructor(name: string, args: VersityObjectStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("thanos-stack:index:VersityObjectStorage", name, {}, opts);
        requireProvider(this, "kubernetes", "VersityObjectStorage");
        requireProvider(this, DYNAMIC_PROVIDER_PACKAGE, "VersityObjectStorage");
        if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(args.bucketName)) {
            throw new pulumi.RunError(`VersityObjectStorage bucketName: must be 3-63 lowercase letters, digits, '.' or '-', got ${showValue(args.bucketName)}`);
        }
        const spec = resolveVersitySpec(name, args);
        const base = childOptions(this, opts);

        const accessKey = new GeneratedSecret(`${name}-access-key`, { length: 20 }, base);
        const secretKey = new GeneratedSecret(`${name}-secret-key`, { length: 40 }, base);
        this.accessKey = pulumi.secret(accessKey.value);
        this.secretKey = pulumi.secret(secretKey.value);
        const credentials = new Secret(`${name}-credentials`, buildVersityCredentialsSecret(spec, { accessKey: this.accessKey, secretKey: this.secretKey }), {
            ...base,
            additionalSecretOutputs: ["data", "stringData"],
        });
        const account = new ServiceAccount(`${name}-sa`, buildVersityServiceAccount(spec), base);
        const service = new Service(`${name}-service`, buildVersityService(spec), base);
        this.statefulSet = new StatefulSet(`${name}-sts`, kubeArgs<StatefulSetArgs>(buildVersityStatefulSet(spec)), withDependencies(base, [credentials, account, service]));
        this.bucketJob = new Job(`${name}-make-bucket`, kubeArgs<JobArgs>(buildVersityBucketJob(spec)), withDependencies(base, [this.statefulSet]));

        this.serviceName = name;
        this.bucketName = args.bucketName;
        this.endpoint = versityEndpoint(name, args.namespace);
        this.credentialsSecretName = versityCredentialsSecretName(name);
        this.registerOutputs({ serviceName: this.serviceName, bucketName: this.bucketName, endpoint: this.endpoint });
    }
}
