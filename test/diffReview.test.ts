/**
 * What `npm run diff` tells a reviewer beyond the changed fields: each change once (a component's inputs not
 * repeated, dependencies as a set, objects with one same dependency change under one entry), long values whole
 * with --full, and a warning for each change the cluster cannot make in place and each new block stream. The
 * expected fields come from the Kubernetes provider's and the Operator's sources, not from the diff's tables.
 */
import { describe, expect, it } from "vitest";
import { diffRenders, formatDiff } from "../scripts/lib/diff";
import { res, withOptions } from "./support/renderedResource";

describe("render diff: each change once", () => {
    it("compares a component's parent and options, not its inputs (its objects show them)", () => {
        const component = (inputs: Record<string, unknown>) => res("stack", inputs, "thanos-stack:index:ThanosStack");
        const base = [component({ prometheus: { shards: 2 } }), res("p", { spec: { shards: 2 } }, "kubernetes:monitoring.coreos.com/v1:Prometheus")];
        const head = [component({ prometheus: { shards: 3 } }), res("p", { spec: { shards: 3 } }, "kubernetes:monitoring.coreos.com/v1:Prometheus")];
        const d = diffRenders(base, head);
        expect(d.changed.map((c) => c.resource.name)).toEqual(["p"]);
        expect(d.unchanged).toBe(1);
        expect(formatDiff(d)).not.toContain("prometheus.shards");
        const moved = diffRenders([component({})], [withOptions(component({}), { protect: true })]);
        expect(moved.changed[0]?.changes).toEqual([{ path: "options.protect", before: false, after: true }]);
        const stack = diffRenders([res("s", { a: 1 }, "pulumi:pulumi:Stack")], [res("s", { a: 2 }, "pulumi:pulumi:Stack")]);
        expect(stack.changed).toEqual([]);
    });

    it("compares dependencies as a set: order is no change, one line per dependency gained or dropped", () => {
        const a = withOptions(res("a", {}), { dependsOn: ["x::1", "x::2"] });
        expect(diffRenders([a], [withOptions(a, { dependsOn: ["x::2", "x::1"] })]).changed).toEqual([]);
        const d = diffRenders([a], [withOptions(a, { dependsOn: ["x::2", "x::3"] })]);
        expect(d.changed[0]?.changes).toEqual([
            { path: "options.dependsOn", before: "x::1", after: undefined },
            { path: "options.dependsOn", before: undefined, after: "x::3" },
        ]);
        expect(formatDiff(d)).toContain("~ kubernetes:apps/v1:Deployment::a\n    options.dependsOn - x::1\n    options.dependsOn + x::3\n");
    });

    it("lists objects with one same dependency change under one entry", () => {
        const names = ["a", "b", "c"];
        const d = diffRenders(
            names.map((n) => res(n, {})),
            names.map((n) => withOptions(res(n, {}), { dependsOn: ["kubernetes:core/v1:Service::s"] })),
        );
        expect(formatDiff(d)).toContain(
            [
                "~ 3 objects, options.dependsOn + kubernetes:core/v1:Service::s:",
                "    kubernetes:apps/v1:Deployment::a",
                "    kubernetes:apps/v1:Deployment::b",
                "    kubernetes:apps/v1:Deployment::c",
            ].join("\n"),
        );
        expect(formatDiff(d).split("\n").filter((l) => l.startsWith("~"))).toHaveLength(1);
    });

    it("counts dependencies on objects the diff adds or removes, and lists their dependents only with --full", () => {
        const dependent = (n: string, deps: string[]) => withOptions(res(n, {}), { dependsOn: deps });
        const base = [res("old", {}, "kubernetes:core/v1:Service"), dependent("a", ["kubernetes:core/v1:Service::old"]), dependent("b", ["kubernetes:core/v1:Service::old"])];
        const head = [res("new", {}, "kubernetes:core/v1:Service"), dependent("a", ["kubernetes:core/v1:Service::new"]), dependent("b", ["kubernetes:core/v1:Service::new"])];
        const d = diffRenders(base, head);
        const text = formatDiff(d);
        expect(text).toContain("+ kubernetes:core/v1:Service::new\n- kubernetes:core/v1:Service::old\n");
        expect(text).toContain("~ 2 objects, options.dependsOn - 1 removed object, + 1 added object (--full lists them)\n");
        expect(text).not.toContain("Deployment::a");
        expect(formatDiff(d, { full: true })).toContain(
            "~ 2 objects, options.dependsOn - 1 removed object, + 1 added object:\n    kubernetes:apps/v1:Deployment::a\n    kubernetes:apps/v1:Deployment::b\n",
        );
        // With a field change too, the object has its own entry, dependencies counted.
        const one = diffRenders(
            [res("old", {}, "kubernetes:core/v1:Service"), res("old2", {}, "kubernetes:core/v1:Service"), dependent("a", ["kubernetes:core/v1:Service::old", "kubernetes:core/v1:Service::old2"])],
            [withOptions(res("a", { x: 1 }), { dependsOn: [] })],
        );
        expect(formatDiff(one)).toContain("~ kubernetes:apps/v1:Deployment::a\n    options.dependsOn - 2 removed objects\n    inputs.x: (absent) -> 1\n");
    });

    it("shows a long value whole with --full", () => {
        const long = "z".repeat(400);
        const d = diffRenders([res("a", { v: "a" })], [res("a", { v: long })]);
        expect(formatDiff(d, { full: true })).toContain(`    inputs.v: "a" -> ${JSON.stringify(long)}\n`);
        expect(formatDiff(d)).not.toContain(long);
    });
});

/** The warnings of a one-field change of a `type` object: `before` and `after` are its inputs. */
function warningsFor(type: string, before: Record<string, unknown>, after: Record<string, unknown>) {
    return diffRenders([res("o", before, type)], [res("o", after, type)]).warnings;
}

describe("render diff: what the cluster cannot change in place", () => {
    // From pulumi-kubernetes v4 (provider/pkg/provider/diff.go): the fields whose change replaces the object.
    const replacing: Array<[string, Record<string, unknown>, Record<string, unknown>, string]> = [
        ["kubernetes:apps/v1:StatefulSet", { spec: { volumeClaimTemplates: [{ spec: { resources: { requests: { storage: "1Gi" } } } }] } }, { spec: { volumeClaimTemplates: [{ spec: { resources: { requests: { storage: "2Gi" } } } }] } }, "spec.volumeClaimTemplates[0].spec.resources.requests.storage"],
        ["kubernetes:apps/v1:StatefulSet", { spec: { serviceName: "a" } }, { spec: { serviceName: "b" } }, "spec.serviceName"],
        ["kubernetes:apps/v1:StatefulSet", { spec: { selector: { matchLabels: { app: "a" } } } }, { spec: { selector: { matchLabels: { app: "b" } } } }, "spec.selector.matchLabels.app"],
        ["kubernetes:apps/v1:StatefulSet", { spec: { podManagementPolicy: "OrderedReady" } }, { spec: { podManagementPolicy: "Parallel" } }, "spec.podManagementPolicy"],
        ["kubernetes:apps/v1:StatefulSet", { spec: { revisionHistoryLimit: 10 } }, { spec: { revisionHistoryLimit: 5 } }, "spec.revisionHistoryLimit"],
        ["kubernetes:apps/v1:Deployment", { spec: { selector: { matchLabels: { app: "a" } } } }, { spec: { selector: { matchLabels: { app: "b" } } } }, "spec.selector.matchLabels.app"],
        ["kubernetes:apps/v1:DaemonSet", { spec: { selector: { matchLabels: { app: "a" } } } }, { spec: { selector: { matchLabels: { app: "b" } } } }, "spec.selector.matchLabels.app"],
        ["kubernetes:batch/v1:Job", { spec: { template: { spec: { restartPolicy: "Never" } } } }, { spec: { template: { spec: { restartPolicy: "OnFailure" } } } }, "spec.template.spec.restartPolicy"],
        ["kubernetes:batch/v1:Job", { spec: { completions: 1 } }, { spec: { completions: 2 } }, "spec.completions"],
        ["kubernetes:batch/v1:Job", { spec: { parallelism: 1 } }, { spec: { parallelism: 2 } }, "spec.parallelism"],
        ["kubernetes:core/v1:PersistentVolumeClaim", { spec: { storageClassName: "a" } }, { spec: { storageClassName: "b" } }, "spec.storageClassName"],
        ["kubernetes:core/v1:PersistentVolumeClaim", { spec: { accessModes: ["ReadWriteOnce"] } }, { spec: { accessModes: ["ReadWriteMany"] } }, "spec.accessModes[0]"],
        ["kubernetes:core/v1:PersistentVolumeClaim", { spec: { volumeName: "a" } }, { spec: { volumeName: "b" } }, "spec.volumeName"],
        ["kubernetes:core/v1:PersistentVolumeClaim", { spec: { selector: { matchLabels: { a: "1" } } } }, { spec: { selector: { matchLabels: { a: "2" } } } }, "spec.selector.matchLabels.a"],
        ["kubernetes:core/v1:Service", { spec: { clusterIP: "None" } }, { spec: {} }, "spec.clusterIP"],
        ["kubernetes:core/v1:Secret", { type: "Opaque" }, { type: "kubernetes.io/tls" }, "type"],
        ["kubernetes:storage.k8s.io/v1:StorageClass", { parameters: { type: "gp2" } }, { parameters: { type: "gp3" } }, "parameters.type"],
        ["kubernetes:storage.k8s.io/v1:StorageClass", { provisioner: "a" }, { provisioner: "b" }, "provisioner"],
        ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", { roleRef: { name: "a" } }, { roleRef: { name: "b" } }, "roleRef.name"],
        ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", { roleRef: { name: "a" } }, { roleRef: { name: "b" } }, "roleRef.name"],
        // The Operator's kinds: spec.storage is their StatefulSets' volumeClaimTemplates.
        ["kubernetes:monitoring.coreos.com/v1:Prometheus", { spec: { storage: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "1Gi" } } } } } } }, { spec: { storage: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "2Gi" } } } } } } }, "spec.storage.volumeClaimTemplate.spec.resources.requests.storage"],
        ["kubernetes:monitoring.coreos.com/v1:Alertmanager", { spec: { storage: { a: 1 } } }, { spec: { storage: { a: 2 } } }, "spec.storage.a"],
        ["kubernetes:monitoring.coreos.com/v1:ThanosRuler", { spec: { storage: { a: 1 } } }, { spec: { storage: { a: 2 } } }, "spec.storage.a"],
    ];
    it.each(replacing)("%s: a change of %j -> %j is a replacement (%s)", (type, before, after, field) => {
        const w = warningsFor(type, before, after);
        expect(w).toHaveLength(1);
        expect(w[0]).toMatchObject({ resource: `${type}::o`, kind: "replacement", paths: [`inputs.${field}`] });
        expect(w[0]!.message).toMatch(new RegExp(`^the cluster cannot change ${field.replace(/[.[\]]/g, "\\$&")} in place: `));
        expect(formatDiff(diffRenders([res("o", before, type)], [res("o", after, type)]))).toContain(`\n! ${type}::o: the cluster cannot change ${field} in place: `);
    });

    const inPlace: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
        ["kubernetes:apps/v1:StatefulSet", { spec: { replicas: 1 } }, { spec: { replicas: 2 } }],
        ["kubernetes:apps/v1:StatefulSet", { spec: { template: { spec: { containers: [{ image: "a" }] } } } }, { spec: { template: { spec: { containers: [{ image: "b" }] } } } }],
        ["kubernetes:apps/v1:StatefulSet", { spec: { persistentVolumeClaimRetentionPolicy: { whenScaled: "Retain" } } }, { spec: { persistentVolumeClaimRetentionPolicy: { whenScaled: "Delete" } } }],
        ["kubernetes:apps/v1:StatefulSet", { spec: { serviceNameX: "a" } }, { spec: { serviceNameX: "b" } }],
        ["kubernetes:apps/v1:Deployment", { spec: { replicas: 1, template: { a: 1 } } }, { spec: { replicas: 2, template: { a: 2 } } }],
        ["kubernetes:core/v1:Service", { spec: { ports: [{ port: 1 }] } }, { spec: { ports: [{ port: 2 }] } }],
        ["kubernetes:core/v1:ConfigMap", { data: { a: "1" } }, { data: { a: "2" } }],
        ["kubernetes:core/v1:ConfigMap", { metadata: { name: "c-1" } }, { metadata: { name: "c-2" } }],
        ["kubernetes:core/v1:Secret", { metadata: { name: "s-1" }, data: "[secret]" }, { metadata: { name: "s-2" }, data: "[secret]" }],
        ["kubernetes:monitoring.coreos.com/v1:Prometheus", { spec: { shards: 1, retentionSize: "1GB" } }, { spec: { shards: 2, retentionSize: "2GB" } }],
        ["kubernetes:policy/v1:PodDisruptionBudget", { spec: { maxUnavailable: 1 } }, { spec: { maxUnavailable: 2 } }],
        ["aws:s3/bucket:Bucket", { bucket: "a" }, { bucket: "b" }],
        ["test:index:Thing", { metadata: { name: "a" } }, { metadata: { name: "b" } }],
    ];
    it.each(inPlace)("%s: a change of %j -> %j is made in place", (type, before, after) => {
        expect(warningsFor(type, before, after)).toEqual([]);
    });

    it("a renamed object is created under its new name before the old is deleted; a StatefulSet's pods get new claims", () => {
        const sts = warningsFor("kubernetes:apps/v1:StatefulSet", { metadata: { name: "a" } }, { metadata: { name: "b" } });
        expect(sts).toEqual([
            {
                resource: "kubernetes:apps/v1:StatefulSet::o",
                kind: "replacement",
                paths: ["inputs.metadata.name"],
                message: "metadata.name change: Pulumi creates the object under its new name, then deletes the old one; its pods get new, empty PersistentVolumeClaims and the old claims are left behind",
            },
        ]);
        const moved = warningsFor("kubernetes:core/v1:Service", { metadata: { namespace: "a" }, spec: { clusterIP: "None" } }, { metadata: { namespace: "b" }, spec: {} });
        expect(moved).toHaveLength(1);
        expect(moved[0]!.message).toBe("metadata.namespace change: Pulumi creates the object under its new name, then deletes the old one");
    });

    it("says what a replacement does to the pods and volumes of each kind", () => {
        const vct = (size: string, whenDeleted?: string) => ({
            spec: { volumeClaimTemplates: [{ spec: { resources: { requests: { storage: size } } } }], ...(whenDeleted ? { persistentVolumeClaimRetentionPolicy: { whenDeleted } } : {}) },
        });
        const kept = warningsFor("kubernetes:apps/v1:StatefulSet", vct("1Gi", "Retain"), vct("2Gi", "Retain"))[0]!.message;
        expect(kept).toContain("Pulumi deletes the StatefulSet with all its pods and creates it again");
        expect(kept).toContain("the existing PersistentVolumeClaims stay and are reused by name, unchanged");
        expect(warningsFor("kubernetes:apps/v1:StatefulSet", vct("1Gi"), vct("2Gi"))[0]!.message).toContain("the existing PersistentVolumeClaims stay");
        const dropped = warningsFor("kubernetes:apps/v1:StatefulSet", vct("1Gi", "Delete"), vct("2Gi", "Delete"))[0]!.message;
        expect(dropped).toContain("its PersistentVolumeClaims are deleted with it (whenDeleted: Delete) and created again empty");
        expect(dropped).not.toContain("stay");
        const operator = warningsFor("kubernetes:monitoring.coreos.com/v1:Prometheus", { spec: { storage: { a: 1 } } }, { spec: { storage: { a: 2 } } })[0]!.message;
        expect(operator).toContain("the Operator deletes its StatefulSets with their pods and creates them again");
        expect(warningsFor("kubernetes:apps/v1:Deployment", { spec: { selector: { a: 1 } } }, { spec: { selector: { a: 2 } } })[0]!.message).toContain("Pulumi deletes the Deployment with all its pods");
        expect(warningsFor("kubernetes:core/v1:PersistentVolumeClaim", { spec: { volumeName: "a" } }, { spec: { volumeName: "b" } })[0]!.message).toContain("the data on its volume is lost");
        expect(warningsFor("kubernetes:storage.k8s.io/v1:StorageClass", { provisioner: "a" }, { provisioner: "b" })[0]!.message).toContain("existing volumes keep their old parameters");
        expect(warningsFor("kubernetes:core/v1:Secret", { type: "a" }, { type: "b" })[0]!.message).toBe("the cluster cannot change type in place: Pulumi deletes the object and creates it again");
    });
});

describe("render diff: a new block stream", () => {
    const streams: Array<[string, Record<string, unknown>, Record<string, unknown>, string]> = [
        ["kubernetes:monitoring.coreos.com/v1:Prometheus", { spec: { externalLabels: { cluster: "a" } } }, { spec: { externalLabels: { cluster: "b" } } }, "spec.externalLabels.cluster"],
        ["kubernetes:monitoring.coreos.com/v1:Prometheus", { spec: { externalLabels: {} } }, { spec: { externalLabels: { region: "eu" } } }, "spec.externalLabels.region"],
        ["kubernetes:monitoring.coreos.com/v1:Prometheus", { spec: { replicaExternalLabelName: "a" } }, { spec: { replicaExternalLabelName: "b" } }, "spec.replicaExternalLabelName"],
        ["kubernetes:monitoring.coreos.com/v1:Prometheus", { spec: { prometheusExternalLabelName: "a" } }, { spec: { prometheusExternalLabelName: "b" } }, "spec.prometheusExternalLabelName"],
        ["kubernetes:monitoring.coreos.com/v1:ThanosRuler", { spec: { labels: { a: "1" } } }, { spec: { labels: { a: "2" } } }, "spec.labels.a"],
    ];
    it.each(streams)("%s: %j -> %j starts a new stream (%s)", (type, before, after, field) => {
        const w = warningsFor(type, before, after);
        expect(w).toEqual([
            {
                resource: `${type}::o`,
                kind: "block-stream",
                paths: [`inputs.${field}`],
                message: `${field} name the block stream: new blocks start a new stream, which the compactor compacts and downsamples apart from the old one, and the querier does not deduplicate old and new series against each other`,
            },
        ]);
        expect(formatDiff(diffRenders([res("o", before, type)], [res("o", after, type)]))).toContain(`\n! ${type}::o: ${field} name the block stream`);
    });

    it("other labels of those objects, and external labels elsewhere, start none", () => {
        expect(warningsFor("kubernetes:monitoring.coreos.com/v1:Prometheus", { metadata: { labels: { a: "1" } }, spec: { podMetadata: { labels: { a: "1" } } } }, { metadata: { labels: { a: "2" } }, spec: { podMetadata: { labels: { a: "2" } } } })).toEqual([]);
        expect(warningsFor("kubernetes:monitoring.coreos.com/v1:ThanosRuler", { spec: { labelsX: { a: "1" } } }, { spec: { labelsX: { a: "2" } } })).toEqual([]);
        expect(warningsFor("kubernetes:apps/v1:Deployment", { spec: { externalLabels: { a: "1" } } }, { spec: { externalLabels: { a: "2" } } })).toEqual([]);
    });
});
